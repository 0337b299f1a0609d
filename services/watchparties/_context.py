"""What every watch-party step shares: the database, the outbox, the clock, the Discord port and lookups."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from domain import reminders as rem
from domain.errors import UserError
from domain.models import Party, RsvpChoice
from domain.schedule import ParsedTime, parse_when, validate_timezone
from services.club import ClubService
from services.delivery import Delivery, DeliveryReport
from services.watchparties._models import KINDS, PartyView
from services.watchparties._port import WatchPartyDiscord
from services.watchparties._shield import ShieldCache
from settings import WatchPartySettings
from storage import watchparties as repo
from storage.db import Database

log = logging.getLogger(__name__)


class Context:
    """The service's dependencies and state shared by its modules (``discord`` is set by the cog's attach)."""

    def __init__(
        self,
        db: Database,
        settings: WatchPartySettings,
        club: ClubService,
        delivery: Delivery,
        clock: Callable[[], float],
        shield_ttl: float,
    ) -> None:
        self.db = db
        self.settings = settings
        self.club = club
        self.delivery = delivery
        self.clock = clock
        self.discord: WatchPartyDiscord | None = None
        # the cache reads the clock through here: a test that swaps the service's clock moves it too
        self.shields = ShieldCache(db, settings, lambda: self.clock(), shield_ttl)

    def now(self) -> int:
        return int(self.clock())

    def now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def port(self) -> WatchPartyDiscord:
        if self.discord is None:
            raise RuntimeError("the watch-party service has no Discord adapter attached")
        return self.discord

    async def deliver(self) -> DeliveryReport:
        """Send this package's pending outbox messages."""
        return await self.delivery.run(kinds=KINDS)

    # -- reading -----------------------------------------------------------------------------------

    async def party(self, guild_id: int, party_id: int) -> Party:
        party = await repo.get_party(self.db, party_id, guild_id)
        if party is None:
            raise UserError(f"There is no watch party #{party_id} in this server.")
        return party

    async def view(self, party: Party | int, source: repo.Source | None = None) -> PartyView:
        src = source or self.db
        if isinstance(party, int):
            found = await repo.get_party(src, party)
            if found is None:
                raise UserError(f"There is no watch party #{party}.")
            party = found
        rsvps = await repo.get_rsvps(src, party.id)
        going_all = [r.user_id for r in rsvps if r.choice == RsvpChoice.GOING]
        seats = len(going_all) if party.capacity is None else party.capacity
        return PartyView(
            party=party,
            going=tuple(going_all[:seats]),
            waitlist=tuple(going_all[seats:]),
            maybe=tuple(r.user_id for r in rsvps if r.choice == RsvpChoice.MAYBE),
            declined=tuple(r.user_id for r in rsvps if r.choice == RsvpChoice.NO),
            ended=self.now() >= party.end_at,
        )

    # -- time --------------------------------------------------------------------------------------

    def parse_when(self, when: str, tz: str) -> ParsedTime:
        return parse_when(when, tz, self.now_dt(), max_ahead=timedelta(seconds=self.settings.max_ahead))

    def plan(self, start_at: int, duration: int, offsets: Sequence[int]) -> rem.PartySchedule:
        return rem.plan_reminders(
            start_at,
            duration,
            offsets,
            self.now(),
            spoiler_window_seconds=int(self.settings.spoiler_window),
            grace_seconds=int(self.settings.grace),
        )

    async def resolve_timezone(self, guild_id: int, user_id: int, option: str | None) -> str:
        """The option, else the member's saved zone, else the club's zone, else the configured default."""
        if option is not None and option.strip():
            return validate_timezone(option)
        saved = await self.club.member_timezone(user_id)
        if saved:
            try:
                return validate_timezone(saved)
            except UserError:
                log.warning("member %s has an unusable saved time zone %r; ignoring it", user_id, saved)
        club_zone = await self.club.club_timezone(guild_id, self.settings.default_timezone)
        return validate_timezone(club_zone)

    async def member_zone(self, user_id: int) -> str | None:
        saved = await self.club.member_timezone(user_id)
        if not saved:
            return None
        try:
            return validate_timezone(saved)
        except UserError:
            return None
