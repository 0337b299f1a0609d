"""RFC 5545 (iCalendar) export of watch parties.

One VEVENT per party with a stable UID (``watchparty-{guild_id}-{party_id}@projectionist``) so calendar apps
update an event in place when it is edited (SEQUENCE counts the edits) or cancelled (STATUS:CANCELLED). Times
are written in UTC (``DTSTART:20261205T200000Z``), which is valid everywhere and needs no VTIMEZONE; each
reader's app shows them in its own zone. Text escaping (``,`` ``;`` ``\\`` newlines) and line folding at 75
octets are done by the icalendar library, including for X-WR-CALNAME (an ``X-`` property, which icalendar
writes raw unless it is given a ``vText``); control characters (C0, C1, U+2028/9) are removed first and lone
surrogates become U+FFFD, because UTF-8 cannot encode them and one odd name must not break an export.
Events are ordered by start, then party id, so the output is deterministic. Party data that cannot be
exported (negative or out-of-range times, a non-web URL) raises :class:`IcsError`, a user error.

An empty party list gives a VCALENDAR with no VEVENT: calendar apps accept that for subscriptions, though
RFC 5545 strictly wants at least one component, so a one-off export command may prefer to say "nothing to
export" instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration, vText

from domain.errors import UserError

__all__ = ["ICS_MEDIA_TYPE", "IcsError", "IcsParty", "build_calendar", "event_uid"]

ICS_MEDIA_TYPE: Final = "text/calendar; charset=utf-8"
_MAX_TEXT: Final = 4000
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS: Final = re.compile(r"[\u2028\u2029\x85]")
# The latest instant a calendar (and Python's datetime) can hold: 9999-12-31T23:59:59Z.
_MAX_EPOCH: Final = 253402300799


class IcsError(UserError, ValueError):
    """A party that cannot be exported (bad times or URL)."""


@dataclass(frozen=True, slots=True)
class IcsParty:
    """What the calendar needs to know about a party. Times are UTC epoch seconds.

    ``sequence`` is the number of edits (RFC 5545 SEQUENCE, starts at 0); ``updated_epoch`` becomes
    LAST-MODIFIED when given; ``url`` must be http(s).
    """

    guild_id: int
    party_id: int
    title: str
    start_epoch: int
    end_epoch: int
    notes: str = ""
    location: str = ""
    cancelled: bool = False
    sequence: int = 0
    url: str | None = None
    created_epoch: int | None = None
    updated_epoch: int | None = None


def event_uid(guild_id: int, party_id: int) -> str:
    """The stable UID of a party's VEVENT."""
    return f"watchparty-{guild_id}-{party_id}@projectionist"


def _encodable(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD (UTF-8 can't hold them)."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _clean_text(text: str, limit: int = _MAX_TEXT) -> str:
    text = _LINE_BREAKS.sub("\n", _encodable(text).replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).strip()[:limit]


def _one_line(text: str, limit: int) -> str:
    return " ".join(_CONTROL.sub(" ", _LINE_BREAKS.sub(" ", _encodable(text))).split())[:limit]


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        parts = None
    unsafe = re.search(r"\s", url) or _CONTROL.search(url) or _encodable(url) != url
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or unsafe:
        raise IcsError("Not a web link: {url}", url=repr(_one_line(url, 80)))
    return url


def _event(party: IcsParty, stamp: datetime) -> Event:
    for name in ("guild_id", "party_id", "start_epoch", "end_epoch", "sequence"):
        value = getattr(party, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise IcsError(f"{name} must be a non-negative int, got {value!r}")
    for name in ("start_epoch", "end_epoch", "created_epoch", "updated_epoch"):
        value = getattr(party, name)
        if value is not None and not (isinstance(value, int) and 0 <= value <= _MAX_EPOCH):
            raise IcsError(f"Party {party.party_id} has a time a calendar can't hold ({name}={value!r}).")
    if party.end_epoch <= party.start_epoch:
        raise IcsError(f"Party {party.party_id} ends before it starts.")
    event = Event()
    event.add("uid", event_uid(party.guild_id, party.party_id))
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(party.start_epoch))
    event.add("dtend", _utc(party.end_epoch))
    event.add("summary", _one_line(party.title, 250) or "Watch party")
    if party.notes.strip():
        event.add("description", _clean_text(party.notes))
    if party.location.strip():
        event.add("location", _one_line(party.location, 250))
    event.add("status", "CANCELLED" if party.cancelled else "CONFIRMED")
    event.add("sequence", party.sequence)
    if party.url:
        event.add("url", _check_url(party.url))
    if party.created_epoch is not None:
        event.add("created", _utc(party.created_epoch))
    if party.updated_epoch is not None:
        event.add("last-modified", _utc(party.updated_epoch))
    event.add("transp", "OPAQUE")
    return event


def build_calendar(
    parties: Sequence[IcsParty],
    prodid: str,
    now: datetime,
    *,
    name: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """Serialise ``parties`` as an iCalendar file (UTF-8 bytes, CRLF line endings).

    ``prodid`` is the PRODID (e.g. ``"-//Projectionist//Watch parties//EN"``); ``now`` (aware) becomes every
    DTSTAMP; ``name`` sets X-WR-CALNAME, which many apps show as the calendar's title. ``refresh``, for a
    subscribed feed, suggests how often to poll it: REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL, the
    older name Outlook and Apple Calendar read.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (naive datetimes are a bug)")
    if not prodid.strip():
        raise ValueError("prodid must not be empty")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", _one_line(prodid, 200))
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", vText(_one_line(name, 200)))
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    for party in sorted(parties, key=lambda p: (p.start_epoch, p.guild_id, p.party_id)):
        calendar.add_component(_event(party, stamp))
    data: bytes = calendar.to_ical()
    return data
