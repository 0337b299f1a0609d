"""What ``/healthz`` and ``/readyz`` report, pushed in by the Discord side (services never import discord).

The bot sets the gateway state from its connect/disconnect/resume events and marks readiness; background
loops report each pass through ``cogs._ui.guarded_pass``. Everything is in memory and about *this*
process: the database's ``loop_health`` table (shown by /club status) keeps only busy passes, while health
needs to know that an idle loop is still turning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services import metrics
from storage.db import Database

log = logging.getLogger(__name__)

#: A loop is stale when its last completed pass is older than this many intervals.
STALE_INTERVALS = 3


@dataclass(slots=True)
class LoopState:
    interval: float
    started_at: float | None = None
    last_pass_at: float | None = None
    last_duration: float = 0.0

    def period(self) -> float:
        # A pass longer than the tick delays the next one (tasks.loop never overlaps), so the real period
        # is the longer of the two: a feed cycle that takes 2 minutes on a 30 s tick is slow, not stuck.
        return max(self.interval, self.last_duration)


class HealthState:
    """``clock`` measures lags (monotonic, so a wall-clock step cannot make a loop look stuck); ``wall``
    only turns them into the timestamps shown."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.wall = wall
        self.connected = False
        self.disconnected_since: float | None = None
        self.latency: Callable[[], float] = lambda: float("nan")
        self.commands_synced = False
        self.guilds_ready = False
        self.loops: dict[str, LoopState] = {}
        self._lag_task: asyncio.Task[None] | None = None

    # -- pushed by the bot -------------------------------------------------------------------------

    def gateway_up(self) -> None:
        self.connected = True
        self.disconnected_since = None
        metrics.GATEWAY_CONNECTED.set(1)

    def gateway_down(self) -> None:
        if self.connected or self.disconnected_since is None:
            self.disconnected_since = self.clock()
        self.connected = False
        metrics.GATEWAY_CONNECTED.set(0)

    def pass_started(self, name: str, interval: float) -> None:
        state = self.loops.setdefault(name, LoopState(interval))
        state.interval = interval
        state.started_at = self.clock()

    def pass_completed(self, name: str) -> None:
        state = self.loops.get(name)
        if state is None:
            return
        now = self.clock()
        state.last_duration = now - state.started_at if state.started_at is not None else 0.0
        state.last_pass_at = now

    @property
    def ready(self) -> bool:
        return self.commands_synced and self.guilds_ready

    # -- read by the HTTP server -------------------------------------------------------------------

    def gateway_latency(self) -> float | None:
        value = self.latency()
        return value if value == value and value != float("inf") else None  # NaN/inf: no heartbeat yet

    def report(self, database_ok: bool) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body). Unhealthy: gateway down, database unreachable or a stale loop."""
        now = self.clock()

        def when(instant: float | None) -> float | None:
            return None if instant is None else round(self.wall() - (now - instant), 3)

        latency = self.gateway_latency()
        if latency is not None:
            metrics.GATEWAY_LATENCY.set(latency)
        loops: dict[str, Any] = {}
        stale = False
        for name, state in sorted(self.loops.items()):
            since = state.last_pass_at if state.last_pass_at is not None else state.started_at
            lag = max(0.0, now - since) if since is not None else 0.0
            loop_stale = lag > STALE_INTERVALS * state.period()
            stale = stale or loop_stale
            loops[name] = {
                "last_pass_at": when(state.last_pass_at),
                "lag_seconds": round(lag, 3),
                "interval_seconds": state.interval,
                "ok": not loop_stale,
            }
        body: dict[str, Any] = {
            "gateway": {
                "connected": self.connected,
                "latency_seconds": round(latency, 4) if latency is not None else None,
                "disconnected_since": when(self.disconnected_since),
            },
            "database": {"reachable": database_ok},
            "loops": loops,
        }
        healthy = self.connected and database_ok and not stale
        body["status"] = "ok" if healthy else "unhealthy"
        return healthy, body

    # -- event-loop lag ----------------------------------------------------------------------------

    async def start(self, period: float = 1.0) -> None:
        """Start measuring event-loop lag (a task that keeps a reference to itself here)."""
        if self._lag_task is None:
            self._lag_task = asyncio.create_task(self._probe_lag(period), name="event-loop-lag")

    async def close(self) -> None:
        task, self._lag_task = self._lag_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @staticmethod
    async def _probe_lag(period: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(period)
            metrics.EVENT_LOOP_LAG.observe(max(0.0, loop.time() - before - period))


#: How long the database may take to answer ``SELECT 1`` before it counts as unreachable.
DB_TIMEOUT = 2.0


async def database_ok(db: Database) -> bool:
    try:
        return await asyncio.wait_for(db.scalar("SELECT 1"), DB_TIMEOUT) == 1
    except Exception:
        log.warning("health check: the database did not answer", exc_info=True)
        return False


async def probe(health: HealthState, db: Database) -> tuple[bool, dict[str, Any]]:
    """The one health verdict, for ``/healthz`` and for systemd's watchdog alike."""
    return health.report(await database_ok(db))
