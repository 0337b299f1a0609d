"""Repository for the club calendar: per-server link tokens (hashed) and the parties a feed shows."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain.models import Party
from storage._rows import row_to
from storage.db import Database

__all__ = ["CalendarToken", "calendar_parties", "find_token", "get_token", "replace_token"]


@dataclass(frozen=True, slots=True)
class CalendarToken:
    guild_id: int
    token_hash: str
    name: str
    created_by: int
    created_at: int


async def get_token(db: Database, guild_id: int) -> CalendarToken | None:
    row = await db.fetchone("SELECT * FROM calendar_tokens WHERE guild_id = ?", (guild_id,))
    return row_to(CalendarToken, row) if row else None


async def find_token(db: Database, token_hash: str) -> CalendarToken | None:
    """The row whose hash is ``token_hash`` (the caller re-compares in constant time)."""
    row = await db.fetchone("SELECT * FROM calendar_tokens WHERE token_hash = ?", (token_hash,))
    return row_to(CalendarToken, row) if row else None


async def replace_token(
    conn: aiosqlite.Connection, guild_id: int, token_hash: str, *, name: str, created_by: int, now: int
) -> None:
    """Set the server's token (a new one replaces the old, which stops working at once)."""
    await conn.execute(
        "INSERT INTO calendar_tokens (guild_id, token_hash, name, created_by, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(guild_id) DO UPDATE SET token_hash = excluded.token_hash, name = excluded.name, "
        "created_by = excluded.created_by, created_at = excluded.created_at",
        (guild_id, token_hash, name, created_by, now),
    )


async def calendar_parties(db: Database, guild_id: int, since: int, limit: int = 500) -> list[Party]:
    """Every party of the server (cancelled ones too, so calendars drop them) that ends at or after
    ``since``, soonest first."""
    rows = await db.fetchall(
        "SELECT * FROM watchparties WHERE guild_id = ? AND start_at + duration >= ? ORDER BY start_at, id LIMIT ?",
        (guild_id, since, limit),
    )
    return [row_to(Party, r) for r in rows]
