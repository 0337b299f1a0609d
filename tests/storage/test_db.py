from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database
from storage.migrate import SchemaTooNewError, latest_version, load_migrations


async def test_migrates_empty_database_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    async with await Database.open(path) as db:
        assert await db.scalar("PRAGMA user_version") == latest_version() >= 1
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await db.scalar("PRAGMA busy_timeout") == 5000
    # the schema is valid SQLite and passes an integrity check
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_reopen_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as db, db.transaction() as conn:
        await conn.execute("INSERT INTO member_settings (user_id, timezone, updated_at) VALUES (1, 'UTC', 0)")
    async with await Database.open(path) as db:
        assert await db.scalar("SELECT timezone FROM member_settings WHERE user_id = 1") == "UTC"


async def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE mystery (x)")
        raw.execute(f"PRAGMA user_version = {latest_version() + 5}")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        await Database.open(path)
    assert path.read_bytes() == before


async def test_failed_migration_rolls_back_whole_file(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
    )
    from storage.migrate import migrate

    async with aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(conn, migrations)
        async with conn.execute("PRAGMA user_version") as cur:
            assert (await cur.fetchone())[0] == 1
        async with conn.execute("SELECT name FROM sqlite_master WHERE name = 'b'") as cur:
            assert await cur.fetchone() is None


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    assert [m.version for m in load_migrations()] == list(range(1, latest_version() + 1))
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0003_c.sql").write_text("")
    with pytest.raises(ValueError, match="expected number 0002"):
        load_migrations(tmp_path)


async def test_concurrent_transactions_do_not_undo_each_other(db: Database) -> None:
    """Without the writer lock, B's rollback would also roll back A's insert (one shared connection)."""

    async def writer_a() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO member_settings (user_id, updated_at) VALUES (1, 0)")
            await asyncio.sleep(0.01)

    async def writer_b() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO member_settings (user_id, updated_at) VALUES (2, 0)")
                raise RuntimeError("boom")

    await asyncio.gather(writer_a(), writer_b())
    rows = await db.fetchall("SELECT user_id FROM member_settings ORDER BY user_id")
    assert [r["user_id"] for r in rows] == [1]


async def test_upgrade_from_version_4_adds_sending_at_and_keeps_rows(tmp_path: Path) -> None:
    """A database written before 0005 gains ``sending_at`` (NULL: never tried) on its pending rows."""
    from storage.migrate import MIGRATIONS_DIR, migrate

    old = tmp_path / "v4"
    old.mkdir()
    for migration in sorted(MIGRATIONS_DIR.glob("000[1-4]_*.sql")):
        (old / migration.name).write_text(migration.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "v4.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, old) == 4
        await conn.execute(
            "INSERT INTO outbox (subscription_id, entry_id, channel_id, payload, nonce, created_at) "
            "VALUES (1, 1, 10, '{}', 'pj1.1', 0)"
        )
        await conn.execute("INSERT INTO reminders (party_id, key, due_at) VALUES (1, 'start', 100)")
    async with await Database.open(path) as db:
        assert await db.scalar("PRAGMA user_version") == latest_version() >= 5
        row = await db.fetchone("SELECT state, sending_at FROM outbox WHERE nonce = 'pj1.1'")
        assert row is not None and (row["state"], row["sending_at"]) == ("pending", None)
        row = await db.fetchone("SELECT state, sending_at FROM reminders WHERE key = 'start'")
        assert row is not None and (row["state"], row["sending_at"]) == ("pending", None)


async def test_upgrade_to_0006_moves_the_feed_outbox_into_the_one_outbox(tmp_path: Path) -> None:
    """Pending, held and delivered feed posts keep their nonce, first attempt, attempts and message id."""
    from services.delivery import Payload, nonce_of
    from storage import outbox
    from storage.migrate import MIGRATIONS_DIR, migrate

    old = tmp_path / "v5"
    old.mkdir()
    for migration in sorted(MIGRATIONS_DIR.glob("000[1-5]_*.sql")):
        (old / migration.name).write_text(migration.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "v5.sqlite3"
    legacy = '{"content": "", "embeds": [{"title": "News 1", "url": "https://x.example/1"}], "allowed_mentions": {"parse": []}}'
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, old) == 5
        await conn.execute(
            "INSERT INTO outbox (subscription_id, entry_id, channel_id, payload, state, nonce, attempts, "
            "sending_at, message_id, created_at) VALUES "
            "(3, 7, 10, ?, 'pending', 'pj3.7', 2, 1000, NULL, 900), "
            "(3, 8, 10, '{\"content\": \"held\"}', 'held', 'pj3.8', 0, NULL, NULL, 901), "
            "(4, 7, 11, '{\"content\": \"done\"}', 'delivered', 'pj4.7', 1, 950, 555, 902)",
            (legacy,),
        )
    async with await Database.open(path) as db:
        assert await db.scalar("PRAGMA user_version") == latest_version() >= 6
        rows = [await outbox.get(db, n) for n in (1, 2, 3)]
        assert [(r.kind, r.owner_id, r.part, r.state) for r in rows if r] == [
            ("feed_post", 3, "7", "pending"),
            ("feed_post", 3, "8", "held"),
            ("feed_post", 4, "7", "delivered"),
        ]
        pending = rows[0]
        assert pending is not None
        assert (nonce_of(pending), pending.sending_at, pending.attempts) == ("pj3.7", 1000, 2)
        assert Payload.from_json(pending.payload) == Payload(
            embeds=({"title": "News 1", "url": "https://x.example/1"},)
        )
        assert rows[2] is not None and rows[2].message_id == 555
        assert await db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox_0002'") == 0
