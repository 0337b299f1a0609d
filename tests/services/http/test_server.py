"""services.http: the server on a real loopback port, hit with a real client (no bot, no Discord)."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services import metrics
from services.container import Services
from settings import HttpSettings, Settings
from storage.db import Database


def random_token() -> str:
    """A well-formed calendar token no server has (as long as the bot's own: 192 bits, base64url)."""
    return secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(db: Database, **http: object) -> AsyncIterator[tuple[Services, str, aiohttp.ClientSession]]:
    port = free_port()
    options: dict[str, object] = {"listen": f"127.0.0.1:{port}", "public_url": "https://films.example"}
    options.update(http)
    settings = dataclasses.replace(Settings(), http=HttpSettings(**options))  # type: ignore[arg-type]
    async with aiohttp.ClientSession() as session:
        services = Services.build(settings, db)
        await services.start()
        try:
            yield services, f"http://127.0.0.1:{port}", session
        finally:
            await services.close()


async def test_off_by_default(db: Database) -> None:
    services = Services.build(Settings(), db)
    assert services.http is None


async def test_requests_with_a_body_are_refused(db: Database) -> None:
    async with served(db) as (_, base, http):
        async with http.get(f"{base}/healthz", data=b"x" * 10) as r:
            assert r.status == 413
        async with http.post(f"{base}/metrics", data=b"{}") as r:
            assert r.status == 413

        async def chunks() -> AsyncIterator[bytes]:
            yield b"abc"

        async with http.get(f"{base}/readyz", data=chunks()) as r:
            assert r.status == 400
        async with http.post(f"{base}/healthz") as r:  # no body, wrong method
            assert r.status == 405


async def test_rate_limit_per_address_with_retry_after(db: Database) -> None:
    async with served(db, rate_per_minute=1, rate_burst=2) as (_, base, http):
        statuses = []
        for _ in range(3):
            async with http.get(f"{base}/readyz") as r:
                statuses.append(r.status)
                retry_after = r.headers.get("Retry-After")
        assert statuses[2] == 429 and statuses[:2] != [429, 429]
        assert retry_after is not None and 1 <= int(retry_after) <= 60


async def test_calendar_traffic_cannot_starve_the_health_checks(db: Database) -> None:
    async with served(db, rate_per_minute=1, rate_burst=2) as (_, base, http):
        for _ in range(3):
            async with http.get(f"{base}/calendar/{random_token()}.ics") as r:
                last = r.status
        assert last == 429
        async with http.get(f"{base}/healthz") as r:
            assert r.status != 429


async def test_unknown_token_gets_the_same_404_as_a_missing_page(db: Database) -> None:
    async with served(db) as (_, base, http):
        answers = []
        for path in (
            "/nothing-here",
            f"/calendar/{random_token()}.ics",
            "/calendar/x.ics",
            "/calendar/../etc",
        ):
            async with http.get(base + path) as r:
                answers.append((r.status, await r.text(), r.headers.get("Content-Type")))
        assert answers[0][0] == 404
        assert all(a == answers[0] for a in answers), answers


async def test_access_log_line_per_request_masks_calendar_tokens(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    token = random_token()
    async with served(db) as (_, base, http):
        with caplog.at_level(logging.INFO, logger="services.http.access"):
            async with http.get(f"{base}/calendar/{token}.ics", headers={"User-Agent": "probe/1"}) as r:
                assert r.status == 404
            async with http.get(f"{base}/readyz") as r:
                pass
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "services.http.access" and '"GET' in r.getMessage()
    ]
    assert len(lines) == 2
    assert token not in caplog.text
    assert '"GET /calendar/<token>" 404' in lines[0] and "probe/1" in lines[0]
    assert '"GET /readyz" 503' in lines[1]


async def test_healthz_follows_the_gateway_and_the_loops(db: Database) -> None:
    async with served(db) as (services, base, http):
        health = services.health
        now = [1000.0]
        health.clock = lambda: now[0]
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 503  # not connected yet
            body = await r.json()
        assert body["gateway"]["connected"] is False and body["database"]["reachable"] is True
        health.latency = lambda: 0.042
        health.gateway_up()
        health.pass_started("feeds", 30)
        health.pass_completed("feeds")
        now[0] += 60
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 200
            body = await r.json()
        assert body["status"] == "ok"
        assert body["gateway"] == {"connected": True, "latency_seconds": 0.042, "disconnected_since": None}
        assert body["loops"]["feeds"]["lag_seconds"] == 60 and body["loops"]["feeds"]["ok"] is True
        now[0] += 31  # 91 s since the last pass: more than three 30 s intervals
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 503
            body = await r.json()
        assert body["loops"]["feeds"]["ok"] is False and body["status"] == "unhealthy"
        health.pass_started("feeds", 30)
        health.pass_completed("feeds")
        health.gateway_down()
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 503
            since = (await r.json())["gateway"]["disconnected_since"]
        assert abs(since - time.time()) < 60  # shown as wall-clock time, measured on the monotonic clock


async def test_a_slow_pass_stretches_the_allowed_lag(db: Database) -> None:
    async with served(db) as (services, _, _http):
        health = services.health
        now = [0.0]
        health.clock = lambda: now[0]
        health.gateway_up()
        health.pass_started("feeds", 30)
        now[0] = 120.0  # a 2-minute cycle on a 30 s tick is slow, not stuck
        health.pass_completed("feeds")
        now[0] += 300
        assert health.report(True)[0] is True
        now[0] += 100  # 400 s > 3 x 120 s
        assert health.report(True)[0] is False


async def test_readyz_needs_commands_and_guilds(db: Database) -> None:
    async with served(db) as (services, base, http):
        async with http.get(f"{base}/readyz") as r:
            assert r.status == 503
        services.health.commands_synced = True
        async with http.get(f"{base}/readyz") as r:
            assert r.status == 503
        services.health.guilds_ready = True
        async with http.get(f"{base}/readyz") as r:
            assert r.status == 200
            assert await r.json() == {"ready": True, "commands_synced": True, "guilds_ready": True}


async def test_metrics_parse_and_include_the_outbox_backlog(db: Database) -> None:
    async with served(db) as (_, base, http):
        before = metrics.VOTES_RECORDED._value.get()
        metrics.vote_recorded()
        async with http.get(f"{base}/metrics") as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/plain")
            text = await r.text()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["projectionist_votes_recorded"].samples[0].value == before + 1
    assert families["projectionist_outbox_pending"].samples[0].value == 0
    assert "projectionist_outbox_oldest_age_seconds" in families
    for name in ("projectionist_feed_fetch_seconds", "projectionist_database_write_seconds"):
        assert families[name].type == "histogram"


async def test_a_taken_port_is_logged_and_the_bot_runs_on_without_the_server(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = dataclasses.replace(Settings(), http=HttpSettings(listen=f"127.0.0.1:{port}"))
        services = Services.build(settings, db)
        with caplog.at_level(logging.ERROR, logger="services.container"):
            await services.start()
        try:
            assert services.http is None
            assert f"cannot listen on 127.0.0.1:{port}" in caplog.text
        finally:
            await services.close()
