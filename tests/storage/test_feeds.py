"""Feed repository: recording seen entries in batches."""

from __future__ import annotations

from domain.models import NewEntry
from storage import feeds as repo
from storage.db import Database


async def _feed(db: Database) -> int:
    async with db.transaction() as conn:
        return await repo.create_feed(
            conn, "https://films.example/rss", title="t", etag=None, last_modified=None, next_poll_at=0, now=1
        )


def _entry(n: int) -> NewEntry:
    return NewEntry(key=f"id:{n}", title=f"Entry {n}", link=f"https://films.example/{n}", published_at=n)


async def test_insert_entries_returns_only_new_ones_in_the_given_order(db: Database) -> None:
    feed_id = await _feed(db)
    async with db.transaction() as conn:
        first = await repo.insert_entries(conn, feed_id, [_entry(n) for n in (3, 1, 2)], 10)
    assert [e.key for _, e in first] == ["id:3", "id:1", "id:2"]
    async with db.transaction() as conn:
        again = await repo.insert_entries(conn, feed_id, [_entry(n) for n in (5, 1, 4, 5, 2)], 20)
    # known keys are skipped, a key repeated in the batch counts once, order is kept
    assert [e.key for _, e in again] == ["id:5", "id:4"]
    rows = await db.fetchall("SELECT id, entry_key, seen_at FROM entries ORDER BY id")
    stored = {r["entry_key"]: (r["id"], r["seen_at"]) for r in rows}
    assert len(rows) == 5
    for entry_id, entry in first + again:
        assert stored[entry.key][0] == entry_id
    assert stored["id:5"][1] == 20 and stored["id:1"][1] == 10


async def test_insert_entries_spans_several_statements(db: Database) -> None:
    feed_id = await _feed(db)
    entries = [_entry(n) for n in range(400)]  # more than one chunk
    async with db.transaction() as conn:
        await repo.insert_entries(conn, feed_id, entries[:120], 1)
        new = await repo.insert_entries(conn, feed_id, entries, 2)
    assert [e.key for _, e in new] == [e.key for e in entries[120:]]
    assert len({entry_id for entry_id, _ in new}) == 280
    assert await repo.count_entries(db, feed_id) == 400
