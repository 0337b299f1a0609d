"""Read-only queries for ``bot.py doctor``: which channels each feature uses, failing feeds, stuck posts.

Nothing here writes. The outbox query is :func:`stuck_outbox` alone, so a change of the delivery table's
shape is one function to follow.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from storage.db import Database, DatabaseError, PostgresDatabase


class Unreadable(Exception):
    """The database could not be opened or read; the message is SQLite's reason."""


@asynccontextmanager
async def read_only(path: str | Path) -> AsyncIterator[Database]:
    """The database opened read-only and not migrated (the doctor must change nothing, even an old schema).

    ``path`` is the SQLite file, or a ``postgresql://`` URL. Any database error inside the block comes out as
    :class:`Unreadable`.
    """
    if "://" in str(path):
        async with _read_only_postgres(str(path)) as pg:
            yield pg
        return
    try:
        conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise Unreadable(str(exc)) from exc
    conn.row_factory = sqlite3.Row
    db = Database(conn, str(path))
    try:
        yield db
    except sqlite3.Error as exc:
        raise Unreadable(str(exc)) from exc
    finally:
        await db.close()


@asynccontextmanager
async def _read_only_postgres(url: str) -> AsyncIterator[Database]:
    unreadable: tuple[type[Exception], ...] = (OSError, *DatabaseError)
    try:
        db = await PostgresDatabase.open_url(url, pool_size=1, read_only=True)
    except Exception as exc:
        if not isinstance(exc, unreadable):
            raise
        raise Unreadable(str(exc)) from exc
    try:
        yield db
    except Exception as exc:
        if not isinstance(exc, unreadable):
            raise
        raise Unreadable(str(exc)) from exc
    finally:
        await db.close()


async def schema_version(db: Database) -> int:
    if db.dialect == "postgresql":
        exists = await db.scalar("SELECT to_regclass('schema_version') IS NOT NULL")
        return int(await db.scalar("SELECT MAX(version) FROM schema_version") or 0) if exists else 0
    return int(await db.scalar("PRAGMA user_version") or 0)


@dataclass(frozen=True, slots=True)
class ChannelUse:
    """A channel some feature posts in; ``label`` says which thing (a feed's name, a poll's number)."""

    guild_id: int
    channel_id: int
    feature: str  # feeds | notices | announcements | polls
    label: str


@dataclass(frozen=True, slots=True)
class FeedTrouble:
    """A subscription whose feed is paused or failing, or which Discord refused (broken)."""

    guild_id: int
    channel_id: int
    subscription_id: int
    name: str
    url: str
    feed_status: str
    subscription_status: str
    reason: str | None
    consecutive_failures: int
    failing_since: int | None


@dataclass(frozen=True, slots=True)
class StuckPost:
    id: int
    guild_id: int | None
    channel_id: int
    state: str
    attempts: int
    last_error: str | None
    created_at: int


async def channels_in_use(db: Database, now: int) -> list[ChannelUse]:
    """Every channel a feature will post in: active (or Discord-refused) feed subscriptions, the notices and
    announcement channels, upcoming or running watch parties' announcement channels, open polls."""
    uses: list[ChannelUse] = []
    for row in await db.fetchall(
        "SELECT guild_id, channel_id, name, id FROM subscriptions WHERE status IN ('active', 'broken') "
        "ORDER BY guild_id, channel_id, id"
    ):
        uses.append(
            ChannelUse(row["guild_id"], row["channel_id"], "feeds", f"feed {row['name']!r} (#{row['id']})")
        )
    for row in await db.fetchall(
        "SELECT guild_id, notices_channel_id, announce_channel_id FROM guild_settings ORDER BY guild_id"
    ):
        if row["notices_channel_id"]:
            uses.append(ChannelUse(row["guild_id"], row["notices_channel_id"], "notices", "notices channel"))
        if row["announce_channel_id"]:
            uses.append(
                ChannelUse(
                    row["guild_id"], row["announce_channel_id"], "announcements", "announcement channel"
                )
            )
    for row in await db.fetchall(
        "SELECT id, guild_id, announce_channel_id, film FROM watchparties WHERE status = 'scheduled' "
        "AND start_at + duration > ? ORDER BY guild_id, start_at",
        (now,),
    ):
        uses.append(
            ChannelUse(
                row["guild_id"], row["announce_channel_id"], "announcements", f"watch party #{row['id']}"
            )
        )
    for row in await db.fetchall(
        "SELECT id, guild_id, channel_id FROM polls WHERE status = 'open' ORDER BY guild_id, id"
    ):
        uses.append(ChannelUse(row["guild_id"], row["channel_id"], "polls", f"poll #{row['id']}"))
    return uses


async def feed_troubles(db: Database) -> list[FeedTrouble]:
    """Subscriptions whose feed is paused or has failed at least once in a row, or that are broken."""
    rows = await db.fetchall(
        "SELECT s.guild_id, s.channel_id, s.id AS sid, s.name, s.status AS s_status, s.status_reason, f.url, "
        "f.status AS f_status, f.pause_reason, f.last_error, f.consecutive_failures, f.failing_since "
        "FROM subscriptions s JOIN feeds f ON f.id = s.feed_id "
        "WHERE s.status = 'broken' OR (s.status = 'active' AND (f.status = 'paused' OR f.consecutive_failures > 0)) "
        "ORDER BY s.guild_id, s.channel_id, s.id"
    )
    return [
        FeedTrouble(
            guild_id=r["guild_id"],
            channel_id=r["channel_id"],
            subscription_id=r["sid"],
            name=r["name"],
            url=r["url"],
            feed_status=r["f_status"],
            subscription_status=r["s_status"],
            reason=r["status_reason"]
            if r["s_status"] == "broken"
            else (r["pause_reason"] or r["last_error"]),
            consecutive_failures=r["consecutive_failures"],
            failing_since=r["failing_since"],
        )
        for r in rows
    ]


async def stuck_outbox(db: Database, created_before: int) -> list[StuckPost]:
    """Posts still waiting (pending, or held for a moderator) that were queued before ``created_before``.

    THE one query on the delivery outbox for the doctor: follow the table here when its shape changes.
    """
    rows = await db.fetchall(
        "SELECT o.id, s.guild_id, o.channel_id, o.state, o.attempts, o.last_error, o.created_at "
        # a feed post's owner is its subscription (which knows the guild); other kinds have no guild here
        "FROM outbox o LEFT JOIN subscriptions s ON o.kind = 'feed_post' AND s.id = o.owner_id "
        "WHERE o.state IN ('pending', 'held') AND o.created_at < ? ORDER BY o.created_at LIMIT 1000",
        (created_before,),
    )
    return [
        StuckPost(
            id=r["id"],
            guild_id=r["guild_id"],
            channel_id=r["channel_id"],
            state=r["state"],
            attempts=r["attempts"],
            last_error=r["last_error"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
