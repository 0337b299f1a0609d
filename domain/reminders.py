"""Reminder maths for watch parties: what to schedule, when, and what to do with it after a restart.

All times are UTC epoch seconds computed once from the resolved wall time of the start (see
:func:`domain.schedule.parse_when`), so a daylight-saving change between scheduling and the screening never
moves anything: the 24 h reminder is 86 400 real seconds before the start even if the wall clock says
21:00 the day before a 20:00 start.

Rules
-----
* Offsets are seconds before the start (``(86400, 3600, 0)``): 0 is the "starting now" reminder, any other
  is a "starts in ..." reminder. Duplicates are merged; negative offsets are refused.
* A *before* reminder is created only if it is due at least ``min_lead_seconds`` after ``now``. One that is
  already past, or would fire within minutes of the party being announced, is skipped (the announcement
  covers it) and reported in :attr:`PartySchedule.skipped_offsets`.
* The *start* reminder (offset 0) is created if the start is in the future or at most ``grace_seconds``
  overdue (it then fires at once).
* The discussion thread opens at the end (``start + duration``) and the spoiler window ends
  ``spoiler_window_seconds`` after that; both are always planned when not already missed.
* Rescheduling replans from scratch: :func:`diff_reminders` says which unfired reminders to cancel and which
  to create; fired ones are history and never touched (a new reminder may share a fired one's key).
* After a restart each stored, unfired reminder goes through :func:`classify_due`: ``"fire"`` when overdue
  by at most the grace window, ``"missed"`` when overdue by more (mark it done, don't ping late),
  ``"wait"`` when in the future. *discussion* and *spoiler_end* are state changes rather than pings, so a
  service will usually still carry them out when "missed" (open the thread, lift the shield), just quietly.

Defaults match ``settings.py``: grace 10 min, spoiler window 24 h; a before-reminder needs 5 min of lead.
Durations may be ints or whole-second floats (the config holds floats); epochs come back as ints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.schedule import discord_timestamp

__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "DEFAULT_MIN_LEAD_SECONDS",
    "DEFAULT_OFFSETS",
    "DEFAULT_SPOILER_WINDOW_SECONDS",
    "Due",
    "OutgoingMessage",
    "PartySchedule",
    "Reminder",
    "ReminderDiff",
    "ReminderError",
    "ReminderKind",
    "StoredReminder",
    "classify_due",
    "diff_reminders",
    "mention_messages",
    "normalise_offsets",
    "plan_reminders",
    "reminder_header",
    "reminder_messages",
    "seconds_until",
    "unscheduled_reminders",
]

ReminderKind = Literal["before", "start", "discussion", "spoiler_end"]
Due = Literal["fire", "missed", "wait"]

DEFAULT_OFFSETS: Final = (86_400, 3_600, 0)
DEFAULT_GRACE_SECONDS: Final = 10 * 60
DEFAULT_MIN_LEAD_SECONDS: Final = 5 * 60
DEFAULT_SPOILER_WINDOW_SECONDS: Final = 86_400
MAX_OFFSET_SECONDS: Final = 30 * 86_400
MAX_OFFSETS: Final = 10

DISCORD_MESSAGE_LIMIT: Final = 2000
DEFAULT_MAX_MENTIONS: Final = 90


class ReminderError(UserError, ValueError):
    """Reminder settings that cannot be used (e.g. a negative offset); ``str(exc)`` is the reply."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """One scheduled job for a party.

    ``offset`` is seconds before the start: positive for *before* reminders, 0 for *start*, negative for
    jobs after the start (*discussion* at ``-duration``, *spoiler_end* further on). ``key`` names the job
    within its party (``"before:86400"``, ``"start"``, ``"discussion"``, ``"spoiler_end"``).
    """

    kind: ReminderKind
    offset: int
    due_epoch: int

    @property
    def key(self) -> str:
        return f"before:{self.offset}" if self.kind == "before" else self.kind


@dataclass(frozen=True, slots=True)
class PartySchedule:
    """Everything to store for a party: its times and the reminders (ordered by due time, then kind)."""

    start_epoch: int
    end_epoch: int
    discussion_epoch: int
    spoiler_end_epoch: int
    reminders: tuple[Reminder, ...]
    skipped_offsets: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredReminder:
    """A reminder as the store has it: ``fired`` once it was sent (or marked missed)."""

    key: str
    due_epoch: int
    fired: bool


@dataclass(frozen=True, slots=True)
class ReminderDiff:
    """What a reschedule changes: delete ``cancel`` (unfired keys), insert ``create``, leave ``keep``."""

    cancel: tuple[str, ...]
    create: tuple[Reminder, ...]
    keep: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to send and exactly the users it may ping (pass them to ``AllowedMentions(users=...)``)."""

    content: str
    user_ids: tuple[int, ...]


_KIND_ORDER: Final = {"before": 0, "start": 1, "discussion": 2, "spoiler_end": 3}


def _epoch(now: datetime | float) -> int:
    if isinstance(now, bool):
        raise TypeError("now must be an aware datetime or epoch seconds")
    if isinstance(now, int):
        return now
    if isinstance(now, float):
        return math.floor(now)
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware (naive datetimes are a bug)")
        return int(now.timestamp())
    raise TypeError(f"now must be an aware datetime or epoch seconds, got {type(now).__name__}")


def _whole(value: float, name: str, *, minimum: int = 0) -> int:
    """``value`` as an int: ints, and floats holding whole seconds (config durations are floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{name} must be whole seconds, got {value}")
        value = int(value)
    if value < minimum:
        raise ReminderError(f"{name} must be at least {minimum}.")
    return value


def normalise_offsets(offsets: Iterable[float]) -> tuple[int, ...]:
    """Offsets deduplicated, largest (earliest reminder) first; refuses negatives and absurd values.

    Whole-second floats are accepted (the config holds durations as floats)."""
    unique: set[int] = set()
    for raw in offsets:
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw < 0:
            raise ReminderError("A reminder can't be after the start; use offsets of 0 or more.")
        offset = _whole(raw, "a reminder offset")
        if offset > MAX_OFFSET_SECONDS:
            raise ReminderError("A reminder can be at most 30 days before the start.")
        unique.add(offset)
    if len(unique) > MAX_OFFSETS:
        raise ReminderError(f"At most {MAX_OFFSETS} reminders per party.")
    return tuple(sorted(unique, reverse=True))


def plan_reminders(
    start_epoch: int,
    duration_seconds: float,
    offsets: Iterable[float],
    now: datetime | float,
    *,
    spoiler_window_seconds: float = DEFAULT_SPOILER_WINDOW_SECONDS,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    min_lead_seconds: float = DEFAULT_MIN_LEAD_SECONDS,
) -> PartySchedule:
    """The reminders to store for a party starting at ``start_epoch`` and lasting ``duration_seconds``.

    ``now`` is an aware datetime or epoch seconds. Durations may be ints or whole-second floats (as the
    config holds them). See the module docstring for which reminders are made.
    """
    start_epoch = _whole(start_epoch, "start_epoch")
    duration_seconds = _whole(duration_seconds, "duration_seconds", minimum=1)
    spoiler_window_seconds = _whole(spoiler_window_seconds, "spoiler_window_seconds")
    grace_seconds = _whole(grace_seconds, "grace_seconds")
    min_lead_seconds = _whole(min_lead_seconds, "min_lead_seconds")
    now_epoch = _epoch(now)
    end_epoch = start_epoch + duration_seconds
    spoiler_end = end_epoch + spoiler_window_seconds

    planned: list[Reminder] = []
    skipped: list[int] = []
    for offset in normalise_offsets(offsets):
        due = start_epoch - offset
        if offset == 0:
            if due >= now_epoch - grace_seconds:
                planned.append(Reminder("start", 0, due))
            else:
                skipped.append(0)
        elif due >= now_epoch + min_lead_seconds:
            planned.append(Reminder("before", offset, due))
        else:
            skipped.append(offset)
    if end_epoch >= now_epoch - grace_seconds:
        planned.append(Reminder("discussion", -duration_seconds, end_epoch))
    if spoiler_end >= now_epoch - grace_seconds:
        planned.append(Reminder("spoiler_end", -(duration_seconds + spoiler_window_seconds), spoiler_end))
    planned.sort(key=lambda r: (r.due_epoch, _KIND_ORDER[r.kind]))
    return PartySchedule(
        start_epoch=start_epoch,
        end_epoch=end_epoch,
        discussion_epoch=end_epoch,
        spoiler_end_epoch=spoiler_end,
        reminders=tuple(planned),
        skipped_offsets=tuple(skipped),
    )


def unscheduled_reminders(
    start_epoch: int, offsets: Iterable[int], scheduled_keys: Iterable[str]
) -> tuple[Reminder, ...]:
    """The party's configured reminders that have no job (``scheduled_keys`` are its live jobs' keys):
    those :func:`plan_reminders` skipped because they were already past, or too soon, when the party was
    scheduled or moved. Listed so ``/watchparty info`` can show them as skipped instead of leaving members
    to wonder where the 24 h reminder went."""
    keys = set(scheduled_keys)
    missing = []
    for offset in normalise_offsets(offsets):
        reminder = (
            Reminder("start", 0, start_epoch)
            if offset == 0
            else Reminder("before", offset, start_epoch - offset)
        )
        if reminder.key not in keys:
            missing.append(reminder)
    return tuple(missing)


def classify_due(due_epoch: int, now: datetime | float, grace_seconds: float) -> Due:
    """What to do with a stored, unfired reminder at ``now`` (e.g. after a restart).

    ``"wait"`` if it is due in the future; ``"fire"`` if it is due now or overdue by at most
    ``grace_seconds``; ``"missed"`` if overdue by more (record it as done without sending: a reminder for a
    film that started an hour ago is noise).
    """
    grace = _whole(grace_seconds, "grace_seconds")
    now_epoch = _epoch(now)
    if due_epoch > now_epoch:
        return "wait"
    return "fire" if now_epoch - due_epoch <= grace else "missed"


def seconds_until(due_epoch: int, now: datetime | float) -> int:
    """Seconds to sleep before ``due_epoch`` (0 if already due)."""
    return max(0, due_epoch - _epoch(now))


def diff_reminders(existing: Iterable[StoredReminder], planned: Iterable[Reminder]) -> ReminderDiff:
    """Turn a fresh plan into changes against what is stored, for a reschedule or an edit of the offsets.

    Unfired reminders with the same key and due time are kept; every other unfired one is cancelled; planned
    reminders not kept are created. Fired reminders are left alone (a new reminder may share a fired one's key,
    e.g. the 24 h reminder after a party moves a week later, so store identity is (party, key, due_epoch)).
    """
    planned_list = list(planned)
    wanted = {(r.key, r.due_epoch) for r in planned_list}
    keep: list[str] = []
    cancel: list[str] = []
    kept_pairs: set[tuple[str, int]] = set()
    for stored in existing:
        if stored.fired:
            continue
        pair = (stored.key, stored.due_epoch)
        if pair in wanted and pair not in kept_pairs:
            keep.append(stored.key)
            kept_pairs.add(pair)
        else:
            cancel.append(stored.key)
    create = tuple(r for r in planned_list if (r.key, r.due_epoch) not in kept_pairs)
    return ReminderDiff(cancel=tuple(cancel), create=create, keep=tuple(keep))


# ------------------------------------------------------------------------------------------------ messages


def _describe_offset(seconds: int) -> str:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' * (days != 1)}")
    if hours:
        parts.append(f"{hours} hour{'s' * (hours != 1)}")
    if minutes:
        parts.append(f"{minutes} minute{'s' * (minutes != 1)}")
    return " ".join(parts) or "moments"


def reminder_header(reminder: Reminder, title: str, start_epoch: int) -> str:
    """The first line of a reminder message (markdown; the title is escaped and trimmed to 200 chars)."""
    name = escape_markdown(" ".join(title.split())[:200]) or "the film"
    start = discord_timestamp(start_epoch, "F")
    relative = discord_timestamp(start_epoch, "R")
    if reminder.kind == "before":
        return f"⏰ **{name}** starts {relative} ({start}), in about {_describe_offset(reminder.offset)}."
    if reminder.kind == "start":
        return f"🎬 **{name}** is starting now! ({start})"
    if reminder.kind == "discussion":
        return f"💬 **{name}** has finished: the discussion is open."
    return f"🔓 The spoiler window for **{name}** is over: talk freely."


def mention_messages(
    header: str,
    user_ids: Iterable[int],
    *,
    limit: int = DISCORD_MESSAGE_LIMIT,
    max_mentions: int = DEFAULT_MAX_MENTIONS,
) -> tuple[OutgoingMessage, ...]:
    """``header`` followed by ``<@id>`` mentions, split into as many messages as needed.

    Each message is at most ``limit`` characters and pings at most ``max_mentions`` users; ids are
    deduplicated in order. The first message starts with the header (trimmed with "…" if it alone would not
    fit), later ones hold only mentions. Each message carries the ids it mentions, for ``allowed_mentions``
    (so a title containing ``@everyone`` pings nobody extra). No ids: one message with the header alone.
    """
    if limit < 40:
        raise ValueError("limit is too small to hold a mention")
    if max_mentions < 1:
        raise ValueError("max_mentions must be at least 1")
    ids: list[int] = []
    seen: set[int] = set()
    for user_id in user_ids:
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise ValueError(f"not a Discord user id: {user_id!r}")
        if user_id not in seen:
            seen.add(user_id)
            ids.append(user_id)
    if len(header) > limit:
        header = header[: limit - 1] + "…"
    messages: list[OutgoingMessage] = []
    content = header
    batch: list[int] = []
    for user_id in ids:
        mention = f"<@{user_id}>"
        separator = ("\n" if batch == [] else " ") if content else ""
        if len(batch) >= max_mentions or len(content) + len(separator) + len(mention) > limit:
            messages.append(OutgoingMessage(content, tuple(batch)))
            content, batch, separator = "", [], ""
        content += separator + mention
        batch.append(user_id)
    if content or not messages:
        messages.append(OutgoingMessage(content, tuple(batch)))
    return tuple(messages)


def reminder_messages(
    reminder: Reminder,
    title: str,
    start_epoch: int,
    going_user_ids: Iterable[int],
    *,
    limit: int = DISCORD_MESSAGE_LIMIT,
    max_mentions: int = DEFAULT_MAX_MENTIONS,
) -> tuple[OutgoingMessage, ...]:
    """The messages for one reminder: :func:`reminder_header` then the Going members' mentions."""
    return mention_messages(
        reminder_header(reminder, title, start_epoch),
        going_user_ids,
        limit=limit,
        max_mentions=max_mentions,
    )
