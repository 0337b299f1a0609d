"""Date phrases (the text once the time is taken out) resolved to a day, with dateparser as the fallback."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from domain.schedule._common import _MONTH_NAMES, _WEEKDAY_NAMES, _format_day
from domain.schedule._errors import PastTimeError, TooFarAheadError, UnparseableTimeError
from domain.schedule._grammar import (
    _DAY_AFTER_RE,
    _DAY_MONTH_RE,
    _EXAMPLES,
    _IN_DAYS_RE,
    _INSTANT_UNITS,
    _ISO_RE,
    _LEADING_WEEKDAY_RE,
    _MONTH_DAY_RE,
    _MONTHS,
    _NUMERIC_RE,
    _ORDINAL_RE,
    _RELATIVE_INSTANT_RE,
    _RELATIVE_PART_RE,
    _TODAY_RE,
    _TOMORROW_RE,
    _VAGUE_RE,
    _WEEKDAY_RE,
    _WEEKDAYS,
    _Context,
    _DateResult,
    _number,
)
from domain.schedule._typed_zones import _ZONE_HELP


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_date(month: int, day: int, clock: time, ctx: _Context, shown: str) -> _DateResult:
    """The next month/day (no year given) whose wall time is still ahead."""
    this_year = ctx.now_wall.year
    for year in (this_year, this_year + 1, this_year + 2, this_year + 3, this_year + 4):
        candidate = _make_date(year, month, day)
        if candidate is None:
            if month == 2 and day == 29:
                continue
            raise UnparseableTimeError("There's no {typed}.", typed=shown)
        if ctx.ahead(candidate, clock):
            later = "next year" if year == this_year + 1 else f"in {year}"
            note = (f"That's {_format_day(candidate)}, {later}.",) if year > this_year else ()
            return _DateResult(candidate, note)
        if candidate == ctx.now_wall.date():
            raise PastTimeError(f"{clock:%H:%M} today has already passed.")
    raise UnparseableTimeError("There's no {typed}.", typed=shown)  # pragma: no cover - unreachable


def _explicit_year(year: int, month: int, day: int, shown: str) -> _DateResult:
    candidate = _make_date(year, month, day)
    if candidate is None:
        raise UnparseableTimeError("There's no {typed}.", typed=shown)
    return _DateResult(candidate)


def _expand_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _numeric_date(match: re.Match[str], clock: time, ctx: _Context) -> _DateResult:
    a, b = int(match.group("a")), int(match.group("b"))
    note: tuple[str, ...] = ()
    if a > 12 and b > 12:
        raise UnparseableTimeError(
            "'{typed}' isn't a date I can read; try '5 Dec' or 2026-12-05.", typed=match.group(0)
        )
    if a > 12:
        day, month = a, b
    elif b > 12:
        month, day = a, b
    else:
        day, month = (a, b) if ctx.order == "DMY" else (b, a)
        if a != b:
            which = "day/month" if ctx.order == "DMY" else "month/day"
            note = (f"I read {match.group(0).rstrip('.')} as {day} {_MONTH_NAMES[month - 1]} ({which}).",)
    shown = f"{day} {_MONTH_NAMES[month - 1]}" if 1 <= month <= 12 else match.group(0)
    if not 1 <= month <= 12:
        raise UnparseableTimeError(
            "'{typed}' isn't a date I can read; try '5 Dec' or 2026-12-05.", typed=match.group(0)
        )
    if match.group("y"):
        year = _expand_year(match.group("y"))
        result = _explicit_year(year, month, day, f"{shown} {year}")
    else:
        result = _next_date(month, day, clock, ctx, shown)
    return _DateResult(result.day, note + result.notes)


def _month_name_date(match: re.Match[str], clock: time, ctx: _Context) -> _DateResult:
    month = _MONTHS[match.group("mo")]
    day = int(match.group("d"))
    shown = f"{day} {_MONTH_NAMES[month - 1]}"
    if match.group("y"):
        return _explicit_year(int(match.group("y")), month, day, f"{shown} {match.group('y')}")
    return _next_date(month, day, clock, ctx, shown)


def _explicit_date(phrase: str, clock: time, ctx: _Context) -> _DateResult | None:
    """Dates written out: ISO, numeric, month names. None if the phrase is not one."""
    if m := _ISO_RE.fullmatch(phrase):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        return _explicit_year(y, mo, d, phrase)
    if m := _NUMERIC_RE.fullmatch(phrase):
        return _numeric_date(m, clock, ctx)
    if m := _DAY_MONTH_RE.fullmatch(phrase) or _MONTH_DAY_RE.fullmatch(phrase):
        return _month_name_date(m, clock, ctx)
    if m := _ORDINAL_RE.fullmatch(phrase):
        return _ordinal_date(int(m.group("d")), clock, ctx)
    return None


def _ordinal_date(day_of_month: int, clock: time, ctx: _Context) -> _DateResult:
    """ "the 5th": the next 5th of a month whose wall time is still ahead."""
    if not 1 <= day_of_month <= 31:
        raise UnparseableTimeError(f"No month has a day {day_of_month}.")
    probe = ctx.now_wall.date().replace(day=1)
    for _ in range(14):  # any day 1..31 recurs within 14 months
        candidate = _make_date(probe.year, probe.month, day_of_month)
        if candidate is not None and ctx.ahead(candidate, clock):
            return _DateResult(candidate)
        probe = (probe + timedelta(days=32)).replace(day=1)
    raise AssertionError("unreachable")  # pragma: no cover


def _weekday_date(weekday: int, mod: str | None, clock: time, ctx: _Context) -> date:
    today = ctx.now_wall.date()
    start = 1 if mod == "next" else 0
    for k in range(start, start + 8):
        candidate = today + timedelta(days=k)
        if candidate.weekday() != weekday:
            continue
        if ctx.ahead(candidate, clock):
            return candidate
    raise AssertionError("unreachable: a weekday always recurs within 8 days")  # pragma: no cover


def _parse_date_phrase(
    phrase: str, clock: time, ctx: _Context, *, allow_fallback: bool
) -> _DateResult | None:
    """Resolve the date part (the time already removed) against ``clock``; None if not understood."""
    today = ctx.now_wall.date()
    if not phrase:
        if ctx.ahead(today, clock):
            return _DateResult(today)
        return _DateResult(
            today + timedelta(days=1), (f"{clock:%H:%M} has passed today, so I used tomorrow.",)
        )
    if _TODAY_RE.fullmatch(phrase):
        if phrase.startswith("tonight") and clock.hour < 6:  # "tonight 1am": the small hours after tonight
            return _DateResult(today + timedelta(days=1))
        return _DateResult(today)
    if _TOMORROW_RE.fullmatch(phrase):
        return _DateResult(today + timedelta(days=1))
    if _DAY_AFTER_RE.fullmatch(phrase):
        return _DateResult(today + timedelta(days=2))
    if m := _WEEKDAY_RE.fullmatch(phrase):
        return _DateResult(_weekday_date(_WEEKDAYS[m.group("wd")], m.group("mod"), clock, ctx))
    if m := _IN_DAYS_RE.fullmatch(phrase):
        count = _number(m.group("n1") or m.group("n2"))
        unit = m.group("u1") or m.group("u2")
        days = count * (14 if unit.startswith("fortnight") else 7 if unit.startswith("week") else 1)
        if days > 3660:
            raise TooFarAheadError("That's too far ahead.")
        return _DateResult(today + timedelta(days=days))
    explicit = _explicit_date(phrase, clock, ctx)
    if explicit is not None:
        return explicit
    if m := _LEADING_WEEKDAY_RE.fullmatch(phrase):
        inner = _explicit_date(m.group("rest"), clock, ctx)
        if inner is not None:
            wanted = _WEEKDAYS[m.group("wd")]
            if inner.day.weekday() != wanted:
                raise UnparseableTimeError(
                    f"{_format_day(inner.day)} is a {_WEEKDAY_NAMES[inner.day.weekday()]}, "
                    f"not a {_WEEKDAY_NAMES[wanted]}."
                )
            return inner
    if _VAGUE_RE.fullmatch(phrase):
        raise UnparseableTimeError("'{typed}' isn't a specific day. " + _EXAMPLES, typed=phrase)
    if allow_fallback:
        return _dateparser_date(phrase, ctx)
    return None


def _dateparser_settings(ctx: _Context) -> dict[str, object]:
    return {
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": ctx.now_wall.replace(fold=0),
        "DATE_ORDER": ctx.order,
        "REQUIRE_PARTS": ["day", "month"],
        "PREFER_DAY_OF_MONTH": "first",
    }


def _dateparser_date(phrase: str, ctx: _Context) -> _DateResult | None:
    import dateparser  # lazy: ~0.1 s to import and ~170 ms on the first parse
    from dateparser.timezone_parser import pop_tz_offset_from_string

    if pop_tz_offset_from_string(phrase)[1] is not None:
        # dateparser would read the zone and we would keep only the date: never drop a zone silently.
        raise UnparseableTimeError(
            "'{typed}' names a time zone I can't use here. " + _ZONE_HELP, typed=phrase
        )
    parsed = dateparser.parse(phrase, languages=["en"], settings=_dateparser_settings(ctx))
    if parsed is None:
        return None
    if parsed.date() < ctx.now_wall.date():
        raise PastTimeError(f"{_format_day(parsed.date())} is in the past.")
    return _DateResult(parsed.date())


def _relative_instant(text: str) -> timedelta | None:
    match = _RELATIVE_INSTANT_RE.fullmatch(text)
    if match is None:
        return None
    if match.group("half"):
        return timedelta(minutes=30)
    total = 0
    for number, unit in _RELATIVE_PART_RE.findall(match.group("body")):
        if unit in ("day", "days", "week", "weeks", "fortnight", "fortnights"):
            raise UnparseableTimeError(
                "'{typed}' needs a time of day too, e.g. '{typed} at 8pm'.", typed=text
            )
        if unit not in _INSTANT_UNITS:
            return None
        total += _number(number) * _INSTANT_UNITS[unit]
    return timedelta(seconds=total)


def warm_up() -> None:
    """Import dateparser and load its English data now (~0.2 s) rather than on the first fallback parse.

    Blocking: call it from a worker thread at startup (``await asyncio.to_thread(warm_up)``).
    """
    import dateparser

    dateparser.parse("5 december 2026", languages=["en"], settings={"REQUIRE_PARTS": ["day", "month"]})
