"""The one public service object: wiring, and a thin delegation to the package's modules."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from domain.errors import UserError
from domain.ics import IcsParty
from domain.models import Party, ReminderRow, RsvpChoice
from domain.schedule import timezone_choices, validate_timezone
from services.club import ClubService
from services.delivery import Delivery, KindHandler
from services.watchparties import _cancel, _edit, _events, _ics, _read, _rsvp, _schedule
from services.watchparties._context import Context
from services.watchparties._models import (
    ANNOUNCEMENT,
    DISCUSSION,
    REMINDER,
    SHIELD_TTL,
    CancelResult,
    EditRequest,
    EditResult,
    PartyView,
    RsvpResult,
    RunReport,
    ScheduleRequest,
    ScheduleResult,
)
from services.watchparties._port import WatchPartyDiscord
from services.watchparties._reminders import ReminderEngine
from services.watchparties._render import Announcements
from settings import WatchPartySettings
from storage.db import Database

log = logging.getLogger(__name__)


class WatchPartyService:
    #: Seconds between the cog's :meth:`run_due` calls (an idle run is one indexed query). Tests lower it.
    reminder_tick: ClassVar[float] = 30.0

    def __init__(
        self,
        db: Database,
        settings: WatchPartySettings,
        club: ClubService,
        *,
        clock: Callable[[], float] = time.time,
        shield_ttl: float = SHIELD_TTL,
        delivery: Delivery | None = None,
    ) -> None:
        # Shared with the other services in the bot (Services.build); a service built alone gets its own.
        delivery = delivery or Delivery(db, clock=clock)
        self._ctx = Context(db, settings, club, delivery, clock, shield_ttl)
        self._announcements = Announcements(self._ctx)
        self._reminders = ReminderEngine(self._ctx, self._announcements)
        delivery.register(
            ANNOUNCEMENT, KindHandler(on_delivered=functools.partial(_schedule.announced, self._ctx))
        )
        delivery.register(REMINDER, KindHandler(on_failed=self._reminders.failed))
        delivery.register(DISCUSSION, KindHandler(on_failed=self._reminders.failed))

    # -- wiring ------------------------------------------------------------------------------------

    @property
    def settings(self) -> WatchPartySettings:
        return self._ctx.settings

    @property
    def clock(self) -> Callable[[], float]:
        return self._ctx.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        # e2e tests shift the service's clock (not the outbox's); every module reads it through the context
        self._ctx.clock = clock

    @property
    def discord(self) -> WatchPartyDiscord | None:
        return self._ctx.discord

    def attach(self, discord: WatchPartyDiscord, delivery: object = None) -> None:
        """``delivery``: the delivery port, when this service's delivery is not attached elsewhere (tests)."""
        self._ctx.discord = discord
        if delivery is not None:
            self._ctx.delivery.attach(delivery)  # type: ignore[arg-type]

    def detach(self) -> None:
        self._ctx.discord = None

    @property
    def accepting(self) -> bool:
        """Whether parties can be scheduled now: the watch-party cog has attached its Discord adapter."""
        return self._ctx.discord is not None

    async def start(self) -> None:
        """Log what survived the restart; :meth:`run_due` (first loop tick) fires or skips what is overdue."""
        pending, overdue, next_due = await _read.restart_counts(self._ctx)
        log.info(
            "watch parties: %d pending reminders (%d overdue, next due at %s)", pending, overdue, next_due
        )

    async def close(self) -> None:
        self._ctx.shields.clear()

    # -- reading -----------------------------------------------------------------------------------

    async def info(self, guild_id: int, party_id: int) -> tuple[PartyView, list[ReminderRow]]:
        return await _read.info(self._ctx, guild_id, party_id)

    async def upcoming(self, guild_id: int) -> list[PartyView]:
        return await _read.upcoming(self._ctx, guild_id)

    async def choices(self, guild_id: int, prefix: str) -> list[tuple[int, str]]:
        """Autocomplete for ids: ``#3 Alien — Fri 5 Dec 2026, 20:00 GMT``."""
        return await _read.choices(self._ctx, guild_id, prefix)

    async def status_lines(self, guild_id: int) -> dict[str, str]:
        return await _read.status_lines(self._ctx, guild_id)

    async def live_event_ids(self, guild_id: int) -> list[int]:
        return await _events.live_event_ids(self._ctx, guild_id)

    async def ics(self, guild_id: int, party_id: int | None) -> tuple[str, bytes]:
        """An .ics file of one party (cancelled ones too, so calendars update) or of all upcoming ones."""
        return await _ics.ics(self._ctx, guild_id, party_id)

    async def ics_items(self, parties: Sequence[Party]) -> list[IcsParty]:
        """The calendar view of ``parties`` (for ``/watchparty ics`` and the subscribable club calendar)."""
        return await _ics.ics_items(self._ctx, parties)

    async def shield_for(self, guild_id: int) -> Callable[[str, str], list[str]] | None:
        """The spoiler shield for feed posts (see :class:`ShieldCache`); scheduling, editing or cancelling a
        party in the guild drops the cache."""
        return await self._ctx.shields.shield_for(guild_id)

    # -- time zones --------------------------------------------------------------------------------

    async def member_timezone(self, user_id: int) -> str | None:
        return await self._ctx.club.member_timezone(user_id)

    async def set_member_timezone(self, user_id: int, zone: str | None) -> str | None:
        canonical = validate_timezone(zone) if zone is not None else None
        return await self._ctx.club.set_member_timezone(user_id, canonical)

    @staticmethod
    def timezone_choices(prefix: str) -> tuple[str, ...]:
        return timezone_choices(prefix)

    # -- commands ----------------------------------------------------------------------------------

    async def schedule_from_pick(
        self, *, guild_id: int, user_id: int, channel_id: int, film: str, when: str, timezone: str | None
    ) -> ScheduleResult:
        """Schedule the film a finished film pick chose (the polls cog's 'Schedule a watch party' button).

        The one entry point for that cross-feature step, so the polls side never needs this service's
        request type or its adapter; the party gets the club's defaults for everything the modal omits.
        """
        if not self.accepting:
            raise UserError(
                "Watch parties aren't available in this bot yet. Use /watchparty schedule for “{film}” once they are.",
                film=film,
            )
        request = ScheduleRequest(
            guild_id=guild_id,
            user_id=user_id,
            invoked_channel_id=channel_id,
            film=film,
            when=when,
            timezone=timezone,
        )
        return await self.schedule(request)

    async def schedule(self, req: ScheduleRequest) -> ScheduleResult:
        """Validate, store the party and its reminders, announce it, and create the Discord event."""
        return await _schedule.schedule(self._ctx, req)

    async def rsvp(self, guild_id: int, party_id: int, user_id: int, choice: RsvpChoice) -> RsvpResult:
        """Record one member's answer (race-free: one transaction reads the queue and writes the answer)."""
        return await _rsvp.rsvp(self._ctx, guild_id, party_id, user_id, choice)

    async def announce_promotions(self, party: Party, promoted: Sequence[int]) -> None:
        """Send the waitlist promotions :meth:`rsvp` enqueued with the answer (and anything else pending)."""
        if promoted:
            log.info("watch party %s: telling %d promoted members", party.id, len(promoted))
            await self._ctx.deliver()

    async def refresh_announcement(self, party_id: int) -> None:
        """Re-render the announcement (bursts coalesce; a deleted message is logged, not raised)."""
        await self._announcements.refresh(party_id)

    async def edit(self, guild_id: int, party_id: int, user_id: int, req: EditRequest) -> EditResult:
        """Change a party that has not started; reschedules the event and reminders and tells attendees."""
        return await _edit.edit(self._ctx, self._announcements, guild_id, party_id, user_id, req)

    async def cancel(
        self, guild_id: int, party_id: int, user_id: int | None, *, reason: str | None = None
    ) -> CancelResult:
        """Cancel a party; ``user_id`` None means Discord told us the event was deleted."""
        return await _cancel.cancel(self._ctx, self._announcements, guild_id, party_id, user_id, reason)

    async def event_deleted(self, guild_id: int, event_id: int) -> bool:
        """The Discord event was deleted or cancelled outside the bot: cancel its party. True if one was."""
        return await _cancel.event_deleted(self._ctx, self._announcements, guild_id, event_id)

    # -- the reminder engine -----------------------------------------------------------------------

    async def run_due(self) -> RunReport:
        """Process every due reminder once (each isolated), then deliver this package's pending messages."""
        return await self._reminders.run_due()
