"""IANA zones: validation, autocomplete, numeric date order, and wall times resolved across daylight saving."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.schedule._common import DateOrder, WallTime, _format_day
from domain.schedule._errors import NonexistentTimeError, TimezoneError

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
            "'{typed}' is an abbreviation, not a time zone (it ignores daylight saving); "
            f"use a city zone such as {_ABBREVIATION_HINTS[folded]}.",
            typed=shown,
        )
    data = _zone_data()
    exact = data.by_folded.get(folded)
    if exact is not None:
        try:
            ZoneInfo(exact)
        except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
            raise TimezoneError("'{typed}' isn't a usable time zone.", typed=shown) from exc
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
        raise TimezoneError(f"'{{typed}}' could be {', '.join(city_matches[:5])}: pick one.", typed=shown)
    raise TimezoneError(
        "'{typed}' isn't a time zone I know. Use a name like Europe/London or America/New_York "
        "(start typing for suggestions).",
        typed=shown,
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
