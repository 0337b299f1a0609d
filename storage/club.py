"""Repository for per-server and per-member settings, loop health and member data deletion."""

from __future__ import annotations

import time

import aiosqlite

from domain.models import GuildSettings, LoopHealth
from storage._rows import row_to
from storage.db import Database

_GUILD_COLUMNS = (
    "timezone",
    "organiser_role_id",
    "notices_channel_id",
    "announce_channel_id",
    "polls_organisers_only",
)

# Every (table, column) that holds a member's Discord id as *their* data. /club forget-me deletes these
# rows; tests/storage/test_club.py checks that every user-id column in the schema is listed here.
MEMBER_DATA: list[tuple[str, str]] = [
    ("member_settings", "user_id"),
    ("rsvps", "user_id"),
    ("votes", "user_id"),
    ("nominations", "user_id"),
]


async def get_guild_settings(db: Database, guild_id: int) -> GuildSettings:
    row = await db.fetchone("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return GuildSettings(guild_id)
    return row_to(GuildSettings, row)


async def update_guild_settings(conn: aiosqlite.Connection, guild_id: int, **changes: object) -> None:
    """Set the given columns (None clears one). Call inside ``db.transaction()``."""
    unknown = set(changes) - set(_GUILD_COLUMNS)
    if unknown:
        raise ValueError(f"unknown guild settings: {sorted(unknown)}")
    now = int(time.time())
    await conn.execute(
        "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT(guild_id) DO NOTHING",
        (guild_id, now),
    )
    for column, value in changes.items():
        # column names come from the fixed tuple above, never from input
        await conn.execute(
            f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",
            (value, now, guild_id),
        )


async def get_member_timezone(db: Database, user_id: int) -> str | None:
    return await db.scalar("SELECT timezone FROM member_settings WHERE user_id = ?", (user_id,))


async def set_member_timezone(conn: aiosqlite.Connection, user_id: int, timezone: str | None) -> None:
    await conn.execute(
        "INSERT INTO member_settings (user_id, timezone, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at",
        (user_id, timezone, int(time.time())),
    )


async def count_member_data(db: Database, user_id: int) -> dict[str, int]:
    """How many rows each table holds for ``user_id`` (shown before /club forget-me confirms)."""
    counts: dict[str, int] = {}
    for table, column in MEMBER_DATA:
        counts[table] = int(await db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (user_id,)))
    return counts


async def delete_member_data(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    """Delete every row listed in :data:`MEMBER_DATA` for ``user_id``; returns rows deleted per table."""
    deleted: dict[str, int] = {}
    for table, column in MEMBER_DATA:
        cur = await conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
        deleted[table] = cur.rowcount
    return deleted


async def record_loop_run(conn: aiosqlite.Connection, name: str, ok: bool, result: str) -> None:
    now = int(time.time())
    await conn.execute(
        "INSERT INTO loop_health (name, last_run_at, last_ok_at, last_result) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at, "
        "last_ok_at = COALESCE(excluded.last_ok_at, loop_health.last_ok_at), last_result = excluded.last_result",
        (name, now, now if ok else None, result),
    )


async def get_loop_health(db: Database) -> list[LoopHealth]:
    rows = await db.fetchall("SELECT * FROM loop_health ORDER BY name")
    return [row_to(LoopHealth, r) for r in rows]
