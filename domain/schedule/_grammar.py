"""The small grammar for `when`: words, regexes, cleaning the text and taking the clock time out of it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Final

from domain.schedule._common import _MONTH_ABBR, _MONTH_NAMES, _WEEKDAY_NAMES, DateOrder
from domain.schedule._errors import UnparseableTimeError

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
        raise UnparseableTimeError("I found more than one time ({found}); give just one.", found=found)
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
            raise UnparseableTimeError("'{typed}' isn't a valid time; use e.g. 8pm or 20:00.", typed=token)
        hour = hour % 12 + (12 if groups["ap"] == "p" else 0)
    else:
        h_text = groups["h24"] or groups["hh"] or groups["hd"]
        m_text = groups["m24"] or groups["mh"] or groups["md"]
        hour, minute = int(h_text), int(m_text)
        seconds = int(groups["s24"] or 0)
        if hour > 23 or minute > 59 or seconds > 59:
            raise UnparseableTimeError("'{typed}' isn't a valid time; use 00:00 to 23:59.", typed=token)
    phrase = (text[: match.start()] + " " + text[match.end() :]).strip()
    return time(hour, minute), phrase, midnight


def _strip_connectors(phrase: str) -> str:
    phrase = re.sub(r"(?:^|\s)(?:at|@|around|about)(?=\s|$)", " ", phrase)
    phrase = phrase.replace("@", " ")
    phrase = re.sub(r"^\s*(?:on|-)\s+", "", phrase)
    return re.sub(r"\s+", " ", phrase).strip(" -")
