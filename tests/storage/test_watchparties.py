"""The watch-party repository against a real SQLite file (migrated from empty)."""

from __future__ import annotations

from typing import Any

import pytest

from storage import club as club_repo
from storage import watchparties as repo
from storage.db import Database

GUILD = 1
OTHER_GUILD = 2
NOW = 1_800_000_000


async def make_party(db: Database, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "guild_id": GUILD,
        "film": "Alien",
        "start_at": NOW + 86_400,
        "duration": 7_200,
        "timezone": "Europe/London",
        "voice_channel_id": None,
        "location": "#general",
        "notes": None,
        "capacity": None,
        "reminder_offsets": (86_400, 3_600, 0),
        "announce_channel_id": 10,
        "created_by": 99,
        "now": NOW,
    }
    values.update(overrides)
    async with db.transaction() as conn:
        return await repo.insert_party(conn, **values)


async def test_insert_get_and_update_round_trip(db: Database) -> None:
    party_id = await make_party(db, capacity=5, notes="Bring snacks")
    party = await repo.get_party(db, party_id)
    assert party is not None
    assert (party.film, party.capacity, party.notes, party.reminder_offsets) == (
        "Alien",
        5,
        "Bring snacks",
        (86_400, 3_600, 0),
    )
    assert party.end_at == NOW + 86_400 + 7_200 and not party.cancelled and party.sequence == 0
    assert await repo.get_party(db, party_id, OTHER_GUILD) is None  # ids are scoped to their guild
    async with db.transaction() as conn:
        await repo.update_party(
            conn, party_id, now=NOW + 5, film="Aliens", reminder_offsets=[600], event_id=77, sequence=1
        )
    updated = await repo.get_party(db, party_id, GUILD)
    assert updated is not None
    assert (
        updated.film,
        updated.reminder_offsets,
        updated.event_id,
        updated.sequence,
        updated.updated_at,
    ) == (
        "Aliens",
        (600,),
        77,
        1,
        NOW + 5,
    )
    assert await repo.party_by_event(db, GUILD, 77) == updated
    assert await repo.party_by_event(db, OTHER_GUILD, 77) is None


async def test_update_refuses_unknown_columns(db: Database) -> None:
    party_id = await make_party(db)
    with pytest.raises(ValueError, match="guild_id"):
        async with db.transaction() as conn:
            await repo.update_party(conn, party_id, now=NOW, guild_id=5)


async def test_upcoming_skips_cancelled_ended_and_other_guilds(db: Database) -> None:
    later = await make_party(db, film="Later", start_at=NOW + 7 * 86_400)
    soon = await make_party(db, film="Soon", start_at=NOW + 3_600)
    running = await make_party(db, film="Running", start_at=NOW - 3_600)  # ends at NOW + 3600
    await make_party(db, film="Over", start_at=NOW - 3 * 3_600)
    cancelled = await make_party(db, film="Cancelled", start_at=NOW + 3_600)
    await make_party(db, film="Elsewhere", guild_id=OTHER_GUILD)
    async with db.transaction() as conn:
        await repo.update_party(conn, cancelled, now=NOW, status="cancelled")
    upcoming = await repo.upcoming_parties(db, GUILD, NOW)
    assert [p.id for p in upcoming] == [running, soon, later]
    assert await repo.count_upcoming(db, GUILD, NOW) == 3
    assert [p.film for p in await repo.upcoming_parties(db, GUILD, NOW, limit=1)] == ["Running"]
    # the spoiler shield looks back: parties that ended after a moment in the past
    ending = await repo.parties_ending_after(db, GUILD, NOW - 2 * 3_600)
    assert [p.film for p in ending] == ["Over", "Running", "Soon", "Later"]


async def test_rsvp_queue_order_and_changes(db: Database) -> None:
    party_id = await make_party(db)
    async with db.transaction() as conn:
        assert await repo.set_rsvp(conn, party_id, 1, "going", NOW)
        assert await repo.set_rsvp(conn, party_id, 2, "going", NOW)
        assert await repo.set_rsvp(conn, party_id, 3, "maybe", NOW)
        assert not await repo.set_rsvp(conn, party_id, 1, "going", NOW + 1)  # same answer: no change
    first = {r.user_id: r for r in await repo.get_rsvps(db, party_id)}
    assert [r.user_id for r in await repo.get_rsvps(db, party_id)] == [1, 2, 3]
    async with db.transaction() as conn:
        assert await repo.set_rsvp(conn, party_id, 1, "maybe", NOW + 2)
        assert await repo.set_rsvp(conn, party_id, 1, "going", NOW + 3)  # back of the queue
    rows = await repo.get_rsvps(db, party_id)
    assert [(r.user_id, r.choice) for r in rows] == [(2, "going"), (3, "maybe"), (1, "going")]
    assert rows[-1].seq > first[3].seq and rows[-1].updated_at == NOW + 3
    with pytest.raises(ValueError):
        async with db.transaction() as conn:
            await repo.set_rsvp(conn, party_id, 4, "perhaps", NOW)
    assert await repo.get_rsvp(db, party_id, 4) is None


async def test_reminder_lifecycle(db: Database) -> None:
    party_id = await make_party(db)
    async with db.transaction() as conn:
        created = await repo.insert_reminders(
            conn, party_id, [("before:3600", NOW + 100), ("start", NOW + 200), ("discussion", NOW + 300)]
        )
    assert created == 3 and await repo.count_pending(db) == 3
    assert await repo.next_due_at(db) == NOW + 100
    due = await repo.due_reminders(db, NOW + 200)
    assert [r.key for r in due] == ["before:3600", "start"]
    assert due[0].nonce_base == f"wpr{due[0].id}"
    async with db.transaction() as conn:
        await repo.record_attempt(conn, due[0].id, "503 Service Unavailable " * 30)
        assert await repo.finish_reminder(conn, due[0].id, "fired", NOW + 101)
        assert not await repo.finish_reminder(conn, due[0].id, "missed", NOW + 102)  # only pending rows move
    fired = await db.fetchone("SELECT * FROM reminders WHERE id = ?", (due[0].id,))
    assert fired is not None
    assert (fired["state"], fired["attempts"], fired["done_at"]) == ("fired", 1, NOW + 101)
    assert fired["last_error"] is not None and len(fired["last_error"]) == 300
    with pytest.raises(ValueError):
        async with db.transaction() as conn:
            await repo.finish_reminder(conn, due[1].id, "pending", NOW)
    async with db.transaction() as conn:
        assert await repo.supersede_reminders(conn, party_id, NOW, [due[1].id]) == 1
        assert await repo.supersede_reminders(conn, party_id, NOW) == 1  # the discussion job
    assert await repo.count_pending(db) == 0 and await repo.next_due_at(db) is None
    # the same job again: a superseded row is revived, a fired one is history and stays fired
    async with db.transaction() as conn:
        again = await repo.insert_reminders(
            conn, party_id, [("before:3600", NOW + 100), ("start", NOW + 200), ("start", NOW + 900)]
        )
    assert again == 2
    states = [(r.key, r.due_at, r.state) for r in await repo.party_reminders(db, party_id)]
    assert states == [
        ("before:3600", NOW + 100, "fired"),
        ("start", NOW + 200, "pending"),
        ("discussion", NOW + 300, "superseded"),
        ("start", NOW + 900, "pending"),
    ]
    assert [r.key for r in await repo.party_reminders(db, party_id, "superseded")] == ["discussion"]


async def test_deleting_a_party_cascades_and_forget_me_deletes_rsvps(db: Database) -> None:
    keep = await make_party(db)
    gone = await make_party(db)
    async with db.transaction() as conn:
        await repo.set_rsvp(conn, keep, 42, "going", NOW)
        await repo.set_rsvp(conn, gone, 42, "maybe", NOW)
        await repo.insert_reminders(conn, gone, [("start", NOW + 10)])
        await repo.delete_party(conn, gone)
    assert await repo.get_party(db, gone) is None
    assert await repo.get_rsvps(db, gone) == [] and await repo.party_reminders(db, gone) == []
    counts = await club_repo.count_member_data(db, 42)
    assert counts["rsvps"] == 1
    async with db.transaction() as conn:
        deleted = await club_repo.delete_member_data(conn, 42)
    assert deleted["rsvps"] == 1 and await repo.get_rsvps(db, keep) == []
