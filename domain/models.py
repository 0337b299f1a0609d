"""The bot's records: frozen dataclasses that storage returns and services and cogs pass around.

Every status/kind column stored as text is a :class:`enum.StrEnum` whose values are the stored strings, so
rows map onto members without a migration and a member still compares equal to its string. Storage builds
these with one helper (``storage._rows.row_to``); nothing here knows about SQL or Discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# ------------------------------------------------------------------------------------------------- feeds


class FeedStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    # the channel is gone or the bot may no longer post there
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    status: FeedStatus
    pause_reason: str | None
    next_poll_at: int
    last_polled_at: int | None
    last_success_at: int | None
    last_error: str | None
    last_error_at: int | None
    consecutive_failures: int
    failing_since: int | None
    warned: bool
    # Fingerprint of the last body read and when it last changed (storage migration 0009).
    body_hash: str | None = None
    last_changed_at: int | None = None
    # The last scanned body's fingerprint without its feed-level dates (migration 0011).
    entries_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    feed_id: int
    guild_id: int
    channel_id: int
    name: str
    include_filter: str | None
    exclude_filter: str | None
    force_spoiler: bool
    status: SubscriptionStatus
    status_reason: str | None
    created_at: int
    #: text | announcement | forum (forum and media channels) | thread: where the posts land (0008)
    channel_kind: str = "text"
    #: minutes after which the thread under each post auto-archives; None: no threads (text channels)
    thread_archive: int | None = None
    #: publish each post to following servers (announcement channels)
    publish: bool = False


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription with its feed, as /feed list shows it."""

    subscription: Subscription
    feed: Feed


@dataclass(frozen=True, slots=True)
class NewEntry:
    key: str
    title: str | None
    link: str | None
    published_at: int | None


# ------------------------------------------------------------------------------------------------- polls


class PollKind(StrEnum):
    POLL = "poll"
    # a film pick: the options are nominations and the winner can be scheduled as a watch party
    PICK = "pick"


class PollMode(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    RANKED = "ranked"


class PollStatus(StrEnum):
    # inserted, its message not yet posted
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class NominationStatus(StrEnum):
    OPEN = "open"
    IN_POLL = "in_poll"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    created_by: int
    kind: PollKind
    question: str
    options: tuple[str, ...]
    mode: PollMode
    max_choices: int | None
    status: PollStatus
    created_at: int
    closes_at: int
    closed_at: int | None
    # free text shown to members ("message deleted", "closed early by ..."), not an enum
    close_reason: str | None
    closed_by: int | None
    winner: int | None
    reactions_stale: bool
    announced: bool
    announce_attempts: int
    result_message_id: int | None

    @property
    def n_options(self) -> int:
        return len(self.options)

    @property
    def is_open(self) -> bool:
        return self.status == PollStatus.OPEN


@dataclass(frozen=True, slots=True)
class Nomination:
    id: int
    guild_id: int
    user_id: int
    title: str
    year: int | None
    note: str | None
    status: NominationStatus
    poll_id: int | None
    poll_option: int | None
    created_at: int

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


# ----------------------------------------------------------------------------------------- watch parties


class PartyStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpChoice(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"


class ReminderState(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    MISSED = "missed"
    DROPPED = "dropped"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    guild_id: int
    film: str
    start_at: int
    duration: int
    timezone: str
    voice_channel_id: int | None
    location: str | None
    notes: str | None
    capacity: int | None
    reminder_offsets: tuple[int, ...]
    announce_channel_id: int
    announce_message_id: int | None
    event_id: int | None
    thread_id: int | None
    status: PartyStatus
    cancel_reason: str | None
    sequence: int
    created_by: int
    created_at: int
    updated_at: int

    @property
    def end_at(self) -> int:
        return self.start_at + self.duration

    @property
    def cancelled(self) -> bool:
        return self.status == PartyStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Rsvp:
    party_id: int
    user_id: int
    choice: RsvpChoice
    seq: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ReminderRow:
    id: int
    party_id: int
    key: str
    due_at: int
    state: ReminderState
    attempts: int
    last_error: str | None
    done_at: int | None
    # when the first send attempt began, before the outbox existed (0006): carried over to its messages
    sending_at: int | None = None

    @property
    def nonce_base(self) -> str:
        """Deterministic per row: a message re-sent after a crash carries the same nonce (enforce_nonce)."""
        return f"wpr{self.id}"


# ---------------------------------------------------------------------------------------------- the club


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str | None = None
    organiser_role_id: int | None = None
    notices_channel_id: int | None = None
    announce_channel_id: int | None = None
    polls_organisers_only: bool = False


@dataclass(frozen=True, slots=True)
class LoopHealth:
    name: str
    last_run_at: int | None
    last_ok_at: int | None
    last_result: str | None


@dataclass(frozen=True, slots=True)
class WarningSettings:
    """``spoiler_categories``/``unspoilered_categories``: the categories a server explicitly chose to hide
    or to show the summary of; a category in neither follows the default."""

    guild_id: int
    hidden_categories: frozenset[str] = frozenset()
    spoiler_categories: frozenset[str] = frozenset()
    custom_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unspoilered_categories: frozenset[str] = frozenset()
