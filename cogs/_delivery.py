"""The one Discord port of :mod:`services.delivery`: send a stored payload, find it in a channel, and map
discord.py's exceptions to the delivery errors. Also the helpers cogs use to turn embeds and buttons into
a :class:`~services.delivery.Payload` (rendering happens before anything is stored)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import discord

from cogs._bot import ClubBot
from services.delivery import (
    Button,
    DeliveryError,
    DeliveryGone,
    DeliveryRefused,
    DeliveryTransient,
    Payload,
)

log = logging.getLogger(__name__)

# A minute of slack for clock skew between this host and Discord's snowflakes.
CLOCK_SLACK = 60

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


def delivery_error(exc: discord.HTTPException) -> DeliveryError:
    """404 -> gone, 403 -> refused, anything else (5xx, 429 after retries) -> transient."""
    text = f"{exc.status} {exc.text or ''}".strip()
    if isinstance(exc, discord.NotFound):
        return DeliveryGone(text)
    if isinstance(exc, discord.Forbidden):
        return DeliveryRefused(text)
    return DeliveryTransient(text)


def buttons_of(view: discord.ui.View) -> tuple[Button, ...]:
    """The persistent buttons of a view (every one must have a custom_id handled by a DynamicItem)."""
    out = []
    for item in view.children:
        button = item.item if isinstance(item, discord.ui.DynamicItem) else item
        if isinstance(button, discord.ui.Button) and button.custom_id:
            emoji = str(button.emoji) if button.emoji else None
            out.append(Button(button.custom_id, button.label or "", button.style.name, emoji))
    return tuple(out)


def _view(buttons: Sequence[Button]) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(
            discord.ui.Button(
                custom_id=button.custom_id,
                label=button.label[:80],
                style=_STYLES.get(button.style, discord.ButtonStyle.secondary),
                emoji=button.emoji,
            )
        )
    # Only the components go out: the cogs' DynamicItems answer these custom_ids, so the view must not be
    # stored for the message (a stopped view is not).
    view.stop()
    return view


def _signature(message: discord.Message) -> tuple[str, list[dict[str, Any]]]:
    return message.content, [e.to_dict() for e in message.embeds]  # type: ignore[misc]


class DiscordDelivery:
    """Implements :class:`services.delivery.DeliveryPort` with discord.py."""

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def resolve(self, channel_id: int) -> Any:
        """Any channel by id (fetched if not cached); DeliveryGone / DeliveryRefused when Discord says so."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException as exc:
                raise delivery_error(exc) from exc
        return channel

    async def channel(self, channel_id: int) -> discord.abc.Messageable:
        """The channel to send to; DeliveryRefused if it cannot hold messages."""
        channel = await self.resolve(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryRefused(f"channel {channel_id} is not a text channel")
        return channel

    async def send(self, channel_id: int, payload: Payload, nonce: str) -> int:
        channel = await self.channel(channel_id)
        # Exactly the payload's users may be pinged: never @everyone, @here or roles, whatever the text says.
        mentions = discord.AllowedMentions(
            everyone=False,
            roles=False,
            users=[discord.Object(u) for u in payload.mention_users] if payload.mention_users else False,
            replied_user=False,
        )
        reference = (
            discord.MessageReference(
                message_id=payload.reply_to, channel_id=channel_id, fail_if_not_exists=False
            )
            if payload.reply_to is not None
            else None
        )
        view = _view(payload.buttons)
        try:
            message = await channel.send(
                content=payload.content[:2000] or None,
                embeds=[discord.Embed.from_dict(dict(e)) for e in payload.embeds],
                view=view,  # type: ignore[arg-type]
                allowed_mentions=mentions,
                reference=reference,  # type: ignore[arg-type]
                nonce=nonce,  # discord.py sends enforce_nonce with it: a retried post is not duplicated
            )
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryTransient(repr(exc)) from exc
        return message.id

    async def find(self, channel_id: int, payload: Payload, since: int) -> int | None:
        """Our message matching ``payload`` among *every* message after the first attempt's snowflake.

        Without the message content intent, history still shows the content and embeds of the bot's own
        messages, which is all this compares.
        """
        channel = await self.channel(channel_id)
        me = self.bot.user
        if me is None:
            raise DeliveryTransient("not logged in yet")
        after = discord.Object(
            discord.utils.time_snowflake(datetime.fromtimestamp(since - CLOCK_SLACK, tz=UTC))
        )
        try:
            async for message in channel.history(limit=None, after=after, oldest_first=True):
                if message.author.id != me.id:
                    continue
                content, embeds = _signature(message)
                if payload.matches(content, embeds):
                    return message.id
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryTransient(repr(exc)) from exc
        return None
