from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.schedule import (
    DurationError,
    NonexistentTimeError,
    PastTimeError,
    ScheduleError,
    TimezoneError,
    TooFarAheadError,
    UnparseableTimeError,
    default_date_order,
    discord_timestamp,
    format_compact_duration,
    format_local,
    parse_compact_duration,
    parse_duration,
    parse_when,
    resolve_wall_time,
    timezone_choices,
    validate_timezone,
    warm_up,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def at(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime for a wall time in ``tz``."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


# Wednesday 25 November 2026, 15:00 local.
WED_LDN = at(LONDON, 2026, 11, 25, 15, 0)
WED_NY = at(NEW_YORK, 2026, 11, 25, 15, 0)


# ------------------------------------------------------------------------------------------------ the forms

FORMS = [
    # (text, expected local wall time) -- the same in both zones with now = Wed 25 Nov 2026 15:00 local.
    ("friday 8pm", "2026-11-27 20:00"),
    ("Friday, 8 PM.", "2026-11-27 20:00"),
    ("fri 8:30pm", "2026-11-27 20:30"),
    ("on Fri @ 8:30pm", "2026-11-27 20:30"),
    ("8pm friday", "2026-11-27 20:00"),
    ("friday night 9pm", "2026-11-27 21:00"),
    ("this friday 20:00", "2026-11-27 20:00"),
    ("tomorrow 19:30", "2026-11-26 19:30"),
    ("tomorrow at 7.30pm", "2026-11-26 19:30"),
    ("tmrw 7p", "2026-11-26 19:00"),
    ("day after tomorrow 8pm", "2026-11-27 20:00"),
    ("2026-12-05 20:00", "2026-12-05 20:00"),
    ("2026-12-05T20:00", "2026-12-05 20:00"),
    ("2026/12/05 8pm", "2026-12-05 20:00"),
    ("in 3 days at 9pm", "2026-11-28 21:00"),
    ("in a week at 20:00", "2026-12-02 20:00"),
    ("in two weeks 8pm", "2026-12-09 20:00"),
    ("in a fortnight 8pm", "2026-12-09 20:00"),
    ("3 days from now 9pm", "2026-11-28 21:00"),
    ("next sat 21:00", "2026-11-28 21:00"),
    ("next saturday 21:00", "2026-11-28 21:00"),
    ("tonight 9pm", "2026-11-25 21:00"),
    ("today 20:00", "2026-11-25 20:00"),
    ("tonight 1am", "2026-11-26 01:00"),  # the small hours after tonight
    ("dec 5 8pm", "2026-12-05 20:00"),
    ("Dec. 5th 8pm", "2026-12-05 20:00"),
    ("5 dec 8pm", "2026-12-05 20:00"),
    ("5th of December 2026 at 20:00", "2026-12-05 20:00"),
    ("december the 5th 8pm", "2026-12-05 20:00"),
    ("sat 5 dec 8pm", "2026-12-05 20:00"),
    ("jan 1 8pm", "2027-01-01 20:00"),
    ("the 5th 8pm", "2026-12-05 20:00"),
    ("fri the 4th 8pm", "2026-12-04 20:00"),
    ("13/12 8pm", "2026-12-13 20:00"),  # unambiguous day/month
    ("12/13 8pm", "2026-12-13 20:00"),  # unambiguous month/day
    ("8pm", "2026-11-25 20:00"),
    ("20:00", "2026-11-25 20:00"),
    ("20.30", "2026-11-25 20:30"),
    ("20h30", "2026-11-25 20:30"),
    ("8 p.m.", "2026-11-25 20:00"),
    ("2pm", "2026-11-26 14:00"),  # passed today -> tomorrow
    ("noon", "2026-11-26 12:00"),
    ("midnight", "2026-11-26 00:00"),
    ("12am", "2026-11-26 00:00"),
    ("wednesday 8pm", "2026-11-25 20:00"),  # today, still ahead (dateparser says next week)
    ("wednesday 2pm", "2026-12-02 14:00"),  # today but passed -> next week
    ("next wednesday 8pm", "2026-12-02 20:00"),  # "next" is never today
    ("2 weeks from tomorrow 8pm", "2026-12-10 20:00"),  # dateparser fallback
    ("in 2 hours", "2026-11-25 17:00"),
    ("in 90 minutes", "2026-11-25 16:30"),
    ("in 1h30m", "2026-11-25 16:30"),
    ("in half an hour", "2026-11-25 15:30"),
]


@pytest.mark.parametrize("tz", [LONDON, NEW_YORK])
@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_forms(text: str, expected: str, tz: str) -> None:
    now = WED_LDN if tz == LONDON else WED_NY
    parsed = parse_when(text, tz, now)
    assert parsed.local.strftime("%Y-%m-%d %H:%M") == expected
    assert parsed.tz == tz
    assert parsed.local.tzinfo == ZoneInfo(tz)
    assert parsed.start_utc.tzinfo is UTC
    assert parsed.start_utc == parsed.local
    assert parsed.epoch == int(parsed.start_utc.timestamp())
    assert parsed.ambiguous is False


@pytest.mark.parametrize(
    ("text", "tz", "expected", "note_part"),
    [
        ("5/12 20:00", LONDON, "2026-12-05 20:00", "5 December (day/month)"),
        ("5.12. 20:00", LONDON, "2026-12-05 20:00", "5 December (day/month)"),
        ("5/12 20:00", NEW_YORK, "2027-05-12 20:00", "12 May (month/day)"),
        ("5/12/2026 8pm", LONDON, "2026-12-05 20:00", "day/month"),
        ("5/12/26 8pm", "Asia/Tokyo", "2026-12-05 20:00", "day/month"),
        ("2pm", LONDON, "2026-11-26 14:00", "has passed today, so I used tomorrow"),
        ("nov 20 8pm", LONDON, "2027-11-20 20:00", "next year"),
    ],
)
def test_notes(text: str, tz: str, expected: str, note_part: str) -> None:
    now = at(tz, 2026, 11, 25, 15, 0)
    parsed = parse_when(text, tz, now)
    assert parsed.local.strftime("%Y-%m-%d %H:%M") == expected
    assert parsed.note is not None and note_part in parsed.note


def test_no_notes_for_plain_forms() -> None:
    parsed = parse_when("friday 8pm", LONDON, WED_LDN)
    assert parsed.notes == ()
    assert parsed.note is None
    assert parsed.display == "Fri 27 Nov 2026, 20:00 GMT"


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("5/12 20:00", "MDY", "2027-05-12 20:00"),
        ("5/12 20:00", "DMY", "2026-12-05 20:00"),
        ("13/12 20:00", "MDY", "2026-12-13 20:00"),  # unambiguous despite the setting
    ],
)
def test_date_order_override(text: str, order: str, expected: str) -> None:
    parsed = parse_when(text, LONDON, WED_LDN, date_order=order)  # type: ignore[arg-type]
    assert parsed.local.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    ("tz", "order"),
    [
        (NEW_YORK, "MDY"),
        ("US/Pacific", "MDY"),
        ("America/Puerto_Rico", "MDY"),
        ("Asia/Manila", "MDY"),
        (LONDON, "DMY"),
        ("America/Sao_Paulo", "DMY"),
        ("America/Toronto", "DMY"),
        ("UTC", "DMY"),
    ],
)
def test_default_date_order(tz: str, order: str) -> None:
    assert default_date_order(tz) == order


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # "friday" on a Friday: tonight while 8pm is ahead, next week after it.
        (at(LONDON, 2026, 11, 27, 15, 0), "friday 8pm", "2026-11-27 20:00"),
        (at(LONDON, 2026, 11, 27, 21, 0), "friday 8pm", "2026-12-04 20:00"),
        (at(LONDON, 2026, 11, 27, 20, 0), "friday 8pm", "2026-12-04 20:00"),  # exactly now is not ahead
        (at(LONDON, 2026, 11, 27, 15, 0), "next friday 8pm", "2026-12-04 20:00"),
        (at(LONDON, 2026, 11, 27, 21, 0), "8pm", "2026-11-28 20:00"),
        (at(LONDON, 2026, 12, 31, 21, 0), "jan 1 8pm", "2027-01-01 20:00"),
        (at(LONDON, 2026, 12, 31, 21, 0), "tomorrow 8pm", "2027-01-01 20:00"),
        (at(LONDON, 2026, 11, 30, 12, 0), "the 31st 8pm", "2026-12-31 20:00"),  # Nov has no 31st
    ],
)
def test_relative_to_now(now: datetime, text: str, expected: str) -> None:
    assert parse_when(text, LONDON, now).local.strftime("%Y-%m-%d %H:%M") == expected


def test_relative_instant_is_real_elapsed_time_across_dst() -> None:
    # 00:30 BST on the night the clocks go back: two hours later is 01:30 GMT (wall clock +1h).
    now = at(LONDON, 2026, 10, 25, 0, 30)
    parsed = parse_when("in 2 hours", LONDON, now)
    assert parsed.start_utc - now == timedelta(hours=2)
    assert parsed.local.strftime("%H:%M %Z") == "01:30 GMT"


def test_relative_instant_drops_seconds() -> None:
    now = datetime(2026, 11, 25, 15, 0, 37, 123, tzinfo=UTC)
    parsed = parse_when("in 2 hours", "UTC", now)
    assert parsed.start_utc == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def test_now_in_another_zone_is_converted() -> None:
    # 15:00 UTC is 10:00 in New York, so "noon" is today there.
    parsed = parse_when("noon", NEW_YORK, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert parsed.local.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-25 12:00 EST"


# -------------------------------------------------------------------------------------------------- DST

DST_GAPS = [
    # (text, tz, now, message)
    (
        "2026-03-29 01:30",
        LONDON,
        at(LONDON, 2026, 3, 1, 12),
        "01:30 does not exist on 29 Mar 2026 in Europe/London (clocks go forward); try 00:59 or 02:00.",
    ),
    ("29 mar 1am", LONDON, at(LONDON, 2026, 3, 1, 12), "try 00:59 or 02:00"),
    ("2026-03-29 01:59", LONDON, at(LONDON, 2026, 3, 1, 12), "01:59 does not exist on 29 Mar 2026"),
    (
        "2027-03-28 01:30",
        LONDON,
        at(LONDON, 2026, 11, 25, 12),
        "01:30 does not exist on 28 Mar 2027 in Europe/London (clocks go forward); try 00:59 or 02:00.",
    ),
    (
        "2026-03-08 02:30",
        NEW_YORK,
        at(NEW_YORK, 2026, 3, 1, 12),
        "02:30 does not exist on 8 Mar 2026 in America/New_York (clocks go forward); try 01:59 or 03:00.",
    ),
    ("sunday 2:15am", NEW_YORK, at(NEW_YORK, 2026, 3, 6, 12), "02:15 does not exist on 8 Mar 2026"),
    (
        "mar 14 2:30am",
        NEW_YORK,
        at(NEW_YORK, 2026, 11, 25, 12),
        "02:30 does not exist on 14 Mar 2027 in America/New_York (clocks go forward); try 01:59 or 03:00.",
    ),
]


@pytest.mark.parametrize(("text", "tz", "now", "message"), DST_GAPS)
def test_dst_gap_is_refused_with_suggestions(text: str, tz: str, now: datetime, message: str) -> None:
    with pytest.raises(NonexistentTimeError) as excinfo:
        parse_when(text, tz, now)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "tz", "now", "wall"),
    [
        ("2026-03-29 00:59", LONDON, at(LONDON, 2026, 3, 1, 12), "2026-03-29 00:59 GMT"),
        ("2026-03-29 02:00", LONDON, at(LONDON, 2026, 3, 1, 12), "2026-03-29 02:00 BST"),
        ("2026-03-08 01:59", NEW_YORK, at(NEW_YORK, 2026, 3, 1, 12), "2026-03-08 01:59 EST"),
        ("2026-03-08 03:00", NEW_YORK, at(NEW_YORK, 2026, 3, 1, 12), "2026-03-08 03:00 EDT"),
    ],
)
def test_times_around_a_gap_are_fine(text: str, tz: str, now: datetime, wall: str) -> None:
    parsed = parse_when(text, tz, now)
    assert parsed.local.strftime("%Y-%m-%d %H:%M %Z") == wall
    assert not parsed.ambiguous


DST_FOLDS = [
    # (text, tz, now, expected UTC instant, note fragment)
    (
        "2026-10-25 01:30",
        LONDON,
        at(LONDON, 2026, 10, 1, 12),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "BST",
    ),
    ("oct 25 1:00am", LONDON, at(LONDON, 2026, 10, 1, 12), datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "BST"),
    (
        "2027-10-31 01:30",
        LONDON,
        at(LONDON, 2026, 11, 25, 12),
        datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        "BST",
    ),
    (
        "2026-11-01 01:30",
        NEW_YORK,
        at(NEW_YORK, 2026, 10, 1, 12),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        "EDT",
    ),
    (
        "2027-11-07 01:30",
        NEW_YORK,
        at(NEW_YORK, 2026, 11, 25, 12),
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        "EDT",
    ),
]


@pytest.mark.parametrize(("text", "tz", "now", "utc", "abbreviation"), DST_FOLDS)
def test_dst_fold_takes_first_occurrence(
    text: str, tz: str, now: datetime, utc: datetime, abbreviation: str
) -> None:
    parsed = parse_when(text, tz, now)
    assert parsed.start_utc == utc
    assert parsed.local.fold == 0
    assert parsed.ambiguous is True
    assert parsed.note is not None
    assert "happens twice" in parsed.note and "clocks go back" in parsed.note and abbreviation in parsed.note


def test_fold_uses_second_occurrence_when_first_has_passed() -> None:
    now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT: inside London's repeated hour, second pass
    parsed = parse_when("1:45", LONDON, now)
    assert parsed.start_utc == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)
    assert parsed.ambiguous is True
    assert parsed.note is not None and "second one" in parsed.note


@pytest.mark.parametrize(
    ("wall", "tz", "ambiguous"),
    [
        (datetime(2026, 7, 1, 20, 0), LONDON, False),
        (datetime(2026, 10, 25, 1, 0), LONDON, True),
        (datetime(2026, 10, 25, 1, 59), LONDON, True),
        (datetime(2026, 10, 25, 2, 0), LONDON, False),
        (datetime(2026, 11, 1, 1, 0), NEW_YORK, True),
        (datetime(2026, 11, 1, 0, 59), NEW_YORK, False),
    ],
)
def test_resolve_wall_time(wall: datetime, tz: str, ambiguous: bool) -> None:
    resolved = resolve_wall_time(wall, tz)
    assert resolved.local.replace(tzinfo=None) == wall
    assert resolved.ambiguous is ambiguous
    assert (resolved.note is not None) is ambiguous


def test_resolve_wall_time_needs_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_wall_time(datetime(2026, 7, 1, 20, tzinfo=UTC), LONDON)


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=st.sampled_from([LONDON, NEW_YORK, "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]),
)
def test_explicit_wall_times_round_trip_or_are_refused(day: date, hour: int, minute: int, tz: str) -> None:
    now = datetime(2025, 12, 31, 12, tzinfo=UTC)
    try:
        parsed = parse_when(
            f"{day.isoformat()} {hour:02d}:{minute:02d}", tz, now, max_ahead=timedelta(days=400)
        )
    except NonexistentTimeError:
        wall = datetime(day.year, day.month, day.day, hour, minute)
        aware = wall.replace(tzinfo=ZoneInfo(tz))
        assert aware.astimezone(UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None) != wall
        return
    assert (parsed.local.date(), parsed.local.hour, parsed.local.minute) == (day, hour, minute)


# ----------------------------------------------------------------------------------------------- refusals

REFUSALS = [
    ("", UnparseableTimeError, "Tell me when"),
    ("   ", UnparseableTimeError, "Tell me when"),
    ("x" * 101, UnparseableTimeError, "too long"),
    ("whenever", UnparseableTimeError, "couldn't read"),
    ("next week 8pm", UnparseableTimeError, "isn't a specific day"),
    ("friday", UnparseableTimeError, "Add a time of day"),
    ("dec 5", UnparseableTimeError, "Add a time of day"),
    ("in 3 days", UnparseableTimeError, "needs a time of day"),
    ("friday at 8", UnparseableTimeError, "am or pm"),
    ("sat 9", UnparseableTimeError, "am or pm"),
    ("8pm 9pm", UnparseableTimeError, "more than one time"),
    ("25:00", UnparseableTimeError, "isn't a valid time"),
    ("13pm", UnparseableTimeError, "isn't a valid time"),
    ("friday midnight", UnparseableTimeError, "ambiguous"),
    ("fri 5 dec 8pm", UnparseableTimeError, "is a Saturday, not a Friday"),
    ("31 nov 8pm", UnparseableTimeError, "There's no 31 November"),
    ("mon the 4th 8pm", UnparseableTimeError, "is a Friday, not a Monday"),
    ("the 32nd 8pm", UnparseableTimeError, "No month has a day 32"),
    ("2026-02-30 20:00", UnparseableTimeError, "There's no"),
    ("20/30 8pm", UnparseableTimeError, "isn't a date"),
    ("now", UnparseableTimeError, "couldn't read"),
    ("in 5 parsecs", UnparseableTimeError, "couldn't read"),
    ("yesterday 8pm", PastTimeError, "in the past"),
    ("2026-11-25 14:00", PastTimeError, "not in the future"),
    ("2026-11-25 15:00", PastTimeError, "not in the future"),  # exactly now
    ("2025-12-05 20:00", PastTimeError, "not in the future"),
    ("nov 25 2pm", PastTimeError, "today has already passed"),
    ("tonight 2pm", PastTimeError, "not in the future"),
    ("2027-12-01 20:00", TooFarAheadError, "365 days"),
    ("29 feb 8pm", TooFarAheadError, "too far ahead"),  # next is 2028
    ("in 600 days at 8pm", TooFarAheadError, "too far ahead"),
]


@pytest.mark.parametrize(("text", "error", "message"), REFUSALS)
def test_refusals(text: str, error: type[ScheduleError], message: str) -> None:
    with pytest.raises(error) as excinfo:
        parse_when(text, LONDON, WED_LDN)
    assert message in str(excinfo.value)
    assert isinstance(excinfo.value, ScheduleError)
    assert len(str(excinfo.value)) < 200


def test_max_ahead_is_configurable() -> None:
    assert parse_when("dec 20 8pm", LONDON, WED_LDN).local.day == 20
    with pytest.raises(TooFarAheadError, match="14 days"):
        parse_when("dec 20 8pm", LONDON, WED_LDN, max_ahead=timedelta(days=14))


def test_leap_day_note_names_the_year() -> None:
    parsed = parse_when("29 feb 8pm", LONDON, WED_LDN, max_ahead=timedelta(days=1000))
    assert parsed.local.strftime("%Y-%m-%d") == "2028-02-29"
    assert parsed.note == "That's 29 Feb 2028, in 2028."


def test_warm_up_loads_dateparser() -> None:
    warm_up()
    assert parse_when("2 weeks from tomorrow 8pm", LONDON, WED_LDN).local.day == 10


def test_invalid_zone() -> None:
    with pytest.raises(TimezoneError):
        parse_when("friday 8pm", "Mars/Olympus", WED_LDN)


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("friday 8pm", LONDON, datetime(2026, 11, 25, 15))


# ------------------------------------------------------------------------------------------------ time zones


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("  America/New York ", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("Zulu", "UTC"),
        ("US/Eastern", "America/New_York"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("GB", "Europe/London"),
        ("Europe/Amsterdam", "Europe/Amsterdam"),  # a link in tzdata, but a real place users pick
        ("Europe/Oslo", "Europe/Oslo"),
        ("london", "Europe/London"),
        ("new york", "America/New_York"),
        ("Kolkata", "Asia/Kolkata"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("Australia/Lord_Howe", "Australia/Lord_Howe"),
    ],
)
def test_validate_timezone(name: str, canonical: str) -> None:
    assert validate_timezone(name) == canonical


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Mars/Olympus", "isn't a time zone I know"),
        ("", "Give a time zone"),
        ("   ", "Give a time zone"),
        ("localtime", "isn't a time zone I know"),
        ("Factory", "isn't a time zone I know"),
        ("../../etc/passwd", "isn't a time zone I know"),
        ("EST", "America/New_York"),
        ("pst", "America/Los_Angeles"),
        ("BST", "Europe/London"),
        ("x" * 80, "too long"),
    ],
)
def test_validate_timezone_refuses(name: str, message: str) -> None:
    with pytest.raises(TimezoneError) as excinfo:
        validate_timezone(name)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("prefix", "first"),
    [
        ("", "UTC"),
        ("lon", "Europe/London"),
        ("London", "Europe/London"),
        ("new y", "America/New_York"),
        ("america/new", "America/New_York"),
        ("york", "America/New_York"),
        ("UT", "UTC"),
        ("sao", "America/Sao_Paulo"),
        ("Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_timezone_choices_best_first(prefix: str, first: str) -> None:
    choices = timezone_choices(prefix)
    assert choices[0] == first
    assert len(choices) <= 25
    assert all(validate_timezone(choice) == choice for choice in choices)


@pytest.mark.parametrize(
    ("prefix", "limit", "count"), [("", 25, 25), ("a", 25, 25), ("a", 5, 5), ("zzz", 25, 0), ("e", 100, 25)]
)
def test_timezone_choices_limits(prefix: str, limit: int, count: int) -> None:
    assert len(timezone_choices(prefix, limit)) == count


def test_timezone_choices_skip_legacy_names() -> None:
    assert "US/Eastern" not in timezone_choices("us", 25)
    assert "localtime" not in timezone_choices("local", 25)


# ------------------------------------------------------------------------------------------------ durations

RUNTIMES = [
    ("2h30", 9000),
    ("2h30m", 9000),
    ("2h 30m", 9000),
    ("90m", 5400),
    ("90 min", 5400),
    ("90 mins", 5400),
    ("2h", 7200),
    ("1h 45m", 6300),
    ("1hr45", 6300),
    ("1 hour 45 minutes", 6300),
    ("1 hour and 45 minutes", 6300),
    ("150", 9000),
    ("1:45", 6300),
    ("2.5h", 9000),
    ("1,5h", 5400),
    ("10m", 600),
    ("12h", 43200),
    ("  95  ", 5700),
]


@pytest.mark.parametrize(("text", "seconds"), RUNTIMES)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give a runtime"),
        ("2", "did you mean 2h?"),
        ("9m", "between 10 min and 12h"),
        ("0", "between 10 min and 12h"),
        ("13h", "between 10 min and 12h"),
        ("12h1m", "between 10 min and 12h"),
        ("1h75m", "75 minutes after the hours"),
        ("two hours", "couldn't read"),
        ("-90", "couldn't read"),
        ("90s", "couldn't read"),
    ],
)
def test_parse_duration_refuses(text: str, message: str) -> None:
    with pytest.raises(DurationError) as excinfo:
        parse_duration(text)
    assert message in str(excinfo.value)


def test_parse_duration_custom_bounds() -> None:
    assert parse_duration("5m", min_seconds=60) == 300
    with pytest.raises(DurationError, match="between 1 min and 3h"):
        parse_duration("4h", min_seconds=60, max_seconds=3 * 3600)


COMPACT = [
    ("90s", 90),
    ("15m", 900),
    ("2h", 7200),
    ("1d", 86400),
    ("1w", 604800),
    ("1h30m", 5400),
    ("1h 30m", 5400),
    (" 2h30m15s ", 9015),
    ("1w2d3h4m5s", 788645),
    ("1H30M", 5400),
    ("0s", 0),
    ("15 minutes", 900),
    ("2 hours 30 mins", 9000),
    ("1 day", 86400),
    ("3 weeks", 1814400),
    ("45 sec", 45),
    ("999999999s", 999999999),
]


@pytest.mark.parametrize(("text", "seconds"), COMPACT)
def test_parse_compact_duration(text: str, seconds: int) -> None:
    assert parse_compact_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("15 parsecs", "'parsecs' isn't a unit I know"),
        ("15", "needs a unit"),
        ("", "Give a duration"),
        ("  ", "Give a duration"),
        ("1.5h", "whole numbers"),
        ("1,5h", "whole numbers"),
        ("-5m", "can't be negative"),
        ("30m1h", "largest first"),
        ("1h1h", "largest first"),
        ("1h 60m 1h", "largest first"),
        ("1h30", "the 30 at the end needs a unit"),
        ("h", "is not a duration"),
        ("m30", "is not a duration"),
        ("1mo", "'mo' isn't a unit"),
        ("1y", "'y' isn't a unit"),
        ("1h+30m", "is not a duration"),
        ("٣m", "is not a duration"),  # non-ASCII digits
        ("1234567890s", "too large"),
    ],
)
def test_parse_compact_duration_refuses(text: str, message: str) -> None:
    with pytest.raises(DurationError) as excinfo:
        parse_compact_duration(text)
    assert message in str(excinfo.value)


def test_parse_compact_duration_bounds() -> None:
    assert parse_compact_duration("15m", min_seconds=60, max_seconds=3600) == 900
    with pytest.raises(DurationError, match="too short; the minimum is 1m"):
        parse_compact_duration("30s", min_seconds=60)
    with pytest.raises(DurationError, match="too long; the maximum is 1h"):
        parse_compact_duration("2h", max_seconds=3600)


def test_parse_compact_duration_rejects_non_strings() -> None:
    with pytest.raises(DurationError, match="got int"):
        parse_compact_duration(15)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10 * 365 * 86400))
def test_compact_duration_round_trip(seconds: int) -> None:
    assert parse_compact_duration(format_compact_duration(seconds)) == seconds


# ------------------------------------------------------------------------------------------------- output


@pytest.mark.parametrize(
    ("epoch", "style", "expected"),
    [
        (1796500800, "F", "<t:1796500800:F>"),
        (1796500800, "R", "<t:1796500800:R>"),
        (0, "t", "<t:0:t>"),
    ],
)
def test_discord_timestamp(epoch: int, style: str, expected: str) -> None:
    assert discord_timestamp(epoch, style) == expected  # type: ignore[arg-type]


def test_discord_timestamp_default_and_errors() -> None:
    assert discord_timestamp(5) == "<t:5:F>"
    with pytest.raises(ValueError, match="style"):
        discord_timestamp(5, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        discord_timestamp(5.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        discord_timestamp(True)


def test_format_local() -> None:
    assert format_local(at(NEW_YORK, 2026, 7, 4, 21, 5)) == "Sat 4 Jul 2026, 21:05 EDT"
    with pytest.raises(ValueError):
        format_local(datetime(2026, 7, 4))


# ------------------------------------------------------------------------- zones typed inside `when` (issue 11)

# Sunday 6 December 2026, 21:25 UTC (London is on GMT, New York on EST).
SUN_EVENING = datetime(2026, 12, 6, 21, 25, tzinfo=UTC)

TYPED_ZONES = [
    # (text, reader's zone, expected UTC instant, note fragment)
    (
        "tomorrow 8pm pst",
        LONDON,
        datetime(2026, 12, 8, 4, 0, tzinfo=UTC),
        "PST (America/Los_Angeles, UTC-08:00)",
    ),
    ("dec 5 8pm pst", LONDON, datetime(2027, 12, 6, 4, 0, tzinfo=UTC), "PST (America/Los_Angeles"),
    ("dec 12 8pm PST", LONDON, datetime(2026, 12, 13, 4, 0, tzinfo=UTC), "PST"),
    ("2026-12-12T20:00-05:00", LONDON, datetime(2026, 12, 13, 1, 0, tzinfo=UTC), "UTC-05:00, as written"),
    ("2026-12-12T20:00+01:00", LONDON, datetime(2026, 12, 12, 19, 0, tzinfo=UTC), "UTC+01:00, as written"),
    ("2026-12-12T20:00Z", NEW_YORK, datetime(2026, 12, 12, 20, 0, tzinfo=UTC), "as UTC, as written"),
    ("2026-12-12 20:00 UTC", NEW_YORK, datetime(2026, 12, 12, 20, 0, tzinfo=UTC), "as UTC"),
    ("2026-12-12 20:00 gmt", NEW_YORK, datetime(2026, 12, 12, 20, 0, tzinfo=UTC), "as UTC"),
    ("fri 8pm utc+1", LONDON, datetime(2026, 12, 11, 19, 0, tzinfo=UTC), "UTC+01:00"),
    ("fri 8pm +05:30", LONDON, datetime(2026, 12, 11, 14, 30, tzinfo=UTC), "UTC+05:30"),
    ("fri 8pm Europe/Paris", LONDON, datetime(2026, 12, 11, 19, 0, tzinfo=UTC), "in Europe/Paris (CET"),
    # Day words are read in the typed zone: it is already Monday morning in Singapore.
    ("tomorrow 8pm sgt", LONDON, datetime(2026, 12, 8, 12, 0, tzinfo=UTC), "SGT (Asia/Singapore"),
    ("8pm est", NEW_YORK, datetime(2026, 12, 7, 1, 0, tzinfo=UTC), "EST (America/New_York"),
    # CEST is summer time: in December Paris is on CET, and the note says so.
    (
        "20:00 tomorrow CEST",
        LONDON,
        datetime(2026, 12, 7, 19, 0, tzinfo=UTC),
        "CEST isn't in use in Europe/Paris",
    ),
    # The reader's own zone settles an otherwise ambiguous abbreviation.
    ("8pm cst", "America/Chicago", datetime(2026, 12, 7, 2, 0, tzinfo=UTC), "CST (America/Chicago"),
    ("8pm cst", "Asia/Shanghai", datetime(2026, 12, 7, 12, 0, tzinfo=UTC), "CST (Asia/Shanghai"),
]


@pytest.mark.parametrize(("text", "tz", "utc", "note"), TYPED_ZONES)
def test_a_zone_typed_in_when_is_honoured_with_a_note(text: str, tz: str, utc: datetime, note: str) -> None:
    parsed = parse_when(text, tz, SUN_EVENING)
    assert parsed.start_utc == utc
    assert parsed.tz == validate_timezone(tz)  # still shown in the reader's zone
    assert parsed.local.tzinfo == ZoneInfo(parsed.tz)
    assert parsed.note is not None and note in parsed.note


def test_the_note_says_what_the_time_is_in_the_readers_zone() -> None:
    parsed = parse_when("tomorrow 8pm pst", LONDON, SUN_EVENING)
    assert parsed.note is not None and "That's Tue 8 Dec 2026, 04:00 GMT in Europe/London." in parsed.note


def test_an_abbreviation_out_of_season_picks_the_zone_in_use() -> None:
    # MST is Denver's winter time and Phoenix's all year: in July only Phoenix is on it.
    parsed = parse_when("jul 5 2027 8pm mst", LONDON, SUN_EVENING)
    assert parsed.start_utc == datetime(2027, 7, 6, 3, 0, tzinfo=UTC)
    assert parsed.note is not None and "America/Phoenix" in parsed.note
    # PST in July: Los Angeles is on PDT, so it is read as local time there and the note says so.
    summer = parse_when("jul 5 2027 8pm pst", LONDON, SUN_EVENING)
    assert summer.start_utc == datetime(2027, 7, 6, 3, 0, tzinfo=UTC)
    assert summer.note is not None and "PST isn't in use" in summer.note and "PDT" in summer.note


def test_an_abbreviation_picks_its_side_of_the_autumn_fold() -> None:
    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    edt = parse_when("2026-11-01 1:30am EDT", LONDON, now)
    est = parse_when("2026-11-01 1:30am EST", LONDON, now)
    assert edt.start_utc == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert est.start_utc == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tz", "error", "message"),
    [
        ("8pm ist", LONDON, TimezoneError, "'IST' could be India (Asia/Kolkata, UTC+05:30), Ireland"),
        ("8pm IST", NEW_YORK, TimezoneError, "e.g. '8pm +05:30') or an IANA zone (e.g. '8pm Asia/Kolkata')"),
        ("8pm cst", LONDON, TimezoneError, "'CST' could be US Central (America/Chicago, UTC-06:00), China"),
        ("8pm ast", LONDON, TimezoneError, "'AST' could be Atlantic"),
        ("8pm pst utc", LONDON, UnparseableTimeError, "more than one time zone ('pst' and 'utc')"),
        ("2026-12-12 20:00 +15:00", LONDON, UnparseableTimeError, "'+15:00' isn't a UTC offset"),
        ("fri 8pm utc+3:75", LONDON, UnparseableTimeError, "isn't a UTC offset"),
        # A zone dateparser knows but we don't place is refused, not dropped.
        ("dec 12 8pm cat eat", LONDON, UnparseableTimeError, "more than one time zone"),
        ("tomorrow 8pm hast", LONDON, UnparseableTimeError, "'tomorrow hast' names a time zone I can't use"),
    ],
)
def test_zones_that_cannot_be_honoured_are_refused(
    text: str, tz: str, error: type[ScheduleError], message: str
) -> None:
    with pytest.raises(error) as excinfo:
        parse_when(text, tz, SUN_EVENING)
    assert message in str(excinfo.value)


def test_time_ranges_are_not_read_as_offsets() -> None:
    with pytest.raises(UnparseableTimeError):
        parse_when("fri 10:00-12:00", LONDON, SUN_EVENING)


# ------------------------------------------------------------- the repeated autumn hour compares instants

# 01:30 EDT on Sunday 1 Nov 2026, the first pass through New York's repeated hour (05:30 UTC).
FIRST_PASS = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["sunday 1:15am", "today 1:15am", "1:15am", "nov 1 1:15am", "sun 1:15"])
def test_in_the_repeated_hour_a_passed_first_occurrence_takes_the_second(text: str) -> None:
    parsed = parse_when(text, NEW_YORK, FIRST_PASS)
    assert parsed.start_utc == datetime(2026, 11, 1, 6, 15, tzinfo=UTC)  # 01:15 EST, 45 minutes ahead
    assert parsed.local.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-01 01:15 EST"


def test_after_the_repeated_hour_the_weekday_rolls_to_next_week() -> None:
    second_pass = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST: both 01:15s are past
    parsed = parse_when("sunday 1:15am", NEW_YORK, second_pass)
    assert parsed.local.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-08 01:15 EST"


@given(
    moment=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 31)),
    offset_minutes=st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15),
    reader=st.sampled_from([LONDON, NEW_YORK, "Asia/Kolkata", "UTC"]),
)
def test_iso_times_with_offsets_are_the_instant_they_name(
    moment: datetime, offset_minutes: int, reader: str
) -> None:
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = f"{moment:%Y-%m-%dT%H:%M}{sign}{hours:02d}:{minutes:02d}"
    expected = moment.replace(second=0, microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    parsed = parse_when(text, reader, SUN_EVENING, max_ahead=timedelta(days=800))
    assert parsed.start_utc == expected.astimezone(UTC)
    assert parsed.tz == reader
