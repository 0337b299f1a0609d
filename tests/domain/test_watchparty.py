"""The pure parts of a watch-party edit: what changed, and what attendees are told."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.markdown import escape_markdown
from domain.models import Party, PartyStatus
from domain.watchparty import (
    EDITABLE,
    cancel_notice,
    change_notice,
    demotion_notice,
    diff_party,
    promotion_notice,
)

START = 1_796_000_000
LATER = START + 86_400

PARTY = Party(
    id=7,
    guild_id=1,
    film="Alien",
    start_at=START,
    duration=7200,
    timezone="Europe/London",
    voice_channel_id=None,
    location="Room 1",
    notes=None,
    capacity=None,
    reminder_offsets=(86_400, 3_600),
    announce_channel_id=10,
    announce_message_id=99,
    event_id=None,
    thread_id=None,
    status=PartyStatus.SCHEDULED,
    cancel_reason=None,
    sequence=0,
    created_by=5,
    created_at=START - 10_000,
    updated_at=START - 10_000,
)


@pytest.mark.parametrize(
    ("edit", "fields"),
    [
        ({}, ()),
        ({"film": "Aliens"}, ("film",)),
        ({"start_at": LATER}, ("start_at",)),
        ({"start_at": LATER, "timezone": "America/New_York"}, ("start_at", "timezone")),
        ({"timezone": "America/New_York"}, ("timezone",)),
        ({"duration": 9000, "location": "Room 2"}, ("duration", "location")),
        ({"location": None}, ("location",)),
        ({"notes": "Doors 19:45"}, ("notes",)),
        ({"capacity": 5}, ("capacity",)),
        ({"reminder_offsets": (3_600,)}, ("reminder_offsets",)),
        # the same value given again is no change
        ({"film": "Alien", "location": "Room 1"}, ()),
        # bookkeeping columns are not edits
        ({"sequence": 3, "updated_at": START, "announce_message_id": 5, "event_id": 8}, ()),
        (
            {"reminder_offsets": (0,), "notes": "x", "film": "Ran", "start_at": LATER},
            ("film", "start_at", "notes", "reminder_offsets"),
        ),
    ],
)
def test_diff_party_lists_changed_editable_fields_in_order(
    edit: dict[str, object], fields: tuple[str, ...]
) -> None:
    changes = diff_party(PARTY, replace(PARTY, **edit))  # type: ignore[arg-type]
    assert changes.fields == fields
    assert bool(changes) == bool(fields)
    assert dict(changes.values()) == {name: edit[name] for name in fields}
    assert set(fields) <= set(EDITABLE)


@pytest.mark.parametrize(
    ("edit", "told", "on_event", "moves_reminders"),
    [
        ({"film": "Aliens"}, (), True, False),
        ({"start_at": LATER}, (), True, True),
        ({"reminder_offsets": (0,)}, (), False, True),
        ({"capacity": 3, "timezone": "Asia/Tokyo"}, (), False, False),
        ({"duration": 60, "location": "Room 2", "notes": "n"}, ("length", "place", "notes"), True, False),
        ({"notes": "n", "location": "Room 2"}, ("place", "notes"), True, False),
    ],
)
def test_what_an_edit_touches(
    edit: dict[str, object], told: tuple[str, ...], on_event: bool, moves_reminders: bool
) -> None:
    changes = diff_party(PARTY, replace(PARTY, **edit))  # type: ignore[arg-type]
    assert changes.told == told
    assert changes.shows_on_event is on_event
    assert changes.moves_reminders is moves_reminders


def test_diff_party_refuses_two_different_parties() -> None:
    with pytest.raises(ValueError, match="different parties"):
        diff_party(PARTY, replace(PARTY, id=8))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            {"start_at": LATER},
            f"📅 **Alien** (watch party #7) has moved to <t:{LATER}:F> (<t:{LATER}:R>); it was <t:{START}:F>.",
        ),
        (
            {"start_at": LATER, "film": "Aliens"},
            f"📅 **Aliens** (watch party #7) has moved to <t:{LATER}:F> (<t:{LATER}:R>); it was <t:{START}:F>."
            " The film was **Alien** before.",
        ),
        ({"film": "Aliens"}, f"📅 Watch party #7 on <t:{START}:F> is now **Aliens** (was Alien)."),
        (
            {"film": "Aliens", "notes": "Doors 19:45"},
            f"📅 Watch party #7 on <t:{START}:F> is now **Aliens** (was Alien)."
            " The notes changed too; see the announcement.",
        ),
        (
            {"start_at": LATER, "duration": 60, "location": "Room 2"},
            f"📅 **Alien** (watch party #7) has moved to <t:{LATER}:F> (<t:{LATER}:R>); it was <t:{START}:F>."
            " The length and place changed too; see the announcement.",
        ),
        (
            {"location": "Room 2", "notes": "Doors 19:45"},
            f"📝 **Alien** on <t:{START}:F> (watch party #7): the place and notes changed; see the announcement.",
        ),
        (
            {"duration": 60},
            f"📝 **Alien** on <t:{START}:F> (watch party #7): the length changed; see the announcement.",
        ),
        # the organiser's business: nobody is told
        ({"capacity": 3}, ""),
        ({"reminder_offsets": (0,), "timezone": "Asia/Tokyo"}, ""),
        ({}, ""),
    ],
)
def test_change_notice(edit: dict[str, object], expected: str) -> None:
    assert change_notice(diff_party(PARTY, replace(PARTY, **edit))) == expected  # type: ignore[arg-type]


HOSTILE = "@everyone || [Free](https://x.example) <@123>"


@pytest.mark.parametrize(
    ("before", "after", "edit"),
    [
        (HOSTILE, "Alien", {"start_at": LATER}),  # the old film's name in "The film was ... before."
        ("Alien", HOSTILE, {"start_at": LATER}),
        (HOSTILE, "Alien", {}),  # "(was ...)"
        ("Alien", HOSTILE, {}),
        (HOSTILE, HOSTILE + "!", {"notes": "x"}),
    ],
)
def test_change_notice_escapes_both_titles(before: str, after: str, edit: dict[str, object]) -> None:
    old = replace(PARTY, film=before)
    notice = change_notice(diff_party(old, replace(old, film=after, **edit)))  # type: ignore[arg-type]
    assert "@everyone" not in notice and "||" not in notice and "<@123>" not in notice
    assert escape_markdown(HOSTILE) in notice


def test_member_notices_escape_user_text() -> None:
    party = replace(PARTY, film=HOSTILE)
    for notice in (promotion_notice(party), demotion_notice(party), cancel_notice(party, HOSTILE)):
        assert "@everyone" not in notice and "||" not in notice
        assert escape_markdown(HOSTILE) in notice
    assert cancel_notice(PARTY, None) == f"❌ **Alien** on <t:{START}:F> (watch party #7) is cancelled."
    assert (
        cancel_notice(PARTY, "snow") == f"❌ **Alien** on <t:{START}:F> (watch party #7) is cancelled (snow)."
    )
    assert promotion_notice(PARTY) == "🎟️ A seat opened up for **Alien** (watch party #7): you're going now!"
    assert demotion_notice(PARTY).startswith("⏳ **Alien** (watch party #7) now has fewer seats")
