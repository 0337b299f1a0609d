"""The vote path: a member's reaction on a poll message becomes a committed vote (or why not)."""

from __future__ import annotations

import logging

from domain.models import PollMode, PollStatus
from domain.polls import NUMBER_EMOJI, apply_add, emoji_index
from services.delivery import DeliveryGone
from services.polls._models import Live, VoteResult
from services.polls._read import PollReading
from storage import polls as repo

log = logging.getLogger(__name__)


class PollVotes(PollReading):
    async def _target(self, message_id: int, user_id: int, emoji: str) -> tuple[Live, int] | None:
        """The open poll and option a member's reaction is about, or None when it is not a vote.

        Waits while the startup resync runs, so live events apply on top of the reconciled state.
        """
        if not self._gate.is_set():
            await self._gate.wait()
        live = self._open.get(message_id)
        if live is None or user_id == self.bot_user_id:
            return None
        option = emoji_index(emoji)
        if option is None or option >= live.n_options:
            return None
        return live, option

    async def reaction_added(
        self, guild_id: int | None, channel_id: int, message_id: int, user_id: int, emoji: str
    ) -> VoteResult:
        """A member added ``emoji`` to a message. Returns what happened (for tests and benchmarks)."""
        target = await self._target(message_id, user_id, emoji)
        if target is None:
            return "ignored"
        live, option = target
        now = self._now()
        # Fast path, one statement that is its own transaction: the vote goes in if the poll is open, the
        # pair is new and the member is under the cap (single choice: has no vote yet). That is every first
        # vote and every multi/ranked vote within the cap, i.e. nearly all of them.
        cap = 1 if live.mode == PollMode.SINGLE else live.max_choices
        if await repo.add_vote(self.db, live.poll_id, user_id, option, max_choices=cap, now=now):
            return "recorded"
        # Otherwise decide with the domain rules, in one transaction: closed, a replay, a refusal over the
        # cap, or a single-choice replacement (delete the previous vote, insert the new one).
        previous: list[int] = []
        replaced = False
        async with self.db.transaction() as conn:
            if live.mode == PollMode.SINGLE:  # usually a replacement; both statements check the poll is open
                previous = await repo.delete_other_votes(conn, live.poll_id, user_id, option)
                replaced = bool(previous) and await repo.add_vote(
                    conn, live.poll_id, user_id, option, max_choices=None, now=now
                )
            if not replaced:
                status, current = await repo.vote_state(conn, live.poll_id, user_id)
        if replaced:
            for old in previous:
                await self._strip(live, user_id, old)
            return "replaced"
        if status != PollStatus.OPEN:
            return "closed"
        decision = apply_add(live.mode, live.max_choices, current, option)
        if decision.remove_reaction:
            log.info(
                "poll %s: member %s is over the choice cap; option %d refused", live.poll_id, user_id, option
            )
            await self._strip(live, user_id, option)
            return "refused"
        return "duplicate"

    async def reaction_removed(
        self, guild_id: int | None, channel_id: int, message_id: int, user_id: int, emoji: str
    ) -> VoteResult:
        """A member removed ``emoji`` from a message: withdraw that vote (ranked: later ranks move up)."""
        target = await self._target(message_id, user_id, emoji)
        if target is None:
            return "ignored"
        live, option = target
        # one statement: its own transaction
        gone = await repo.delete_vote(self.db, live.poll_id, user_id, option)
        return "withdrawn" if gone else "none"

    async def reactions_cleared(self, message_id: int, emoji: str | None = None) -> int:
        """A moderator removed every reaction (or every ``emoji`` reaction) of a message."""
        if not self._gate.is_set():
            await self._gate.wait()
        live = self._open.get(message_id)
        if live is None:
            return 0
        option = None if emoji is None else emoji_index(emoji)
        if emoji is not None and (option is None or option >= live.n_options):
            return 0
        async with self.db.transaction() as conn:
            count = await repo.delete_poll_votes(conn, live.poll_id, option)
        log.info("poll %s: reactions cleared on its message, %d votes withdrawn", live.poll_id, count)
        return count

    async def _strip(self, live: Live, user_id: int, option: int) -> None:
        """Remove a member's reaction that does not count; flag the poll if Discord won't let us."""
        if self.port is None:
            return
        try:
            removed = await self.port.remove_reaction(
                live.channel_id, live.message_id, NUMBER_EMOJI[option], user_id
            )
        except DeliveryGone:
            return
        except Exception:
            log.exception("poll %s: removing member %s's reaction %d failed", live.poll_id, user_id, option)
            removed = False
        if not removed and live.poll_id not in self._stale:
            self._stale.add(live.poll_id)
            async with self.db.transaction() as conn:
                await repo.mark_reactions_stale(conn, live.poll_id)
            log.warning(
                "poll %s: cannot remove reactions (Manage Messages missing in channel %s); flagged",
                live.poll_id,
                live.channel_id,
            )
