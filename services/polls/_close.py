"""Closing a poll (its deadline, its creator or a moderator) and queueing its results message."""

from __future__ import annotations

import dataclasses
import logging

from domain.errors import UserError
from domain.models import Poll, PollKind, PollStatus
from services.polls._models import MAX_ANNOUNCE_ATTEMPTS, POLL_MESSAGE, POLL_RESULTS, DueReport, Outcome
from services.polls._publish import PollPublishing
from storage import leases
from storage import polls as repo
from storage.db import Connection
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)


class PollClosing(PollPublishing):
    async def close(self, guild_id: int, poll_id: int, *, user_id: int, can_moderate: bool) -> Outcome:
        """Close a poll now (its creator or a moderator) and post the results."""
        poll = await self.get(guild_id, poll_id)
        if not poll.is_open:
            raise UserError(f"Poll #{poll_id} is already closed.")
        if user_id != poll.created_by and not can_moderate:
            raise UserError(f"Only the member who created poll #{poll_id} or a moderator can close it.")
        outcome = await self._close(poll, "closed", user_id)
        if outcome is None:
            raise UserError(f"Poll #{poll_id} is already closed.")
        await self._announce()
        return outcome

    async def _close(self, poll: Poll, reason: str, closed_by: int | None) -> Outcome | None:
        """Close exactly once, in one transaction with the winner and (picks) the archived round."""
        now = self._now()
        async with self.db.transaction() as conn:
            votes = await repo.votes_for(conn, poll.id)
            nominations = await repo.poll_nominations(conn, poll.id) if poll.kind == PollKind.PICK else []
            outcome = self._compute(poll, votes, nominations)
            closed = await repo.close_poll(
                conn, poll.id, now=now, reason=reason, closed_by=closed_by, winner=outcome.winner
            )
            if closed:
                closed_poll = dataclasses.replace(
                    poll,
                    status=PollStatus.CLOSED,
                    closed_at=now,
                    close_reason=reason,
                    closed_by=closed_by,
                    winner=outcome.winner,
                )
                await self._enqueue_results(conn, dataclasses.replace(outcome, poll=closed_poll))
            if closed and poll.kind == PollKind.PICK:
                if outcome.voters:
                    await repo.archive_poll_nominations(conn, poll.id, now)
                else:  # nobody voted: nothing was decided, the films wait for the next pick
                    await repo.reopen_poll_nominations(conn, poll.id)
        self._forget(poll)
        if not closed:
            return None
        self._closed_unshown.add(poll.id)
        log.info(
            "poll %s in guild %s closed (%s, by %s): winner %s, tie %s, %d voters",
            poll.id,
            poll.guild_id,
            reason,
            closed_by,
            outcome.winner,
            outcome.tie,
            outcome.voters,
        )
        final = await repo.get_poll(self.db, poll.id)
        return self._compute(final, votes, nominations) if final else outcome

    async def _enqueue_results(self, conn: Connection, outcome: Outcome) -> None:
        """Render the results (pure) and store them in the outbox, in the closing transaction."""
        if self.port is None:
            return  # rendered and enqueued by the next run_due once a port is attached
        await self.delivery.enqueue(
            conn,
            kind=POLL_RESULTS,
            owner_id=outcome.poll.id,
            channel_id=outcome.poll.channel_id,
            payload=self.port.results_payload(outcome),
            nonce=f"pollclose{outcome.poll.id}",  # the nonce results had before the outbox: kept on upgrade
        )

    async def _results_delivered(self, conn: Connection, row: OutboxRow, message_id: int) -> None:
        await repo.mark_announced(conn, row.owner_id, message_id)

    async def _results_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        log.warning(
            "poll %s: the results can't be posted in channel %s (%s: %s); giving up",
            row.owner_id,
            row.channel_id,
            state,
            error,
        )
        await repo.mark_announced(conn, row.owner_id, None)
        return False

    async def _announce(self) -> int:
        """Send the queued poll messages and results messages; returns how many results went out (or were
        found already posted).

        Polls closed before the outbox existed (or while no port was attached) are enqueued first.
        """
        if self.port is None:
            return 0
        await self.delivery.run(kinds=(POLL_MESSAGE,))
        await self._seed_delivered()
        for poll in await repo.pending_announcements(
            self.db, MAX_ANNOUNCE_ATTEMPTS, queued_kind=POLL_RESULTS
        ):
            outcome = await self.outcome(poll)
            async with self.db.transaction() as conn:
                await self._enqueue_results(conn, outcome)
        report = await self.delivery.run(kinds=(POLL_RESULTS,))
        while self._closed_unshown:
            closed = await repo.get_poll(self.db, self._closed_unshown.pop())
            if closed is None or closed.message_id is None:
                continue
            try:
                await self.port.show_closed(closed)
            except Exception as exc:  # best effort: the results message says it all
                log.info("poll %s: could not mark the poll message closed (%r)", closed.id, exc)
        return report.delivered + report.found

    async def run_due(self) -> DueReport:
        """The deadline loop body: post queued poll messages, close every poll past its deadline, post pending
        results. Each poll is isolated: one failure is logged and never stops the others (or the loop)."""
        report = DueReport()
        if self.events_held:  # the startup resync decides first what the offline reactions were
            return report
        async with self._due_lock:
            due = await repo.due_polls(self.db, self._now())
            mine = await leases.claim(
                self.db, "poll", [p.id for p in due], self._now()
            )  # one process per poll
            for poll in (p for p in due if p.id in mine):
                try:
                    if await self._close(poll, "deadline", None) is not None:
                        report.closed += 1
                except Exception as exc:
                    log.exception("poll %s: closing at the deadline failed", poll.id)
                    report.errors.append(f"poll {poll.id}: {exc!r}"[:200])
            try:
                report.announced += await self._announce()
            except Exception as exc:
                log.exception("polls: announcing results failed")
                report.errors.append(f"results: {exc!r}"[:200])
        return report
