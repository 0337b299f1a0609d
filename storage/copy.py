"""``bot.py migrate-data``: copy a SQLite club database into an empty PostgreSQL database, verified.

The source is read inside one read transaction (in WAL mode that is a consistent snapshot even if a bot still
writes, though the cut-over stops the bot first). The target is migrated to the same schema version, must
hold no rows, and is filled in ONE transaction: tables in foreign-key order, each with ``COPY``, identity
sequences moved past the copied ids, then every table is read back and compared with the source (row count
and an order-independent checksum of every row) before ``COMMIT``. Any difference rolls everything back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from storage.migrate import MIGRATIONS_DIR, PG_MIGRATIONS_DIR, latest_version, migrate_postgres

_MOD = 2**256


class CopyError(Exception):
    """The copy was refused or did not verify; nothing was committed to the target."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    rows: int
    checksum: str  # hex; the same on both sides or the copy is rolled back


def _normal(value: Any) -> str:
    """One value as text both drivers agree on (SQLite may keep a number in a TEXT column, and so on)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def checksum(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(row count, sum of the rows' SHA-256 modulo 2^256): independent of order, sensitive to duplicates."""
    total = 0
    count = 0
    for row in rows:
        digest = hashlib.sha256("\x1f".join(_normal(v) for v in row).encode()).digest()
        total = (total + int.from_bytes(digest, "big")) % _MOD
        count += 1
    return count, f"{total:064x}"


def _tables_in_fk_order(src: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in src.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    parents = {t: {r[2] for r in src.execute(f"PRAGMA foreign_key_list({t})")} - {t} for t in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [t for t in names if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise CopyError(f"circular foreign keys among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    return ordered


def _convert(value: Any, pg_type: str) -> Any:
    if value is None:
        return None
    if pg_type == "text" and not isinstance(value, str):
        return _normal(value)
    if pg_type in ("bigint", "integer", "smallint") and not isinstance(value, int):
        return int(value)
    return value


async def copy_sqlite_to_postgres(source: Path, url: str) -> list[TableCopy]:
    """Copy every table of the SQLite file at ``source`` into the empty PostgreSQL database at ``url``."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        version = int(src.execute("PRAGMA user_version").fetchone()[0])
        latest = latest_version(MIGRATIONS_DIR)
        if version != latest:
            raise CopyError(
                f"{source} is at schema version {version}, this Projectionist at {latest}: run `bot.py migrate` "
                "against it first (with the same Projectionist version that will run on PostgreSQL)"
            )
        src.execute("BEGIN")  # one read transaction: every table from the same snapshot
        conn = await asyncpg.connect(url)
        try:
            await migrate_postgres(conn)
            if latest_version(PG_MIGRATIONS_DIR) != version:  # pragma: no cover - checked by test_dialects
                raise CopyError("the PostgreSQL migrations do not match the SQLite ones")
            async with conn.transaction():
                return await _copy_all(src, conn)
        finally:
            await conn.close()
    finally:
        src.close()


async def _copy_all(src: sqlite3.Connection, conn: Any) -> list[TableCopy]:
    tables = _tables_in_fk_order(src)
    types: dict[str, dict[str, str]] = {}
    for r in await conn.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ):
        types.setdefault(r["table_name"], {})[r["column_name"]] = r["data_type"]
    for table in tables:
        if table not in types:
            raise CopyError(f"table {table} is missing from the PostgreSQL schema")
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise CopyError(
                f"the target database is not empty (table {table} has rows); use an empty database"
            )
    done: list[TableCopy] = []
    for table in tables:
        columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        select = f"SELECT {', '.join(columns)} FROM {table}"
        kinds = [types[table][c] for c in columns]
        records = [
            tuple(_convert(v, k) for v, k in zip(row, kinds, strict=True)) for row in src.execute(select)
        ]
        if records:
            await conn.copy_records_to_table(table, records=records, columns=columns)
        if "id" in columns and await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                f"FROM {table}"
            )
        want = checksum(src.execute(select))
        got = checksum(await conn.fetch(select))
        if want != got:
            raise CopyError(
                f"table {table} did not verify: source {want[0]} rows ({want[1][:12]}), "
                f"copy {got[0]} rows ({got[1][:12]}); nothing was committed"
            )
        done.append(TableCopy(table, want[0], want[1]))
    return done
