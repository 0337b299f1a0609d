"""Durations: film runtimes typed by users, and config-style compact durations (``1h30m``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from domain.schedule._errors import DurationError

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
                f"'{{typed}}' has {minutes} minutes after the hours; use e.g. 2h10.", typed=text.strip()[:30]
            )
        seconds = round(hours * 60 + minutes) * 60
    if seconds is None:
        raise DurationError(
            "I couldn't read '{typed}' as a runtime; try '2h10', '95m' or '130'.", typed=text.strip()[:30]
        )
    if seconds < min_seconds or seconds > max_seconds:
        hint = ""
        bare = cleaned.isdigit() and 0 < int(cleaned) * 3600 <= max_seconds
        if bare and seconds < min_seconds:
            hint = " (a bare number is minutes: did you mean {typed}h?)"
        raise DurationError(
            f"A runtime must be between {_describe_seconds(min_seconds)} and {_describe_seconds(max_seconds)}"
            f"{hint}.",
            **({"typed": cleaned} if hint else {}),
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


def _compact_tokens(cleaned: str, shown: str) -> list[tuple[str, str]]:
    """``"1h 30m"`` -> ``[("1", "h"), ("30", "m")]``; anything else in the text is refused."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(cleaned):
        match = _COMPACT_TOKEN_RE.match(cleaned, position)
        if match is None:
            rest = cleaned[position:].strip()
            if rest.isdigit() and tokens:
                raise DurationError(
                    "'{typed}': the {rest} at the end needs a unit, e.g. '1h30m'.", typed=shown, rest=rest
                )
            raise DurationError(f"'{{typed}}' is not a duration; use {_COMPACT_EXAMPLES}.", typed=shown)
        tokens.append((match.group("n"), match.group("u")))
        position = match.end()
    return tokens


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
        raise DurationError("'{typed}': a duration can't be negative.", typed=shown)
    if re.fullmatch(r"[0-9]+", cleaned):
        raise DurationError(
            "'{typed}' needs a unit: is it seconds or minutes? Write e.g. '{number}m' or '{number}s'.",
            typed=shown,
            number=cleaned,
        )
    if re.search(r"[0-9][.,][0-9]", cleaned):
        raise DurationError("'{typed}': use whole numbers, e.g. '1h30m' rather than '1.5h'.", typed=shown)
    tokens = _compact_tokens(cleaned, shown)
    total = 0
    last_rank = -1
    for number, unit in tokens:
        if unit not in _COMPACT_UNITS:
            raise DurationError(
                f"'{{unit}}' isn't a unit I know in '{{typed}}'; use s, m, h, d or w ({_COMPACT_EXAMPLES}).",
                unit=unit,
                typed=shown,
            )
        if len(number) > 9:
            raise DurationError("'{typed}' is too large.", typed=shown)
        letter, size = _COMPACT_UNITS[unit]
        rank = _COMPACT_ORDER.index(letter)
        if rank <= last_rank:
            raise DurationError("'{typed}': put each unit once, largest first, e.g. '1h30m'.", typed=shown)
        last_rank = rank
        total += int(number) * size
    if min_seconds is not None and total < min_seconds:
        raise DurationError(
            f"'{{typed}}' is too short; the minimum is {format_compact_duration(min_seconds)}.", typed=shown
        )
    if max_seconds is not None and total > max_seconds:
        raise DurationError(
            f"'{{typed}}' is too long; the maximum is {format_compact_duration(max_seconds)}.", typed=shown
        )
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
