"""The database: one long-lived aiosqlite connection (default) or an asyncpg pool (``[storage] url``).

Coroutines that share one SQLite connection share its transaction: if two of them interleave
``BEGIN``/``COMMIT`` on the same connection, one's rollback silently undoes the other's write. Every write
therefore goes through :meth:`Database.transaction`, which serialises writers with an ``asyncio.Lock``.
Reads outside a transaction are fine (they run between statements on the same worker thread).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg

from storage.migrate import check_version, migrate

log = logging.getLogger(__name__)

#: The connection a write transaction hands to repositories; services name it through this alias so
#: that only storage depends on the driver.
Connection = aiosqlite.Connection


def _files_size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


class Database:
    """Owns the SQLite connection. Open with :meth:`open`, close with :meth:`close` (or ``async with``).

    :class:`PostgresDatabase` is the same interface over a PostgreSQL pool; :func:`open_database` picks one.
    """

    #: which SQL dialect the repositories talk to (the few statements that differ ask this)
    dialect = "sqlite"

    #: who this process is in ``storage.leases``: a SQLite database serves one process, so a restarted bot
    #: takes its predecessor's leases over at once instead of waiting for them to expire
    lease_owner = "sqlite"
    #: how long a lease lasts (``[storage] lease_timeout``; set by whoever opens the database)
    lease_timeout = 60.0

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._closed = False
        #: Called with the seconds each write took, lock wait included (the metrics; storage cannot import
        #: services, so the container sets it).
        self.write_observer: Callable[[float], None] | None = None

    def _observe(self, started: float) -> None:
        if self.write_observer is not None:
            self.write_observer(time.perf_counter() - started)

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout: float = 5.0) -> Database:
        """Open (creating if needed) and migrate the database at ``path``."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; we issue BEGIN ourselves.
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            # Refuse a newer schema before anything (even switching to WAL) touches the file.
            await check_version(conn)
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            db = cls(conn, path)
            await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        log.info("%s database %s open", db.dialect, path)
        return db

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        """The connection, for reads. Writes belong in :meth:`transaction`."""
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error), one writer at a time."""
        started = time.perf_counter()
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")
                self._observe(started)

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run ONE write statement under the writer lock, outside any explicit transaction; return the number
        of rows it changed.

        SQLite runs a lone statement in its own implicit transaction, so it is atomic and committed when this
        returns, for one round trip to the database thread instead of three (BEGIN, statement, COMMIT). Hot
        paths with a single write use it (a poll vote); anything with two or more writes uses
        :meth:`transaction`.
        """
        started = time.perf_counter()
        async with self._write_lock:
            cursor = await self._conn.execute(sql, tuple(params))
        self._observe(started)
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def size_bytes(self) -> int:
        """Database file plus WAL, in bytes (0 for an in-memory database)."""
        if self.path == ":memory:":
            return 0
        return await asyncio.to_thread(_files_size, [Path(self.path + suffix) for suffix in ("", "-wal")])

    async def close(self) -> None:
        """Wait for the writer in flight, then close. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._conn.close()
        log.info("database %s closed", self.path)


# -- PostgreSQL ---------------------------------------------------------------------------------------------
#
# The repositories speak the aiosqlite subset below (``execute`` awaited or used as ``async with``, cursors
# with ``fetchone``/``fetchall``/``rowcount``/``lastrowid``, ``executemany``, ``execute_fetchall``) with ``?``
# placeholders. Rather than teach forty repository functions a second dialect, PostgreSQL gets an adapter with
# that same surface: placeholders become ``$n`` once per statement text (cached), and an INSERT into a table
# with an ``id`` column gets ``RETURNING id`` appended so ``lastrowid`` keeps its meaning. asyncpg records
# already answer ``row["col"]`` and ``row[0]`` like ``sqlite3.Row``.

_translations: dict[tuple[str, frozenset[str]], tuple[str, bool]] = {}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def translate(sql: str, id_tables: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """``?`` -> ``$1, $2, ...`` outside quotes and comments; True when ``RETURNING id`` was appended."""
    key = (sql, id_tables)
    cached = _translations.get(key)
    if cached is not None:
        return cached
    out: list[str] = []
    n = 0
    i = 0
    length = len(sql)
    while i < length:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < length:
                if sql[end] == ch:
                    if end + 1 < length and sql[end + 1] == ch:  # doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = length if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    returning = False
    m = _INSERT.match(text)
    if m and m.group(1).lower() in id_tables and not re.search(r"\bRETURNING\b", text, re.IGNORECASE):
        text = text.rstrip().rstrip(";") + " RETURNING id"
        returning = True
    _translations[key] = (text, returning)
    return text, returning


class PgCursor:
    """What a statement left behind, shaped like an aiosqlite cursor."""

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        rest = self._rows[self._next :]
        self._next = len(self._rows)
        return rest

    async def __aenter__(self) -> PgCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _PgResult:
    """``await conn.execute(...)`` and ``async with conn.execute(...) as cur`` both work, as with aiosqlite."""

    def __init__(self, run: Any) -> None:
        self._run = run
        self._cursor: PgCursor | None = None

    def __await__(self) -> Any:
        return self._run().__await__()

    async def __aenter__(self) -> PgCursor:
        self._cursor = await self._run()
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


_COUNT = re.compile(r"(\d+)\s*$")
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b|\bRETURNING\b", re.IGNORECASE)


class PgConnection:
    """One asyncpg connection (inside a transaction), or the pool (reads: each statement borrows one)."""

    def __init__(self, source: Any, id_tables: frozenset[str]) -> None:
        self._source = source
        self._id_tables = id_tables

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _PgResult:
        return _PgResult(lambda: self._execute(sql, tuple(params)))

    async def _execute(self, sql: str, params: tuple[Any, ...]) -> PgCursor:
        text, returning = translate(sql, self._id_tables)
        try:
            if _RETURNS_ROWS.search(text):
                rows = list(await self._source.fetch(text, *params))
                lastrowid = int(rows[-1][0]) if returning and rows else None
                return PgCursor(rows, len(rows), lastrowid)
            status = await self._source.execute(text, *params)
        except asyncpg.IntegrityConstraintViolationError as exc:
            # Repositories turn a UNIQUE/CHECK violation into their own error (DuplicateSubscription, ...) by
            # catching sqlite3.IntegrityError: one exception type for both backends.
            raise sqlite3.IntegrityError(str(exc)) from exc
        m = _COUNT.search(status or "")
        return PgCursor([], int(m.group(1)) if m else -1, None)

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        cursor = await self._execute(sql, tuple(params))
        return await cursor.fetchall()

    async def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> None:
        text, _ = translate(sql)
        try:
            await self._source.executemany(text, [tuple(p) for p in seq])
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc


class PostgresDatabase(Database):
    """A pool of asyncpg connections to one PostgreSQL database; same methods as the SQLite :class:`Database`.

    Writers in one process are still serialised (one ``asyncio.Lock``, as under SQLite), so repository code
    that reads then writes inside a transaction (next vote seq, next RSVP seq) behaves as it does on SQLite.
    Between processes, guild-scoped writes come from the one process that owns the guild's shard, and
    background work is divided by leases (:mod:`storage.leases`).
    """

    dialect = "postgresql"

    def __init__(self, pool: Any, url: str, id_tables: frozenset[str]) -> None:
        self._pool = pool
        self.path = display_url(url)
        self.url = url
        self._write_lock = asyncio.Lock()
        self._closed = False
        self._id_tables = id_tables
        self._reader = PgConnection(pool, id_tables)
        # Processes share the database: each is its own lease owner (host and pid say which, for operators).
        self.lease_owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.write_observer: Callable[[float], None] | None = None

    @classmethod
    async def open_url(cls, url: str, *, pool_size: int = 10, read_only: bool = False) -> PostgresDatabase:
        """Connect a pool to ``url`` (missing parts from PG* variables / .pgpass) and migrate it; or, with
        ``read_only``, change nothing at all (every transaction read-only, no migration: ``bot.py doctor``)."""
        from storage.migrate import migrate_postgres

        settings = {"default_transaction_read_only": "on"} if read_only else None
        pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, server_settings=settings)
        try:
            async with pool.acquire() as conn:
                if not read_only:
                    await migrate_postgres(conn)
                rows = await conn.fetch(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
                    "AND table_schema = current_schema()"
                )
        except BaseException:
            await pool.close()
            raise
        db = cls(pool, url, frozenset(r[0] for r in rows))
        log.info("%s database %s open (pool of %d)", db.dialect, db.path, pool_size)
        return db

    @property
    def conn(self) -> aiosqlite.Connection:
        return cast(aiosqlite.Connection, self._reader)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        started = time.perf_counter()
        async with self._write_lock, self._pool.acquire() as raw, raw.transaction():
            yield cast(aiosqlite.Connection, PgConnection(raw, self._id_tables))
        self._observe(started)

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        started = time.perf_counter()
        async with self._write_lock:
            cursor = await self._reader._execute(sql, tuple(params))
        self._observe(started)
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        cursor = await self._reader._execute(sql, tuple(params))
        return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        cursor = await self._reader._execute(sql, tuple(params))
        return await cursor.fetchall()

    async def size_bytes(self) -> int:
        """The whole database's size on the server (every server using it shares it)."""
        return int(await self.scalar("SELECT pg_database_size(current_database())") or 0)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._pool.close()
        log.info("database %s closed", self.path)


def display_url(url: str) -> str:
    """``postgresql://host:port/dbname``: the database named in logs, without user or password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return urlunsplit((parts.scheme, f"{host}:{parts.port}" if parts.port else host, parts.path, "", ""))


async def open_database(
    url: str, path: str | Path, *, busy_timeout: float = 5.0, pool_size: int = 10, lease_timeout: float = 60.0
) -> Database:
    """PostgreSQL when ``url`` is set, else the SQLite file at ``path`` (``[storage] url`` / ``path``)."""
    db = (
        await PostgresDatabase.open_url(url, pool_size=pool_size)
        if url
        else await Database.open(path, busy_timeout=busy_timeout)
    )
    db.lease_timeout = lease_timeout
    return db


#: What a failing database raises on either backend (for the CLI's one-line errors).
DatabaseError: tuple[type[Exception], ...] = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)


async def postgres_schema_version(url: str) -> int:
    """The schema version of the PostgreSQL database at ``url`` (0: empty), without changing anything."""
    from storage.migrate import check_version_postgres

    conn = await asyncpg.connect(url)
    try:
        return await check_version_postgres(conn)
    finally:
        await conn.close()
