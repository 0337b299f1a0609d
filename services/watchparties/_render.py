"""The announcement's re-renders and the notices members get, as outbox rows."""

from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from collections.abc import Sequence

from domain import reminders as rem
from domain.models import Party
from services.delivery import DeliveryGone, DeliveryRefused, Payload
from services.watchparties._context import Context
from services.watchparties._models import NOTICE
from storage.db import Connection

log = logging.getLogger(__name__)

Notices = list[tuple[int, Payload]]


def reply_target(party: Party, channel_id: int) -> int | None:
    """The announcement to reply to, only when posting in its own channel (replies can't cross channels)."""
    return party.announce_message_id if channel_id == party.announce_channel_id else None


def notices(party: Party, header: str, user_ids: Sequence[int]) -> Notices:
    """``header`` pinging ``user_ids`` where the party is announced, split to fit, as (channel, payload)."""
    channel_id = party.thread_id or party.announce_channel_id
    return [
        (
            channel_id,
            Payload(
                content=message.content,
                mention_users=tuple(message.user_ids),
                reply_to=reply_target(party, channel_id),
            ),
        )
        for message in rem.mention_messages(header, user_ids)
    ]


async def enqueue_notices(
    ctx: Context, conn: Connection, party_id: int, rendered: Sequence[tuple[int, Payload]]
) -> None:
    tag = secrets.token_hex(6)  # one notice among many of the party: the outbox row gives the nonce
    for index, (channel_id, payload) in enumerate(rendered):
        await ctx.delivery.enqueue(
            conn,
            kind=NOTICE,
            owner_id=party_id,
            part=f"{tag}.{index}",
            channel_id=channel_id,
            payload=payload,
        )


class Announcements:
    """Re-renders announcements, one at a time per party, coalescing bursts."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._party_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._refresh_waiting: set[int] = set()

    def lock_for(self, party_id: int) -> asyncio.Lock:
        """Serialises renders of one party's announcement so the last edit shows the latest state."""
        lock = self._party_locks.get(party_id)
        if lock is None:
            lock = asyncio.Lock()
            self._party_locks[party_id] = lock
        return lock

    async def refresh(self, party_id: int) -> None:
        """Re-render the announcement; a deleted message or channel is logged, not raised.

        Bursts coalesce: while one render runs, at most one more waits, and it reads the state only once it
        holds the lock, so it shows every change made before it started. A burst of RSVPs therefore costs
        two message edits instead of one each (Discord allows about 5 edits per 5 s per channel).
        """
        if self.ctx.discord is None or party_id in self._refresh_waiting:
            return
        self._refresh_waiting.add(party_id)
        locked = False
        try:
            async with self.lock_for(party_id):
                locked = True
                self._refresh_waiting.discard(party_id)
                await self._render(party_id)
        finally:
            if not locked:  # cancelled while waiting
                self._refresh_waiting.discard(party_id)

    async def _render(self, party_id: int) -> None:
        discord = self.ctx.port()
        view = await self.ctx.view(party_id)
        if view.party.announce_message_id is None:
            return
        try:
            await discord.edit_announcement(view)
        except (DeliveryGone, DeliveryRefused) as exc:
            log.warning(
                "watch party %s: announcement %s in channel %s can't be edited: %s",
                party_id,
                view.party.announce_message_id,
                view.party.announce_channel_id,
                exc,
            )
        except Exception:  # transient: the next change re-renders; callers still tell members
            log.exception(
                "watch party %s: editing announcement %s failed", party_id, view.party.announce_message_id
            )
