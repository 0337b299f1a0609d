"""The watch-party service's value types, limits and outbox kinds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from domain.models import Party, RsvpChoice
from domain.schedule import ParsedTime
from domain.watchparty import Seat

MAX_FILM = 100  # Discord scheduled event names are at most 100 characters
MAX_NOTES = 900  # event descriptions are at most 1000; the RSVP hint takes the rest
MAX_LOCATION = 100  # external event locations are at most 100
MAX_CAPACITY = 1000
SHIELD_TTL = 60.0
# A discussion thread that Discord keeps refusing (e.g. no Create Public Threads) is given up after this.
MAX_THREAD_ATTEMPTS = 10
# The outbox kinds of this package (services.delivery).
ANNOUNCEMENT = "party_announcement"  # owner: the party
REMINDER = "reminder"  # owner: the reminder job, part: the message's index
NOTICE = "party_notice"  # owner: the party (edits, cancellation, waitlist promotions)
DISCUSSION = "discussion_opener"  # owner: the discussion job
KINDS = (ANNOUNCEMENT, REMINDER, NOTICE, DISCUSSION)
PRODID = "-//Projectionist//Watch parties//EN"
CHOICE_LABELS = {RsvpChoice.GOING: "Going", RsvpChoice.MAYBE: "Maybe", RsvpChoice.NO: "Can't go"}


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
    status: Seat
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
