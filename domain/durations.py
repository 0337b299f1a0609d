"""Compact durations as used in the config file and in commands: ``"90s"``, ``"15m"``, ``"2h30m"``, ``"1d"``."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_WHOLE = re.compile(r"(?:\d+\s*[smhdw]\s*)+", re.IGNORECASE)


class DurationError(ValueError):
    """A duration string that cannot be read; the message says what is accepted."""


def parse_compact_duration(text: str) -> int:
    """Return the number of seconds in ``text``.

    Whole numbers with a unit (s, m, h, d, w), optionally combined (``"1h30m"``, ``"1h 30m"``). A bare
    number is refused: ``"15"`` could mean seconds or minutes and config files outlive their authors.
    """
    if not isinstance(text, str):
        raise DurationError(f"expected a duration string like '15m', got {type(text).__name__}")
    cleaned = text.strip()
    if not cleaned or not _WHOLE.fullmatch(cleaned):
        raise DurationError(
            f"{text!r} is not a duration: use a whole number with a unit s, m, h, d or w, e.g. '90s', '15m', '2h30m'"
        )
    total = sum(int(n) * _UNITS[u.lower()] for n, u in _PART.findall(cleaned))
    return total


def format_duration(seconds: float) -> str:
    """Render seconds compactly (``5400`` -> ``"1h30m"``); the inverse of :func:`parse_compact_duration`."""
    remaining = int(seconds)
    if remaining <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
