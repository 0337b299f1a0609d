"""Watch parties: scheduling, RSVPs with a waitlist, reminders that fire exactly once, .ics and the spoiler shield.

The Discord side (scheduled events, the announcement, reminder messages, the discussion thread) is behind the
:class:`WatchPartyDiscord` protocol implemented by the watch-party cog, so this module never imports discord
and runs in tests against an in-process recorder.

Exactly-once reminders: every job (``before:<offset>``, ``start``, ``discussion``, ``spoiler_end``) is a row in
``reminders`` with its due time in UTC epoch seconds, written in the same transaction as the party. The loop
calls :meth:`WatchPartyService.run_due`; each due row is classified with
:func:`domain.reminders.classify_due`: overdue by at most the grace window -> its messages are rendered and
put in the outbox of :mod:`services.delivery` in the transaction that marks the job fired (they expire at the
end of the grace window); overdue by more (the bot was down) -> recorded as *missed* and never sent. The
delivery module sends every message of this module (announcements, reminders, edit/cancel notices, waitlist
promotions, the discussion opener) exactly once. DST cannot move anything: due times are computed once from
the resolved start instant.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import secrets
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol
from zoneinfo import ZoneInfo

from domain import reminders as rem
from domain.errors import UserError
from domain.ics import IcsParty, build_calendar
from domain.markdown import escape_markdown
from domain.models import Party, ReminderRow
from domain.schedule import (
    ParsedTime,
    format_compact_duration,
    format_local,
    parse_compact_duration,
    parse_duration,
    parse_when,
    timezone_choices,
    validate_timezone,
)
from domain.titles import TitleError, TitleMatcher, normalise_title
from services import metrics
from services.club import ClubService
from services.delivery import Delivery, DeliveryGone, DeliveryRefused, DeliveryReport, KindHandler, Payload
from settings import WatchPartySettings
from storage import leases
from storage import watchparties as repo
from storage.db import Connection, Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

MAX_FILM = 100  # Discord scheduled event names are at most 100 characters
MAX_NOTES = 900  # event descriptions are at most 1000; the RSVP hint takes the rest
MAX_LOCATION = 100  # external event locations are at most 100
MAX_CAPACITY = 1000
SHIELD_TTL = 60.0
# A discussion thread that Discord keeps refusing (e.g. no Create Public Threads) is given up after this.
MAX_THREAD_ATTEMPTS = 10
# The outbox kinds of this module (services.delivery).
ANNOUNCEMENT = "party_announcement"  # owner: the party
REMINDER = "reminder"  # owner: the reminder job, part: the message's index
NOTICE = "party_notice"  # owner: the party (edits, cancellation, waitlist promotions)
DISCUSSION = "discussion_opener"  # owner: the discussion job
KINDS = (ANNOUNCEMENT, REMINDER, NOTICE, DISCUSSION)
PRODID = "-//Projectionist//Watch parties//EN"
CHOICE_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Can't go"}


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What the Discord scheduled event should say. Voice/stage when ``voice_channel_id`` is set, else external."""

    guild_id: int
    party_id: int
    name: str
    description: str
    start_at: int
    end_at: int
    voice_channel_id: int | None
    location: str | None


@dataclass(frozen=True, slots=True)
class PartyView:
    """A party with its RSVPs, as the announcement shows it. ``going`` holds seats; ``waitlist`` waits in order."""

    party: Party
    going: tuple[int, ...]
    waitlist: tuple[int, ...]
    maybe: tuple[int, ...]
    declined: tuple[int, ...]
    ended: bool

    @property
    def interested(self) -> tuple[int, ...]:
        """Everyone to tell about a change: Going, waiting, Maybe (in that order)."""
        return self.going + self.waitlist + self.maybe


class WatchPartyDiscord(Protocol):
    """The Discord side effects, implemented by the cog. Raise DeliveryRefused (403) / DeliveryGone (404).

    Messages themselves go through :mod:`services.delivery`; this port only renders the announcement.
    """

    async def channel_label(self, channel_id: int) -> str:
        """``#name`` of a channel, for places and calendar locations."""
        ...

    def announcement_payload(self, view: PartyView) -> Payload:
        """Render the announcement with RSVP buttons (pure: it is stored in the outbox in the transaction that
        stores the party)."""
        ...

    async def edit_announcement(self, view: PartyView) -> None:
        """Re-render the announcement (counts, attendees, edits, cancelled, finished)."""
        ...

    async def create_event(self, spec: EventSpec) -> int:
        """Create the scheduled event; return its id."""
        ...

    async def edit_event(self, event_id: int, spec: EventSpec) -> None: ...

    async def cancel_event(self, guild_id: int, event_id: int) -> None: ...

    async def open_thread(self, channel_id: int, message_id: int | None, name: str) -> int:
        """Open a public thread on ``message_id`` (or in the channel if the message is gone); return its id."""
        ...


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    guild_id: int
    user_id: int
    invoked_channel_id: int
    film: str
    when: str
    timezone: str | None = None
    duration: str | None = None
    # "text" (announce there), "voice" or "stage" (event in it), None
    channel_id: int | None = None
    channel_kind: str | None = None
    location: str | None = None
    notes: str | None = None
    capacity: int | None = None
    reminders: str | None = None


@dataclass(frozen=True, slots=True)
class EditRequest:
    when: str | None = None
    film: str | None = None
    timezone: str | None = None
    duration: str | None = None
    location: str | None = None
    notes: str | None = None
    capacity: int | None = None
    reminders: str | None = None

    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in dataclasses.fields(self))


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    view: PartyView
    parsed: ParsedTime
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EditResult:
    view: PartyView
    changed: tuple[str, ...]
    old_start: int
    parsed: ParsedTime | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelResult:
    view: PartyView
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RsvpResult:
    view: PartyView
    status: str  # going | waitlist | maybe | no
    position: int | None  # place on the waitlist (1 = next)
    promoted: tuple[int, ...]
    changed: bool


@dataclass(slots=True)
class RunReport:
    fired: int = 0
    missed: int = 0
    dropped: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.fired or self.missed or self.dropped or self.retried or self.errors)

    def summary(self) -> str:
        return (
            f"{self.fired} fired, {self.missed} missed, {self.dropped} dropped, {self.retried} to retry"
            + (f", {len(self.errors)} errors" if self.errors else "")
        )


@dataclass(frozen=True, slots=True)
class Shield:
    """``shield(title, text)`` -> the reasons to spoiler-wrap a feed post (empty: no film mentioned)."""

    entries: tuple[tuple[TitleMatcher, str], ...]

    def __call__(self, title: str, text: str) -> list[str]:
        reasons: list[str] = []
        for matcher, reason in self.entries:
            if reason not in reasons and (matcher.matches(title or "") or matcher.matches(text or "")):
                reasons.append(reason)
        return reasons


def clean_line(text: str) -> str:
    return " ".join(text.split())


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"24h, 1h, 0m"`` -> ``(86400, 3600, 0)``; ``"none"`` -> no reminders."""
    cleaned = text.strip().lower()
    if cleaned in ("none", "off", "no", "-"):
        return ()
    parts = [p.strip() for p in re.split(r"[,;]", cleaned) if p.strip()]
    if not parts:
        raise UserError("Give reminder times before the start like '24h, 1h, 0m', or 'none'.")
    return rem.normalise_offsets(parse_compact_duration(p) for p in parts)


def describe_offsets(offsets: Sequence[int]) -> str:
    if not offsets:
        return "none"
    return ", ".join("at start" if o == 0 else f"{format_compact_duration(o)} before" for o in offsets)


def _reminder_of(row: ReminderRow, party: Party) -> rem.Reminder:
    if row.key.startswith("before:"):
        offset = int(row.key.split(":", 1)[1])
        return rem.Reminder("before", offset, row.due_at)
    if row.key == "start":
        return rem.Reminder("start", 0, row.due_at)
    if row.key == "discussion":
        return rem.Reminder("discussion", -party.duration, row.due_at)
    return rem.Reminder("spoiler_end", party.start_at - row.due_at, row.due_at)


def _reply_target(party: Party, channel_id: int) -> int | None:
    """The announcement to reply to, only when posting in its own channel (replies can't cross channels)."""
    return party.announce_message_id if channel_id == party.announce_channel_id else None


# Edits that matter to attendees besides the time and the film (which have their own message).
_TOLD_CHANGES = (("duration", "length"), ("location", "place"), ("notes", "notes"))

_TITLE_YEAR = re.compile(r"^(?P<title>.*\S)\s*[(\[](?P<year>(?:18|19|20)\d\d)[)\]]$")


def film_matcher(film: str) -> TitleMatcher:
    """A matcher for a scheduled film; a trailing year (``"Her (2013)"``) becomes the matcher's year.

    Short titles need context to count as a mention (see :mod:`domain.titles`); the year is one such context.
    """
    found = _TITLE_YEAR.match(film.strip())
    if found is not None and normalise_title(found["title"]):
        return TitleMatcher(found["title"], int(found["year"]))
    return TitleMatcher(film)


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
        self.db = db
        # Shared with the other services in the bot (Services.build); a service built alone gets its own.
        self.delivery = delivery or Delivery(db, clock=clock)
        self.delivery.register(ANNOUNCEMENT, KindHandler(on_delivered=self._announced))
        self.delivery.register(REMINDER, KindHandler(on_failed=self._reminder_failed))
        self.delivery.register(DISCUSSION, KindHandler(on_failed=self._reminder_failed))
        self.settings = settings
        self.club = club
        self.clock = clock
        self.shield_ttl = shield_ttl
        self.discord: WatchPartyDiscord | None = None
        self._run_lock = asyncio.Lock()
        self._party_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._shields: dict[int, tuple[float, Shield | None]] = {}
        self._refresh_waiting: set[int] = set()
        self._threads_opened: set[int] = set()  # announcements to re-render once the opener is out
        self._report: RunReport | None = None  # the run in progress (delivery callbacks count into it)
        self._fired_now: set[int] = set()  # reminder jobs fired by the run in progress

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, discord: WatchPartyDiscord, delivery: object = None) -> None:
        """``delivery``: the delivery port, when this service's delivery is not attached elsewhere (tests)."""
        self.discord = discord
        if delivery is not None:
            self.delivery.attach(delivery)  # type: ignore[arg-type]

    def detach(self) -> None:
        self.discord = None

    @property
    def accepting(self) -> bool:
        """Whether parties can be scheduled now: the watch-party cog has attached its Discord adapter."""
        return self.discord is not None

    def _port(self) -> WatchPartyDiscord:
        if self.discord is None:
            raise RuntimeError("the watch-party service has no Discord adapter attached")
        return self.discord

    async def start(self) -> None:
        """Log what survived the restart; :meth:`run_due` (first loop tick) fires or skips what is overdue."""
        pending = await repo.count_pending(self.db)
        next_due = await repo.next_due_at(self.db)
        overdue = await repo.due_reminders(self.db, self._now())
        log.info(
            "watch parties: %d pending reminders (%d overdue, next due at %s)",
            pending,
            len(overdue),
            next_due,
        )

    async def close(self) -> None:
        self._shields.clear()

    def _now(self) -> int:
        return int(self.clock())

    def _now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def lock_for(self, party_id: int) -> asyncio.Lock:
        """Serialises renders of one party's announcement so the last edit shows the latest state."""
        lock = self._party_locks.get(party_id)
        if lock is None:
            lock = asyncio.Lock()
            self._party_locks[party_id] = lock
        return lock

    # -- reading -----------------------------------------------------------------------------------

    async def _party(self, guild_id: int, party_id: int) -> Party:
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
        going_all = [r.user_id for r in rsvps if r.choice == "going"]
        seats = len(going_all) if party.capacity is None else party.capacity
        return PartyView(
            party=party,
            going=tuple(going_all[:seats]),
            waitlist=tuple(going_all[seats:]),
            maybe=tuple(r.user_id for r in rsvps if r.choice == "maybe"),
            declined=tuple(r.user_id for r in rsvps if r.choice == "no"),
            ended=self._now() >= party.end_at,
        )

    async def info(self, guild_id: int, party_id: int) -> tuple[PartyView, list[ReminderRow]]:
        party = await self._party(guild_id, party_id)
        return await self.view(party), await repo.party_reminders(self.db, party.id)

    async def upcoming(self, guild_id: int) -> list[PartyView]:
        return [await self.view(p) for p in await repo.upcoming_parties(self.db, guild_id, self._now(), 25)]

    async def choices(self, guild_id: int, prefix: str) -> list[tuple[int, str]]:
        """Autocomplete for ids: ``#3 Alien — Fri 5 Dec 2026, 20:00 GMT``."""
        needle = prefix.strip().lstrip("#").casefold()
        out: list[tuple[int, str]] = []
        for party in await repo.upcoming_parties(self.db, guild_id, self._now(), 100):
            local = datetime.fromtimestamp(party.start_at, tz=ZoneInfo(party.timezone))
            label = f"#{party.id} {party.film}"[:70] + f" — {format_local(local)}"
            if not needle or needle in label.casefold():
                out.append((party.id, label[:100]))
        return out[:25]

    async def status_lines(self, guild_id: int) -> dict[str, str]:
        return {"Upcoming watch parties": str(await repo.count_upcoming(self.db, guild_id, self._now()))}

    # -- input -------------------------------------------------------------------------------------

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

    def _film(self, text: str) -> str:
        film = clean_line(text)
        if not film:
            raise UserError("Give the film's title.")
        if len(film) > MAX_FILM:
            raise UserError(f"That title is too long (at most {MAX_FILM} characters).")
        if not normalise_title(film):
            raise TitleError("That title has no letters or digits.")
        return film

    def _parse_when(self, when: str, tz: str) -> ParsedTime:
        return parse_when(when, tz, self._now_dt(), max_ahead=timedelta(seconds=self.settings.max_ahead))

    @staticmethod
    def _duration(text: str) -> int:
        return parse_duration(text)

    @staticmethod
    def _location(text: str | None) -> str | None:
        if text is None:
            return None
        cleaned = clean_line(text)
        if len(cleaned) > MAX_LOCATION:
            raise UserError(f"The location is too long (at most {MAX_LOCATION} characters).")
        return cleaned or None

    @staticmethod
    def _notes(text: str | None) -> str | None:
        if text is None:
            return None
        cleaned = text.strip()
        if len(cleaned) > MAX_NOTES:
            raise UserError(f"The notes are too long (at most {MAX_NOTES} characters).")
        return cleaned or None

    @staticmethod
    def _capacity(value: int | None) -> int | None:
        if value is None:
            return None
        if not 1 <= value <= MAX_CAPACITY:
            raise UserError(f"The capacity must be between 1 and {MAX_CAPACITY}.")
        return value

    def _plan(self, start_at: int, duration: int, offsets: Sequence[int]) -> rem.PartySchedule:
        return rem.plan_reminders(
            start_at,
            duration,
            offsets,
            self._now(),
            spoiler_window_seconds=int(self.settings.spoiler_window),
            grace_seconds=int(self.settings.grace),
        )

    def _event_spec(self, party: Party) -> EventSpec:
        hint = f"RSVP with the buttons on the announcement (watch party #{party.id})."
        description = f"{party.notes}\n\n{hint}" if party.notes else hint
        return EventSpec(
            guild_id=party.guild_id,
            party_id=party.id,
            name=party.film[:MAX_FILM],
            description=description[:1000],
            start_at=party.start_at,
            end_at=party.end_at,
            voice_channel_id=party.voice_channel_id,
            location=None if party.voice_channel_id else (party.location or "Discord"),
        )

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
        return await self.schedule(
            ScheduleRequest(
                guild_id=guild_id,
                user_id=user_id,
                invoked_channel_id=channel_id,
                film=film,
                when=when,
                timezone=timezone,
            )
        )

    async def schedule(self, req: ScheduleRequest) -> ScheduleResult:
        """Validate, store the party and its reminders, announce it, and create the Discord event."""
        port = self._port()
        film = self._film(req.film)
        tz = await self.resolve_timezone(req.guild_id, req.user_id, req.timezone)
        parsed = self._parse_when(req.when, tz)
        duration = self._duration(req.duration) if req.duration else int(self.settings.default_duration)
        offsets = (
            parse_offsets(req.reminders)
            if req.reminders is not None
            else rem.normalise_offsets(self.settings.reminders)
        )
        capacity = self._capacity(req.capacity)
        notes = self._notes(req.notes)
        location = self._location(req.location)

        voice_channel_id = req.channel_id if req.channel_kind in ("voice", "stage") else None
        if req.channel_kind == "text" and req.channel_id is not None:
            announce_channel_id = req.channel_id
        else:
            settings = await self.club.guild_settings(req.guild_id)
            announce_channel_id = settings.announce_channel_id or req.invoked_channel_id
        if voice_channel_id is None and location is None:
            location = await port.channel_label(announce_channel_id)
        if voice_channel_id is not None:
            location = None  # a voice/stage event has its channel as its place

        now = self._now()
        plan = self._plan(parsed.epoch, duration, offsets)
        async with self.db.transaction() as conn:
            party_id = await repo.insert_party(
                conn,
                guild_id=req.guild_id,
                film=film,
                start_at=parsed.epoch,
                duration=duration,
                timezone=parsed.tz,
                voice_channel_id=voice_channel_id,
                location=location,
                notes=notes,
                capacity=capacity,
                reminder_offsets=offsets,
                announce_channel_id=announce_channel_id,
                created_by=req.user_id,
                now=now,
            )
            await repo.insert_reminders(conn, party_id, [(r.key, r.due_epoch) for r in plan.reminders])
            party = await repo.get_party(conn, party_id)
            assert party is not None
            # rendering is pure; the party and its announcement commit together
            row_id = await self.delivery.enqueue(
                conn,
                kind=ANNOUNCEMENT,
                owner_id=party_id,
                channel_id=announce_channel_id,
                payload=port.announcement_payload(await self.view(party, conn)),
            )
        assert row_id is not None
        message_id = await self._announce(party, row_id)
        warnings: list[str] = []
        event_id = await self._create_event(party, warnings)
        async with self.db.transaction() as conn:
            await repo.update_party(conn, party_id, now=self._now(), event_id=event_id)
        self._shields.pop(req.guild_id, None)
        party = await repo.get_party(self.db, party_id)
        assert party is not None
        notes_out = list(parsed.notes)
        if plan.skipped_offsets:
            skipped = describe_offsets(plan.skipped_offsets)
            notes_out.append(f"Skipped reminders that would come too soon or are already past: {skipped}.")
        log.info(
            "watch party %s (%r) scheduled in guild %s by %s for %s (event %s, announcement %s)",
            party_id,
            film,
            req.guild_id,
            req.user_id,
            parsed.epoch,
            event_id,
            message_id,
        )
        return ScheduleResult(await self.view(party), parsed, tuple(notes_out), tuple(warnings))

    async def _announce(self, party: Party, row_id: int) -> int:
        """Post the enqueued announcement now; a party whose announcement fails is discarded.

        Cancelled (or killed) mid-send, the party stays with its announcement pending in the outbox: the
        reminder loop delivers it exactly once (it may already be in the channel)."""
        result = await self.delivery.send_now(row_id)
        if result.state == "delivered" and result.message_id is not None:
            return result.message_id
        await self._discard(party.id)
        if result.state in ("gone", "refused"):
            raise UserError(
                f"I can't post the announcement in <#{party.announce_channel_id}> ({result.error}); nothing was "
                "scheduled. Check my permissions there (View Channel, Send Messages, Embed Links) or pick "
                "another channel."
            )
        raise UserError(
            f"Posting the announcement in <#{party.announce_channel_id}> failed ({result.error}); nothing was "
            "scheduled. Please try again."
        )

    async def _announced(self, conn: Connection, row: OutboxRow, message_id: int) -> None:
        await repo.update_party(conn, row.owner_id, now=self._now(), announce_message_id=message_id)

    async def _discard(self, party_id: int) -> None:
        async with self.db.transaction() as conn:
            await self.delivery.cancel(conn, ANNOUNCEMENT, party_id)
            await repo.delete_party(conn, party_id)

    async def _create_event(self, party: Party, warnings: list[str]) -> int | None:
        try:
            return await self._port().create_event(self._event_spec(party))
        except DeliveryRefused:
            log.warning(
                "guild %s: no permission to create the event for watch party %s", party.guild_id, party.id
            )
            warnings.append(
                "I couldn't create the Discord event: I need the **Manage Events** permission. "
                "The party is announced and RSVPs work; edit it once I have the permission to add the event."
            )
        except Exception as exc:
            log.exception("guild %s: creating the event for watch party %s failed", party.guild_id, party.id)
            warnings.append(f"I couldn't create the Discord event ({type(exc).__name__}); RSVPs still work.")
        return None

    async def refresh_announcement(self, party_id: int) -> None:
        """Re-render the announcement; a deleted message or channel is logged, not raised.

        Bursts coalesce: while one render runs, at most one more waits, and it reads the state only once it
        holds the lock, so it shows every change made before it started. A burst of RSVPs therefore costs
        two message edits instead of one each (Discord allows about 5 edits per 5 s per channel).
        """
        if self.discord is None or party_id in self._refresh_waiting:
            return
        self._refresh_waiting.add(party_id)
        locked = False
        try:
            async with self.lock_for(party_id):
                locked = True
                self._refresh_waiting.discard(party_id)
                await self._render_announcement(party_id)
        finally:
            if not locked:  # cancelled while waiting
                self._refresh_waiting.discard(party_id)

    async def _render_announcement(self, party_id: int) -> None:
        assert self.discord is not None
        view = await self.view(party_id)
        if view.party.announce_message_id is None:
            return
        try:
            await self.discord.edit_announcement(view)
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

    def _notices(self, party: Party, header: str, user_ids: Sequence[int]) -> list[tuple[int, Payload]]:
        """``header`` pinging ``user_ids`` where the party is announced, split to fit, as (channel, payload)."""
        channel_id = party.thread_id or party.announce_channel_id
        return [
            (
                channel_id,
                Payload(
                    content=message.content,
                    mention_users=tuple(message.user_ids),
                    reply_to=_reply_target(party, channel_id),
                ),
            )
            for message in rem.mention_messages(header, user_ids)
        ]

    async def _enqueue_notices(
        self, conn: Connection, party_id: int, notices: Sequence[tuple[int, Payload]]
    ) -> None:
        tag = secrets.token_hex(6)  # one notice among many of the party: the outbox row gives the nonce
        for index, (channel_id, payload) in enumerate(notices):
            await self.delivery.enqueue(
                conn,
                kind=NOTICE,
                owner_id=party_id,
                part=f"{tag}.{index}",
                channel_id=channel_id,
                payload=payload,
            )

    async def _deliver(self) -> DeliveryReport:
        return await self.delivery.run(kinds=KINDS)

    async def rsvp(self, guild_id: int, party_id: int, user_id: int, choice: str) -> RsvpResult:
        """Record one member's answer (race-free: one transaction reads the queue and writes the answer)."""
        if choice not in repo.CHOICES:
            raise UserError("Unknown answer.")
        now = self._now()
        async with self.db.transaction() as conn:
            party = await repo.get_party(conn, party_id, guild_id)
            if party is None:
                raise UserError("This watch party no longer exists.")
            if party.cancelled:
                raise UserError("This watch party was cancelled.")
            if now >= party.end_at:
                raise UserError("This screening is over, so answers are closed.")
            before = await self.view(party, conn)
            changed = await repo.set_rsvp(conn, party_id, user_id, choice, now)
            after = await self.view(party, conn)
            promoted = tuple(u for u in after.going if u not in before.going and u != user_id)
            if promoted:  # told exactly once: the notice commits with the answer that freed the seat
                notices = self._notices(party, self._promotion_header(party), promoted)
                await self._enqueue_notices(conn, party_id, notices)
        if user_id in after.going:
            status, position = "going", None
        elif user_id in after.waitlist:
            status, position = "waitlist", after.waitlist.index(user_id) + 1
        else:
            status, position = choice, None
        if changed:
            log.info("watch party %s: user %s answered %s (%s)", party_id, user_id, choice, status)
        return RsvpResult(after, status, position, promoted, changed)

    @staticmethod
    def _promotion_header(party: Party) -> str:
        name = escape_markdown(party.film)
        return f"🎟️ A seat opened up for **{name}** (watch party #{party.id}): you're going now!"

    async def announce_promotions(self, party: Party, promoted: Sequence[int]) -> None:
        """Send the waitlist promotions :meth:`rsvp` enqueued with the answer (and anything else pending)."""
        if promoted:
            log.info("watch party %s: telling %d promoted members", party.id, len(promoted))
            await self._deliver()

    def _edit_notices(
        self,
        party: Party,
        updated: Party,
        changes: dict[str, object],
        before: PartyView,
        after: PartyView,
    ) -> list[tuple[int, Payload]]:
        """What members are told about an edit (the change, new seats, lost seats), rendered."""
        party_id, start_at = party.id, updated.start_at
        name = escape_markdown(updated.film)
        was = escape_markdown(party.film)
        told = [label for key, label in _TOLD_CHANGES if key in changes]
        header = ""
        if "start_at" in changes:
            header = (
                f"📅 **{name}** (watch party #{party_id}) has moved to <t:{start_at}:F> (<t:{start_at}:R>); "
                f"it was <t:{party.start_at}:F>."
            )
            if "film" in changes:
                header += f" The film was **{was}** before."
        elif "film" in changes:
            header = f"📅 Watch party #{party_id} on <t:{start_at}:F> is now **{name}** (was {was})."
        if told and header:
            header += f" The {' and '.join(told)} changed too; see the announcement."
        elif told:
            header = (
                f"📝 **{name}** on <t:{start_at}:F> (watch party #{party_id}): the {' and '.join(told)} "
                "changed; see the announcement."
            )
        notices = self._notices(updated, header, after.interested) if header else []
        promoted = tuple(u for u in after.going if u not in before.going)
        if promoted:
            notices += self._notices(updated, self._promotion_header(updated), promoted)
        demoted = tuple(u for u in after.waitlist if u in before.going)  # fewer seats than Going members
        if demoted:
            notices += self._notices(
                updated,
                f"⏳ **{name}** (watch party #{party_id}) now has fewer seats, "
                "so you're on the waitlist; I'll ping you if a seat opens up.",
                demoted,
            )
        return notices

    async def edit(self, guild_id: int, party_id: int, user_id: int, req: EditRequest) -> EditResult:
        """Change a party that has not started; reschedules the event and reminders and tells attendees."""
        if req.empty():
            raise UserError("Nothing to change: give at least one option (when, film, duration, ...).")
        party = await self._party(guild_id, party_id)
        if party.cancelled:
            raise UserError(f"Watch party #{party_id} was cancelled.")
        if self._now() >= party.start_at:
            raise UserError(f"Watch party #{party_id} has already started, so it can't be edited.")
        changes: dict[str, object] = {}
        parsed: ParsedTime | None = None
        if req.film is not None:
            film = self._film(req.film)
            if film != party.film:
                changes["film"] = film
        if req.when is not None:
            tz = (
                validate_timezone(req.timezone)
                if req.timezone
                else (await self._member_zone(user_id)) or party.timezone
            )
            parsed = self._parse_when(req.when, tz)
            if parsed.epoch != party.start_at:
                changes["start_at"] = parsed.epoch
            if parsed.tz != party.timezone:
                changes["timezone"] = parsed.tz
        elif req.timezone is not None:
            zone = validate_timezone(req.timezone)
            if zone != party.timezone:
                changes["timezone"] = zone  # only how the time is shown in lists; the instant stays
        if req.duration is not None:
            duration = self._duration(req.duration)
            if duration != party.duration:
                changes["duration"] = duration
        if req.location is not None:
            if party.voice_channel_id is not None:
                raise UserError("This party is in a voice channel; it has no separate location.")
            location = self._location(req.location)
            if location != party.location:
                changes["location"] = location
        if req.notes is not None:
            notes = self._notes(req.notes)
            if notes != party.notes:
                changes["notes"] = notes
        if req.capacity is not None:
            capacity = None if req.capacity == 0 else self._capacity(req.capacity)
            if capacity != party.capacity:
                changes["capacity"] = capacity
        offsets = party.reminder_offsets
        if req.reminders is not None:
            offsets = parse_offsets(req.reminders)
            if offsets != party.reminder_offsets:
                changes["reminder_offsets"] = offsets
        if not changes:
            raise UserError(f"Watch party #{party_id} already looks like that; nothing changed.")

        start_at = parsed.epoch if "start_at" in changes and parsed is not None else party.start_at
        duration = self._duration(req.duration) if "duration" in changes and req.duration else party.duration
        plan = self._plan(start_at, duration, offsets)
        now = self._now()
        before = await self.view(party)
        async with self.db.transaction() as conn:
            await repo.update_party(conn, party_id, now=now, sequence=party.sequence + 1, **changes)
            wanted = {(r.key, r.due_epoch) for r in plan.reminders}
            pending = await repo.party_reminders(conn, party_id, "pending")
            stale = [r.id for r in pending if (r.key, r.due_at) not in wanted]
            kept = {(r.key, r.due_at) for r in pending if (r.key, r.due_at) in wanted}
            await repo.supersede_reminders(conn, party_id, now, stale)
            await repo.insert_reminders(
                conn,
                party_id,
                [(r.key, r.due_epoch) for r in plan.reminders if (r.key, r.due_epoch) not in kept],
            )
            updated = await repo.get_party(conn, party_id)
            assert updated is not None
            # the notices commit with the change (rendering them is pure): a crash cannot leave members untold
            told_view = await self.view(updated, conn)
            notices = self._edit_notices(party, updated, changes, before, told_view)
            await self._enqueue_notices(conn, party_id, notices)
        warnings: list[str] = []
        if {"film", "start_at", "duration", "location", "notes"} & set(changes):
            await self._sync_event(updated, warnings)
        await self.refresh_announcement(party_id)
        after = await self.view(party_id)
        self._shields.pop(guild_id, None)
        await self._deliver()
        notes_out = list(parsed.notes) if parsed else []
        if plan.skipped_offsets and ("start_at" in changes or "reminder_offsets" in changes):
            notes_out.append(
                f"Skipped reminders that would come too soon or are already past: "
                f"{describe_offsets(plan.skipped_offsets)}."
            )
        log.info("watch party %s edited by %s: %s", party_id, user_id, sorted(changes))
        return EditResult(
            after, tuple(sorted(changes)), party.start_at, parsed, tuple(notes_out), tuple(warnings)
        )

    async def _member_zone(self, user_id: int) -> str | None:
        saved = await self.club.member_timezone(user_id)
        if not saved:
            return None
        try:
            return validate_timezone(saved)
        except UserError:
            return None

    async def _sync_event(self, party: Party, warnings: list[str]) -> None:
        port = self._port()
        if party.event_id is None:
            event_id = await self._create_event(party, warnings)
            if event_id is not None:
                async with self.db.transaction() as conn:
                    await repo.update_party(conn, party.id, now=self._now(), event_id=event_id)
            return
        try:
            await port.edit_event(party.event_id, self._event_spec(party))
        except DeliveryRefused:
            warnings.append("I couldn't update the Discord event: I need the **Manage Events** permission.")
        except DeliveryGone:
            log.info("watch party %s: event %s is gone; creating a new one", party.id, party.event_id)
            async with self.db.transaction() as conn:
                await repo.update_party(conn, party.id, now=self._now(), event_id=None)
            await self._sync_event(
                await repo.get_party(self.db, party.id) or party,
                warnings,
            )
        except Exception as exc:
            log.exception("watch party %s: editing event %s failed", party.id, party.event_id)
            warnings.append(f"I couldn't update the Discord event ({type(exc).__name__}).")

    async def cancel(
        self, guild_id: int, party_id: int, user_id: int | None, *, reason: str | None = None
    ) -> CancelResult:
        """Cancel a party: its reminders stop, the event is cancelled, the announcement says so, members are told.

        ``user_id`` None means Discord told us the event was deleted (the event is not touched again).
        """
        party = await self._party(guild_id, party_id)
        if party.cancelled:
            raise UserError(f"Watch party #{party_id} is already cancelled.")
        if self._now() >= party.end_at:
            raise UserError(f"Watch party #{party_id} is already over.")
        now = self._now()
        why = f" ({escape_markdown(reason)})" if reason else ""
        header = (
            f"❌ **{escape_markdown(party.film)}** on <t:{party.start_at}:F> "
            f"(watch party #{party_id}) is cancelled{why}."
        )
        async with self.db.transaction() as conn:
            told = await self.view(party, conn)
            await repo.update_party(
                conn, party_id, now=now, status="cancelled", cancel_reason=reason, sequence=party.sequence + 1
            )
            await repo.supersede_reminders(conn, party_id, now)
            # the notice commits with the cancellation: a crash now cannot leave members untold
            await self._enqueue_notices(conn, party_id, self._notices(party, header, told.interested))
        self._shields.pop(guild_id, None)
        warnings: list[str] = []
        if party.event_id is not None and user_id is not None:
            try:
                await self._port().cancel_event(guild_id, party.event_id)
            except DeliveryGone:
                pass
            except DeliveryRefused:
                warnings.append(
                    "I couldn't cancel the Discord event (I need **Manage Events**); please delete it by hand."
                )
            except Exception as exc:
                log.exception("watch party %s: cancelling event %s failed", party_id, party.event_id)
                warnings.append(f"I couldn't cancel the Discord event ({type(exc).__name__}).")
        await self.refresh_announcement(party_id)
        view = await self.view(party_id)
        await self._deliver()
        log.info("watch party %s cancelled by %s (reason: %r)", party_id, user_id or "Discord", reason)
        return CancelResult(view, tuple(warnings))

    async def event_deleted(self, guild_id: int, event_id: int) -> bool:
        """The Discord event was deleted or cancelled outside the bot: cancel its party. True if one was."""
        party = await repo.party_by_event(self.db, guild_id, event_id)
        if party is None or party.cancelled or self._now() >= party.end_at:
            return False
        await self.cancel(guild_id, party.id, None, reason="its Discord event was deleted")
        return True

    async def live_event_ids(self, guild_id: int) -> list[int]:
        """Discord event ids of the guild's parties that are neither cancelled nor over (to check after a
        restart whether someone deleted them meanwhile)."""
        parties = await repo.upcoming_parties(self.db, guild_id, self._now(), 1000)
        return [p.event_id for p in parties if p.event_id is not None]

    async def ics(self, guild_id: int, party_id: int | None) -> tuple[str, bytes]:
        """An .ics file of one party (cancelled ones too, so calendars update) or of all upcoming ones."""
        if party_id is not None:
            parties = [await self._party(guild_id, party_id)]
            filename = f"watchparty-{party_id}.ics"
        else:
            parties = await repo.upcoming_parties(self.db, guild_id, self._now(), 100)
            if not parties:
                raise UserError("There are no upcoming watch parties to export.")
            filename = "watchparties.ics"
        items = await self.ics_items(parties)
        data = build_calendar(items, PRODID, self._now_dt(), name="Watch parties")
        return filename, data

    async def ics_items(self, parties: Sequence[Party]) -> list[IcsParty]:
        """The calendar view of ``parties`` (for ``/watchparty ics`` and the subscribable club calendar)."""
        items = []
        for p in parties:
            if p.voice_channel_id is not None:
                place = "Discord " + (
                    await self.discord.channel_label(p.voice_channel_id) if self.discord else ""
                )
            else:
                place = p.location or ""
            items.append(
                IcsParty(
                    guild_id=p.guild_id,
                    party_id=p.id,
                    title=p.film,
                    start_epoch=p.start_at,
                    end_epoch=p.end_at,
                    notes=p.notes or "",
                    location=place.strip(),
                    cancelled=p.cancelled,
                    sequence=p.sequence,
                    created_epoch=p.created_at,
                    updated_epoch=p.updated_at,
                )
            )
        return items

    async def member_timezone(self, user_id: int) -> str | None:
        return await self.club.member_timezone(user_id)

    async def set_member_timezone(self, user_id: int, zone: str | None) -> str | None:
        canonical = validate_timezone(zone) if zone is not None else None
        return await self.club.set_member_timezone(user_id, canonical)

    @staticmethod
    def timezone_choices(prefix: str) -> tuple[str, ...]:
        return timezone_choices(prefix)

    # -- the spoiler shield ------------------------------------------------------------------------

    async def shield_for(self, guild_id: int) -> Callable[[str, str], list[str]] | None:
        """A pure ``(title, text) -> reasons`` for feed posts, or None when nothing is on the schedule.

        Covers every scheduled party from its scheduling until ``spoiler_window`` after its screening ends.
        Cached for up to ``shield_ttl`` seconds (never past the moment a party's window closes); scheduling,
        editing or cancelling a party in the guild drops the cache.
        """
        now = self.clock()
        cached = self._shields.get(guild_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        window = int(self.settings.spoiler_window)
        parties = await repo.parties_ending_after(self.db, guild_id, int(now) - window)
        entries: list[tuple[TitleMatcher, str]] = []
        expires = now + self.shield_ttl
        for party in parties:
            closes = party.end_at + window
            if closes < now:
                continue
            expires = min(expires, closes + 1)
            try:
                matcher = film_matcher(party.film)
            except TitleError:
                continue
            local = datetime.fromtimestamp(party.start_at, tz=ZoneInfo(party.timezone))
            day = format_local(local).split(",")[0]
            entries.append((matcher, f"on the club's schedule: {party.film} on {day}"))
        shield = Shield(tuple(entries)) if entries else None
        self._shields[guild_id] = (expires, shield)
        return shield

    # -- the reminder engine -----------------------------------------------------------------------

    async def run_due(self) -> RunReport:
        """Process every due reminder once (each isolated), then deliver this module's pending messages."""
        async with self._run_lock:  # no overlapping runs
            report = RunReport()
            if self.discord is None:
                return report
            self._report, self._fired_now = report, set()
            try:
                await self._run_due(report)
            finally:
                self._report = None
            return report

    async def _run_due(self, report: RunReport) -> None:
        now = self._now()
        due = await repo.due_reminders(self.db, now)
        mine = await leases.claim(self.db, "reminder", [r.id for r in due], now)  # one process per reminder
        for row in (r for r in due if r.id in mine):
            try:
                await self._process(row, now, report)
            except Exception as exc:
                log.exception("reminder %s (%s of watch party %s) failed", row.id, row.key, row.party_id)
                report.errors.append(f"reminder {row.id}: {exc!r}"[:200])
                try:
                    async with self.db.transaction() as conn:
                        await repo.record_attempt(conn, row.id, repr(exc))
                except Exception:
                    log.exception("reminder %s: could not record the failure", row.id)
        delivered = await self._deliver()
        report.retried += delivered.retried
        report.errors.extend(delivered.errors)
        for party_id in self._threads_opened:
            await self.refresh_announcement(party_id)
        self._threads_opened.clear()

    async def _finish(self, row: ReminderRow, state: str, error: str | None = None) -> None:
        async with self.db.transaction() as conn:
            await repo.finish_reminder(conn, row.id, state, self._now(), error)

    async def _reminder_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        """A reminder's (or the discussion opener's) message could not go out: say so on the job.

        Refused (a permission) is retried until the message expires at the end of the grace window, as a
        moderator may fix it meanwhile; gone drops it; expired means it was missed."""
        if state == "refused":
            return True
        outcome = "missed" if state == "expired" else "dropped"
        await repo.reopen_outcome(conn, row.owner_id, outcome, f"{state}: {error}"[:300])
        report = self._report
        if report is not None:  # a run in progress counts the job as dropped/missed, not fired
            if row.owner_id in self._fired_now:
                self._fired_now.discard(row.owner_id)
                report.fired -= 1
            if outcome == "dropped":
                report.dropped += 1
            else:
                report.missed += 1
        log.warning(
            "reminder %s: its message to channel %s was not sent (%s: %s)",
            row.owner_id,
            row.channel_id,
            state,
            error,
        )
        return False

    async def _process(self, row: ReminderRow, now: int, report: RunReport) -> None:
        party = await repo.get_party(self.db, row.party_id)
        if party is None or party.cancelled:
            await self._finish(row, "superseded")
            return
        due = rem.classify_due(row.due_at, now, int(self.settings.grace))
        if due == "wait":  # pragma: no cover - due_reminders only returns due rows
            return
        reminder = _reminder_of(row, party)
        if reminder.kind == "spoiler_end":
            self._shields.pop(party.guild_id, None)
            await self._finish(row, "fired")
            report.fired += 1
            return
        if reminder.kind == "discussion":
            await self._open_discussion(row, party, now, report)
            return
        if due == "missed":
            log.info(
                "reminder %s (%s) of watch party %s was due at %s, %ds ago (beyond the grace window): missed",
                row.id,
                row.key,
                party.id,
                row.due_at,
                now - row.due_at,
            )
            await self._finish(row, "missed")
            report.missed += 1
            return
        view = await self.view(party)
        messages = rem.reminder_messages(reminder, party.film, party.start_at, view.going)
        channel_id = party.thread_id or party.announce_channel_id
        async with self.db.transaction() as conn:
            for index, message in enumerate(messages):
                await self.delivery.enqueue(
                    conn,
                    kind=REMINDER,
                    owner_id=row.id,
                    part=str(index),
                    channel_id=channel_id,
                    payload=Payload(
                        content=message.content,
                        mention_users=tuple(message.user_ids),
                        reply_to=_reply_target(party, channel_id) if index == 0 else None,
                    ),
                    # the nonce and first attempt of a send begun before the outbox existed carry over
                    nonce=f"{row.nonce_base}.{index}",
                    first_attempt_at=row.sending_at,
                    expires_at=row.due_at + int(self.settings.grace),
                )
            await repo.finish_reminder(conn, row.id, "fired", now)
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

    async def _open_discussion(self, row: ReminderRow, party: Party, now: int, report: RunReport) -> None:
        """After the screening: open the spoiler thread (even late, quietly, while the spoiler window lasts)."""
        if now >= party.end_at + int(self.settings.spoiler_window):
            await self._finish(row, "missed")
            report.missed += 1
            await self.refresh_announcement(party.id)
            return
        port = self._port()
        thread_id = party.thread_id
        try:
            if thread_id is None:
                name = f"{party.film} — spoilers welcome"[:100]
                thread_id = await port.open_thread(party.announce_channel_id, party.announce_message_id, name)
                async with self.db.transaction() as conn:
                    await repo.update_party(conn, party.id, now=self._now(), thread_id=thread_id)
        except DeliveryGone as exc:
            log.warning("watch party %s: discussion thread not opened, channel gone (%s)", party.id, exc)
            await self._finish(row, "dropped", f"channel gone: {exc}")
            report.dropped += 1
            await self.refresh_announcement(party.id)
            return
        except Exception as exc:
            if row.attempts + 1 >= MAX_THREAD_ATTEMPTS:
                log.warning("watch party %s: giving up on the discussion thread: %r", party.id, exc)
                await self._finish(row, "dropped", repr(exc)[:300])
                report.dropped += 1
                await self.refresh_announcement(party.id)
                return
            log.warning("watch party %s: discussion thread not opened yet: %r", party.id, exc)
            async with self.db.transaction() as conn:
                await repo.record_attempt(conn, row.id, repr(exc))
            report.retried += 1
            return
        header = rem.reminder_header(
            rem.Reminder("discussion", -party.duration, row.due_at), party.film, party.start_at
        )
        async with self.db.transaction() as conn:
            await self.delivery.enqueue(
                conn,
                kind=DISCUSSION,
                owner_id=row.id,
                channel_id=thread_id,
                payload=Payload(content=header),
                nonce=f"{row.nonce_base}.0",
                first_attempt_at=row.sending_at,
            )
            await repo.finish_reminder(conn, row.id, "fired", now)
        report.fired += 1
        self._fired_now.add(row.id)
        self._threads_opened.add(party.id)
        log.info("watch party %s: discussion thread %s opened", party.id, thread_id)
