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


async def _stored(db: Database, feed_id: int) -> tuple[str | None, int | None, str | None, int | None]:
    row = await db.fetchone(
        "SELECT body_hash, last_changed_at, last_error, last_error_at FROM feeds WHERE id = ?", (feed_id,)
    )
    assert row is not None
    return row["body_hash"], row["last_changed_at"], row["last_error"], row["last_error_at"]


async def test_the_body_fingerprint_and_its_change_time_are_kept_until_another_body(db: Database) -> None:
    async with db.transaction() as conn:
        feed_id = await repo.create_feed(
            conn, "https://films.example/rss", title="t", etag=None, last_modified=None, next_poll_at=0,
            now=1, body_hash="aa", note="feed has problems but was read: x",
        )  # fmt: skip
    assert await _stored(db, feed_id) == ("aa", 1, "feed has problems but was read: x", 1)
    success = {"next_poll_at": 0, "etag": None, "last_modified": None, "title": None}
    async with db.transaction() as conn:  # the same body again: its note still holds
        await repo.record_success(conn, feed_id, now=5, keep_note=True, **success)
    assert await _stored(db, feed_id) == ("aa", 1, "feed has problems but was read: x", 1)
    async with db.transaction() as conn:  # another body, without problems
        await repo.record_success(conn, feed_id, now=9, body_hash="bb", **success)
    assert await _stored(db, feed_id) == ("bb", 9, None, 1)
    async with db.transaction() as conn:  # a 304
        await repo.record_success(conn, feed_id, now=12, **success)
    assert await _stored(db, feed_id) == ("bb", 9, None, 1)
