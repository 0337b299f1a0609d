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
from domain.forumposts import ForumTag, select_tags
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

# Discord's answers to repeating an idempotent action: the thread (or the crosspost) is already there.
THREAD_ALREADY_CREATED = 160004
ALREADY_CROSSPOSTED = 40033

#: Channels where a message opens a post (discord.py types both as ForumChannel).
FORUMS = (discord.ForumChannel,)

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


def _mentions(payload: Payload) -> discord.AllowedMentions:
    # Exactly the payload's users may be pinged: never @everyone, @here or roles, whatever the text says.
    return discord.AllowedMentions(
        everyone=False,
        roles=False,
        users=[discord.Object(u) for u in payload.mention_users] if payload.mention_users else False,
        replied_user=False,
    )


def forum_tags(forum: discord.ForumChannel) -> list[ForumTag]:
    return [ForumTag(t.id, t.name, t.moderated) for t in forum.available_tags]


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
        if payload.target is not None:
            return await self._act_on(channel_id, payload.target, payload)
        if payload.thread is not None:
            target = await self.resolve(channel_id)
            if isinstance(target, FORUMS):
                return await self._open_post(target, payload)
        channel = await self.channel(channel_id)
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
                allowed_mentions=_mentions(payload),
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
        if payload.thread is not None:
            forum = await self.resolve(channel_id)
            if isinstance(forum, FORUMS):
                return await self._find_post(forum, payload, since)
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

    # -- threads, forum posts, crossposts ------------------------------------------------------------

    async def _open_post(self, forum: discord.ForumChannel, payload: Payload) -> int:
        """A forum (or media) post whose first message is the payload; its tags are the forum's own."""
        assert payload.thread is not None
        me = forum.guild.me
        can_moderate = me is not None and forum.permissions_for(me).manage_threads
        wanted = select_tags(forum_tags(forum), payload.thread.tags, can_moderate=can_moderate)
        tags = [t for tag_id in wanted if (t := forum.get_tag(tag_id)) is not None]
        kwargs: dict[str, Any] = {}
        if payload.thread.auto_archive:
            kwargs["auto_archive_duration"] = payload.thread.auto_archive
        try:
            created = await forum.create_thread(
                name=payload.thread.name[:100],
                content=payload.content[:2000] or None,
                embeds=[discord.Embed.from_dict(dict(e)) for e in payload.embeds],
                view=_view(payload.buttons),  # type: ignore[arg-type]
                allowed_mentions=_mentions(payload),
                applied_tags=tags,
                **kwargs,
            )
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryTransient(repr(exc)) from exc
        return created.message.id

    async def _act_on(self, channel_id: int, message_id: int, payload: Payload) -> int:
        """Open a thread under a message, or crosspost it; done before counts as done (no second one)."""
        channel = await self.channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise DeliveryRefused(f"channel {channel_id} cannot hold threads or crossposts")
        message = channel.get_partial_message(message_id)
        try:
            if payload.crosspost:
                await message.publish()
                return message_id
            assert payload.thread is not None
            kwargs: dict[str, Any] = {}
            if payload.thread.auto_archive:
                kwargs["auto_archive_duration"] = payload.thread.auto_archive
            thread = await message.create_thread(name=payload.thread.name[:100], **kwargs)
            return thread.id
        except discord.HTTPException as exc:
            if exc.code in (THREAD_ALREADY_CREATED, ALREADY_CROSSPOSTED):
                return message_id  # a thread's id is its message's
            raise delivery_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryTransient(repr(exc)) from exc

    async def _find_post(self, forum: discord.ForumChannel, payload: Payload, since: int) -> int | None:
        """Our post opened after ``since`` whose first message is ``payload``: among the forum's active
        threads, then its archived ones (an archived post is not opened again)."""
        me = self.bot.user
        if me is None:
            raise DeliveryTransient("not logged in yet")
        after = discord.utils.time_snowflake(datetime.fromtimestamp(since - CLOCK_SLACK, tz=UTC))
        try:
            active = [t for t in await forum.guild.active_threads() if t.parent_id == forum.id]
            archived = []
            # newest archived first: a post opened after ``since`` was archived after it too
            async for thread in forum.archived_threads(limit=None):
                if thread.archive_timestamp.timestamp() < since - CLOCK_SLACK:
                    break
                archived.append(thread)
            for thread in active + archived:
                if thread.id <= after or thread.owner_id != me.id:
                    continue
                try:
                    starter = await thread.fetch_message(thread.id)
                except discord.NotFound:
                    continue  # its first message was deleted: not comparable, and not ours to repeat
                if payload.matches(*_signature(starter)):
                    return thread.id
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryTransient(repr(exc)) from exc
        return None
