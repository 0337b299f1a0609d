"""Repository for reaction polls, their votes and film nominations.

The vote path is deliberately a handful of indexed statements: :func:`vote_state` reads a poll's status
and one member's current options in a single query, :func:`add_vote` computes the next ``seq`` inside
its INSERT, and :func:`delete_vote` checks the poll is open inside the DELETE. Callers wrap them in one
``db.transaction()`` per reaction event.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import aiosqlite

from domain.models import Nomination, NominationStatus, Poll, PollKind, PollMode, PollStatus
from domain.polls import Vote
from storage._rows import row_to
from storage.db import Database

DB = Database | aiosqlite.Connection

# Statuses and kinds are bound as parameters from the enums (never spelled out in SQL text).
_PENDING, _OPEN, _CLOSED = PollStatus.PENDING, PollStatus.OPEN, PollStatus.CLOSED
_ARCHIVED, _IN_POLL = NominationStatus.ARCHIVED, NominationStatus.IN_POLL


class DuplicateNomination(Exception):
    """The UNIQUE index on live nominations refused the row."""


def _conn(db: DB) -> aiosqlite.Connection:
    return db.conn if isinstance(db, Database) else db


async def _all(db: DB, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
    # execute_fetchall runs the statement and fetches in one hop to the database thread
    return list(await _conn(db).execute_fetchall(sql, tuple(params)))


async def _write(db: DB, sql: str, params: Sequence[object]) -> int:
    """One write statement: on a :class:`Database`, atomic by itself under the writer lock (one round trip);
    on a connection, part of the caller's transaction. Returns the number of rows changed."""
    if isinstance(db, Database):
        return await db.write(sql, params)
    cur = await db.execute(sql, tuple(params))
    return cur.rowcount


async def _one(db: DB, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
    rows = await _all(db, sql, params)
    return rows[0] if rows else None


def _poll(row: sqlite3.Row) -> Poll:
    return row_to(Poll, row)


def _nomination(row: sqlite3.Row) -> Nomination:
    return row_to(Nomination, row)


# ----------------------------------------------------------------------------------------------------- polls


async def create_poll(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    channel_id: int,
    created_by: int,
    kind: PollKind,
    question: str,
    options: Sequence[str],
    mode: PollMode,
    max_choices: int | None,
    created_at: int,
    closes_at: int,
) -> int:
    """Insert a 'pending' poll (no message yet) and return its id."""
    cur = await conn.execute(
        "INSERT INTO polls (guild_id, channel_id, created_by, kind, question, options, mode, max_choices, "
        "status, created_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            guild_id,
            channel_id,
            created_by,
            kind,
            question,
            json.dumps(list(options), ensure_ascii=False),
            mode,
            max_choices,
            _PENDING,
            created_at,
            closes_at,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def activate_poll(conn: aiosqlite.Connection, poll_id: int, message_id: int) -> None:
    await conn.execute(
        "UPDATE polls SET message_id = ?, status = ? WHERE id = ? AND status = ?",
        (message_id, _OPEN, poll_id, _PENDING),
    )


async def discard_pending_poll(conn: aiosqlite.Connection, poll_id: int) -> bool:
    """Delete a poll whose message never went out, putting its nominations back in the round; False if it
    is not pending (its message was posted after all)."""
    pending = await _one(conn, "SELECT 1 FROM polls WHERE id = ? AND status = ?", (poll_id, _PENDING))
    if pending is None:
        return False
    # before the DELETE: its foreign key clears the nominations' poll_id
    await reopen_poll_nominations(conn, poll_id)
    await conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
    return True


async def stale_pending_polls(db: DB, before: int, *, queued_kind: str) -> list[int]:
    """Pending polls created before ``before`` with no message of ``queued_kind`` waiting in the outbox."""
    rows = await _all(
        db,
        "SELECT id FROM polls WHERE status = ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM outbox o "
        "WHERE o.kind = ? AND o.owner_id = polls.id AND o.state IN ('pending', 'held'))",
        (_PENDING, before, queued_kind),
    )
    return [r["id"] for r in rows]


async def get_poll(db: DB, poll_id: int, guild_id: int | None = None) -> Poll | None:
    """The poll, or None; with ``guild_id``, only if it belongs to that server."""
    if guild_id is None:
        row = await _one(db, "SELECT * FROM polls WHERE id = ?", (poll_id,))
    else:
        row = await _one(db, "SELECT * FROM polls WHERE id = ? AND guild_id = ?", (poll_id, guild_id))
    return _poll(row) if row else None


async def open_polls(db: DB, guild_id: int | None = None) -> list[Poll]:
    if guild_id is None:
        rows = await _all(db, "SELECT * FROM polls WHERE status = ? ORDER BY id", (_OPEN,))
    else:
        rows = await _all(
            db, "SELECT * FROM polls WHERE guild_id = ? AND status = ? ORDER BY id", (guild_id, _OPEN)
        )
    return [_poll(r) for r in rows]


async def recent_polls(db: DB, guild_id: int, *, open_only: bool, limit: int = 100) -> list[Poll]:
    """Newest first (for autocomplete)."""
    status = (_OPEN, _OPEN) if open_only else (_OPEN, _CLOSED)
    rows = await _all(
        db,
        "SELECT * FROM polls WHERE guild_id = ? AND status IN (?, ?) ORDER BY id DESC LIMIT ?",
        (guild_id, *status, limit),
    )
    return [_poll(r) for r in rows]


async def due_polls(db: DB, now: int) -> list[Poll]:
    rows = await _all(
        db, "SELECT * FROM polls WHERE status = ? AND closes_at <= ? ORDER BY closes_at", (_OPEN, now)
    )
    return [_poll(r) for r in rows]


async def count_open(db: DB, guild_id: int) -> int:
    row = await _one(
        db, "SELECT COUNT(*) AS n FROM polls WHERE guild_id = ? AND status = ?", (guild_id, _OPEN)
    )
    return int(row["n"]) if row else 0


async def last_created_at(db: DB, guild_id: int, user_id: int) -> int | None:
    row = await _one(
        db,
        "SELECT MAX(created_at) AS t FROM polls WHERE guild_id = ? AND created_by = ? AND kind = ?",
        (guild_id, user_id, PollKind.POLL),
    )
    return None if row is None else row["t"]


async def open_pick(db: DB, guild_id: int) -> Poll | None:
    row = await _one(
        db,
        "SELECT * FROM polls WHERE guild_id = ? AND kind = ? AND status IN (?, ?) ORDER BY id LIMIT 1",
        (guild_id, PollKind.PICK, _PENDING, _OPEN),
    )
    return _poll(row) if row else None


async def close_poll(
    conn: aiosqlite.Connection,
    poll_id: int,
    *,
    now: int,
    reason: str,
    closed_by: int | None,
    winner: int | None,
) -> bool:
    """Mark an open poll closed; False if it was not open (closing happens exactly once)."""
    cur = await conn.execute(
        "UPDATE polls SET status = ?, closed_at = ?, close_reason = ?, closed_by = ?, winner = ? "
        "WHERE id = ? AND status = ?",
        (_CLOSED, now, reason, closed_by, winner, poll_id, _OPEN),
    )
    return cur.rowcount == 1


async def mark_reactions_stale(conn: aiosqlite.Connection, poll_id: int) -> None:
    await conn.execute("UPDATE polls SET reactions_stale = 1 WHERE id = ?", (poll_id,))


async def pending_announcements(db: DB, max_attempts: int, *, queued_kind: str) -> list[Poll]:
    """Closed polls whose results are neither posted nor in the outbox (closed before the outbox existed, or
    while no Discord adapter was attached); ``announce_attempts`` counts attempts made before the outbox."""
    rows = await _all(
        db,
        "SELECT * FROM polls WHERE status = ? AND announced = 0 AND announce_attempts < ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = ? AND o.owner_id = polls.id) ORDER BY id",
        (_CLOSED, max_attempts, queued_kind),
    )
    return [_poll(r) for r in rows]


async def mark_announced(conn: aiosqlite.Connection, poll_id: int, message_id: int | None) -> None:
    await conn.execute(
        "UPDATE polls SET announced = 1, result_message_id = ? WHERE id = ?", (message_id, poll_id)
    )


# ----------------------------------------------------------------------------------------------------- votes


async def vote_state(
    conn: aiosqlite.Connection, poll_id: int, user_id: int
) -> tuple[PollStatus | None, list[int]]:
    """The poll's status (None if no such poll) and the member's options in vote order: one query."""
    rows = await _all(
        conn,
        "SELECT p.status AS status, v.option AS option FROM polls p "
        "LEFT JOIN votes v ON v.poll_id = p.id AND v.user_id = ? WHERE p.id = ? ORDER BY v.seq",
        (user_id, poll_id),
    )
    if not rows:
        return None, []
    return PollStatus(rows[0]["status"]), [r["option"] for r in rows if r["option"] is not None]


async def add_vote(
    db: DB,
    poll_id: int,
    user_id: int,
    option: int,
    *,
    max_choices: int | None,
    now: int,
) -> bool:
    """The vote path's one write: record the vote with the poll's next ``seq`` if the poll is open, the
    (member, option) pair is new and the member has fewer than ``max_choices`` votes (None: no cap).

    False when any of those fails (the caller finds out which with :func:`vote_state`, off the hot path).
    One indexed statement; given the :class:`Database` it is its own transaction (see :func:`_write`).
    """
    cap = (
        ""
        if max_choices is None
        else " AND (SELECT COUNT(*) FROM votes WHERE poll_id = ? AND user_id = ?) < ?"
    )
    params: tuple[object, ...] = (poll_id, user_id, option, poll_id, now, poll_id, _OPEN)
    if max_choices is not None:
        params += (poll_id, user_id, max_choices)
    changed = await _write(
        db,
        "INSERT INTO votes (poll_id, user_id, option, seq, source, created_at) "
        "SELECT ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM votes WHERE poll_id = ?), 'live', ? "
        f"WHERE EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ?){cap} "
        "ON CONFLICT DO NOTHING",
        params,
    )
    return changed == 1


async def delete_other_votes(
    conn: aiosqlite.Connection, poll_id: int, user_id: int, option: int
) -> list[int]:
    """Single-choice replacement: delete the member's votes for other options of an open poll and return
    those options (whose reactions the bot then removes)."""
    rows = await _all(
        conn,
        "DELETE FROM votes WHERE poll_id = ? AND user_id = ? AND option <> ? "
        "AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ?) RETURNING option",
        (poll_id, user_id, option, poll_id, _OPEN),
    )
    return sorted(r["option"] for r in rows)


async def delete_vote(db: DB, poll_id: int, user_id: int, option: int) -> bool:
    """Withdraw one vote if the poll is open (checked in the same statement); True if a vote went.
    Given the :class:`Database`, the statement is its own transaction."""
    changed = await _write(
        db,
        "DELETE FROM votes WHERE poll_id = ? AND user_id = ? AND option = ? "
        "AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ?)",
        (poll_id, user_id, option, poll_id, _OPEN),
    )
    return changed == 1


async def votes_for(db: DB, poll_id: int) -> list[Vote]:
    rows = await _all(db, "SELECT user_id, option, seq FROM votes WHERE poll_id = ? ORDER BY seq", (poll_id,))
    return [row_to(Vote, r) for r in rows]


async def count_voters(db: DB, poll_ids: Sequence[int]) -> dict[int, int]:
    if not poll_ids:
        return {}
    marks = ", ".join("?" * len(poll_ids))
    rows = await _all(
        db,
        f"SELECT poll_id, COUNT(DISTINCT user_id) AS n FROM votes WHERE poll_id IN ({marks}) GROUP BY poll_id",
        list(poll_ids),
    )
    return {r["poll_id"]: r["n"] for r in rows}


async def apply_resync(
    conn: aiosqlite.Connection,
    poll_id: int,
    *,
    removed: Sequence[tuple[int, int]],
    added: Sequence[tuple[int, int]],
    now: int,
) -> None:
    """Delete ``removed`` (user, option) votes and append ``added`` ones (in order, seqs after every
    existing vote, source 'resync')."""
    if removed:
        await conn.executemany(
            "DELETE FROM votes WHERE poll_id = ? AND user_id = ? AND option = ?",
            [(poll_id, user, option) for user, option in removed],
        )
    if added:
        row = await _one(conn, "SELECT COALESCE(MAX(seq), 0) AS s FROM votes WHERE poll_id = ?", (poll_id,))
        base = int(row["s"]) if row else 0
        await conn.executemany(
            "INSERT INTO votes (poll_id, user_id, option, seq, source, created_at) "
            "VALUES (?, ?, ?, ?, 'resync', ?) ON CONFLICT DO NOTHING",
            [(poll_id, user, option, base + i, now) for i, (user, option) in enumerate(added, start=1)],
        )


# ----------------------------------------------------------------------------------------------- nominations


async def add_nomination(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    user_id: int,
    title: str,
    year: int | None,
    note: str | None,
    title_key: str,
    now: int,
) -> int:
    try:
        cur = await conn.execute(
            "INSERT INTO nominations (guild_id, user_id, title, year, note, title_key, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, title, year, note, title_key, now),
        )
    except sqlite3.IntegrityError as exc:
        raise DuplicateNomination(title_key) from exc
    assert cur.lastrowid is not None
    return cur.lastrowid


async def live_nomination_by_key(db: DB, guild_id: int, title_key: str) -> Nomination | None:
    row = await _one(
        db,
        "SELECT * FROM nominations WHERE guild_id = ? AND title_key = ? AND status <> ?",
        (guild_id, title_key, _ARCHIVED),
    )
    return _nomination(row) if row else None


async def live_nominations(db: DB, guild_id: int, user_id: int | None = None) -> list[Nomination]:
    """Nominations of the current round (open and in a running pick), oldest first."""
    if user_id is None:
        rows = await _all(
            db,
            "SELECT * FROM nominations WHERE guild_id = ? AND status <> ? ORDER BY created_at, id",
            (guild_id, _ARCHIVED),
        )
    else:
        rows = await _all(
            db,
            "SELECT * FROM nominations WHERE guild_id = ? AND user_id = ? AND status <> ? "
            "ORDER BY created_at, id",
            (guild_id, user_id, _ARCHIVED),
        )
    return [_nomination(r) for r in rows]


async def open_nominations(db: DB, guild_id: int) -> list[Nomination]:
    """Nominations waiting for a pick, oldest first."""
    rows = await _all(
        db,
        "SELECT * FROM nominations WHERE guild_id = ? AND status = ? ORDER BY created_at, id",
        (guild_id, NominationStatus.OPEN),
    )
    return [_nomination(r) for r in rows]


async def get_nomination(db: DB, guild_id: int, nomination_id: int) -> Nomination | None:
    row = await _one(db, "SELECT * FROM nominations WHERE id = ? AND guild_id = ?", (nomination_id, guild_id))
    return _nomination(row) if row else None


async def delete_nomination(conn: aiosqlite.Connection, nomination_id: int) -> None:
    await conn.execute("DELETE FROM nominations WHERE id = ?", (nomination_id,))


async def put_in_poll(conn: aiosqlite.Connection, poll_id: int, nomination_ids: Sequence[int]) -> None:
    """Make the nominations options of ``poll_id`` (option i = nomination_ids[i])."""
    await conn.executemany(
        "UPDATE nominations SET status = ?, poll_id = ?, poll_option = ? WHERE id = ?",
        [(_IN_POLL, poll_id, option, nid) for option, nid in enumerate(nomination_ids)],
    )


async def poll_nominations(db: DB, poll_id: int) -> list[Nomination]:
    rows = await _all(db, "SELECT * FROM nominations WHERE poll_id = ? ORDER BY poll_option", (poll_id,))
    return [_nomination(r) for r in rows]


async def archive_poll_nominations(conn: aiosqlite.Connection, poll_id: int, now: int) -> int:
    cur = await conn.execute(
        "UPDATE nominations SET status = ?, archived_at = ? WHERE poll_id = ? AND status = ?",
        (_ARCHIVED, now, poll_id, _IN_POLL),
    )
    return cur.rowcount


async def reopen_poll_nominations(conn: aiosqlite.Connection, poll_id: int) -> int:
    cur = await conn.execute(
        "UPDATE nominations SET status = ?, poll_id = NULL, poll_option = NULL WHERE poll_id = ? AND status = ?",
        (NominationStatus.OPEN, poll_id, _IN_POLL),
    )
    return cur.rowcount


# ------------------------------------------------------------------------------------------ cleared reactions


async def delete_poll_votes(conn: aiosqlite.Connection, poll_id: int, option: int | None = None) -> int:
    """A moderator cleared every reaction (``option`` None) or one emoji's reactions of an open poll."""
    if option is None:
        cur = await conn.execute(
            "DELETE FROM votes WHERE poll_id = ? AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ?)",
            (poll_id, poll_id, _OPEN),
        )
    else:
        cur = await conn.execute(
            "DELETE FROM votes WHERE poll_id = ? AND option = ? "
            "AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ?)",
            (poll_id, option, poll_id, _OPEN),
        )
    return cur.rowcount


async def count_live_nominations(db: DB, guild_id: int) -> int:
    row = await _one(
        db,
        "SELECT COUNT(*) AS n FROM nominations WHERE guild_id = ? AND status = ?",
        (guild_id, NominationStatus.OPEN),
    )
    return int(row["n"]) if row else 0
