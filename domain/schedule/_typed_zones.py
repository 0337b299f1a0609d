"""Zones written inside `when` (offsets, Z, UTC/GMT, IANA names, abbreviations) and how a wall time is read in them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from domain.schedule._common import _format_day
from domain.schedule._errors import TimezoneError, UnparseableTimeError
from domain.schedule._zones import _offset_text, resolve_wall_time, validate_timezone

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
        raise UnparseableTimeError(
            "'{typed}' isn't a UTC offset (they run from -12:00 to +14:00).", typed=typed
        )
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
            f"'{{typed}}' could be {meanings}. Write the offset instead (e.g. '8pm {offset}') "
            f"or an IANA zone (e.g. '8pm {example}').",
            typed=word.upper(),
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
        raise UnparseableTimeError("I found more than one time zone ({found}); give just one.", found=shown)
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
