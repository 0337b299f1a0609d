"""Helpers for e2e tests: run a real discord.py client against a ``FakeDiscord`` and always shut it down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar

import discord

from bot import point_client_at

from .server import FakeDiscord

log = logging.getLogger(__name__)

ClientT = TypeVar("ClientT", bound=discord.Client)

#: Pass as ``guild_ready_timeout=`` to clients under test: the fake sends every GUILD_CREATE right after
#: READY, so discord.py's default 2 s wait for more guilds is pure dead time.
FAST_GUILD_READY_TIMEOUT = 0.1


@contextlib.asynccontextmanager
async def running_client(
    fake: FakeDiscord | Mapping[str, Any],
    client: ClientT,
    *,
    token: str | None = None,
    timeout: float = 5.0,
) -> AsyncIterator[ClientT]:
    """Log ``client`` in to ``fake``, connect, wait for READY + every guild cached, and close it afterwards.

    ``fake`` is a ``FakeDiscord`` or the JSON info printed by ``python -m tests.fakediscord``. Errors from
    ``login`` (e.g. ``discord.LoginFailure``) propagate; a gateway failure while waiting for ready is
    re-raised instead of timing out silently.
    """
    if isinstance(fake, FakeDiscord):
        api_base, gateway_url, real_token = fake.api_base, fake.gateway_url, fake.token
        guild_ids = [g for g, guild in fake.world.guilds.items() if fake.world.bot_user_id in guild.members]
    else:
        api_base, gateway_url, real_token = fake["api_base"], fake["gateway_url"], fake["token"]
        guild_ids = [int(fake["guild_id"]), int(fake["other_guild_id"])]
    point_client_at(client, api_base, gateway_url)
    task: asyncio.Task[None] | None = None
    try:
        await client.login(token if token is not None else real_token)
        task = asyncio.create_task(client.connect(reconnect=True), name="fakediscord-client")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises the connection error
            raise RuntimeError("client.connect() returned before the client became ready")
        if ready not in done:
            ready.cancel()
            raise TimeoutError(f"discord client not ready within {timeout}s")
        await poll(lambda: all(client.get_guild(g) is not None for g in guild_ids), timeout, "guilds cached")
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), timeout)
        if task is not None:
            if not task.done():
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout)
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            elif not task.cancelled() and task.exception() is not None:
                log.debug("client task ended with %r", task.exception())


async def poll(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Wait (10 ms steps) until ``predicate()`` is truthy and return it; for use without a FakeDiscord."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)
    return result
