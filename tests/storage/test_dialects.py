"""One schema history in two dialects: the PostgreSQL migrations mirror the SQLite ones file for file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.db import Database, PostgresDatabase, translate
from storage.migrate import MIGRATIONS_DIR, PG_MIGRATIONS_DIR, load_migrations


def test_both_dialects_number_the_same_migrations() -> None:
    sqlite = [m.name for m in load_migrations(MIGRATIONS_DIR)]
    postgres = [m.name for m in load_migrations(PG_MIGRATIONS_DIR)]
    assert sqlite == postgres, (
        "every storage/migrations/NNNN_x.sql needs storage/migrations/postgresql/NNNN_x.sql"
    )


async def _sqlite_columns(tmp_path: Path) -> dict[str, set[str]]:
    async with await Database.open(tmp_path / "s.sqlite3") as db:
        tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {c["name"] for c in await db.fetchall(f"PRAGMA table_info({t})")} for t in tables}


async def test_both_dialects_define_the_same_tables_and_columns(tmp_path: Path, pg_server: Any) -> None:
    expected = await _sqlite_columns(tmp_path)
    async with await PostgresDatabase.open_url(pg_server.create_database(migrated=False), pool_size=1) as db:
        rows = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
    found: dict[str, set[str]] = {}
    for r in rows:
        if r["table_name"] != "schema_version":  # PostgreSQL's stand-in for PRAGMA user_version
            found.setdefault(r["table_name"], set()).add(r["column_name"])
    assert found == expected


async def test_discord_ids_beyond_32_bits_fit_every_integer_column(pg_server: Any) -> None:
    async with await PostgresDatabase.open_url(pg_server.create_database(), pool_size=1) as db:
        narrow = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND data_type IN ('integer', 'smallint')"
        )
    assert [tuple(r) for r in narrow] == []


def test_placeholders_are_translated_outside_quotes_and_comments() -> None:
    sql = "SELECT '?', \"a?\" FROM t WHERE a = ? AND b = 'it''s ?' AND c IN (?, ?) -- why?\n AND d = ?"
    text, returning = translate(sql)
    assert (
        text
        == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b = 'it''s ?' AND c IN ($2, $3) -- why?\n AND d = $4"
    )
    assert not returning
    text, returning = translate("INSERT INTO feeds (url) VALUES (?)", frozenset({"feeds"}))
    assert text == "INSERT INTO feeds (url) VALUES ($1) RETURNING id" and returning
    assert translate("INSERT INTO rsvps (a) VALUES (?)", frozenset({"feeds"})) == (
        "INSERT INTO rsvps (a) VALUES ($1)",
        False,
    )


async def test_the_doctor_reads_postgresql_read_only_without_migrating(pg_server: Any) -> None:
    import pytest

    from storage import diagnostics
    from storage.migrate import latest_version

    empty = pg_server.create_database(migrated=False)
    async with diagnostics.read_only(empty) as db:
        assert (
            await diagnostics.schema_version(db) == 0
        )  # an old (here: empty) schema is reported, not migrated
    with pytest.raises(diagnostics.Unreadable, match="read-only"):
        async with diagnostics.read_only(pg_server.create_database()) as db:
            assert await diagnostics.schema_version(db) == latest_version(PG_MIGRATIONS_DIR)
            assert await diagnostics.feed_troubles(db) == []
            await db.write("DELETE FROM feeds")  # the doctor cannot change anything
    with pytest.raises(diagnostics.Unreadable):
        async with diagnostics.read_only("postgresql://postgres@127.0.0.1:1/nowhere"):
            pass
