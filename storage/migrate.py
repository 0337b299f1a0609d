"""Numbered ``.sql`` migrations applied by ``PRAGMA user_version``, one transaction each."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: The same schema history in PostgreSQL's dialect: file NNNN here is file NNNN above, translated.
PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Projectionist; we refuse to touch it."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read the migration files, checking they are numbered 1, 2, 3, ... without gaps."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), path.stem, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise ValueError(f"migration {migration.name}: expected number {expected:04d}")
    return found


def latest_version(directory: Path = MIGRATIONS_DIR) -> int:
    return len(load_migrations(directory))


async def check_version(conn: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR) -> int:
    """Return the database's schema version; raise :class:`SchemaTooNewError` if we cannot handle it."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    latest = latest_version(directory)
    if current > latest:
        raise SchemaTooNewError(
            f"the database is at schema version {current} but this Projectionist knows only up to "
            f"{latest}; it was written by a newer version. Upgrade Projectionist or restore a backup."
        )
    return current


async def migrate(conn: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR) -> int:
    """Bring the schema to the latest version; returns the version reached."""
    migrations = load_migrations(directory)
    current = await check_version(conn, directory)
    latest = len(migrations)
    for migration in migrations[current:]:
        log.info("applying migration %s", migration.name)
        # executescript would COMMIT first and run outside our transaction; split statements ourselves
        # so the whole file and the version bump are one transaction.
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {migration.version}")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
    return latest


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about quotes and triggers)."""
    import sqlite3

    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            stmt = buf.strip()
            if stmt and not all(part.strip().startswith("--") for part in stmt.splitlines() if part.strip()):
                out.append(stmt)
            buf = ""
    if buf.strip() and not all(p.strip().startswith("--") for p in buf.strip().splitlines() if p.strip()):
        raise ValueError(f"incomplete SQL statement at end of migration: {buf.strip()[:80]!r}")
    return out


# -- PostgreSQL ----------------------------------------------------------------------------------------------
#
# PostgreSQL has no user_version: the version lives in a one-row table. Several bot processes may start at
# once against one database, so migrating takes a transaction-scoped advisory lock first; the second process
# waits, then finds the schema current.

_MIGRATION_LOCK = 0x70726F6A  # "proj": any constant shared by every Projectionist process


async def _pg_version(conn: Any) -> int:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
    value = await conn.fetchval("SELECT MAX(version) FROM schema_version")
    return int(value or 0)


async def check_version_postgres(conn: Any, directory: Path = PG_MIGRATIONS_DIR) -> int:
    """The PostgreSQL database's schema version; :class:`SchemaTooNewError` if newer than this code."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    current = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0) if exists else 0
    latest = latest_version(directory)
    if current > latest:
        raise SchemaTooNewError(
            f"the database is at schema version {current} but this Projectionist knows only up to "
            f"{latest}; it was written by a newer version. Upgrade Projectionist or restore a backup."
        )
    return current


async def migrate_postgres(conn: Any, directory: Path = PG_MIGRATIONS_DIR) -> int:
    """Bring a PostgreSQL schema (asyncpg connection) to the latest version, one transaction per file."""
    migrations = load_migrations(directory)
    await check_version_postgres(conn, directory)
    for migration in migrations:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            if await _pg_version(conn) >= migration.version:
                continue
            log.info("applying migration %s (postgresql)", migration.name)
            await conn.execute(migration.sql)  # no arguments: the simple protocol runs the whole file
            await conn.execute("DELETE FROM schema_version")
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", migration.version)
    return len(migrations)
