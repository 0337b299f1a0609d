"""Repository for the one outbox (``services.delivery`` is its only user besides enqueueing callers).

:func:`enqueue` takes the connection of the caller's ``db.transaction()``, so "poll closed" and "its results
message is pending" commit together. Everything else is the delivery engine's bookkeeping.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

import aiosqlite

from storage.db import Database

Source = Database | aiosqlite.Connection

FINAL_STATES = ("delivered", "skipped", "gone", "refused", "failed", "expired", "cancelled")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    kind: str
    owner_id: int
    part: str
    channel_id: int
    payload: str  # JSON, decoded by services.delivery.Payload.from_json
    state: str
    nonce: str | None
    attempts: int
    sending_at: int | None
    next_attempt_at: int
    expires_at: int | None
    message_id: int | None
    created_at: int


def _row(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        kind=row["kind"],
        owner_id=row["owner_id"],
        part=row["part"],
        channel_id=row["channel_id"],
        payload=row["payload"],
        state=row["state"],
        nonce=row["nonce"],
        attempts=row["attempts"],
        sending_at=row["sending_at"],
        next_attempt_at=row["next_attempt_at"],
        expires_at=row["expires_at"],
        message_id=row["message_id"],
        created_at=row["created_at"],
    )


def _conn(db: Source) -> aiosqlite.Connection:
    return db.conn if isinstance(db, Database) else db


async def _all(db: Source, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
    async with _conn(db).execute(sql, params) as cur:
        return list(await cur.fetchall())


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    kind: str,
    owner_id: int,
    part: str,
    channel_id: int,
    payload: str,
    now: int,
    state: str = "pending",
    nonce: str | None = None,
    sending_at: int | None = None,
    expires_at: int | None = None,
) -> int | None:
    """Store one message to send; returns its row id, or None if (kind, owner_id, part) is already there."""
    cur = await conn.execute(
        "INSERT INTO outbox (kind, owner_id, part, channel_id, payload, state, nonce, sending_at, expires_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, owner_id, part) DO NOTHING",
        (kind, owner_id, part, channel_id, payload, state, nonce, sending_at, expires_at, now),
    )
    return int(cur.lastrowid) if cur.rowcount == 1 and cur.lastrowid is not None else None


async def get(db: Source, row_id: int) -> OutboxRow | None:
    rows = await _all(db, "SELECT * FROM outbox WHERE id = ?", (row_id,))
    return _row(rows[0]) if rows else None


async def due(
    db: Source, now: int, *, kinds: Collection[str] | None = None, per_channel: int | None = None
) -> list[OutboxRow]:
    """Pending rows whose next attempt is due, oldest first, at most ``per_channel`` per channel.

    Feed posts wait while their subscription is not active (paused by a moderator, or broken because Discord
    refused the channel): ``/feed resume`` lets them through again.
    """
    where = ["o.state = 'pending'", "o.next_attempt_at <= ?"]
    params: list[object] = [now]
    if kinds is not None:
        where.append(f"o.kind IN ({', '.join('?' for _ in kinds)})")
        params.extend(kinds)
    where.append(
        "(o.kind != 'feed_post' OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.id = o.owner_id "
        "AND s.status = 'active'))"
    )
    inner = (
        "SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.channel_id ORDER BY o.id) AS rn FROM outbox o "
        f"WHERE {' AND '.join(where)}"
    )
    params.append(per_channel if per_channel is not None else -1)
    rows = await _all(
        db, f"SELECT * FROM ({inner}) AS d WHERE ? < 0 OR rn <= ? ORDER BY id", (*params, params[-1])
    )
    return [_row(r) for r in rows]


async def count(db: Source, state: str, kind: str | None = None) -> int:
    if kind is None:
        rows = await _all(db, "SELECT COUNT(*) FROM outbox WHERE state = ?", (state,))
    else:
        rows = await _all(db, "SELECT COUNT(*) FROM outbox WHERE state = ? AND kind = ?", (state, kind))
    return int(rows[0][0])


async def mark_sending(conn: aiosqlite.Connection, row_id: int, now: int) -> None:
    """Record that a send is about to start (only the first attempt's time is kept)."""
    await conn.execute("UPDATE outbox SET sending_at = ? WHERE id = ? AND sending_at IS NULL", (now, row_id))


async def mark_delivered(conn: aiosqlite.Connection, row_id: int, message_id: int, now: int) -> bool:
    """Pending -> delivered; False if the row was no longer pending (someone else finished it)."""
    cur = await conn.execute(
        "UPDATE outbox SET state = 'delivered', message_id = ?, delivered_at = ?, attempts = attempts + 1, "
        "last_error = NULL WHERE id = ? AND state = 'pending'",
        (message_id, now, row_id),
    )
    return cur.rowcount == 1


async def mark_final(
    conn: aiosqlite.Connection, row_id: int, state: str, error: str | None, now: int
) -> bool:
    """Pending -> a final state other than delivered (gone, refused, failed, expired, cancelled)."""
    if state not in FINAL_STATES or state == "delivered":
        raise ValueError(f"not a final outbox state: {state!r}")
    cur = await conn.execute(
        "UPDATE outbox SET state = ?, last_error = COALESCE(?, last_error), delivered_at = ? "
        "WHERE id = ? AND state = 'pending'",
        (state, error, now, row_id),
    )
    return cur.rowcount == 1


async def mark_retry(
    conn: aiosqlite.Connection, row_id: int, error: str, next_attempt_at: int, *, count_attempt: bool = True
) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
        (int(count_attempt), error[:300], next_attempt_at, row_id),
    )


async def delete_undelivered(conn: aiosqlite.Connection, kind: str, owner_id: int) -> int:
    """Forget an owner's messages that never went out, whatever their state (the owner row is being deleted,
    and SQLite may give its id to the next row: a leftover would block that row's message)."""
    cur = await conn.execute(
        "DELETE FROM outbox WHERE kind = ? AND owner_id = ? AND state != 'delivered'", (kind, owner_id)
    )
    return cur.rowcount


async def cancel_owner(conn: aiosqlite.Connection, kind: str, owner_id: int, now: int) -> int:
    """Cancel an owner's messages that have not gone out yet (a discarded party's announcement)."""
    cur = await conn.execute(
        "UPDATE outbox SET state = 'cancelled', delivered_at = ? WHERE kind = ? AND owner_id = ? "
        "AND state IN ('pending', 'held')",
        (now, kind, owner_id),
    )
    return cur.rowcount
