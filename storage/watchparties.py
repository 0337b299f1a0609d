"""Repository for watch parties, their RSVPs and their reminder jobs.

Reads take the :class:`Database` or a connection (to read inside a transaction); writes take the connection
of a ``db.transaction()`` so the service can compose them (a party and its reminders are one transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

import aiosqlite

from domain.models import Party, PartyStatus, ReminderRow, ReminderState, Rsvp, RsvpChoice
from storage._rows import row_to
from storage.db import Database

Source = Database | aiosqlite.Connection

# members compare equal to the stored strings, so these accept a plain str too
CHOICES: tuple[RsvpChoice, ...] = tuple(RsvpChoice)
REMINDER_STATES: tuple[ReminderState, ...] = tuple(ReminderState)


# Columns :func:`update_party` may change (names come from this tuple, never from input).
_UPDATABLE = (
    "film",
    "start_at",
    "duration",
    "timezone",
    "location",
    "notes",
    "capacity",
    "reminder_offsets",
    "announce_message_id",
    "event_id",
    "thread_id",
    "status",
    "cancel_reason",
    "sequence",
)


def _conn(db: Source) -> aiosqlite.Connection:
    return db.conn if isinstance(db, Database) else db


async def _one(db: Source, sql: str, params: Sequence[object]) -> sqlite3.Row | None:
    async with _conn(db).execute(sql, tuple(params)) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
    return row


async def _all(db: Source, sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
    async with _conn(db).execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


def _party(row: sqlite3.Row) -> Party:
    return row_to(Party, row)


def _rsvp(row: sqlite3.Row) -> Rsvp:
    return row_to(Rsvp, row)


def _reminder(row: sqlite3.Row) -> ReminderRow:
    return row_to(ReminderRow, row)


# ----------------------------------------------------------------------------------------------- parties


async def insert_party(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    film: str,
    start_at: int,
    duration: int,
    timezone: str,
    voice_channel_id: int | None,
    location: str | None,
    notes: str | None,
    capacity: int | None,
    reminder_offsets: Iterable[int],
    announce_channel_id: int,
    created_by: int,
    now: int,
) -> int:
    cur = await conn.execute(
        "INSERT INTO watchparties (guild_id, film, start_at, duration, timezone, voice_channel_id, location, "
        "notes, capacity, reminder_offsets, announce_channel_id, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            guild_id,
            film,
            start_at,
            duration,
            timezone,
            voice_channel_id,
            location,
            notes,
            capacity,
            json.dumps([int(x) for x in reminder_offsets]),
            announce_channel_id,
            created_by,
            now,
            now,
        ),
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


async def update_party(conn: aiosqlite.Connection, party_id: int, *, now: int, **changes: object) -> None:
    """Set the given columns (see ``_UPDATABLE``); ``reminder_offsets`` may be given as a sequence of ints."""
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise ValueError(f"unknown watch party columns: {sorted(unknown)}")
    if not changes:
        return
    values: list[object] = []
    for column, value in changes.items():
        if column == "reminder_offsets" and not isinstance(value, str):
            value = json.dumps([int(x) for x in value])  # type: ignore[attr-defined]
        values.append(value)
    assignments = ", ".join(f"{column} = ?" for column in changes)
    await conn.execute(
        f"UPDATE watchparties SET {assignments}, updated_at = ? WHERE id = ?", (*values, now, party_id)
    )


async def delete_party(conn: aiosqlite.Connection, party_id: int) -> None:
    """Remove a party whose announcement could not be posted (cascades to RSVPs and reminders)."""
    await conn.execute("DELETE FROM watchparties WHERE id = ?", (party_id,))


async def get_party(db: Source, party_id: int, guild_id: int | None = None) -> Party | None:
    if guild_id is None:
        row = await _one(db, "SELECT * FROM watchparties WHERE id = ?", (party_id,))
    else:
        row = await _one(db, "SELECT * FROM watchparties WHERE id = ? AND guild_id = ?", (party_id, guild_id))
    return _party(row) if row else None


async def party_by_event(db: Source, guild_id: int, event_id: int) -> Party | None:
    row = await _one(
        db, "SELECT * FROM watchparties WHERE guild_id = ? AND event_id = ?", (guild_id, event_id)
    )
    return _party(row) if row else None


async def upcoming_parties(db: Source, guild_id: int, now: int, limit: int = 100) -> list[Party]:
    """Scheduled parties that have not ended yet (including one in progress), soonest first."""
    rows = await _all(
        db,
        "SELECT * FROM watchparties WHERE guild_id = ? AND status = ? AND start_at + duration > ? "
        "ORDER BY start_at, id LIMIT ?",
        (guild_id, PartyStatus.SCHEDULED, now, limit),
    )
    return [_party(r) for r in rows]


async def count_upcoming(db: Source, guild_id: int, now: int) -> int:
    row = await _one(
        db,
        "SELECT COUNT(*) FROM watchparties WHERE guild_id = ? AND status = ? AND start_at + duration > ?",
        (guild_id, PartyStatus.SCHEDULED, now),
    )
    return int(row[0]) if row else 0


async def parties_ending_after(db: Source, guild_id: int, since: int) -> list[Party]:
    """Scheduled parties whose end is after ``since`` (the spoiler shield passes now - spoiler window)."""
    rows = await _all(
        db,
        "SELECT * FROM watchparties WHERE guild_id = ? AND status = ? AND start_at + duration >= ? "
        "ORDER BY start_at, id",
        (guild_id, PartyStatus.SCHEDULED, since),
    )
    return [_party(r) for r in rows]


# -------------------------------------------------------------------------------------------------- rsvps


async def get_rsvps(db: Source, party_id: int) -> list[Rsvp]:
    """Every answer for the party, in queue order (seq)."""
    rows = await _all(db, "SELECT * FROM rsvps WHERE party_id = ? ORDER BY seq, user_id", (party_id,))
    return [_rsvp(r) for r in rows]


async def get_rsvp(db: Source, party_id: int, user_id: int) -> Rsvp | None:
    row = await _one(db, "SELECT * FROM rsvps WHERE party_id = ? AND user_id = ?", (party_id, user_id))
    return _rsvp(row) if row else None


async def set_rsvp(
    conn: aiosqlite.Connection, party_id: int, user_id: int, choice: RsvpChoice, now: int
) -> bool:
    """Record ``user_id``'s answer; returns whether anything changed.

    A member who was already Going keeps their place in the queue; anyone else choosing Going (or changing
    away from it) goes to the back (a fresh ``seq``).
    """
    if choice not in CHOICES:
        raise ValueError(f"unknown RSVP choice {choice!r}")
    current = await get_rsvp(conn, party_id, user_id)
    if current is not None and current.choice == choice:
        return False
    row = await _one(conn, "SELECT COALESCE(MAX(seq), 0) + 1 FROM rsvps WHERE party_id = ?", (party_id,))
    seq = int(row[0]) if row else 1
    await conn.execute(
        "INSERT INTO rsvps (party_id, user_id, choice, seq, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (party_id, user_id) DO UPDATE SET choice = excluded.choice, seq = excluded.seq, "
        "updated_at = excluded.updated_at",
        (party_id, user_id, choice, seq, now),
    )
    return True


# ---------------------------------------------------------------------------------------------- reminders


async def insert_reminders(conn: aiosqlite.Connection, party_id: int, jobs: Iterable[tuple[str, int]]) -> int:
    """Store ``(key, due_at)`` jobs as pending; returns how many became pending.

    A job identical to a superseded one (a party moved away and back) is revived; one identical to a fired,
    missed or dropped job is left alone: it already happened.
    """
    count = 0
    for key, due_at in jobs:
        cur = await conn.execute(
            "INSERT INTO reminders (party_id, key, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT (party_id, key, due_at) DO UPDATE SET state = ?, attempts = 0, "
            "last_error = NULL, done_at = NULL WHERE reminders.state = ?",
            (party_id, key, due_at, ReminderState.PENDING, ReminderState.SUPERSEDED),
        )
        count += max(cur.rowcount, 0)
    return count


async def party_reminders(db: Source, party_id: int, state: ReminderState | None = None) -> list[ReminderRow]:
    if state is None:
        rows = await _all(db, "SELECT * FROM reminders WHERE party_id = ? ORDER BY due_at, id", (party_id,))
    else:
        rows = await _all(
            db,
            "SELECT * FROM reminders WHERE party_id = ? AND state = ? ORDER BY due_at, id",
            (party_id, state),
        )
    return [_reminder(r) for r in rows]


async def due_reminders(db: Source, now: int, limit: int = 200) -> list[ReminderRow]:
    """Pending reminders due at or before ``now``, oldest first."""
    rows = await _all(
        db,
        "SELECT * FROM reminders WHERE state = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (ReminderState.PENDING, now, limit),
    )
    return [_reminder(r) for r in rows]


async def next_due_at(db: Source) -> int | None:
    row = await _one(db, "SELECT MIN(due_at) FROM reminders WHERE state = ?", (ReminderState.PENDING,))
    return None if row is None or row[0] is None else int(row[0])


async def count_pending(db: Source) -> int:
    row = await _one(db, "SELECT COUNT(*) FROM reminders WHERE state = ?", (ReminderState.PENDING,))
    return int(row[0]) if row else 0


async def finish_reminder(
    conn: aiosqlite.Connection, reminder_id: int, state: ReminderState, now: int, error: str | None = None
) -> bool:
    """Move a pending reminder to ``state`` (fired/missed/dropped/superseded); False if it was not pending."""
    if state not in REMINDER_STATES or state == ReminderState.PENDING:
        raise ValueError(f"not a final reminder state: {state!r}")
    cur = await conn.execute(
        "UPDATE reminders SET state = ?, done_at = ?, last_error = COALESCE(?, last_error) "
        "WHERE id = ? AND state = ?",
        (state, now, error, reminder_id, ReminderState.PENDING),
    )
    return cur.rowcount == 1


async def reopen_outcome(
    conn: aiosqlite.Connection, reminder_id: int, state: ReminderState, error: str
) -> None:
    """A fired job whose message never went out (the outbox gave up): record it as missed or dropped."""
    if state not in (ReminderState.MISSED, ReminderState.DROPPED):
        raise ValueError(f"not an outcome of an undelivered reminder: {state!r}")
    await conn.execute(
        "UPDATE reminders SET state = ?, last_error = ? WHERE id = ? AND state = ?",
        (state, error[:300], reminder_id, ReminderState.FIRED),
    )


async def record_attempt(conn: aiosqlite.Connection, reminder_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE reminders SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:300], reminder_id),
    )


async def supersede_reminders(
    conn: aiosqlite.Connection, party_id: int, now: int, ids: Iterable[int] | None = None
) -> int:
    """Mark a party's pending reminders superseded (all, or the rows in ``ids``); returns how many."""
    if ids is None:
        cur = await conn.execute(
            "UPDATE reminders SET state = ?, done_at = ? WHERE party_id = ? AND state = ?",
            (ReminderState.SUPERSEDED, now, party_id, ReminderState.PENDING),
        )
        return cur.rowcount
    total = 0
    for reminder_id in set(ids):
        cur = await conn.execute(
            "UPDATE reminders SET state = ?, done_at = ? WHERE party_id = ? AND id = ? AND state = ?",
            (ReminderState.SUPERSEDED, now, party_id, reminder_id, ReminderState.PENDING),
        )
        total += cur.rowcount
    return total
