"""Models, names and formatting shared by the schedule modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

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
