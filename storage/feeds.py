"""Repository for feeds, subscriptions and seen entries (feed posts go through ``storage.outbox``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from domain.models import Feed, NewEntry, Subscription, SubscriptionView
from storage._rows import row_to
from storage.db import Database


@dataclass(frozen=True, slots=True)
class DuplicateSubscription(Exception):
    pass


def _feed(row: sqlite3.Row) -> Feed:
    return row_to(Feed, row)


def _subscription(row: sqlite3.Row, prefix: str = "") -> Subscription:
    return row_to(Subscription, row, prefix)


_SUB_COLUMNS = (
    "id",
    "feed_id",
    "guild_id",
    "channel_id",
    "name",
    "include_filter",
    "exclude_filter",
    "force_spoiler",
    "status",
    "status_reason",
    "created_at",
    "channel_kind",
    "thread_archive",
    "publish",
)
_SUB_SELECT = ", ".join(f"s.{c} AS s_{c}" for c in _SUB_COLUMNS)


# -- feeds ------------------------------------------------------------------------------------------


async def get_feed_by_url(db: Database | aiosqlite.Connection, url: str) -> Feed | None:
    async with _conn(db).execute("SELECT * FROM feeds WHERE url = ?", (url,)) as cur:
        row = await cur.fetchone()
    return _feed(row) if row else None


async def create_feed(
    conn: aiosqlite.Connection,
    url: str,
    *,
    title: str | None,
    etag: str | None,
    last_modified: str | None,
    next_poll_at: int,
    now: int,
    body_hash: str | None = None,
    note: str | None = None,
    entries_hash: str | None = None,
) -> int:
    """``note``: what is wrong with a feed that was still read (kept in ``last_error``, as ``record_success``)."""
    cur = await conn.execute(
        "INSERT INTO feeds (url, title, etag, last_modified, next_poll_at, last_polled_at, last_success_at, "
        "created_at, body_hash, last_changed_at, last_error, last_error_at, entries_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            url,
            title,
            etag,
            last_modified,
            next_poll_at,
            now,
            now,
            now,
            body_hash,
            now,
            note,
            now if note else None,
            entries_hash,
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def due_feeds(db: Database, now: int, limit: int = 1000) -> list[Feed]:
    """Feeds whose poll is due and that at least one active subscription still wants."""
    rows = await db.fetchall(
        "SELECT f.* FROM feeds f WHERE f.next_poll_at <= ? AND EXISTS (SELECT 1 FROM subscriptions s "
        "WHERE s.feed_id = f.id AND s.status = 'active') ORDER BY f.next_poll_at LIMIT ?",
        (now, limit),
    )
    return [_feed(r) for r in rows]


async def next_due_at(db: Database) -> int | None:
    return await db.scalar(
        "SELECT MIN(f.next_poll_at) FROM feeds f WHERE EXISTS (SELECT 1 FROM subscriptions s "
        "WHERE s.feed_id = f.id AND s.status = 'active')"
    )


_SUCCESS_SQL = (
    "UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(?, title), next_poll_at = ?, "
    "last_polled_at = ?, last_success_at = ?, consecutive_failures = 0, failing_since = NULL, warned = 0, "
    "status = 'active', pause_reason = NULL, last_error = CASE WHEN ? THEN last_error ELSE ? END, "
    "last_error_at = CASE WHEN ? OR CAST(? AS TEXT) IS NULL THEN last_error_at ELSE ? END, "
    "body_hash = COALESCE(?, body_hash), "
    "last_changed_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN last_changed_at ELSE ? END, "
    "entries_hash = CASE WHEN CAST(? AS TEXT) IS NULL THEN entries_hash ELSE NULLIF(?, '') END "
    "WHERE id = ?"
)


@dataclass(frozen=True, slots=True)
class Success:
    """One feed's successful poll, as ``record_success`` stores it (see there for the fields)."""

    feed_id: int
    now: int
    next_poll_at: int
    etag: str | None
    last_modified: str | None
    title: str | None = None
    url: str | None = None
    note: str | None = None
    body_hash: str | None = None
    keep_note: bool = False
    entries_hash: str | None = None

    def params(self) -> tuple[Any, ...]:
        now, note, body_hash, entries_hash = self.now, self.note, self.body_hash, self.entries_hash
        return (
            self.etag,
            self.last_modified,
            self.title,
            self.next_poll_at,
            now,
            now,
            self.keep_note,
            note,
            self.keep_note,
            note,
            now,
            body_hash,
            body_hash,
            now,
            entries_hash,
            entries_hash,
            self.feed_id,
        )


async def record_success(
    conn: aiosqlite.Connection,
    feed_id: int,
    *,
    now: int,
    next_poll_at: int,
    etag: str | None,
    last_modified: str | None,
    title: str | None,
    url: str | None = None,
    note: str | None = None,
    body_hash: str | None = None,
    keep_note: bool = False,
    entries_hash: str | None = None,
) -> None:
    """A fetch worked (or answered 304): clear failures and store the validators and the next poll.

    ``body_hash``: the fingerprint of a body that differs from the last one (it becomes the feed's, and its
    ``last_changed_at`` is now); None when nothing changed (a 304 or the same body again). ``keep_note``:
    the body is the one last read, so the note about its problems (``last_error``) still holds.
    ``entries_hash``: the new body's ``domain.feedkeys.entries_fingerprint``, ``""`` to clear it (a new body
    without one), None to keep it.
    """
    await record_successes(
        conn,
        [
            Success(
                feed_id,
                now,
                next_poll_at,
                etag,
                last_modified,
                title,
                url,
                note,
                body_hash,
                keep_note,
                entries_hash,
            )
        ],
    )


async def record_successes(conn: aiosqlite.Connection, successes: Sequence[Success]) -> None:
    """``record_success`` for many feeds in two statements: one hop to the database's thread, not one each."""
    await conn.executemany(_SUCCESS_SQL, [success.params() for success in successes])
    moved = [(success.url, success.feed_id) for success in successes if success.url is not None]
    if moved:
        await conn.executemany("UPDATE feeds SET url = ? WHERE id = ?", moved)


async def record_failure(
    conn: aiosqlite.Connection, feed_id: int, *, now: int, next_poll_at: int, error: str
) -> Feed:
    await conn.execute(
        "UPDATE feeds SET consecutive_failures = consecutive_failures + 1, "
        "failing_since = COALESCE(failing_since, ?), last_error = ?, last_error_at = ?, last_polled_at = ?, "
        "next_poll_at = ? WHERE id = ?",
        (now, error, now, now, next_poll_at, feed_id),
    )
    async with conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return _feed(row)


async def set_feed_warned(conn: aiosqlite.Connection, feed_id: int) -> None:
    await conn.execute("UPDATE feeds SET warned = 1 WHERE id = ?", (feed_id,))


async def pause_feed(conn: aiosqlite.Connection, feed_id: int, reason: str, next_probe_at: int) -> None:
    await conn.execute(
        "UPDATE feeds SET status = 'paused', pause_reason = ?, next_poll_at = ? WHERE id = ?",
        (reason, next_probe_at, feed_id),
    )


async def resume_feed(conn: aiosqlite.Connection, feed_id: int, next_poll_at: int) -> None:
    await conn.execute(
        "UPDATE feeds SET status = 'active', pause_reason = NULL, consecutive_failures = 0, failing_since = NULL, "
        "warned = 0, next_poll_at = ? WHERE id = ?",
        (next_poll_at, feed_id),
    )


async def count_feeds(db: Database, guild_id: int) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT s.status AS status, COUNT(*) AS n FROM subscriptions s WHERE s.guild_id = ? GROUP BY s.status",
        (guild_id,),
    )
    return {r["status"]: r["n"] for r in rows}


async def last_poll(db: Database) -> Feed | None:
    row = await db.fetchone(
        "SELECT * FROM feeds WHERE last_polled_at IS NOT NULL ORDER BY last_polled_at DESC LIMIT 1"
    )
    return _feed(row) if row else None


# -- subscriptions ----------------------------------------------------------------------------------


async def add_subscription(
    conn: aiosqlite.Connection,
    *,
    feed_id: int,
    guild_id: int,
    channel_id: int,
    name: str,
    created_by: int,
    now: int,
    channel_kind: str = "text",
) -> int:
    try:
        cur = await conn.execute(
            "INSERT INTO subscriptions (feed_id, guild_id, channel_id, name, created_by, created_at, "
            "channel_kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (feed_id, guild_id, channel_id, name, created_by, now, channel_kind),
        )
    except sqlite3.IntegrityError as exc:
        raise DuplicateSubscription from exc
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get_subscription(db: Database, guild_id: int, subscription_id: int) -> SubscriptionView | None:
    row = await db.fetchone(
        f"SELECT f.*, {_SUB_SELECT} FROM subscriptions s JOIN feeds f ON f.id = s.feed_id "
        "WHERE s.id = ? AND s.guild_id = ?",
        (subscription_id, guild_id),
    )
    return SubscriptionView(_subscription(row, "s_"), _feed(row)) if row else None


async def list_subscriptions(
    db: Database, guild_id: int, channel_id: int | None = None
) -> list[SubscriptionView]:
    sql = f"SELECT f.*, {_SUB_SELECT} FROM subscriptions s JOIN feeds f ON f.id = s.feed_id WHERE s.guild_id = ?"
    params: list[Any] = [guild_id]
    if channel_id is not None:
        sql += " AND s.channel_id = ?"
        params.append(channel_id)
    sql += " ORDER BY s.channel_id, LOWER(s.name)"  # LOWER, not COLLATE NOCASE: both dialects know it
    rows = await db.fetchall(sql, params)
    return [SubscriptionView(_subscription(r, "s_"), _feed(r)) for r in rows]


async def subscriptions_for_feed(
    db: Database | aiosqlite.Connection, feed_id: int, *, active_only: bool = True
) -> list[Subscription]:
    sql = f"SELECT {_SUB_SELECT} FROM subscriptions s WHERE s.feed_id = ?"
    if active_only:
        sql += " AND s.status = 'active'"
    async with _conn(db).execute(sql + " ORDER BY s.id", (feed_id,)) as cur:
        rows = await cur.fetchall()
    return [_subscription(r, "s_") for r in rows]


async def remove_subscription(conn: aiosqlite.Connection, subscription_id: int) -> None:
    """Delete the subscription, and its feed (with its history) when nobody else subscribes to it."""
    async with conn.execute("SELECT feed_id FROM subscriptions WHERE id = ?", (subscription_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return
    await conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
    # its posts not sent yet go with it (the outbox has no foreign key: it serves every feature)
    await conn.execute(
        "DELETE FROM outbox WHERE kind = 'feed_post' AND owner_id = ? AND state IN ('pending', 'held')",
        (subscription_id,),
    )
    await conn.execute(
        "DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = ?)",
        (row["feed_id"], row["feed_id"]),
    )


async def set_subscription_status(
    conn: aiosqlite.Connection, subscription_id: int, status: str, reason: str | None
) -> None:
    await conn.execute(
        "UPDATE subscriptions SET status = ?, status_reason = ? WHERE id = ?",
        (status, reason, subscription_id),
    )


async def set_channel_broken(conn: aiosqlite.Connection, channel_id: int, reason: str) -> list[int]:
    """Mark every active subscription of a channel Discord refused; returns their ids."""
    async with conn.execute(
        "SELECT id FROM subscriptions WHERE channel_id = ? AND status = 'active'", (channel_id,)
    ) as cur:
        ids = [r["id"] for r in await cur.fetchall()]
    await conn.execute(
        "UPDATE subscriptions SET status = 'broken', status_reason = ? WHERE channel_id = ? AND status = 'active'",
        (reason, channel_id),
    )
    return ids


async def set_filters(
    conn: aiosqlite.Connection, subscription_id: int, include: str | None, exclude: str | None
) -> None:
    await conn.execute(
        "UPDATE subscriptions SET include_filter = ?, exclude_filter = ? WHERE id = ?",
        (include, exclude, subscription_id),
    )


async def set_threads(conn: aiosqlite.Connection, subscription_id: int, archive_minutes: int | None) -> None:
    """Threads under each post auto-archiving after ``archive_minutes``; None turns them off."""
    await conn.execute(
        "UPDATE subscriptions SET thread_archive = ? WHERE id = ?", (archive_minutes, subscription_id)
    )


async def set_publish(conn: aiosqlite.Connection, subscription_id: int, value: bool) -> None:
    await conn.execute("UPDATE subscriptions SET publish = ? WHERE id = ?", (int(value), subscription_id))


async def get_subscription_by_id(
    db: Database | aiosqlite.Connection, subscription_id: int
) -> Subscription | None:
    """A subscription by id alone (the delivery callbacks know no guild), or None once removed."""
    async with _conn(db).execute(
        f"SELECT {_SUB_SELECT} FROM subscriptions s WHERE s.id = ?", (subscription_id,)
    ) as cur:
        row = await cur.fetchone()
    return _subscription(row, "s_") if row is not None else None


async def set_force_spoiler(conn: aiosqlite.Connection, subscription_id: int, value: bool) -> None:
    await conn.execute(
        "UPDATE subscriptions SET force_spoiler = ? WHERE id = ?", (int(value), subscription_id)
    )


# -- entries and the outbox -------------------------------------------------------------------------


async def count_entries(db: Database | aiosqlite.Connection, feed_id: int) -> int:
    async with _conn(db).execute("SELECT COUNT(*) FROM entries WHERE feed_id = ?", (feed_id,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def known_keys(db: Database | aiosqlite.Connection, feed_id: int, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were seen before. Chunked: SQLite caps the number of bound parameters."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = ",".join("?" * len(chunk))
        # execute_fetchall: one hop to the connection's thread instead of three (execute, fetch, close);
        # every changed body asks this, and the hops are most of what the question costs
        rows = await _conn(db).execute_fetchall(
            f"SELECT entry_key FROM entries WHERE feed_id = ? AND entry_key IN ({marks})", (feed_id, *chunk)
        )
        found.update(r[0] for r in rows)
    return found


# Rows per multi-row INSERT: 6 parameters each, well under SQLite's historical 999-parameter cap.
_INSERT_CHUNK = 150


async def insert_entries(
    conn: aiosqlite.Connection, feed_id: int, entries: Iterable[NewEntry], now: int
) -> list[tuple[int, NewEntry]]:
    """Record entries as seen; returns (entry id, entry) for those that were new, in the given order.

    One multi-row ``INSERT ... RETURNING`` per chunk instead of one statement per entry: a feed's first poll
    records 20 or more entries, every statement is a round trip to the connection's thread, and a poll
    cycle's transactions run one after another, so per-row round trips add up across a thousand feeds.
    RETURNING rows come back in no guaranteed order, so they are matched to entries by key. A key repeated
    within ``entries`` is inserted (and returned) once, as with row-by-row inserts.
    """
    items = list(entries)
    ids: dict[str, int] = {}
    for start in range(0, len(items), _INSERT_CHUNK):
        chunk = items[start : start + _INSERT_CHUNK]
        values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [v for e in chunk for v in (feed_id, e.key, e.title, e.link, e.published_at, now)]
        async with conn.execute(
            "INSERT INTO entries (feed_id, entry_key, title, link, published_at, seen_at) "
            f"VALUES {values} ON CONFLICT (feed_id, entry_key) DO NOTHING RETURNING id, entry_key",
            params,
        ) as cur:
            for row in await cur.fetchall():
                ids[row[1]] = row[0]
    new: list[tuple[int, NewEntry]] = []
    for entry in items:
        entry_id = ids.pop(entry.key, None)
        if entry_id is not None:
            new.append((entry_id, entry))
    return new


async def entry_ids(conn: aiosqlite.Connection, feed_id: int, keys: Sequence[str]) -> dict[str, int]:
    """Entry ids by key for ``keys`` that were seen before."""
    out: dict[str, int] = {}
    for key in keys:
        async with conn.execute(
            "SELECT id FROM entries WHERE feed_id = ? AND entry_key = ?", (feed_id, key)
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            out[key] = row[0]
    return out


def nonce_for(subscription_id: int, entry_id: int) -> str:
    """Deterministic Discord nonce for one post (Discord allows 25 characters)."""
    return f"pj{subscription_id}.{entry_id}"[:25]


async def release_held(conn: aiosqlite.Connection, subscription_id: int, post: bool) -> int:
    """The flood breaker's held posts of a subscription become pending (post) or skipped."""
    cur = await conn.execute(
        "UPDATE outbox SET state = ? WHERE kind = 'feed_post' AND owner_id = ? AND state = 'held'",
        ("pending" if post else "skipped", subscription_id),
    )
    return cur.rowcount


def _conn(db: Database | aiosqlite.Connection) -> aiosqlite.Connection:
    return db.conn if isinstance(db, Database) else db
