"""Restart resync: reconcile the stored votes of every open poll with its message's reactions.

:meth:`PollResync.resync_all` closes the gate every reaction event waits at, fetches each open poll's
reactions, reconciles the stored votes with them (:func:`plan_resync`: votes recovered this way get seqs after
every vote recorded live, so they rank after live ones), closes polls whose message was deleted with what was
stored, re-adds the bot's option reactions where they are incomplete (a crash between posting the poll and
seeding them), and reopens the gate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from domain.models import Poll, PollMode, PollStatus
from domain.polls import Vote, emoji_index
from services.delivery import DeliveryGone
from services.polls._close import PollClosing
from services.polls._models import ResyncPlan, ResyncReport, live_of
from storage import polls as repo

log = logging.getLogger(__name__)


def plan_resync(
    mode: PollMode,
    max_choices: int | None,
    stored: Sequence[Vote],
    present: Mapping[int, Sequence[int]],
    *,
    stale: bool = False,
) -> ResyncPlan:
    """Reconcile stored votes with the reactions on the message (``{option: member ids}``, bot excluded).

    Stored votes whose reaction is gone are removed. Reactions with no stored vote were made while the bot
    was offline; they are added after every stored vote, each member's in option order (Discord does not
    say when a reaction was made). The mode's rules then apply as if they had arrived live: in single mode a
    recovered reaction replaces the member's stored vote (it is the newer one; if several were recovered the
    lowest-numbered wins) and the other reactions are stripped; with ``max_choices`` recovered reactions
    beyond the cap are stripped.

    ``stale``: the bot could not remove reactions on this poll (no Manage Messages), so in single mode a
    member's extra reactions are leftovers of replaced votes, not newer votes: while the reaction of their
    stored vote is still there, it stands.
    """
    present_pairs = {(user, option) for option, users in present.items() for user in users}
    removed = [(v.user_id, v.option) for v in sorted(stored, key=lambda v: v.seq)]
    removed = [pair for pair in removed if pair not in present_pairs]
    kept: dict[int, list[int]] = {}
    for vote in sorted(stored, key=lambda v: v.seq):
        if (vote.user_id, vote.option) in present_pairs:
            kept.setdefault(vote.user_id, []).append(vote.option)
    stored_pairs = {(v.user_id, v.option) for v in stored}
    recovered: dict[int, list[int]] = {}
    for user, option in sorted(present_pairs - stored_pairs):
        recovered.setdefault(user, []).append(option)
    added: list[tuple[int, int]] = []
    strip: list[tuple[int, int]] = []
    for user, options in recovered.items():
        have = kept.get(user, [])
        if mode == PollMode.SINGLE:
            if stale and have:
                continue
            winner, rest = options[0], options[1:]
            removed.extend((user, old) for old in have)
            strip.extend((user, old) for old in have)
            strip.extend((user, option) for option in rest)
            added.append((user, winner))
            continue
        room = len(options) if max_choices is None else max(0, max_choices - len(have))
        added.extend((user, option) for option in options[:room])
        strip.extend((user, option) for option in options[room:])
    return ResyncPlan(tuple(removed), tuple(added), tuple(strip))


class PollResync(PollClosing):
    async def resync_all(self) -> ResyncReport:
        """Reconcile every open poll with its message's reactions, then let held events through."""
        report = ResyncReport()
        self._gate.clear()
        try:
            async with self._resync_lock:
                for poll in await repo.open_polls(self.db):
                    if not self.owns_guild(poll.guild_id):
                        continue
                    try:
                        await self._resync(poll, report)
                    except Exception as exc:
                        log.exception("poll %s: resync failed; its stored votes stand", poll.id)
                        report.errors.append(f"poll {poll.id}: {exc!r}"[:200])
                # reload: a poll could have been closed meanwhile
                self._open.clear()
                for poll in await repo.open_polls(self.db):
                    self._remember(poll)
        finally:
            self._gate.set()
        self.last_resync = report
        log.info("polls: %s", report.summary())
        return report

    def _present(
        self, poll: Poll, reactions: Mapping[str, Sequence[int]]
    ) -> tuple[dict[int, list[int]], bool]:
        """Members' reactions by option (the bot's own left out), and whether every option has the bot's."""
        present: dict[int, list[int]] = {}
        seeded: set[int] = set()
        for emoji, users in reactions.items():
            option = emoji_index(emoji)
            if option is None or option >= poll.n_options:
                continue
            if self.bot_user_id is not None and self.bot_user_id in users:
                seeded.add(option)
            bucket = present.setdefault(option, [])
            bucket.extend(u for u in users if u != self.bot_user_id and u not in bucket)
        complete = self.bot_user_id is None or len(seeded) == poll.n_options
        return present, complete

    async def _resync(self, poll: Poll, report: ResyncReport) -> None:
        live = live_of(poll)
        if live is None or self.port is None:
            return
        report.polls += 1
        try:
            reactions = await self.port.fetch_reactions(poll.channel_id, live.message_id)
        except DeliveryGone:
            log.info(
                "poll %s: its message %s was deleted; closing with the stored votes", poll.id, live.message_id
            )
            if await self._close(poll, "message deleted", None) is not None:
                report.closed += 1
                await self._announce()
            return
        present, seeded = self._present(poll, reactions)
        async with self.db.transaction() as conn:
            # /poll close is not held by the gate: if it closed the poll while its reactions were being
            # fetched, the votes it counted are final and must not change under the posted result
            status, _ = await repo.vote_state(conn, poll.id, 0)
            if status != PollStatus.OPEN:
                return
            stored = await repo.votes_for(conn, poll.id)
            stale = poll.reactions_stale or poll.id in self._stale
            plan = plan_resync(poll.mode, poll.max_choices, stored, present, stale=stale)
            if plan.removed or plan.added:
                await repo.apply_resync(
                    conn, poll.id, removed=plan.removed, added=plan.added, now=self._now()
                )
        report.added += len(plan.added)
        report.removed += len(plan.removed)
        if plan.added or plan.removed:
            log.info(
                "poll %s: resync applied %d votes made and %d withdrawn while offline",
                poll.id,
                len(plan.added),
                len(plan.removed),
            )
        for user, option in plan.strip:
            await self._strip(live, user, option)
        if not seeded:
            log.info(
                "poll %s: its option reactions are incomplete (a restart while seeding); adding them", poll.id
            )
            await self._seed(poll)
