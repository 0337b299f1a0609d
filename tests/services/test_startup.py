"""Waiting for Discord: one line per failed attempt, backoff, and a refused token ends the wait."""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest
from aiohttp import web

from services.startup import RETRY_CAP, TokenRefused, wait_for_discord


async def serve(statuses: list[int]) -> tuple[web.AppRunner, str]:
    async def me(request: web.Request) -> web.Response:
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return web.json_response({"id": "1"}, status=status)

    app = web.Application()
    app.router.add_get("/api/v10/users/@me", me)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v10"


async def test_server_errors_are_retried_with_growing_waits(caplog: pytest.LogCaptureFixture) -> None:
    runner, base = await serve([503, 502, 500, 200])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    try:
        async with aiohttp.ClientSession() as session:
            with caplog.at_level(logging.INFO, logger="services.startup"):
                attempts = await wait_for_discord(session, base, "t", sleep=sleep)
    finally:
        await runner.cleanup()
    assert attempts == 4 and len(waits) == 3
    assert 1 <= waits[0] <= 2 <= waits[1] <= 4 <= waits[2] <= 8
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failures) == 3 and all(base in m and "HTTP 5" in m for m in failures)


async def test_refused_token_ends_the_wait() -> None:
    runner, base = await serve([401])
    try:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(TokenRefused):
                await wait_for_discord(session, base, "bad", sleep=pytest.fail)
    finally:
        await runner.cleanup()


async def test_closed_port_backs_off_up_to_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []

    class Enough(Exception):
        pass

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 10:
            raise Enough

    async with aiohttp.ClientSession() as session:
        with pytest.raises(Enough):
            await wait_for_discord(session, f"http://127.0.0.1:{port}/api/v10", "t", sleep=sleep)
    assert max(waits) <= RETRY_CAP and waits[-1] >= RETRY_CAP / 2
    assert all("cannot connect to 127.0.0.1" in r.getMessage() for r in caplog.records)
