"""Repository for the club calendar: per-server link rows (the token's hash and generation, never the
token) and the parties a feed shows."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain.models import Party
from storage._rows import row_to
from storage.db import Database

__all__ = ["CalendarToken", "calendar_parties", "find_token", "get_token", "insert_token", "update_token"]


@dataclass(frozen=True, slots=True)
class CalendarToken:
    guild_id: int
    token_hash: str
    generation: int
    name: str
    updated_at: int


async def get_token(conn: aiosqlite.Connection, guild_id: int) -> CalendarToken | None:
    """The server's row: ``db.conn`` for a plain read, the transaction's connection inside a write."""
    async with conn.execute("SELECT * FROM calendar_tokens WHERE guild_id = ?", (guild_id,)) as cur:
        row = await cur.fetchone()
    return row_to(CalendarToken, row) if row else None


async def find_token(db: Database, token_hash: str) -> CalendarToken | None:
    """The row whose hash is ``token_hash`` (the caller checks the token itself in constant time)."""
    row = await db.fetchone("SELECT * FROM calendar_tokens WHERE token_hash = ?", (token_hash,))
    return row_to(CalendarToken, row) if row else None


async def insert_token(
    conn: aiosqlite.Connection, guild_id: int, token_hash: str, *, generation: int, name: str, now: int
) -> bool:
    """Make the server's row unless it has one; True when this call made it."""
    cursor = await conn.execute(
        "INSERT INTO calendar_tokens (guild_id, token_hash, generation, name, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id) DO NOTHING",
        (guild_id, token_hash, generation, name, now),
    )
    return cursor.rowcount == 1


async def update_token(
    conn: aiosqlite.Connection,
    guild_id: int,
    token_hash: str,
    *,
    generation: int,
    name: str,
    now: int,
) -> None:
    await conn.execute(
        "UPDATE calendar_tokens SET token_hash = ?, generation = ?, name = ?, updated_at = ? "
        "WHERE guild_id = ?",
        (token_hash, generation, name, now, guild_id),
    )


async def calendar_parties(db: Database, guild_id: int, since: int, limit: int = 500) -> list[Party]:
    """Every party of the server (cancelled ones too, so calendars drop them) that ends at or after
    ``since``, soonest first."""
    rows = await db.fetchall(
        "SELECT * FROM watchparties WHERE guild_id = ? AND start_at + duration >= ? ORDER BY start_at, id LIMIT ?",
        (guild_id, since, limit),
    )
    return [row_to(Party, r) for r in rows]
