from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import (
    DEFAULT_GRACE_SECONDS,
    OutgoingMessage,
    Reminder,
    ReminderError,
    StoredReminder,
    classify_due,
    diff_reminders,
    mention_messages,
    normalise_offsets,
    plan_reminders,
    reminder_header,
    reminder_messages,
    seconds_until,
    unscheduled_reminders,
)
from domain.schedule import parse_when

HOUR = 3600
DAY = 86400
START = 1_796_500_800  # 2026-12-05 20:00 UTC
FILM = 2 * HOUR
WEEK = 7 * DAY


def keys(schedule_reminders: tuple[Reminder, ...]) -> list[str]:
    return [r.key for r in schedule_reminders]


@pytest.mark.parametrize(
    ("now", "offsets", "expected_keys", "skipped"),
    [
        # Plenty of time: everything.
        (
            START - 3 * DAY,
            (DAY, HOUR, 0),
            ["before:86400", "before:3600", "start", "discussion", "spoiler_end"],
            (),
        ),
        # Duplicates merged, any order.
        (
            START - 3 * DAY,
            (0, HOUR, DAY, HOUR),
            ["before:86400", "before:3600", "start", "discussion", "spoiler_end"],
            (),
        ),
        # Scheduled 2 hours ahead: the 24 h reminder is already past.
        (START - 2 * HOUR, (DAY, HOUR, 0), ["before:3600", "start", "discussion", "spoiler_end"], (DAY,)),
        # 1 h 3 min ahead: the 1 h reminder would fire 3 minutes after the announcement -> skipped.
        (START - HOUR - 180, (DAY, HOUR, 0), ["start", "discussion", "spoiler_end"], (DAY, HOUR)),
        # Exactly the minimum lead (5 min) is still created.
        (START - HOUR - 300, (HOUR,), ["before:3600", "discussion", "spoiler_end"], ()),
        # Start overdue within grace: still created (it fires at once); beyond grace: skipped.
        (START + 60, (0,), ["start", "discussion", "spoiler_end"], ()),
        (START + DEFAULT_GRACE_SECONDS + 1, (0,), ["discussion", "spoiler_end"], (0,)),
        # No reminders at all.
        (START - DAY, (), ["discussion", "spoiler_end"], ()),
    ],
)
def test_plan_reminders(
    now: int, offsets: tuple[int, ...], expected_keys: list[str], skipped: tuple[int, ...]
) -> None:
    plan = plan_reminders(START, FILM, offsets, now, spoiler_window_seconds=WEEK)
    assert keys(plan.reminders) == expected_keys
    assert plan.skipped_offsets == skipped
    for reminder in plan.reminders:
        assert reminder.due_epoch == START - reminder.offset


def test_plan_times() -> None:
    plan = plan_reminders(START, FILM, (DAY, 0), START - 2 * DAY, spoiler_window_seconds=3 * DAY)
    assert plan.start_epoch == START
    assert plan.end_epoch == START + FILM
    assert plan.discussion_epoch == START + FILM
    assert plan.spoiler_end_epoch == START + FILM + 3 * DAY
    by_key = {r.key: r for r in plan.reminders}
    assert by_key["before:86400"] == Reminder("before", DAY, START - DAY)
    assert by_key["start"] == Reminder("start", 0, START)
    assert by_key["discussion"] == Reminder("discussion", -FILM, START + FILM)
    assert by_key["spoiler_end"] == Reminder("spoiler_end", -(FILM + 3 * DAY), START + FILM + 3 * DAY)
    assert [r.due_epoch for r in plan.reminders] == sorted(r.due_epoch for r in plan.reminders)


def test_zero_spoiler_window_orders_discussion_first() -> None:
    plan = plan_reminders(START, FILM, (), START - DAY, spoiler_window_seconds=0)
    assert keys(plan.reminders) == ["discussion", "spoiler_end"]
    assert plan.reminders[0].due_epoch == plan.reminders[1].due_epoch


def test_now_as_datetime_or_epoch() -> None:
    as_int = plan_reminders(START, FILM, (DAY, 0), START - 2 * DAY)
    as_dt = plan_reminders(START, FILM, (DAY, 0), datetime.fromtimestamp(START - 2 * DAY, tz=UTC))
    assert as_int == as_dt
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_reminders(START, FILM, (0,), datetime(2026, 12, 1))


@pytest.mark.parametrize(
    ("offsets", "error", "message"),
    [
        ((-60,), ReminderError, "can't be after the start"),
        ((31 * DAY,), ReminderError, "at most 30 days"),
        (tuple(range(0, 11 * 60, 60)), ReminderError, "At most 10"),
        ((1.5,), ValueError, "whole seconds"),
        (("1h",), TypeError, "number of seconds"),
        ((-0.5,), ReminderError, "can't be after the start"),
    ],
)
def test_offsets_refused(offsets: tuple[int, ...], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        plan_reminders(START, FILM, offsets, START - DAY)


def test_normalise_offsets() -> None:
    assert normalise_offsets([0, 3600, 86400, 3600]) == (86400, 3600, 0)


def test_config_floats_are_accepted() -> None:
    # settings.py holds durations as float seconds: ("24h", "1h", "0s") -> (86400.0, 3600.0, 0.0)
    from_config = plan_reminders(
        START,
        9000.0,
        (86400.0, 3600.0, 0.0),
        float(START - 3 * DAY) + 0.75,
        spoiler_window_seconds=86400.0,
        grace_seconds=600.0,
    )
    from_ints = plan_reminders(
        START, 9000, (86400, 3600, 0), START - 3 * DAY, spoiler_window_seconds=86400, grace_seconds=600
    )
    assert from_config == from_ints
    assert all(isinstance(r.due_epoch, int) and isinstance(r.offset, int) for r in from_config.reminders)
    assert classify_due(START, float(START) + 599.9, 600.0) == "fire"


def test_bad_duration_refused() -> None:
    with pytest.raises(ReminderError):
        plan_reminders(START, 0, (0,), START - DAY)


# ------------------------------------------------------------------------------------------------ DST


@pytest.mark.parametrize(
    ("scheduled_at", "start_text", "offset", "reminder_wall"),
    [
        # Both after the clocks go back (25 Oct): same wall time the day before.
        ("2026-10-20 12:00", "2026-10-30 20:00", DAY, "2026-10-29 20:00 GMT"),
        # A week before, across the change: 24*7 real hours earlier is 21:00 BST on the wall.
        ("2026-10-20 12:00", "2026-10-30 20:00", WEEK, "2026-10-23 21:00 BST"),
        # Start on the day the clocks go back: 24 real hours earlier is 21:00 BST the day before.
        ("2026-10-20 12:00", "2026-10-25 20:00", DAY, "2026-10-24 21:00 BST"),
        # Spring: clocks go forward on 29 Mar, 24 real hours before 20:00 BST is 19:00 GMT.
        ("2026-03-20 12:00", "2026-03-29 20:00", DAY, "2026-03-28 19:00 GMT"),
    ],
)
def test_dst_change_between_scheduling_and_start_does_not_shift(
    scheduled_at: str, start_text: str, offset: int, reminder_wall: str
) -> None:
    london = ZoneInfo("Europe/London")
    now = datetime.fromisoformat(scheduled_at).replace(tzinfo=london)
    start = parse_when(start_text, "Europe/London", now)
    plan = plan_reminders(start.epoch, FILM, (offset, 0), now)
    reminder = next(r for r in plan.reminders if r.offset == offset)
    assert start.epoch - reminder.due_epoch == offset  # real seconds, whatever the wall clock does
    due_local = datetime.fromtimestamp(reminder.due_epoch, tz=london)
    assert due_local.strftime("%Y-%m-%d %H:%M %Z") == reminder_wall
    # Replanning later (after the change) gives identical epochs: nothing is derived from wall time.
    later = datetime.fromtimestamp(start.epoch - 2 * HOUR, tz=UTC)
    replanned = plan_reminders(start.epoch, FILM, (offset, 0), later)
    assert next(r for r in replanned.reminders if r.key == "start").due_epoch == start.epoch


# ------------------------------------------------------------------------------------------- rehydration


@pytest.mark.parametrize(
    ("due", "now", "grace", "expected"),
    [
        (1000, 999, 60, "wait"),
        (1000, 0, 60, "wait"),
        (1000, 1000, 60, "fire"),
        (1000, 1060, 60, "fire"),
        (1000, 1061, 60, "missed"),
        (1000, 1000, 0, "fire"),
        (1000, 1001, 0, "missed"),
        (1000, 100_000, 3600, "missed"),
    ],
)
def test_classify_due(due: int, now: int, grace: int, expected: str) -> None:
    assert classify_due(due, now, grace) == expected
    assert classify_due(due, datetime.fromtimestamp(now, tz=UTC), grace) == expected


def test_classify_due_rejects_negative_grace_and_naive_now() -> None:
    with pytest.raises(ReminderError):
        classify_due(1000, 1000, -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        classify_due(1000, datetime(2026, 1, 1), 60)


@pytest.mark.parametrize(("due", "now", "expected"), [(100, 40, 60), (100, 100, 0), (100, 500, 0)])
def test_seconds_until(due: int, now: int, expected: int) -> None:
    assert seconds_until(due, now) == expected


# -------------------------------------------------------------------------------------------- rescheduling


def test_reschedule_replaces_unfired_and_keeps_history() -> None:
    old = plan_reminders(START, FILM, (DAY, HOUR, 0), START - 3 * DAY)
    stored = [StoredReminder(r.key, r.due_epoch, fired=(r.key == "before:86400")) for r in old.reminders]
    new_start = START + WEEK
    new = plan_reminders(new_start, FILM, (DAY, HOUR, 0), START - DAY + 60)
    diff = diff_reminders(stored, new.reminders)
    assert sorted(diff.cancel) == ["before:3600", "discussion", "spoiler_end", "start"]
    assert diff.keep == ()
    assert keys(diff.create) == ["before:86400", "before:3600", "start", "discussion", "spoiler_end"]
    assert all(r.due_epoch == new_start - r.offset for r in diff.create)


def test_unchanged_plan_is_kept() -> None:
    plan = plan_reminders(START, FILM, (DAY, 0), START - 3 * DAY)
    stored = [StoredReminder(r.key, r.due_epoch, fired=False) for r in plan.reminders]
    diff = diff_reminders(stored, plan.reminders)
    assert diff.cancel == ()
    assert diff.create == ()
    assert sorted(diff.keep) == sorted(keys(plan.reminders))


def test_changed_offsets_only_touch_the_difference() -> None:
    before = plan_reminders(START, FILM, (DAY, 0), START - 3 * DAY)
    stored = [StoredReminder(r.key, r.due_epoch, fired=False) for r in before.reminders]
    after = plan_reminders(START, FILM, (HOUR, 0), START - 3 * DAY)
    diff = diff_reminders(stored, after.reminders)
    assert diff.cancel == ("before:86400",)
    assert keys(diff.create) == ["before:3600"]
    assert sorted(diff.keep) == ["discussion", "spoiler_end", "start"]


# ----------------------------------------------------------------------------------------------- messages

MENTION = re.compile(r"<@(\d+)>")


def check_batches(
    messages: tuple[OutgoingMessage, ...], ids: list[int], limit: int, max_mentions: int
) -> None:
    flattened = [i for m in messages for i in m.user_ids]
    assert flattened == list(dict.fromkeys(ids))
    for message in messages:
        assert len(message.content) <= limit
        assert len(message.user_ids) <= max_mentions
        assert [int(x) for x in MENTION.findall(message.content)] == list(message.user_ids)


@pytest.mark.parametrize(
    ("count", "id_base", "expected_messages"),
    [
        (0, 0, 1),
        (3, 100_000_000_000_000_000, 1),
        (90, 10_000_000_000_000_000, 1),  # 17-digit ids: 90 x 21 chars + header fits in 2000
        (91, 10_000_000_000_000_000, 2),  # the mention cap: the 91st goes to a second message
        (90, 100_000_000_000_000_000, 2),  # 18-digit ids: the 2000-char limit binds before the cap
        (200, 10_000_000_000_000_000_000 - 1000, 3),  # 20-digit ids
    ],
)
def test_mention_batching(count: int, id_base: int, expected_messages: int) -> None:
    ids = [id_base + i for i in range(count)]
    messages = mention_messages("🎬 **Alien** starts soon", ids)
    assert len(messages) == expected_messages
    assert messages[0].content.startswith("🎬 **Alien** starts soon")
    check_batches(messages, ids, 2000, 90)


def test_mentions_deduplicated_in_order() -> None:
    messages = mention_messages("Hi", [3, 1, 3, 2, 1])
    assert messages == (OutgoingMessage("Hi\n<@3> <@1> <@2>", (3, 1, 2)),)


def test_no_mentions_gives_header_only() -> None:
    assert mention_messages("Hi", []) == (OutgoingMessage("Hi", ()),)


def test_tiny_limits() -> None:
    ids = list(range(1, 30))
    messages = mention_messages("x" * 60, ids, limit=50, max_mentions=4)
    assert messages[0].content == "x" * 49 + "…"
    assert messages[0].user_ids == ()
    check_batches(messages, ids, 50, 4)


@pytest.mark.parametrize("bad", [0, -5, True, "123"])
def test_bad_ids_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="not a Discord user id"):
        mention_messages("Hi", [1, bad])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("reminder", "expected"),
    [
        (
            Reminder("before", DAY, START - DAY),
            f"⏰ **Alien** starts <t:{START}:R> (<t:{START}:F>), in about 1 day.",
        ),
        (
            Reminder("before", 90 * 60, START - 5400),
            f"⏰ **Alien** starts <t:{START}:R> (<t:{START}:F>), in about 1 hour 30 minutes.",
        ),
        (Reminder("start", 0, START), f"🎬 **Alien** is starting now! (<t:{START}:F>)"),
        (Reminder("discussion", -FILM, START + FILM), "💬 **Alien** has finished: the discussion is open."),
        (
            Reminder("spoiler_end", -FILM - WEEK, START + FILM + WEEK),
            "🔓 The spoiler window for **Alien** is over: talk freely.",
        ),
    ],
)
def test_reminder_header(reminder: Reminder, expected: str) -> None:
    assert reminder_header(reminder, "Alien", START) == expected


def test_reminder_header_escapes_markdown() -> None:
    header = reminder_header(Reminder("start", 0, START), "**Bold** _it_ `x` ||spoiler||", START)
    assert "\\*\\*Bold\\*\\* \\_it\\_ \\`x\\` \\|\\|spoiler\\|\\|" in header


def test_reminder_messages_carry_only_going_ids() -> None:
    messages = reminder_messages(Reminder("start", 0, START), "@everyone Alien", START, [42, 43])
    assert messages[0].user_ids == (42, 43)
    assert messages[0].content.endswith("<@42> <@43>")


def test_unscheduled_reminders_are_the_ones_plan_skipped() -> None:
    start = 1_800_000_000
    now = start - 2 * 3600  # two hours ahead: the 24h reminder is already past
    plan = plan_reminders(start, 7200, (86400, 3600, 0), now)
    missing = unscheduled_reminders(start, (86400, 3600, 0), (r.key for r in plan.reminders))
    assert [(r.key, r.due_epoch) for r in missing] == [("before:86400", start - 86400)]
    assert plan.skipped_offsets == (86400,)
    assert unscheduled_reminders(start, (), ()) == ()
    assert [r.key for r in unscheduled_reminders(start, (0,), ())] == ["start"]
