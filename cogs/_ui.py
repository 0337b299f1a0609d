"""Shared pieces for cogs: replies, permission checks, error wording, formatting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import discord
from discord import app_commands
from discord.ext import tasks

from cogs._bot import ClubBot
from domain.errors import UserError
from domain.markdown import escape_markdown
from services.club import ClubService

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour(0xE8B04B)  # projector-lamp amber


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
    view: discord.ui.View | None = None,
) -> None:
    """Answer whether or not the interaction was already answered or deferred.

    Every send passes ``allowed_mentions`` explicitly: user text may contain mentions, and Discord re-reads
    mentions on edit.
    """
    kwargs: dict[str, object] = {"content": content, "ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)  # type: ignore[call-overload]
    else:
        await interaction.response.send_message(**kwargs)  # type: ignore[call-overload]


def user_message(error: UserError) -> str:
    """``error`` worded for a Discord reply: what the user typed is quoted through the one escaper.

    Never ``str(error)`` in a reply: that is the plain (terminal) wording, where a ``||`` or a masked link
    the user typed would render.
    """
    return error.render(escape_markdown)


def describe_app_command_error(error: app_commands.AppCommandError) -> str | None:
    """The short message for an expected error, or None for an unexpected one (to be logged)."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, UserError):
        return user_message(original)
    if isinstance(error, app_commands.MissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {perms} permission to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {perms} permission here to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You are not allowed to use this command."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not understand {escape_markdown(repr(error.value), limit=100)} for that option."
    if isinstance(original, discord.Forbidden):
        return "Discord refused that: I am missing a permission in this channel."
    return None


class NotAllowed(app_commands.CheckFailure):
    """A server-side permission check failed; the message says what is needed."""


def manage_guild_only() -> Callable[[T], T]:
    """Server-side check backing ``default_permissions(manage_guild=True)`` (which server admins can change)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage
        perms = interaction.permissions
        if perms.manage_guild or perms.administrator:
            return True
        raise NotAllowed("Only moderators with the Manage Server permission can do that.")

    return app_commands.check(predicate)


async def is_organiser(interaction: discord.Interaction) -> bool:
    """Manage Events (or Manage Server / Administrator), or the organiser role set with /club settings."""
    if interaction.guild is None:
        return False
    perms = interaction.permissions
    if perms.manage_events or perms.manage_guild or perms.administrator:
        return True
    settings = await bot_of(interaction).services.club.guild_settings(interaction.guild.id)
    role_id = settings.organiser_role_id
    user = interaction.user
    return role_id is not None and isinstance(user, discord.Member) and user.get_role(role_id) is not None


def organiser_only() -> Callable[[T], T]:
    """Check for organiser commands (watch-party scheduling, /film pick)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage
        if await is_organiser(interaction):
            return True
        raise NotAllowed(
            "Only organisers can do that (Manage Events, or the organiser role in /club settings)."
        )

    return app_commands.check(predicate)


class PassReport(Protocol):
    """What a background loop's pass returns (services' CycleReport / RunReport)."""

    @property
    def busy(self) -> bool: ...

    @property
    def errors(self) -> list[str]: ...

    def summary(self) -> str: ...


def loop_interval(loop: tasks.Loop[Any]) -> float:
    return (loop.hours or 0) * 3600 + (loop.minutes or 0) * 60 + (loop.seconds or 0)


async def guarded_pass(
    club: ClubService,
    name: str,
    run: Callable[[], Awaitable[PassReport]],
    *,
    record_idle: bool = False,
    loop: tasks.Loop[Any] | None = None,
) -> None:
    """Run one pass of the ``name`` loop, record its health for /club status, and never raise.

    The service isolates each item (feed, poll, reminder); this guard is for the pass itself: a
    ``tasks.loop`` stops for good on most exceptions, so nothing may escape its body. With ``loop`` (the
    ``tasks.Loop`` running this pass) every completed pass, idle ones too, is reported to ``/healthz``,
    which calls the loop stuck after three of its intervals without one.
    """
    if loop is not None:
        club.health.pass_started(name, loop_interval(loop))
    try:
        report = await run()
        club.health.pass_completed(name)
        if report.busy or record_idle:
            await club.record_loop(name, not report.errors, report.summary())
    except Exception as exc:
        log.exception("%s loop: the pass failed", name)
        try:
            await club.record_loop(name, False, f"pass failed: {exc!r}"[:300])
        except Exception:
            log.exception("%s loop: could not record its health", name)


async def stop_loop(loop: tasks.Loop[Any]) -> None:
    """Cancel a cog's background loop and wait until its task has ended.

    ``Loop.cancel`` only requests it: a pass interrupted inside a database transaction still awaits its
    rollback. Waiting here means a reloaded cog's new loop never overlaps the old one's last pass.
    """
    loop.cancel()
    task = loop.get_task()
    if task is not None and not task.done():
        await asyncio.gather(task, return_exceptions=True)


def bot_of(interaction: discord.Interaction) -> ClubBot:
    return interaction.client  # type: ignore[return-value]


def ts(epoch: float | int, style: str = "f") -> str:
    """A Discord timestamp that each member sees in their own time zone."""
    return f"<t:{int(epoch)}:{style}>"


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def human_duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    if not parts:
        parts.append(f"{secs}s")
    return " ".join(parts)
