"""``bot.py migrate-data``: a SQLite club moves to PostgreSQL with every row, verified per table."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storage import feeds, polls
from storage.copy import CopyError, checksum, copy_sqlite_to_postgres
from storage.db import Database, PostgresDatabase
from tests.test_cli import run_cli

BIG = (1 << 62) + 12345  # Discord ids exceed 2^31 (and 2^53): they must survive as exact integers


async def _club(path: Path) -> dict[str, int]:
    """A small club with rows in the tables that reference each other, odd text and NULLs."""
    async with await Database.open(path) as db, db.transaction() as conn:
        await conn.execute(
            "INSERT INTO guild_settings (guild_id, timezone, organiser_role_id, updated_at) VALUES (?, ?, ?, ?)",
            (BIG, "Europe/Paris", None, 1),
        )
        await conn.execute(
            "INSERT INTO feeds (id, url, title, next_poll_at, created_at) VALUES (7, ?, ?, 5, 1)",
            ("https://example.org/rss", "Café ‘quotes’ \\ \t tab"),
        )
        await conn.execute(
            "INSERT INTO subscriptions (id, feed_id, guild_id, channel_id, name, created_at) VALUES (3, 7, ?, ?, ?, 1)",
            (BIG, BIG + 1, "news"),
        )
        for i in range(250):
            await conn.execute(
                "INSERT INTO entries (feed_id, entry_key, title, seen_at) VALUES (7, ?, ?, 2)",
                (f"k{i}", f"t{i}"),
            )
        await conn.execute(
            "INSERT INTO outbox (kind, owner_id, part, channel_id, payload, state, created_at) "
            "VALUES ('feed_post', 3, '12', ?, '{\"content\": \"x\"}', 'pending', 3)",
            (BIG + 1,),
        )
        await conn.execute(
            "INSERT INTO polls (id, guild_id, channel_id, message_id, created_by, question, options, mode, status, "
            "created_at, closes_at) VALUES (4, ?, ?, ?, ?, 'Which?', '[\"a\", \"b\"]', 'single', 'open', 1, 9)",
            (BIG, BIG + 1, BIG + 2, BIG + 3),
        )
        await conn.execute(
            "INSERT INTO votes (poll_id, user_id, option, seq, source, created_at) VALUES (4, ?, 1, 1, 'live', 2)",
            (BIG + 4,),
        )
    return {"entries": 250, "feeds": 1, "votes": 1}


def test_checksum_ignores_order_but_not_content_or_duplicates() -> None:
    rows = [(1, "a", None), (2, "b", 3)]
    assert checksum(rows) == checksum(list(reversed(rows)))
    assert checksum(rows) != checksum([(1, "a", None), (2, "b", 4)])
    assert checksum(rows + rows[:1]) != checksum(rows)
    assert checksum([(None,)]) != checksum([("None",)])


async def test_copy_moves_every_row_and_the_ids_continue(tmp_path: Path, pg_server: Any) -> None:
    source = tmp_path / "club.sqlite3"
    expected = await _club(source)
    url = pg_server.create_database(migrated=False)
    copied = {t.table: t.rows for t in await copy_sqlite_to_postgres(source, url)}
    for table, rows in expected.items():
        assert copied[table] == rows
    async with await PostgresDatabase.open_url(url, pool_size=1) as db:
        feed = await feeds.get_feed_by_url(db, "https://example.org/rss")
        assert feed is not None and feed.id == 7 and feed.title == "Café ‘quotes’ \\ \t tab"
        poll = await polls.get_poll(db, 4, BIG)
        assert poll is not None and poll.message_id == BIG + 2
        async with db.transaction() as conn:  # new rows get ids after the copied ones
            new_id = await feeds.create_feed(
                conn,
                "https://example.org/2",
                title=None,
                etag=None,
                last_modified=None,
                next_poll_at=1,
                now=1,
            )
        assert new_id == 8
    with pytest.raises(CopyError, match="not empty"):
        await copy_sqlite_to_postgres(source, url)


async def test_an_old_sqlite_schema_is_refused(tmp_path: Path, pg_server: Any) -> None:
    source = tmp_path / "old.sqlite3"
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(CopyError, match=r"run `bot\.py migrate`"):
        await copy_sqlite_to_postgres(source, pg_server.create_database(migrated=False))


async def test_the_command_reports_each_table_and_refuses_a_second_copy(
    tmp_path: Path, pg_server: Any
) -> None:
    source = tmp_path / "club.sqlite3"
    await _club(source)
    url = pg_server.create_database(migrated=False).replace("postgres@", "postgres:pw-secret@")
    first = run_cli("migrate-data", "--from", f"sqlite:{source}", "--to", url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "entries: 250 rows, checksum" in first.stdout and "verified" in first.stdout
    second = run_cli("migrate-data", "--from", f"sqlite:{source}", "--to", url, cwd=tmp_path)
    assert second.returncode == 2 and "not empty" in second.stderr and "Traceback" not in second.stderr
    assert "pw-secret" not in first.stdout + first.stderr + second.stdout + second.stderr


async def test_a_copy_that_does_not_verify_commits_nothing(
    tmp_path: Path, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.copy

    source = tmp_path / "club.sqlite3"
    await _club(source)
    url = pg_server.create_database(migrated=False)
    real = storage.copy._convert
    monkeypatch.setattr(storage.copy, "_convert", lambda v, t: "mangled" if v == "t7" else real(v, t))
    with pytest.raises(CopyError, match="table entries did not verify"):
        await copy_sqlite_to_postgres(source, url)
    async with await PostgresDatabase.open_url(url, pool_size=1) as db:
        assert await db.scalar("SELECT COUNT(*) FROM feeds") == 0
