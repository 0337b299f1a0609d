"""The reminder engine: every due job fires exactly once, or is recorded as missed or dropped.

Each due row is classified with :func:`domain.reminders.classify_due`: overdue by at most the grace window ->
its messages are put in the outbox in the transaction that marks the job fired (they expire at the end of
the grace window); overdue by more (the bot was down) -> recorded as *missed* and never sent.
"""

from __future__ import annotations

import asyncio
import logging

from domain import reminders as rem
from domain.models import Party, ReminderRow, ReminderState
from services import metrics
from services.delivery import DeliveryGone, Payload
from services.watchparties._context import Context
from services.watchparties._models import DISCUSSION, MAX_THREAD_ATTEMPTS, REMINDER, RunReport
from services.watchparties._render import Announcements, reply_target
from storage import leases
from storage import watchparties as repo
from storage.db import Connection
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)


def reminder_of(row: ReminderRow, party: Party) -> rem.Reminder:
    if row.key.startswith("before:"):
        offset = int(row.key.split(":", 1)[1])
        return rem.Reminder("before", offset, row.due_at)
    if row.key == "start":
        return rem.Reminder("start", 0, row.due_at)
    if row.key == "discussion":
        return rem.Reminder("discussion", -party.duration, row.due_at)
    return rem.Reminder("spoiler_end", party.start_at - row.due_at, row.due_at)


class ReminderEngine:
    """Runs due jobs one at a time (no overlapping runs); delivery callbacks count into the run in progress."""

    def __init__(self, ctx: Context, announcements: Announcements) -> None:
        self.ctx = ctx
        self.announcements = announcements
        self._run_lock = asyncio.Lock()
        self._threads_opened: set[int] = set()  # announcements to re-render once the opener is out
        self._report: RunReport | None = None  # the run in progress
        self._fired_now: set[int] = set()  # reminder jobs fired by the run in progress

    async def run_due(self) -> RunReport:
        """Process every due reminder once (each isolated), then deliver this package's pending messages."""
        async with self._run_lock:
            report = RunReport()
            if self.ctx.discord is None:
                return report
            self._report, self._fired_now = report, set()
            try:
                await self._run_due(report)
            finally:
                self._report = None
            return report

    async def _run_due(self, report: RunReport) -> None:
        ctx = self.ctx
        now = ctx.now()
        due = await repo.due_reminders(ctx.db, now)
        mine = await leases.claim(ctx.db, "reminder", [r.id for r in due], now)  # one process per reminder
        for row in (r for r in due if r.id in mine):
            try:
                await self._process(row, now, report)
            except Exception as exc:
                log.exception("reminder %s (%s of watch party %s) failed", row.id, row.key, row.party_id)
                report.errors.append(f"reminder {row.id}: {exc!r}"[:200])
                try:
                    async with ctx.db.transaction() as conn:
                        await repo.record_attempt(conn, row.id, repr(exc))
                except Exception:
                    log.exception("reminder %s: could not record the failure", row.id)
        delivered = await ctx.deliver()
        report.retried += delivered.retried
        report.errors.extend(delivered.errors)
        for party_id in self._threads_opened:
            await self.announcements.refresh(party_id)
        self._threads_opened.clear()

    async def _finish(self, row: ReminderRow, state: ReminderState, error: str | None = None) -> None:
        async with self.ctx.db.transaction() as conn:
            await repo.finish_reminder(conn, row.id, state, self.ctx.now(), error)

    def _count(self, report: RunReport, state: ReminderState) -> None:
        if state == ReminderState.MISSED:
            report.missed += 1
        elif state == ReminderState.DROPPED:
            report.dropped += 1

    async def failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        """The delivery callback when a reminder's (or the discussion opener's) message could not go out.

        Refused (a permission) is retried until the message expires at the end of the grace window, as a
        moderator may fix it meanwhile; gone drops it; expired means it was missed."""
        if state == "refused":
            return True
        outcome = ReminderState.MISSED if state == "expired" else ReminderState.DROPPED
        await repo.reopen_outcome(conn, row.owner_id, outcome, f"{state}: {error}"[:300])
        report = self._report
        if report is not None:  # a run in progress counts the job as dropped/missed, not fired
            if row.owner_id in self._fired_now:
                self._fired_now.discard(row.owner_id)
                report.fired -= 1
            self._count(report, outcome)
        log.warning(
            "reminder %s: its message to channel %s was not sent (%s: %s)",
            row.owner_id,
            row.channel_id,
            state,
            error,
        )
        return False

    async def _process(self, row: ReminderRow, now: int, report: RunReport) -> None:
        party = await repo.get_party(self.ctx.db, row.party_id)
        if party is None or party.cancelled:
            await self._finish(row, ReminderState.SUPERSEDED)
            return
        due = rem.classify_due(row.due_at, now, int(self.ctx.settings.grace))
        if due == "wait":  # pragma: no cover - due_reminders only returns due rows
            return
        reminder = reminder_of(row, party)
        if reminder.kind == "spoiler_end":
            self.ctx.shields.forget(party.guild_id)
            await self._finish(row, ReminderState.FIRED)
            report.fired += 1
        elif reminder.kind == "discussion":
            await self._open_discussion(row, party, now, report)
        elif due == "missed":
            log.info(
                "reminder %s (%s) of watch party %s was due at %s, %ds ago (beyond the grace window): missed",
                row.id,
                row.key,
                party.id,
                row.due_at,
                now - row.due_at,
            )
            await self._finish(row, ReminderState.MISSED)
            report.missed += 1
        else:
            await self._fire(row, party, reminder, now, report)

    async def _fire(
        self, row: ReminderRow, party: Party, reminder: rem.Reminder, now: int, report: RunReport
    ) -> None:
        """Put the reminder's messages in the outbox and mark the job fired, in one transaction."""
        ctx = self.ctx
        view = await ctx.view(party)
        messages = rem.reminder_messages(reminder, party.film, party.start_at, view.going)
        channel_id = party.thread_id or party.announce_channel_id
        async with ctx.db.transaction() as conn:
            for index, message in enumerate(messages):
                await ctx.delivery.enqueue(
                    conn,
                    kind=REMINDER,
                    owner_id=row.id,
                    part=str(index),
                    channel_id=channel_id,
                    payload=Payload(
                        content=message.content,
                        mention_users=tuple(message.user_ids),
                        reply_to=reply_target(party, channel_id) if index == 0 else None,
                    ),
                    # the nonce and first attempt of a send begun before the outbox existed carry over
                    nonce=f"{row.nonce_base}.{index}",
                    first_attempt_at=row.sending_at,
                    expires_at=row.due_at + int(ctx.settings.grace),
                )
            await repo.finish_reminder(conn, row.id, ReminderState.FIRED, now)
        report.fired += 1
        self._fired_now.add(row.id)
        metrics.reminder_sent()
        log.info(
            "reminder %s (%s) of watch party %s: %d messages for channel %s pinging %d members",
            row.id,
            row.key,
            party.id,
            len(messages),
            channel_id,
            len(view.going),
        )

    async def _give_up(
        self,
        row: ReminderRow,
        party: Party,
        report: RunReport,
        state: ReminderState,
        error: str | None = None,
    ) -> None:
        """The discussion job ends without a thread: record why, and re-render the announcement."""
        await self._finish(row, state, error)
        self._count(report, state)
        await self.announcements.refresh(party.id)

    async def _thread(self, row: ReminderRow, party: Party, report: RunReport) -> int | None:
        """The party's discussion thread, opened now if need be; None when it can't be (yet)."""
        if party.thread_id is not None:
            return party.thread_id
        port = self.ctx.port()
        name = f"{party.film} — spoilers welcome"[:100]
        try:
            thread_id = await port.open_thread(party.announce_channel_id, party.announce_message_id, name)
            async with self.ctx.db.transaction() as conn:
                await repo.update_party(conn, party.id, now=self.ctx.now(), thread_id=thread_id)
        except DeliveryGone as exc:
            log.warning("watch party %s: discussion thread not opened, channel gone (%s)", party.id, exc)
            await self._give_up(row, party, report, ReminderState.DROPPED, f"channel gone: {exc}")
            return None
        except Exception as exc:
            if row.attempts + 1 >= MAX_THREAD_ATTEMPTS:
                log.warning("watch party %s: giving up on the discussion thread: %r", party.id, exc)
                await self._give_up(row, party, report, ReminderState.DROPPED, repr(exc)[:300])
                return None
            log.warning("watch party %s: discussion thread not opened yet: %r", party.id, exc)
            async with self.ctx.db.transaction() as conn:
                await repo.record_attempt(conn, row.id, repr(exc))
            report.retried += 1
            return None
        return thread_id

    async def _open_discussion(self, row: ReminderRow, party: Party, now: int, report: RunReport) -> None:
        """After the screening: open the spoiler thread (even late, quietly, while the spoiler window lasts)."""
        ctx = self.ctx
        if now >= party.end_at + int(ctx.settings.spoiler_window):
            await self._give_up(row, party, report, ReminderState.MISSED)
            return
        thread_id = await self._thread(row, party, report)
        if thread_id is None:
            return
        header = rem.reminder_header(
            rem.Reminder("discussion", -party.duration, row.due_at), party.film, party.start_at
        )
        async with ctx.db.transaction() as conn:
            await ctx.delivery.enqueue(
                conn,
                kind=DISCUSSION,
                owner_id=row.id,
                channel_id=thread_id,
                payload=Payload(content=header),
                nonce=f"{row.nonce_base}.0",
                first_attempt_at=row.sending_at,
            )
            await repo.finish_reminder(conn, row.id, ReminderState.FIRED, now)
        report.fired += 1
        self._fired_now.add(row.id)
        self._threads_opened.add(party.id)
        log.info("watch party %s: discussion thread %s opened", party.id, thread_id)
