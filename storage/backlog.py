"""What the outbox holds right now, for ``/metrics`` (queried at scrape time)."""

from __future__ import annotations

from storage.db import Database


async def outbox_backlog(db: Database, now: int) -> tuple[int, float]:
    """(messages waiting to be sent, age in seconds of the oldest one; 0 when none).

    The one place the metrics read the outbox: when the outbox table changes, only this query changes.
    """
    row = await db.fetchone("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'")
    if row is None or not row[0]:
        return 0, 0.0
    return int(row[0]), float(max(0, now - int(row[1])))
