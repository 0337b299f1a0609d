"""The doctor's read-only queries, on a real SQLite file."""

from __future__ import annotations

import pytest

from domain.models import NewEntry
from storage import club, outbox
from storage import diagnostics as diag
from storage import feeds as repo
from storage.db import Database

NOW = 1_800_000_000


async def _subscription(db: Database, channel_id: int, name: str) -> tuple[int, int]:
    async with db.transaction() as conn:
        feed_id = await repo.create_feed(
            conn,
            f"https://films.example/{name}",
            title=name,
            etag=None,
            last_modified=None,
            next_poll_at=0,
            now=1,
        )
        sub_id = await repo.add_subscription(
            conn, feed_id=feed_id, guild_id=1, channel_id=channel_id, name=name, created_by=9, now=1
        )
    return feed_id, sub_id


async def test_channels_feeds_and_stuck_posts(db: Database) -> None:
    ok_feed, _ = await _subscription(db, 10, "fine")
    bad_feed, bad_sub = await _subscription(db, 11, "failing")
    _, paused_sub = await _subscription(db, 12, "paused by a moderator")
    async with db.transaction() as conn:
        await repo.set_subscription_status(conn, paused_sub, "paused", "moderator")
        await repo.record_failure(conn, bad_feed, now=NOW, next_poll_at=NOW + 60, error="HTTP 500")
        await club.update_guild_settings(conn, 1, notices_channel_id=20, announce_channel_id=21)
        [(old, _), (new, _)] = await repo.insert_entries(
            conn, ok_feed, [NewEntry("a", "A", None, None), NewEntry("b", "B", None, None)], NOW
        )
        [sub] = await repo.subscriptions_for_feed(conn, ok_feed)
        for entry_id, created in ((old, NOW - 7200), (new, NOW - 60)):
            await outbox.enqueue(
                conn,
                kind="feed_post",
                owner_id=sub.id,
                part=str(entry_id),
                channel_id=10,
                payload="{}",
                now=created,
            )
    uses = await diag.channels_in_use(db, NOW)
    assert {(u.channel_id, u.feature) for u in uses} == {
        (10, "feeds"),
        (11, "feeds"),
        (20, "notices"),
        (21, "announcements"),
    }  # the subscription a moderator paused posts nowhere, so its channel is not checked
    [trouble] = await diag.feed_troubles(db)
    assert (
        trouble.subscription_id == bad_sub
        and trouble.reason == "HTTP 500"
        and trouble.consecutive_failures == 1
    )
    [stuck] = await diag.stuck_outbox(db, NOW - 3600)
    assert stuck.channel_id == 10 and stuck.guild_id == 1 and stuck.created_at == NOW - 7200


async def test_read_only_never_writes(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("the doctor reads the SQLite file read-only; PostgreSQL has its own roles for that")
    with pytest.raises(diag.Unreadable, match="readonly"):
        async with diag.read_only(db.path) as ro:
            assert await diag.schema_version(ro) > 0
            await ro.conn.execute("DELETE FROM feeds")
    with pytest.raises(diag.Unreadable):
        async with diag.read_only(db.path + ".missing"):
            pass
