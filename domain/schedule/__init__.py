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

A zone written in the text is honoured and named in a note: a UTC offset glued to an ISO time
(``2026-12-05T20:00-05:00``, ``20:00Z``; a glued ``-`` only with an ISO date, since ``10:00-12:00`` is a
range), a free-standing ``+05:30``/``-0800`` or ``utc+1``, ``UTC``/``GMT``/``Z``, an IANA name
(``europe/paris``), or an abbreviation from a fixed table (``PST``, ``CEST``, ``ET``...). Day words are then
read in that zone; an abbreviation out of season (CEST in December) gives the zone's local time, and in an
autumn fold it picks the matching side (``1:30am EDT``). Ambiguous abbreviations (IST, CST, AST) are refused
unless the reader's own zone uses them; a zone dateparser would recognise but we can't place is refused.
The result is still expressed in the reader's zone (``tz``).

Dates without a year mean the next such date still ahead (a note says when that is next year).
``in 2 hours``/``in 90 minutes``/``in 1h30m`` are instants (``now`` + the duration, to the minute) and take no
time of day. A date with no time (``"friday"``) is refused: a screening needs a time.

The wall time is resolved in the zone with :mod:`zoneinfo` (never by dateparser), so daylight saving is
right: a wall time inside a spring-forward gap is refused with the nearest valid times, and a repeated
wall time in an autumn fold takes its first occurrence (``fold=0``) and sets ``ambiguous`` with a note,
unless that has already passed and the second is still ahead. "Still ahead" always compares instants, not
wall times: at 01:30 EDT on the night the clocks go back, ``sunday 1:15am`` is 01:15 EST that night.

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

Package layout (private modules, one public surface here)
---------------------------------------------------------
``_errors`` the user errors · ``_common`` models and formatting · ``_zones`` IANA zones and wall-time
resolution · ``_grammar`` the words, regexes and clock times of `when` · ``_dates`` date phrases and the
dateparser fallback · ``_typed_zones`` zones written inside `when` · ``_parse`` :func:`parse_when` ·
``_durations`` runtimes and compact durations · ``_timestamps`` Discord timestamp markup.
"""

from __future__ import annotations

from domain.schedule._common import (
    DEFAULT_MAX_AHEAD,
    DateOrder,
    ParsedTime,
    TimestampStyle,
    WallTime,
    format_local,
)
from domain.schedule._dates import warm_up
from domain.schedule._durations import format_compact_duration, parse_compact_duration, parse_duration
from domain.schedule._errors import (
    DurationError,
    NonexistentTimeError,
    PastTimeError,
    ScheduleError,
    TimezoneError,
    TooFarAheadError,
    UnparseableTimeError,
)
from domain.schedule._parse import parse_when
from domain.schedule._timestamps import discord_timestamp
from domain.schedule._zones import default_date_order, resolve_wall_time, timezone_choices, validate_timezone

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
