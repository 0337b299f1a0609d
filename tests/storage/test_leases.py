"""Leases on both backends: one claimant at a time, expiry hands the work over, the owner may renew."""

from __future__ import annotations

import asyncio
from typing import Any

from storage import leases
from storage.db import Database, PostgresDatabase


async def test_a_lease_is_won_once_until_it_expires(db: Database) -> None:
    assert await leases.claim(db, "feed", [3, 1, 2], now=1000) == {1, 2, 3}
    other = db.lease_owner
    db.lease_owner = "other-process"
    try:
        assert await leases.claim(db, "feed", [1, 2, 4], now=1001) == {4}  # 1 and 2 are taken, 4 was free
        assert await leases.claim(db, "outbox", [1], now=1001) == {1}  # kinds are separate
        # the first owner's leases run out after lease_timeout: then anyone takes them over
        assert await leases.claim(db, "feed", [1, 2], now=1000 + int(db.lease_timeout)) == {1, 2}
    finally:
        db.lease_owner = other
    assert await leases.claim(db, "feed", [4], now=1002) == set()  # the other process holds it now
    assert (await leases.held(db, "feed", now=1002))[4] == "other-process"


async def test_the_owner_renews_and_release_frees_at_once(db: Database) -> None:
    assert await leases.claim(db, "outbox", [7], now=1000) == {7}
    assert await leases.claim(db, "outbox", [7], now=1010) == {7}  # renewed by its owner
    await leases.release(db, "outbox", 7)
    db.lease_owner = "someone-else"
    assert await leases.claim(db, "outbox", [7], now=1011) == {7}
    assert await leases.sweep(db, now=1011 + 10 * int(db.lease_timeout)) == 1


async def test_two_processes_racing_for_the_same_work_split_it(pg_server: Any) -> None:
    """Two pools on one PostgreSQL database (two processes, as far as the server knows) claim 200 items at
    the same moment, many times over: every item goes to exactly one of them."""
    url = pg_server.create_database()
    first = await PostgresDatabase.open_url(url, pool_size=4)
    second = await PostgresDatabase.open_url(url, pool_size=4)
    try:
        assert first.lease_owner != second.lease_owner
        for round_ in range(5):
            ids = range(round_ * 200, round_ * 200 + 200)
            a, b = await asyncio.gather(
                leases.claim(first, "feed", ids, now=1000),
                leases.claim(second, "feed", reversed(ids), now=1000),
            )
            assert a.isdisjoint(b) and a | b == set(ids)
    finally:
        await first.close()
        await second.close()
