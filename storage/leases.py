"""Leases: background work divided between bot processes through the database.

Every process runs the same loops (feed polling, outbox delivery, reminders, poll deadlines) and lists the
same due work. Before doing an item it claims it here: one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` per
batch, which takes a free or expired lease (or renews the caller's own) and answers with the ids it won. The
statement is atomic on both backends: under PostgreSQL a second claimant of the same row waits for the first
one's commit, then sees a live lease and gets nothing, so an item is worked on by one process at a time
without ``SKIP LOCKED`` scans. A process that dies leaves its leases to expire after ``lease_timeout``.

Callers re-check, after claiming, that the item still needs doing (the list they claimed from may be stale by
a few milliseconds): the outbox re-reads the row; feeds, reminders and polls keep their lease until it
expires, so a process that listed an item just before another finished it finds the lease still taken.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.db import Database

# PostgreSQL accepts 65,535 parameters per statement and SQLite 32,766: 4 per row, well under both.
_BATCH = 500


async def claim(db: Database, kind: str, ids: Iterable[int], now: int) -> set[int]:
    """Claim ``ids`` of ``kind`` for this process until ``now + db.lease_timeout``; returns those won."""
    wanted = sorted(set(ids))  # one lock order for every process: concurrent claims cannot deadlock
    won: set[int] = set()
    expires = now + int(db.lease_timeout)
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        values = ", ".join("(?, ?, ?, ?)" for _ in batch)
        params: list[object] = []
        for item_id in batch:
            params += [kind, item_id, db.lease_owner, expires]
        async with db.transaction() as conn:
            cur = await conn.execute(
                f"INSERT INTO leases (kind, item_id, owner, expires_at) VALUES {values} "
                "ON CONFLICT (kind, item_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
                "WHERE leases.expires_at <= ? OR leases.owner = excluded.owner RETURNING item_id",
                (*params, now),
            )
            won.update(int(r[0]) for r in await cur.fetchall())
    return won


async def release(db: Database, kind: str, item_id: int) -> None:
    """Give up this process's lease on one item (the work is done, or left for anyone to retry)."""
    await db.write(
        "DELETE FROM leases WHERE kind = ? AND item_id = ? AND owner = ?", (kind, item_id, db.lease_owner)
    )


async def sweep(db: Database, now: int) -> int:
    """Forget leases that expired a while ago (they bind nobody; this only keeps the table small)."""
    return await db.write("DELETE FROM leases WHERE expires_at < ?", (now - int(db.lease_timeout),))


async def held(db: Database, kind: str, now: int) -> dict[int, str]:
    """Live leases of ``kind``: item id -> owner (for status output and tests)."""
    rows = await db.fetchall(
        "SELECT item_id, owner FROM leases WHERE kind = ? AND expires_at > ?", (kind, now)
    )
    return {int(r[0]): str(r[1]) for r in rows}
