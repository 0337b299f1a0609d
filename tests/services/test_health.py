"""The one health verdict that /healthz and systemd's watchdog share."""

from __future__ import annotations

from services.health import HealthState, probe
from storage.db import Database


async def test_probe_needs_the_gateway_the_database_and_fresh_loops(db: Database) -> None:
    now = [1000.0]
    health = HealthState(clock=lambda: now[0])
    try:
        assert (await probe(health, db))[0] is False  # no gateway yet
        health.gateway_up()
        health.pass_started("feeds", 30)
        health.pass_completed("feeds")
        healthy, body = await probe(health, db)
        assert healthy and body["database"]["reachable"] is True
        now[0] += 91  # three 30 s intervals without a pass: the loop is stuck
        assert (await probe(health, db))[0] is False
        health.pass_started("feeds", 30)
        health.pass_completed("feeds")
        assert (await probe(health, db))[0] is True
    finally:
        await db.close()
    healthy, body = await probe(health, db)  # a closed database is unreachable
    assert not healthy and body["database"]["reachable"] is False
