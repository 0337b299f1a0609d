from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from domain.errors import UserError
from domain.ics import ICS_MEDIA_TYPE, IcsError, IcsParty, build_calendar, event_uid

NOW = datetime(2026, 11, 25, 15, 0, 42, 123456, tzinfo=UTC)
START = 1_796_500_800  # 2026-12-05 20:00:00 UTC
PRODID = "-//Projectionist//Watch parties//EN"


def party(**changes: object) -> IcsParty:
    base: dict[str, object] = {
        "guild_id": 111,
        "party_id": 7,
        "title": "Alien",
        "start_epoch": START,
        "end_epoch": START + 7020,
    }
    base.update(changes)
    return IcsParty(**base)  # type: ignore[arg-type]


def events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_fields_round_trip() -> None:
    data = build_calendar(
        [
            party(
                notes="Bring snacks.\nDoors at 19:45.",
                location="Voice: Cinema",
                sequence=2,
                url="https://example.com/parties/7",
                created_epoch=START - 10 * 86400,
                updated_epoch=START - 86400,
            )
        ],
        PRODID,
        NOW,
        name="Film club",
    )
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == "Film club"
    (event,) = events(data)
    assert str(event["UID"]) == "watchparty-111-7@projectionist"
    assert event["DTSTART"].dt == datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 12, 5, 21, 57, tzinfo=UTC)
    assert event["DTSTAMP"].dt == datetime(2026, 11, 25, 15, 0, 42, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Alien"
    assert str(event["DESCRIPTION"]) == "Bring snacks.\nDoors at 19:45."
    assert str(event["LOCATION"]) == "Voice: Cinema"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 2
    assert str(event["URL"]) == "https://example.com/parties/7"
    assert event["CREATED"].dt == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def test_times_are_written_in_utc() -> None:
    data = build_calendar([party()], PRODID, NOW)
    assert b"DTSTART:20261205T200000Z\r\n" in data
    assert b"DTEND:20261205T215700Z\r\n" in data
    assert b"DTSTAMP:20261125T150042Z\r\n" in data
    assert b"VTIMEZONE" not in data


def test_dtstamp_from_another_zone_is_converted() -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    assert b"DTSTAMP:20261125T100000Z" in build_calendar([party()], PRODID, now)


@pytest.mark.parametrize(
    ("cancelled", "status"),
    [(False, "CONFIRMED"), (True, "CANCELLED")],
)
def test_status(cancelled: bool, status: str) -> None:
    (event,) = events(build_calendar([party(cancelled=cancelled)], PRODID, NOW))
    assert str(event["STATUS"]) == status


@pytest.mark.parametrize(
    ("title", "raw_line_part"),
    [
        ("Crouching Tiger, Hidden Dragon", b"SUMMARY:Crouching Tiger\\, Hidden Dragon"),
        ("Me; Myself & I", b"SUMMARY:Me\\; Myself & I"),
        ("Back\\slash", b"SUMMARY:Back\\\\slash"),
        ("Two\nlines", b"SUMMARY:Two lines"),  # a summary is one line
        ("Tab\there\x00", b"SUMMARY:Tab here"),  # control characters dropped
    ],
)
def test_summary_escaping(title: str, raw_line_part: bytes) -> None:
    data = build_calendar([party(title=title)], PRODID, NOW)
    assert raw_line_part in data
    (event,) = events(data)
    expected = " ".join(title.replace("\x00", "").split())
    assert str(event["SUMMARY"]) == expected


@pytest.mark.parametrize(
    "notes",
    [
        "Line one\nLine two, with comma; and semicolon",
        "Windows\r\nnewlines\rtoo",
        "Ünïcödé 🎬 " * 30,
    ],
)
def test_description_escaping_round_trips(notes: str) -> None:
    (event,) = events(build_calendar([party(notes=notes)], PRODID, NOW))
    assert str(event["DESCRIPTION"]) == notes.replace("\r\n", "\n").replace("\r", "\n").strip()


def test_long_utf8_title_is_folded_and_round_trips() -> None:
    title = "Amélie: le fabuleux destin, " * 6 + "🎬" * 20
    data = build_calendar([party(title=title)], PRODID, NOW)
    lines = data.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines)  # folded
    assert all(len(line) <= 75 for line in lines)  # 75 octets per line
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    (event,) = events(data)
    assert str(event["SUMMARY"]) == title.strip()[:250]


def test_output_is_crlf_and_well_formed() -> None:
    data = build_calendar([party(), party(party_id=8, notes="x\ny")], PRODID, NOW)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert data.count(b"BEGIN:VEVENT\r\n") == data.count(b"END:VEVENT\r\n") == 2
    for required in (b"VERSION:2.0", b"PRODID:", b"UID:", b"DTSTAMP:", b"DTSTART:"):
        assert required in data


def test_events_are_ordered_and_uids_stable() -> None:
    parties = [party(party_id=9, start_epoch=START + 86400, end_epoch=START + 90000), party(party_id=3)]
    first = build_calendar(parties, PRODID, NOW)
    second = build_calendar(list(reversed(parties)), PRODID, NOW)
    assert first == second
    assert [str(e["UID"]) for e in events(first)] == [event_uid(111, 3), event_uid(111, 9)]


def test_empty_calendar() -> None:
    data = build_calendar([], PRODID, NOW)
    assert events(data) == []
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_optional_fields_are_omitted() -> None:
    data = build_calendar([party()], PRODID, NOW)
    for absent in (b"DESCRIPTION", b"LOCATION", b"URL", b"CREATED", b"LAST-MODIFIED", b"X-WR-CALNAME"):
        assert absent not in data


def test_empty_title_gets_a_placeholder() -> None:
    (event,) = events(build_calendar([party(title="   ")], PRODID, NOW))
    assert str(event["SUMMARY"]) == "Watch party"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_epoch": START}, "ends before it starts"),
        ({"end_epoch": START - 1}, "ends before it starts"),
        ({"sequence": -1}, "sequence"),
        ({"party_id": True}, "party_id"),
        ({"url": "javascript:alert(1)"}, "Not a web link"),
        ({"url": "https://exa mple.com"}, "Not a web link"),
        ({"url": "ftp://example.com/x"}, "Not a web link"),
    ],
)
def test_invalid_parties(changes: dict[str, object], message: str) -> None:
    with pytest.raises(IcsError, match=message):
        build_calendar([party(**changes)], PRODID, NOW)


def test_naive_now_and_empty_prodid() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_calendar([party()], PRODID, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="prodid"):
        build_calendar([party()], "  ", NOW)


def test_media_type_and_duration_sanity() -> None:
    assert ICS_MEDIA_TYPE.startswith("text/calendar")
    (event,) = events(build_calendar([party()], PRODID, NOW))
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(seconds=7020)


# ---------------------------------------------------------------- hostile names (issue 11: bad input never crashes)

NASTY_NAMES = [
    ("Film club, Tuesdays; 8pm", b"X-WR-CALNAME:Film club\\, Tuesdays\\; 8pm\r\n"),
    ("back\\slash", b"X-WR-CALNAME:back\\\\slash\r\n"),
    ("two\nlines\r\nthree", b"X-WR-CALNAME:two lines three\r\n"),
    ("bell\x07 nul\x00 esc\x1b c1\x85 del\x7f end", b"X-WR-CALNAME:bell nul esc c1 del end\r\n"),
    ("para\u2028graph", b"X-WR-CALNAME:para graph\r\n"),
    ("lone \ud800 surrogate", "X-WR-CALNAME:lone \ufffd surrogate\r\n".encode()),
    ("paired \ud83c\udfac surrogates", "X-WR-CALNAME:paired 🎬 surrogates\r\n".encode()),
]


@pytest.mark.parametrize(("name", "line"), NASTY_NAMES)
def test_calendar_name_is_escaped(name: str, line: bytes) -> None:
    data = build_calendar([party()], PRODID, NOW, name=name)
    assert line in data
    assert data.count(b"\r\n") == data.count(b"\n")  # no bare newline split a content line


@pytest.mark.parametrize("text", [name for name, _ in NASTY_NAMES])
def test_hostile_text_in_every_field_exports_cleanly(text: str) -> None:
    data = build_calendar([party(title=text, notes=text, location=text)], text or PRODID, NOW, name=text)
    data.decode("utf-8")  # valid UTF-8 throughout
    for raw_line in data.split(b"\r\n"):
        assert not any(byte < 0x20 and byte != 0x09 for byte in raw_line), raw_line
    (event,) = events(data)
    for key in ("SUMMARY", "LOCATION"):
        value = str(event[key])
        assert "\n" not in value and "\ud800" not in value


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_epoch": 10**12, "end_epoch": 10**12 + 60}, "can't hold"),
        ({"created_epoch": 10**13}, "can't hold"),
        ({"updated_epoch": -5}, "can't hold"),
        ({"url": "http://[::1"}, "Not a web link"),
        ({"url": "https://example.com/\x00x"}, "Not a web link"),
        ({"url": "https://example.com/\ud800"}, "Not a web link"),
    ],
)
def test_unexportable_parties_raise_the_typed_user_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        build_calendar([party(**changes)], PRODID, NOW)


def test_refresh_hint_for_subscriptions() -> None:
    data = build_calendar([party()], PRODID, NOW, refresh=timedelta(minutes=90))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H30M\r\n" in data
    assert b"REFRESH-INTERVAL" not in build_calendar([party()], PRODID, NOW)
