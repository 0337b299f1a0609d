"""parse_when: text + zone + now -> a screening instant (see the package docstring for the forms)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from domain.schedule._common import (
    DEFAULT_MAX_AHEAD,
    MAX_INPUT_LENGTH,
    DateOrder,
    ParsedTime,
    _require_aware,
    format_local,
)
from domain.schedule._dates import _parse_date_phrase, _relative_instant
from domain.schedule._durations import _describe_seconds
from domain.schedule._errors import PastTimeError, TooFarAheadError, UnparseableTimeError
from domain.schedule._grammar import (
    _BARE_HOUR_RE,
    _EXAMPLES,
    _clean,
    _Context,
    _extract_time,
    _strip_connectors,
)
from domain.schedule._typed_zones import _extract_zone, _resolve_in_typed_zone, _typed_tzinfo
from domain.schedule._zones import _offset_text, _zone, default_date_order, resolve_wall_time


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
        raise UnparseableTimeError("I couldn't read '{typed}' as a time. " + _EXAMPLES, typed=shown)
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
        raise UnparseableTimeError("Add a time of day, e.g. '{typed} 8pm'.", typed=shown)
    if _BARE_HOUR_RE.search(cleaned):
        raise UnparseableTimeError("Is that am or pm? Write e.g. '8pm' or '20:00'.")
    raise UnparseableTimeError("I couldn't read '{typed}' as a time. " + _EXAMPLES, typed=shown)


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
