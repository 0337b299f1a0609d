"""Screening times from plain language, resolved in a real time zone.

Everything here is pure: the caller passes ``now`` (an aware datetime) and gets aware datetimes and UTC epoch
seconds back. Nothing reads the clock.

How :func:`parse_when` reads text
---------------------------------
The text is split into a *time* and a *date phrase* by a small grammar of our own, because dateparser gets
several everyday forms wrong (see "dateparser quirks" below). The time must be explicit:

* ``8pm``, ``8:30pm``, ``8.30 p.m.``, ``8p`` (12-hour clock, am/pm required for bare hours);
* ``20:00``, ``9:30`` (24-hour clock; ``9:30`` is 09:30), ``20.30`` and ``20h30`` (European styles);
* ``noon``/``midday``, and ``midnight`` (only on its own: "friday midnight" is refused as ambiguous).

The date phrase may be:

* empty (``"8pm"``): today if that time is still ahead, otherwise tomorrow;
* ``today``/``tonight`` (``tonight 1am`` means the small hours after tonight), ``tomorrow``,
  ``day after tomorrow``;
* a weekday (``friday``, ``fri``, ``this fri``, ``on friday``): the next such day whose time is still ahead,
  so on a Friday at 15:00 ``friday 8pm`` is tonight and at 21:00 it is next week;
  ``next friday`` is never today: on a Friday it is next week's, on other days the coming one;
* ``in 3 days``, ``in a week``, ``2 weeks from now`` (calendar days in the zone);
* ISO ``2026-12-05`` (also ``2026-12-05T20:00``);
* a month name: ``dec 5``, ``5 dec``, ``december 5th``, ``5th of december 2026``, optionally after a weekday,
  which must agree (``fri 5 dec`` when 5 Dec is a Saturday is refused);
* numbers ``5/12``, ``5/12/2026``, ``5.12.`` -- day/month or month/day, see :func:`default_date_order`: if
  one number is above 12 the order is obvious, otherwise the zone decides (month first for zones in the
  US and a few other month-first countries, day first elsewhere) unless ``date_order`` is passed; a note
  says how an ambiguous date was read;
* ``the 5th``: the next 5th of a month that is still ahead;
* anything else goes to dateparser (English only) for the *date* alone, e.g. ``in a fortnight``,
  ``2 weeks from tomorrow``, ``december the 5th``.

Dates without a year mean the next such date still ahead (a note says when that is next year).
``in 2 hours``/``in 90 minutes``/``in 1h30m`` are instants (``now`` + the duration, to the minute) and take no
time of day. A date with no time (``"friday"``) is refused: a screening needs a time.

The wall time is resolved in the zone with :mod:`zoneinfo` (never by dateparser), so daylight saving is
right: a wall time inside a spring-forward gap is refused with the nearest valid times, and a repeated
wall time in an autumn fold takes its first occurrence (``fold=0``) and sets ``ambiguous`` with a note.

dateparser quirks worked around (dateparser 1.5, ``PREFER_DATES_FROM='future'``)
----------------------------------------------------------------------------------
* ``"next sat 21:00"`` returns None; ``"sat 9"`` returns 25 Sep or 9 Nov depending on settings.
* ``"wednesday 8pm"`` asked on a Wednesday at 15:00 gives next week, not tonight.
* ``"5/12 20:00"`` is month-first regardless of the zone; ``"20"`` gives the 20th of the *current* month even
  when it is past; ``"the 5th"`` and ``"mon 12th"`` give past dates; ``"8"`` gives August next year.
* ``"tomorrow"``/``"in 3 days"`` silently keep the current time of day; ``"friday"`` gives midnight, so a
  missing time cannot be told apart from ``00:00``. Hence times are always taken by our own grammar.
* ``"next week"``/``"next month"`` give now + 7 days / + 1 month; we refuse them as not a specific day.
* The first call costs ~170 ms (it loads language data); later calls ~1 ms. It is imported lazily and only
  used for the fallback; :func:`warm_up` loads it ahead of time.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from importlib import resources
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import UserError

__all__ = [
    "DEFAULT_MAX_AHEAD",
    "DateOrder",
    "DurationError",
    "NonexistentTimeError",
    "ParsedTime",
    "PastTimeError",
    "ScheduleError",
    "TimestampStyle",
    "TimezoneError",
    "TooFarAheadError",
    "UnparseableTimeError",
    "WallTime",
    "default_date_order",
    "discord_timestamp",
    "format_compact_duration",
    "format_local",
    "parse_compact_duration",
    "parse_duration",
    "parse_when",
    "resolve_wall_time",
    "timezone_choices",
    "validate_timezone",
    "warm_up",
]


# --------------------------------------------------------------------------------------------------- errors


class ScheduleError(UserError, ValueError):
    """A time, zone or duration a user typed that cannot be used; ``str(exc)`` is the reply."""


class UnparseableTimeError(ScheduleError):
    """The text is not a time we can read."""


class PastTimeError(ScheduleError):
    """The time is now or in the past."""


class TooFarAheadError(ScheduleError):
    """The time is further ahead than allowed."""


class NonexistentTimeError(ScheduleError):
    """The wall time falls in a daylight-saving gap."""


class TimezoneError(ScheduleError):
    """Not a time zone we know."""


class DurationError(ScheduleError):
    """A duration that cannot be read or is out of bounds."""


# --------------------------------------------------------------------------------------------------- models

DateOrder = Literal["DMY", "MDY"]
TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]

DEFAULT_MAX_AHEAD: Final = timedelta(days=365)
MAX_INPUT_LENGTH: Final = 100

_MONTH_ABBR: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAY_ABBR: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class WallTime:
    """A local wall time resolved in a zone: ``local`` is aware; ``ambiguous`` means it happens twice."""

    local: datetime
    ambiguous: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """The result of :func:`parse_when`.

    ``start_utc`` and ``local`` are the same instant (UTC and the zone); ``epoch`` is what gets stored.
    ``ambiguous`` is True when the wall time happens twice (the first was taken). ``notes`` are short
    sentences worth showing in the reply (a repeated wall time, how ``5/12`` was read, a roll to tomorrow or
    next year); ``note`` joins them.
    """

    start_utc: datetime
    epoch: int
    local: datetime
    tz: str
    ambiguous: bool
    notes: tuple[str, ...] = ()

    @property
    def note(self) -> str | None:
        return " ".join(self.notes) if self.notes else None

    @property
    def display(self) -> str:
        """E.g. ``"Fri 27 Nov 2026, 20:00 GMT"``."""
        return format_local(self.local)


def format_local(moment: datetime) -> str:
    """``"Fri 27 Nov 2026, 20:00 GMT"`` for an aware datetime (locale independent)."""
    _require_aware(moment, "moment")
    return (
        f"{_WEEKDAY_ABBR[moment.weekday()]} {moment.day} {_MONTH_ABBR[moment.month - 1]} {moment.year}, "
        f"{moment:%H:%M} {moment.tzname()}"
    )


def _format_day(day: date) -> str:
    return f"{day.day} {_MONTH_ABBR[day.month - 1]} {day.year}"


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (naive datetimes are a bug)")


# ------------------------------------------------------------------------------------------------ timezones

_UTC_ALIASES: Final = frozenset(
    name.casefold()
    for name in (
        "UTC",
        "Etc/UTC",
        "UCT",
        "Etc/UCT",
        "Universal",
        "Etc/Universal",
        "Zulu",
        "Etc/Zulu",
        "Z",
        "GMT",
        "Etc/GMT",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Greenwich",
        "Etc/Greenwich",
    )
)

# Abbreviations people type that are not zones (or are fixed-offset traps): refused with a suggestion.
_ABBREVIATION_HINTS: Final = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mst": "America/Denver or America/Phoenix",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "hst": "Pacific/Honolulu",
    "akst": "America/Anchorage",
    "bst": "Europe/London",
    "ist": "Asia/Kolkata or Europe/Dublin",
    "cest": "Europe/Paris or Europe/Berlin",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo",
}

# Countries (ISO 3166) where numeric dates are usually written month first.
_MONTH_FIRST_COUNTRIES: Final = frozenset(
    {"US", "PR", "GU", "AS", "VI", "MP", "UM", "PH", "FM", "MH", "PW", "BZ"}
)

_EXCLUDED_ZONES: Final = frozenset({"localtime", "Factory", "posixrules"})

_POPULAR_ZONES: Final = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Dublin",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
    "Africa/Johannesburg",
)
_POPULARITY: Final = {zone: i for i, zone in enumerate(_POPULAR_ZONES)}


@dataclass(frozen=True, slots=True)
class _ZoneData:
    available: frozenset[str]
    by_folded: dict[str, str]
    links: dict[str, str]  # link name -> target
    country: dict[str, str]  # zone.tab zone -> country code
    choices: tuple[str, ...]  # what autocomplete offers


def _read_tzdata_file(name: str) -> str:
    try:
        return (resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


@functools.cache
def _zone_data() -> _ZoneData:
    available = frozenset(
        name
        for name in available_timezones()
        if name not in _EXCLUDED_ZONES and not name.startswith(("posix/", "right/"))
    )
    links: dict[str, str] = {}
    for line in _read_tzdata_file("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    country: dict[str, str] = {}
    for line in _read_tzdata_file("zone.tab").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2] in available:
            country[parts[2]] = parts[0]
    if country:
        choices = tuple(sorted({*country, "UTC"}))
    else:  # no zone.tab: offer region/city names
        choices = tuple([*sorted(n for n in available if "/" in n and not n.startswith("Etc/")), "UTC"])
    return _ZoneData(
        available=available,
        by_folded={name.casefold(): name for name in available},
        links=links,
        country=country,
        choices=choices,
    )


def _canonical(name: str, data: _ZoneData) -> str:
    """Resolve legacy links (``US/Eastern``, ``Asia/Calcutta``) but keep every zone.tab name as typed.

    zone.tab lists one zone per country, so ``Europe/Amsterdam`` stays itself although tzdata links it to
    ``Europe/Brussels``; ``GB`` becomes ``Europe/London``.
    """
    if name.casefold() in _UTC_ALIASES:
        return "UTC"
    if name in data.country:
        return name
    seen = {name}
    current = name
    while current in data.links and data.links[current] not in seen:
        current = data.links[current]
        seen.add(current)
    return current if current in data.available else name


@functools.lru_cache(maxsize=512)
def validate_timezone(name: str) -> str:
    """Return the canonical IANA name for ``name`` or raise :class:`TimezoneError`.

    Case-insensitive (``europe/london``); spaces may stand for underscores (``America/New York``); UTC and GMT
    aliases (``UTC``, ``GMT``, ``Z``, ``Etc/UTC``, ``Zulu`` ...) all become ``"UTC"`` (GMT here is the fixed
    offset, not UK time: use ``Europe/London`` for that). Legacy links become their modern name
    (``US/Eastern`` -> ``America/New_York``, ``Europe/Kiev`` -> ``Europe/Kyiv``). A bare city that names
    exactly one zone is accepted (``london`` -> ``Europe/London``). Abbreviations (``EST``, ``PST``, ``BST``)
    are refused with a suggestion: they are either not zones or fixed offsets without daylight saving.
    """
    if not isinstance(name, str) or not name.strip():
        raise TimezoneError("Give a time zone, e.g. Europe/London or America/New_York.")
    cleaned = re.sub(r"\s+", "_", name.strip())
    shown = name.strip()[:40]
    if len(cleaned) > 64:
        raise TimezoneError("That time zone name is too long; use one like Europe/London.")
    folded = cleaned.casefold()
    if folded in _UTC_ALIASES:
        return "UTC"
    if folded in _ABBREVIATION_HINTS:
        raise TimezoneError(
            f"'{shown}' is an abbreviation, not a time zone (it ignores daylight saving); "
            f"use a city zone such as {_ABBREVIATION_HINTS[folded]}."
        )
    data = _zone_data()
    exact = data.by_folded.get(folded)
    if exact is not None:
        try:
            ZoneInfo(exact)
        except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
            raise TimezoneError(f"'{shown}' isn't a usable time zone.") from exc
        return _canonical(exact, data)
    city_matches = sorted(
        {
            _canonical(zone, data)
            for zone in data.available
            if "/" in zone and zone.rsplit("/", 1)[1].casefold() == folded
        }
    )
    if len(city_matches) == 1:
        return city_matches[0]
    if len(city_matches) > 1:
        raise TimezoneError(f"'{shown}' could be {', '.join(city_matches[:5])}: pick one.")
    raise TimezoneError(
        f"'{shown}' isn't a time zone I know. Use a name like Europe/London or America/New_York "
        "(start typing for suggestions)."
    )


def _zone(tz: str) -> tuple[str, ZoneInfo]:
    canonical = validate_timezone(tz)
    return canonical, ZoneInfo(canonical)


def default_date_order(tz: str) -> DateOrder:
    """``"MDY"`` if the zone is in a month-first country (the US and its territories, PH, FM, MH, PW, BZ),
    else ``"DMY"``. ISO ``YYYY-MM-DD`` is always read as such."""
    canonical = validate_timezone(tz)
    return "MDY" if _zone_data().country.get(canonical) in _MONTH_FIRST_COUNTRIES else "DMY"


@functools.lru_cache(maxsize=1024)
def timezone_choices(prefix: str, limit: int = 25) -> tuple[str, ...]:
    """Up to ``limit`` (1..25) zone names for autocomplete, best first.

    Offers one zone per country entry of zone.tab plus ``UTC`` (legacy aliases are accepted by
    :func:`validate_timezone` but not suggested). Matching is case-insensitive with spaces for underscores:
    exact name, then names starting with the text, then names with a part (``london``, ``new york``)
    starting with it, then names containing it. An empty prefix gives popular zones.
    """
    limit = max(1, min(25, limit))
    query = re.sub(r"\s+", "_", prefix.strip()).casefold()
    data = _zone_data()
    if not query:
        popular = [z for z in _POPULAR_ZONES if z == "UTC" or z in data.available]
        return tuple(popular[:limit])
    ranked: list[tuple[int, int, str]] = []
    for zone in data.choices:
        folded = zone.casefold()
        if folded == query:
            rank = 0
        elif folded.startswith(query):
            rank = 1
        elif any(part.startswith(query) for part in folded.split("/")[1:]):
            rank = 2
        elif query in folded:
            rank = 3
        else:
            continue
        ranked.append((rank, _POPULARITY.get(zone, len(_POPULAR_ZONES)), zone))
    ranked.sort()
    return tuple(zone for _, _, zone in ranked[:limit])


# ------------------------------------------------------------------------------------- wall time resolution


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    aware = wall.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None, fold=0) == wall


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def resolve_wall_time(wall: datetime, tz: str) -> WallTime:
    """Attach the zone ``tz`` to the naive wall time ``wall``, handling daylight saving.

    A wall time that does not exist (spring-forward gap) raises :class:`NonexistentTimeError` naming the last
    valid minute before and the first after. A repeated one (autumn fold) takes the first occurrence
    (``fold=0``) and is returned with ``ambiguous=True`` and a note.
    """
    if not isinstance(wall, datetime) or wall.tzinfo is not None:
        raise ValueError("wall must be a naive datetime holding a local wall time")
    canonical, zone = _zone(tz)
    wall = wall.replace(fold=0)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return WallTime(local=first, ambiguous=False, note=None)
    if _exists(wall, zone):
        note = (
            f"{wall:%H:%M} happens twice on {_format_day(wall.date())} in {canonical} (clocks go back); "
            f"I used the first one ({first.tzname()}, {_offset_text(first)})."
        )
        return WallTime(local=first, ambiguous=True, note=note)
    step = timedelta(minutes=1)
    before = after = None
    for k in range(1, 48 * 60):
        if before is None and _exists(wall - k * step, zone):
            before = wall - k * step
        if after is None and _exists(wall + k * step, zone):
            after = wall + k * step
        if before is not None and after is not None:
            break
    hint = f"; try {before:%H:%M} or {after:%H:%M}" if before is not None and after is not None else ""
    raise NonexistentTimeError(
        f"{wall:%H:%M} does not exist on {_format_day(wall.date())} in {canonical} (clocks go forward){hint}."
    )


# --------------------------------------------------------------------------------------------- the grammar

_WEEKDAYS: Final = {
    **{name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)},
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_MONTHS: Final = {
    **{name.lower(): i + 1 for i, name in enumerate(_MONTH_NAMES)},
    **{name.lower(): i + 1 for i, name in enumerate(_MONTH_ABBR)},
    "sept": 9,
}
_NUMBER_WORDS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

_WD: Final = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MO: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUM: Final = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_PART_OF_DAY: Final = r"(?:\s+(?:night|evening|afternoon|morning))?"

_TIME_RE: Final = re.compile(
    r"""
    (?<![\w:./-])
    (?:
        (?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s?(?P<ap>[ap])\.?(?:m\.?)?
      | (?P<h24>\d{1,2}):(?P<m24>\d{2})(?::(?P<s24>\d{2}))?
      | (?P<hh>\d{1,2})h(?P<mh>\d{2})
      | (?P<hd>\d{1,2})\.(?P<md>\d{2})(?![.\d])
      | (?P<word>noon|midday|midnight)
    )
    (?![\w:])
    """,
    re.VERBOSE,
)
_BARE_HOUR_RE: Final = re.compile(r"(?:^|\s)(?:at\s+|@\s*)?(\d{1,2})(?:\s+o'?clock)?$")
_WORD_NUM: Final = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_RELATIVE_PART: Final = r"(?:\d{1,4}\s*[a-z]+|(?:" + _WORD_NUM + r")\s+[a-z]+)"
_RELATIVE_INSTANT_RE: Final = re.compile(
    r"in\s+(?:(?P<half>half\s+an?\s+hour)|(?P<body>"
    + _RELATIVE_PART
    + r"(?:\s*(?:and\s+)?"
    + _RELATIVE_PART
    + r")*))"
)
_RELATIVE_PART_RE: Final = re.compile(r"(\d{1,4}|" + _WORD_NUM + r")\s*([a-z]+)")
_TODAY_RE: Final = re.compile(r"(?:today|tonight|this\s+(?:evening|afternoon|morning))" + _PART_OF_DAY)
_TOMORROW_RE: Final = re.compile(r"(?:tomorrow|tomorow|tmrw|tmr|tmw)" + _PART_OF_DAY)
_DAY_AFTER_RE: Final = re.compile(r"(?:the\s+)?day\s+after\s+tomorrow" + _PART_OF_DAY)
_WEEKDAY_RE: Final = re.compile(r"(?:(?P<mod>this|next|on|coming)\s+)?(?P<wd>" + _WD + r")\.?" + _PART_OF_DAY)
_IN_DAYS_RE: Final = re.compile(
    r"(?:in\s+(?P<n1>" + _NUM + r")\s+(?P<u1>days?|weeks?|fortnights?)"
    r"|(?P<n2>" + _NUM + r")\s+(?P<u2>days?|weeks?)\s+from\s+(?:now|today))"
)
_LEADING_WEEKDAY_RE: Final = re.compile(r"(?:on\s+)?(?P<wd>" + _WD + r")\.?\s+(?P<rest>.+)")
_ISO_RE: Final = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
_NUMERIC_RE: Final = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?\.?"
)
_DAY_MONTH_RE: Final = re.compile(
    r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mo>" + _MO + r")\.?(?:\s+(?P<y>\d{4}))?"
)
_MONTH_DAY_RE: Final = re.compile(
    r"(?P<mo>" + _MO + r")\.?\s+(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?"
)
_ORDINAL_RE: Final = re.compile(r"(?:on\s+)?(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)")
_VAGUE_RE: Final = re.compile(r"(?:next|this|coming)\s+(?:week|weekend|month|year)|weekend|later|soon")

_EXAMPLES: Final = "Try 'friday 8pm', 'tomorrow 19:30', 'dec 5 8pm' or '2026-12-05 20:00'."

_INSTANT_UNITS: Final = {
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
}


@dataclass(frozen=True, slots=True)
class _DateResult:
    day: date
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Context:
    now_wall: datetime  # naive wall time of now in the zone the text is read in
    order: DateOrder
    zone: tzinfo  # the zone the text is read in (a ZoneInfo, or a fixed offset typed in the text)
    now: datetime  # aware

    def ahead(self, day: date, clock: time) -> bool:
        """Whether ``clock`` on ``day`` is still ahead of now, as instants: in an autumn fold the wall time
        happens twice, and it is ahead while its second occurrence is (comparing wall times would call
        01:15 past at 01:30 EDT although 01:15 EST is still to come)."""
        wall = datetime.combine(day, clock)
        latest = max(wall.replace(tzinfo=self.zone, fold=fold).astimezone(UTC) for fold in (0, 1))
        return latest > self.now


def _clean(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).casefold()
    cleaned = re.sub(r"[‘’ʼ`]", "'", cleaned)
    cleaned = re.sub(r"[,;!?()]+", " ", cleaned)
    cleaned = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", cleaned)
    cleaned = re.sub(r"(?<=[a-z])\.(?=\s|$)", "", cleaned)  # "friday 8pm." / "fri." -> drop sentence dots
    return re.sub(r"\s+", " ", cleaned).strip()


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _extract_time(text: str) -> tuple[time, str, bool] | None:
    """Return (time, phrase without it, is_midnight) or None when there is no time."""
    matches = list(_TIME_RE.finditer(text))
    if not matches:
        return None
    if len(matches) > 1:
        found = " and ".join(f"'{m.group(0).strip()}'" for m in matches[:2])
        raise UnparseableTimeError(f"I found more than one time ({found}); give just one.")
    match = matches[0]
    token = match.group(0).strip()
    groups = match.groupdict()
    midnight = False
    if groups["word"]:
        midnight = groups["word"] == "midnight"
        hour, minute = (0, 0) if midnight else (12, 0)
    elif groups["h12"]:
        hour, minute = int(groups["h12"]), int(groups["m12"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise UnparseableTimeError(f"'{token}' isn't a valid time; use e.g. 8pm or 20:00.")
        hour = hour % 12 + (12 if groups["ap"] == "p" else 0)
    else:
        h_text = groups["h24"] or groups["hh"] or groups["hd"]
        m_text = groups["m24"] or groups["mh"] or groups["md"]
        hour, minute = int(h_text), int(m_text)
        seconds = int(groups["s24"] or 0)
        if hour > 23 or minute > 59 or seconds > 59:
            raise UnparseableTimeError(f"'{token}' isn't a valid time; use 00:00 to 23:59.")
    phrase = (text[: match.start()] + " " + text[match.end() :]).strip()
    return time(hour, minute), phrase, midnight


def _strip_connectors(phrase: str) -> str:
    phrase = re.sub(r"(?:^|\s)(?:at|@|around|about)(?=\s|$)", " ", phrase)
    phrase = phrase.replace("@", " ")
    phrase = re.sub(r"^\s*(?:on|-)\s+", "", phrase)
    return re.sub(r"\s+", " ", phrase).strip(" -")


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
            raise UnparseableTimeError(f"There's no {shown}.")
        if ctx.ahead(candidate, clock):
            later = "next year" if year == this_year + 1 else f"in {year}"
            note = (f"That's {_format_day(candidate)}, {later}.",) if year > this_year else ()
            return _DateResult(candidate, note)
        if candidate == ctx.now_wall.date():
            raise PastTimeError(f"{clock:%H:%M} today has already passed.")
    raise UnparseableTimeError(f"There's no {shown}.")  # pragma: no cover - unreachable


def _explicit_year(year: int, month: int, day: int, shown: str) -> _DateResult:
    candidate = _make_date(year, month, day)
    if candidate is None:
        raise UnparseableTimeError(f"There's no {shown}.")
    return _DateResult(candidate)


def _expand_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _numeric_date(match: re.Match[str], clock: time, ctx: _Context) -> _DateResult:
    a, b = int(match.group("a")), int(match.group("b"))
    note: tuple[str, ...] = ()
    if a > 12 and b > 12:
        raise UnparseableTimeError(f"'{match.group(0)}' isn't a date I can read; try '5 Dec' or 2026-12-05.")
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
        raise UnparseableTimeError(f"'{match.group(0)}' isn't a date I can read; try '5 Dec' or 2026-12-05.")
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
        raise UnparseableTimeError(f"'{phrase}' isn't a specific day. {_EXAMPLES}")
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
        raise UnparseableTimeError(f"'{phrase}' names a time zone I can't use here. {_ZONE_HELP}")
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
            raise UnparseableTimeError(f"'{text}' needs a time of day too, e.g. '{text} at 8pm'.")
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


# ------------------------------------------------------------------------------------- zones typed in `when`

_ZONE_HELP: Final = (
    "Write an offset such as '8pm +08:00' or 'UTC', an IANA zone such as '8pm Asia/Singapore', "
    "or set the timezone option."
)

# Abbreviations read inside `when`: the IANA zones they name (first that is on the abbreviation's offset at
# that date wins) and that offset in minutes (None: the zone's local time, whatever its offset). MST is
# Denver's winter time and Phoenix's all year, hence two zones.
_ZONE_ABBREVIATIONS: Final[dict[str, tuple[tuple[str, ...], int | None]]] = {
    "pst": (("America/Los_Angeles",), -480),
    "pdt": (("America/Los_Angeles",), -420),
    "pt": (("America/Los_Angeles",), None),
    "mst": (("America/Denver", "America/Phoenix"), -420),
    "mdt": (("America/Denver",), -360),
    "mt": (("America/Denver",), None),
    "cdt": (("America/Chicago",), -300),
    "ct": (("America/Chicago",), None),
    "est": (("America/New_York",), -300),
    "edt": (("America/New_York",), -240),
    "et": (("America/New_York",), None),
    "akst": (("America/Anchorage",), -540),
    "akdt": (("America/Anchorage",), -480),
    "hst": (("Pacific/Honolulu",), -600),
    "adt": (("America/Halifax",), -180),
    "nst": (("America/St_Johns",), -210),
    "ndt": (("America/St_Johns",), -150),
    "wet": (("Europe/Lisbon",), 0),
    "west": (("Europe/Lisbon",), 60),
    "bst": (("Europe/London",), 60),
    "cet": (("Europe/Paris",), 60),
    "cest": (("Europe/Paris",), 120),
    "eet": (("Europe/Athens",), 120),
    "eest": (("Europe/Athens",), 180),
    "msk": (("Europe/Moscow",), 180),
    "wat": (("Africa/Lagos",), 60),
    "cat": (("Africa/Maputo",), 120),
    "sast": (("Africa/Johannesburg",), 120),
    "eat": (("Africa/Nairobi",), 180),
    "pkt": (("Asia/Karachi",), 300),
    "wib": (("Asia/Jakarta",), 420),
    "hkt": (("Asia/Hong_Kong",), 480),
    "sgt": (("Asia/Singapore",), 480),
    "awst": (("Australia/Perth",), 480),
    "jst": (("Asia/Tokyo",), 540),
    "kst": (("Asia/Seoul",), 540),
    "acst": (("Australia/Adelaide",), 570),
    "acdt": (("Australia/Adelaide",), 630),
    "aest": (("Australia/Sydney",), 600),
    "aedt": (("Australia/Sydney",), 660),
    "nzst": (("Pacific/Auckland",), 720),
    "nzdt": (("Pacific/Auckland",), 780),
}
# Abbreviations that mean different offsets to different people: refused unless the reader's own zone uses
# them (a Dublin member's IST is Irish summer time, a Chicago member's CST is Central time).
_AMBIGUOUS_ABBREVIATIONS: Final = {
    "ist": (
        "India (Asia/Kolkata, UTC+05:30), Ireland (Europe/Dublin, UTC+01:00) or Israel (Asia/Jerusalem, "
        "UTC+02:00)",
        "+05:30",
        "Asia/Kolkata",
    ),
    "cst": (
        "US Central (America/Chicago, UTC-06:00), China (Asia/Shanghai, UTC+08:00) or Cuba (America/Havana, "
        "UTC-05:00)",
        "-06:00",
        "America/Chicago",
    ),
    "ast": (
        "Atlantic (America/Halifax, UTC-04:00) or Arabia (Asia/Riyadh, UTC+03:00)",
        "-04:00",
        "America/Halifax",
    ),
}
_UTC_WORDS: Final = frozenset({"utc", "gmt", "z", "zulu"})
_MAX_OFFSET: Final = timedelta(hours=14)

_SIGN: Final = r"(?P<sign>[+\-\u2212])"
# "2026-12-05T20:00-05:00", "20:00:00+01:00", "20:00Z": an offset glued to a clock time. A glued "-" counts
# only with an ISO date in the text, because "10:00-12:00" is more often a range than UTC-12.
_GLUED_OFFSET_RE: Final = re.compile(
    r"(?<=:\d\d)(?:" + _SIGN + r"(?P<h>\d{2})(?::?(?P<m>\d{2}))?|(?P<z>z))(?![\w:])"
)
# "utc+1", "GMT -05:30"
_NAMED_OFFSET_RE: Final = re.compile(
    r"(?<!\S)(?:utc|gmt)\s*" + _SIGN + r"\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?(?!\S)"
)
# "+01:00", "-0500" on their own (also right after "8pm")
_BARE_OFFSET_RE: Final = re.compile(r"(?<![\d:/.\-])" + _SIGN + r"(?P<h>\d{2}):?(?P<m>\d{2})(?![\d:])")
_ZONE_WORD_RE: Final = re.compile(r"(?<!\S)(?P<word>[a-z]+(?:/[a-z0-9_+\-]+)*)(?!\S)")
_ISO_DATE_IN_TEXT_RE: Final = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True, slots=True)
class _TypedZone:
    """A zone or offset written inside `when`: ``zones`` to try in order (one for most), or a fixed
    ``offset``; ``abbreviation`` (upper case) and its ``expected`` offset when it was one."""

    typed: str
    zones: tuple[str, ...] = ()
    offset: timedelta | None = None
    abbreviation: str | None = None
    expected: timedelta | None = None


def _offset_zone(match: re.Match[str], typed: str) -> _TypedZone:
    hours, minutes = int(match.group("h")), int(match.group("m") or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    if match.group("sign") != "+":
        offset = -offset
    if minutes > 59 or not -timedelta(hours=12) <= offset <= _MAX_OFFSET:
        raise UnparseableTimeError(f"'{typed}' isn't a UTC offset (they run from -12:00 to +14:00).")
    return _TypedZone(typed, offset=offset)


def _zone_uses(zone_name: str, abbreviation: str, year: int) -> timedelta | None:
    """The offset ``zone_name`` uses under ``abbreviation`` around ``year``, or None if it doesn't."""
    zone = ZoneInfo(zone_name)
    for month in (1, 7):
        moment = datetime(year, month, 15, 12, tzinfo=zone)
        if (moment.tzname() or "").casefold() == abbreviation:
            return moment.utcoffset()
    return None


def _word_zone(word: str, reader_zone: str, year: int) -> _TypedZone | None:
    if word in _UTC_WORDS:
        return _TypedZone(word, offset=timedelta(0))
    own = _zone_uses(reader_zone, word, year) if word.isalpha() and len(word) <= 5 else None
    if own is not None:
        return _TypedZone(word, zones=(reader_zone,), abbreviation=word.upper(), expected=own)
    if word in _AMBIGUOUS_ABBREVIATIONS:
        meanings, offset, example = _AMBIGUOUS_ABBREVIATIONS[word]
        raise TimezoneError(
            f"'{word.upper()}' could be {meanings}. Write the offset instead (e.g. '8pm {offset}') "
            f"or an IANA zone (e.g. '8pm {example}')."
        )
    if word in _ZONE_ABBREVIATIONS:
        zones, minutes = _ZONE_ABBREVIATIONS[word]
        expected = None if minutes is None else timedelta(minutes=minutes)
        return _TypedZone(word, zones=zones, abbreviation=word.upper(), expected=expected)
    if "/" in word:
        try:
            return _TypedZone(word, zones=(validate_timezone(word),))
        except TimezoneError:
            return None
    return None


def _extract_zone(text: str, reader_zone: str, year: int) -> tuple[_TypedZone | None, str]:
    """Find a zone or offset in the cleaned text: (it or None, the text without it). More than one is
    refused; abbreviations we can't place are left for the date grammar, which refuses them."""
    found: list[tuple[re.Match[str], _TypedZone]] = []
    for match in _GLUED_OFFSET_RE.finditer(text):
        if match.group("z"):
            found.append((match, _TypedZone("Z", offset=timedelta(0))))
        elif match.group("sign") == "+" or _ISO_DATE_IN_TEXT_RE.search(text):
            found.append((match, _offset_zone(match, match.group(0))))
    for pattern in (_NAMED_OFFSET_RE, _BARE_OFFSET_RE):
        for match in pattern.finditer(text):
            if not any(m.start() <= match.start() < m.end() for m, _ in found):
                found.append((match, _offset_zone(match, match.group(0).strip())))
    for match in _ZONE_WORD_RE.finditer(text):
        if any(m.start() <= match.start() < m.end() for m, _ in found):
            continue
        zone = _word_zone(match.group("word"), reader_zone, year)
        if zone is not None:
            found.append((match, zone))
    if not found:
        return None, text
    if len(found) > 1:
        shown = " and ".join(f"'{m.group(0).strip()}'" for m, _ in found[:2])
        raise UnparseableTimeError(f"I found more than one time zone ({shown}); give just one.")
    match, zone = found[0]
    return zone, re.sub(r"\s+", " ", text[: match.start()] + " " + text[match.end() :]).strip()


def _typed_tzinfo(typed: _TypedZone) -> tzinfo:
    """The zone the date words are read in: the first named zone, or the fixed offset."""
    if typed.offset is not None:
        return timezone(typed.offset)
    return ZoneInfo(typed.zones[0])


def _resolve_in_typed_zone(wall: datetime, typed: _TypedZone, now: datetime) -> tuple[datetime, str, bool]:
    """The instant of ``wall`` in the typed zone, the note that says how it was read, and whether the wall
    time happened twice without the typed abbreviation saying which."""
    if typed.offset is not None:
        local = wall.replace(tzinfo=timezone(typed.offset))
        label = "UTC" if typed.offset == timedelta(0) else _offset_text(local)
        return local, f"I read {wall:%H:%M} as {label}, as written.", False
    candidates: list[tuple[str, datetime, bool]] = []
    for name in typed.zones:
        resolved = resolve_wall_time(wall, name)
        folds = [resolved.local, resolved.local.replace(fold=1)] if resolved.ambiguous else [resolved.local]
        candidates.extend((name, moment, resolved.ambiguous) for moment in folds)
    if typed.expected is not None:
        for name, moment, _ambiguous in candidates:
            if moment.utcoffset() == typed.expected:
                note = f"I read {wall:%H:%M} as {typed.abbreviation} ({name}, {_offset_text(moment)})."
                return moment, note, False
    name, moment, ambiguous = candidates[0]
    if ambiguous and moment.astimezone(UTC) <= now < candidates[1][1].astimezone(UTC):
        moment = candidates[1][1]  # the first occurrence has just gone: the second is still ahead
    if typed.abbreviation is None:
        note = f"I read {wall:%H:%M} in {name} ({moment.tzname()}, {_offset_text(moment)}), as written."
    elif typed.expected is None:
        note = f"I read {wall:%H:%M} as {typed.abbreviation}: {name} time ({moment.tzname()}, {_offset_text(moment)})."
    else:
        note = (
            f"{typed.abbreviation} isn't in use in {name} on {_format_day(wall.date())}, so I read "
            f"{wall:%H:%M} as local time there ({moment.tzname()}, {_offset_text(moment)})."
        )
    if ambiguous:
        which = "second" if moment.fold else "first"
        note += f" {wall:%H:%M} happens twice that night (clocks go back); I used the {which} one."
    return moment, note, ambiguous


def parse_when(
    text: str,
    tz: str,
    now: datetime,
    *,
    max_ahead: timedelta = DEFAULT_MAX_AHEAD,
    date_order: DateOrder | None = None,
) -> ParsedTime:
    """Read a screening time typed by a user, in the zone ``tz``, relative to the aware ``now``.

    See the module docstring for the forms accepted. A zone written in the text (an offset, ``Z``, ``UTC``,
    an abbreviation such as ``PST`` or an IANA name) is honoured, with a note; the result is still shown in
    ``tz``. Raises :class:`UnparseableTimeError` (not a time, no time of day, empty, too long),
    :class:`PastTimeError` (now or earlier), :class:`TooFarAheadError` (more than ``max_ahead`` away),
    :class:`NonexistentTimeError` (a daylight-saving gap) and :class:`TimezoneError` (an unknown zone, or an
    ambiguous abbreviation such as IST); all are :class:`ScheduleError` with a message meant for the user.
    ``date_order`` overrides :func:`default_date_order` for numeric dates like ``5/12``.
    """
    _require_aware(now, "now")
    canonical, zone = _zone(tz)
    if not isinstance(text, str) or not text.strip():
        raise UnparseableTimeError(f"Tell me when. {_EXAMPLES}")
    if len(text) > MAX_INPUT_LENGTH:
        raise UnparseableTimeError(f"That's too long for a time. {_EXAMPLES}")
    shown = text.strip()
    typed, cleaned = _extract_zone(_clean(text), canonical, now.astimezone(zone).year)
    reading = _typed_tzinfo(typed) if typed is not None else zone
    ctx = _Context(
        now_wall=now.astimezone(reading).replace(tzinfo=None),
        order=date_order or default_date_order(canonical),
        zone=reading,
        now=now,
    )
    extracted = _extract_time(cleaned)
    if extracted is None:
        start = _relative_start(cleaned, shown, ctx)
        return _finish(start.astimezone(zone), canonical, now, max_ahead, (), ambiguous=False)
    clock, phrase, midnight = extracted
    phrase = _strip_connectors(phrase)
    if midnight and phrase:
        raise UnparseableTimeError(
            "'midnight' with a day is ambiguous: use 23:59, or 00:00 with the next day."
        )
    day = _parse_date_phrase(phrase, clock, ctx, allow_fallback=True)
    if day is None:
        raise UnparseableTimeError(f"I couldn't read '{shown}' as a time. {_EXAMPLES}")
    wall = datetime.combine(day.day, clock)
    if typed is None:
        local, note, ambiguous = _resolve_in_reader_zone(wall, canonical, now)
        notes = day.notes + ((note,) if note else ())
    else:
        local, note, ambiguous = _resolve_in_typed_zone(wall, typed, now)
        if typed.zones != (canonical,):
            note += f" That's {format_local(local.astimezone(zone))} in {canonical}."
        notes = (*day.notes, note)
    return _finish(local.astimezone(zone), canonical, now, max_ahead, notes, ambiguous=ambiguous)


def _relative_start(cleaned: str, shown: str, ctx: _Context) -> datetime:
    """The instant for text without a clock time ("in 2 hours"), or the error that explains what's missing."""
    delta = _relative_instant(cleaned)
    if delta is not None:
        # In UTC: aware arithmetic in a zone is wall-clock arithmetic and would drift across DST.
        return (ctx.now.astimezone(UTC) + delta).replace(second=0, microsecond=0)
    phrase = _strip_connectors(cleaned)
    if _parse_date_phrase(phrase, time(23, 59), ctx, allow_fallback=False) is not None:
        raise UnparseableTimeError(f"Add a time of day, e.g. '{shown} 8pm'.")
    if _BARE_HOUR_RE.search(cleaned):
        raise UnparseableTimeError("Is that am or pm? Write e.g. '8pm' or '20:00'.")
    raise UnparseableTimeError(f"I couldn't read '{shown}' as a time. {_EXAMPLES}")


def _resolve_in_reader_zone(
    wall: datetime, canonical: str, now: datetime
) -> tuple[datetime, str | None, bool]:
    """``wall`` in the reader's zone: (instant, note, ambiguous). In an autumn fold the first occurrence is
    taken, unless it has just gone and the second is still ahead."""
    resolved = resolve_wall_time(wall, canonical)
    local, note = resolved.local, resolved.note
    second = local.replace(fold=1)
    if resolved.ambiguous and local.astimezone(UTC) <= now < second.astimezone(UTC):
        local = second
        note = (
            f"{wall:%H:%M} happens twice today in {canonical} (clocks go back); "
            f"I used the second one ({second.tzname()}, {_offset_text(second)})."
        )
    return local, note, resolved.ambiguous


def _finish(
    local: datetime,
    tz: str,
    now: datetime,
    max_ahead: timedelta,
    notes: tuple[str, ...],
    *,
    ambiguous: bool,
) -> ParsedTime:
    start_utc = local.astimezone(UTC)
    if start_utc <= now:
        raise PastTimeError(f"{format_local(local)} is not in the future.")
    if start_utc - now > max_ahead:
        days = max_ahead.days
        limit = f"{days} days" if days >= 2 else _describe_seconds(int(max_ahead.total_seconds()))
        raise TooFarAheadError(f"{format_local(local)} is too far ahead (the limit is {limit}).")
    return ParsedTime(
        start_utc=start_utc,
        epoch=int(start_utc.timestamp()),
        local=local,
        tz=tz,
        ambiguous=ambiguous,
        notes=notes,
    )


# -------------------------------------------------------------------------------------------- durations

MIN_RUNTIME_SECONDS: Final = 10 * 60
MAX_RUNTIME_SECONDS: Final = 12 * 3600

_RUNTIME_RE: Final = re.compile(
    r"""
    (?:(?P<h>\d{1,2}(?:[.,]\d{1,2})?)\s*(?:h|hrs?|hours?)\.?)?
    \s*(?:and\s+)?
    (?:(?P<m>\d{1,4})\s*(?P<mu>m|mins?|minutes?)?\.?)?
    """,
    re.VERBOSE,
)
_CLOCK_RUNTIME_RE: Final = re.compile(r"(?P<h>\d{1,2}):(?P<m>[0-5]\d)")


def _describe_seconds(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes} min"


def parse_duration(
    text: str,
    *,
    min_seconds: int = MIN_RUNTIME_SECONDS,
    max_seconds: int = MAX_RUNTIME_SECONDS,
) -> int:
    """A film runtime in seconds: ``"2h30"``, ``"2h 30m"``, ``"90m"``, ``"90 min"``, ``"1 hour 45 minutes"``,
    ``"1:45"`` (h:mm), ``"2.5h"`` (rounded to the minute) or a bare ``"150"`` (minutes, as film runtimes are
    listed). Must lie within ``min_seconds``..``max_seconds`` (10 min to 12 h by default), else
    :class:`DurationError`.
    """
    if not isinstance(text, str) or not text.strip():
        raise DurationError("Give a runtime, e.g. '2h10', '95m' or '130'.")
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip().casefold())
    seconds: int | None = None
    if m := _CLOCK_RUNTIME_RE.fullmatch(cleaned):
        seconds = int(m.group("h")) * 3600 + int(m.group("m")) * 60
    elif (m := _RUNTIME_RE.fullmatch(cleaned)) and (m.group("h") or m.group("m")):
        hours = float(m.group("h").replace(",", ".")) if m.group("h") else 0.0
        minutes = int(m.group("m")) if m.group("m") else 0
        if m.group("h") and m.group("m") and minutes >= 60:
            raise DurationError(
                f"'{text.strip()[:30]}' has {minutes} minutes after the hours; use e.g. 2h10."
            )
        seconds = round(hours * 60 + minutes) * 60
    if seconds is None:
        raise DurationError(
            f"I couldn't read '{text.strip()[:30]}' as a runtime; try '2h10', '95m' or '130'."
        )
    if seconds < min_seconds or seconds > max_seconds:
        hint = ""
        bare = cleaned.isdigit() and 0 < int(cleaned) * 3600 <= max_seconds
        if bare and seconds < min_seconds:
            hint = f" (a bare number is minutes: did you mean {cleaned}h?)"
        raise DurationError(
            f"A runtime must be between {_describe_seconds(min_seconds)} and {_describe_seconds(max_seconds)}"
            f"{hint}."
        )
    return seconds


_COMPACT_UNITS: Final = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), ("w", 604800)),
    **dict.fromkeys(("d", "day", "days"), ("d", 86400)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("h", 3600)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), ("m", 60)),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), ("s", 1)),
}
_COMPACT_ORDER: Final = "wdhms"
_COMPACT_TOKEN_RE: Final = re.compile(r"\s*(?P<n>[0-9]+)\s*(?P<u>[a-z]+)\s*", re.ASCII)
_COMPACT_EXAMPLES: Final = "e.g. '90s', '15m', '2h', '1d' or '1h30m'"


def parse_compact_duration(
    text: str,
    *,
    min_seconds: int | None = None,
    max_seconds: int | None = None,
) -> int:
    """Seconds in a config-style duration: whole numbers with a unit, largest unit first, each unit once.

    Units: ``s``, ``m``, ``h``, ``d``, ``w`` (case-insensitive; ``sec``/``min``/``hr``/``hours``/``days``/``weeks``
    and the like also work), combined as ``"1h30m"`` or ``"1h 30m"``. Refused with :class:`DurationError`: a bare
    number (``"15"``: seconds or minutes?), decimals (``"1.5h"``), negatives, unknown units (``"15 parsecs"``),
    repeated or out-of-order units (``"30m1h"``), more than 9 digits in a number, and values outside the
    optional ``min_seconds``/``max_seconds``. ``"0s"`` is 0.
    """
    if not isinstance(text, str):
        raise DurationError(f"Expected a duration string ({_COMPACT_EXAMPLES}), got {type(text).__name__}.")
    shown = text.strip()[:40]
    cleaned = text.strip().lower()
    if not cleaned:
        raise DurationError(f"Give a duration, {_COMPACT_EXAMPLES}.")
    if cleaned.startswith("-"):
        raise DurationError(f"'{shown}': a duration can't be negative.")
    if re.fullmatch(r"[0-9]+", cleaned):
        raise DurationError(
            f"'{shown}' needs a unit: is it seconds or minutes? Write e.g. '{cleaned}m' or '{cleaned}s'."
        )
    if re.search(r"[0-9][.,][0-9]", cleaned):
        raise DurationError(f"'{shown}': use whole numbers, e.g. '1h30m' rather than '1.5h'.")
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(cleaned):
        match = _COMPACT_TOKEN_RE.match(cleaned, position)
        if match is None:
            rest = cleaned[position:].strip()
            if rest.isdigit() and tokens:
                raise DurationError(f"'{shown}': the {rest} at the end needs a unit, e.g. '1h30m'.")
            raise DurationError(f"'{shown}' is not a duration; use {_COMPACT_EXAMPLES}.")
        tokens.append((match.group("n"), match.group("u")))
        position = match.end()
    total = 0
    last_rank = -1
    for number, unit in tokens:
        if unit not in _COMPACT_UNITS:
            raise DurationError(
                f"'{unit}' isn't a unit I know in '{shown}'; use s, m, h, d or w ({_COMPACT_EXAMPLES})."
            )
        if len(number) > 9:
            raise DurationError(f"'{shown}' is too large.")
        letter, size = _COMPACT_UNITS[unit]
        rank = _COMPACT_ORDER.index(letter)
        if rank <= last_rank:
            raise DurationError(f"'{shown}': put each unit once, largest first, e.g. '1h30m'.")
        last_rank = rank
        total += int(number) * size
    if min_seconds is not None and total < min_seconds:
        raise DurationError(f"'{shown}' is too short; the minimum is {format_compact_duration(min_seconds)}.")
    if max_seconds is not None and total > max_seconds:
        raise DurationError(f"'{shown}' is too long; the maximum is {format_compact_duration(max_seconds)}.")
    return total


def format_compact_duration(seconds: int) -> str:
    """Render seconds compactly, largest unit first (``5400`` -> ``"1h30m"``); inverse of
    :func:`parse_compact_duration` for non-negative ints."""
    if seconds <= 0:
        return "0s"
    parts = []
    remaining = seconds
    for letter, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{letter}")
    return "".join(parts)


# ------------------------------------------------------------------------------------------- timestamps

_TIMESTAMP_STYLES: Final = frozenset({"t", "T", "d", "D", "f", "F", "R"})


def discord_timestamp(epoch: int, style: TimestampStyle = "F") -> str:
    """Discord's ``<t:epoch:style>`` markup, shown in each reader's own time zone.

    Styles: ``t`` 20:00, ``T`` 20:00:00, ``d`` 27/11/2026, ``D`` 27 November 2026, ``f`` date and time,
    ``F`` with weekday, ``R`` relative ("in 2 days").
    """
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise TypeError(f"epoch must be an int, got {type(epoch).__name__}")
    if style not in _TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    return f"<t:{epoch}:{style}>"
