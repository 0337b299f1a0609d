"""The one long-lived aiosqlite connection and its transaction helper.

Coroutines that share one SQLite connection share its transaction: if two of them interleave
``BEGIN``/``COMMIT`` on the same connection, one's rollback silently undoes the other's write. Every write
therefore goes through :meth:`Database.transaction`, which serialises writers with an ``asyncio.Lock``.
Reads outside a transaction are fine (they run between statements on the same worker thread).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrate import check_version, migrate

log = logging.getLogger(__name__)

#: The connection a write transaction hands to repositories; services name it through this alias so
#: that only storage depends on the driver.
Connection = aiosqlite.Connection


class Database:
    """Owns the connection. Open with :meth:`open`, close with :meth:`close` (or ``async with``)."""

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
        log.info("database %s open", path)
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

    def size_bytes(self) -> int:
        """Database file plus WAL, in bytes (0 for an in-memory database)."""
        if self.path == ":memory:":
            return 0
        total = 0
        for suffix in ("", "-wal"):
            p = Path(self.path + suffix)
            if p.exists():
                total += p.stat().st_size
        return total

    async def close(self) -> None:
        """Wait for the writer in flight, then close. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._conn.close()
        log.info("database %s closed", self.path)
