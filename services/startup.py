"""Waiting for Discord at startup: the network may not be up yet at boot, and DNS may be down for a while.

``bot.py run`` calls :func:`wait_for_discord` before it opens anything else. Each failed attempt is one log
line naming the address and the reason; attempts back off exponentially (with jitter, so a fleet of bots
rebooted together does not knock in step) up to a cap. Only a refused token ends the wait, because no
amount of retrying fixes it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from domain.feedrules import next_delay

log = logging.getLogger(__name__)

#: Longest wait between two attempts, in seconds.
RETRY_CAP = 60.0
#: First wait; each further failure doubles the ceiling (equal jitter, see ``domain.feedrules``).
RETRY_BASE = 1.0
NETWORK_ERRORS: tuple[type[Exception], ...] = (aiohttp.ClientError, OSError, TimeoutError)


class TokenRefused(Exception):
    """Discord answered 401 to the token."""


def describe_network_error(exc: BaseException) -> str:
    """A one-line reason for a failed connection (no traceback, the host named)."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup failed for {exc.host} ({exc.os_error})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port} ({exc.os_error.strerror or exc.os_error})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def wait_for_discord(
    session: aiohttp.ClientSession,
    api_base: str,
    token: str,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    cap: float = RETRY_CAP,
) -> int:
    """Return once ``GET /users/@me`` answers; the number of attempts it took. Raises :class:`TokenRefused`.

    Any answer other than 401, 429 or a 5xx counts as reachable: discord.py's own login then reports it.
    """
    url = api_base.rstrip("/") + "/users/@me"
    timeout = aiohttp.ClientTimeout(total=30, connect=10)
    attempt = 0
    while True:
        attempt += 1
        hint: float | None = None
        try:
            async with session.get(url, headers={"Authorization": f"Bot {token}"}, timeout=timeout) as resp:
                if resp.status == 401:
                    raise TokenRefused
                if resp.status != 429 and resp.status < 500:
                    if attempt > 1:
                        log.info("Discord is reachable at %s (after %d attempts)", api_base, attempt)
                    return attempt
                reason = f"HTTP {resp.status} {resp.reason or ''}".strip()
                if resp.status == 429:
                    try:
                        hint = float(resp.headers.get("Retry-After", ""))
                    except ValueError:
                        hint = None
        except NETWORK_ERRORS as exc:
            reason = describe_network_error(exc)
        delay = next_delay(attempt, RETRY_BASE, cap)
        if hint is not None:
            delay = max(delay, min(hint, cap))
        log.warning(
            "cannot reach Discord at %s (attempt %d): %s; retrying in %.1fs", api_base, attempt, reason, delay
        )
        await sleep(delay)
