"""Club-wide settings, status and member data deletion."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from domain.models import GuildSettings, LoopHealth
from domain.schedule import timezone_choices, validate_timezone
from services.health import HealthState
from storage import club as repo
from storage.db import Database

__all__ = ["ClubService", "StatusReport", "timezone_choices", "validate_timezone"]

VERSION = "0.1.0"

StatusProvider = Callable[[int], Awaitable[dict[str, str]]]


@dataclass(frozen=True, slots=True)
class StatusReport:
    version: str
    uptime_seconds: float
    database_bytes: int
    counts: dict[str, str]
    loops: list[LoopHealth] = field(default_factory=list)


class ClubService:
    def __init__(
        self, db: Database, *, clock: Callable[[], float] = time.time, health: HealthState | None = None
    ) -> None:
        self.db = db
        #: in-memory liveness of this process (loops' passes, the gateway) for /healthz
        self.health = health if health is not None else HealthState()
        self._clock = clock
        self._started = clock()
        self._status_providers: list[StatusProvider] = []

    def add_status_provider(self, provider: StatusProvider) -> None:
        """Features register a coroutine returning their lines for /club status."""
        self._status_providers.append(provider)

    async def status(self, guild_id: int) -> StatusReport:
        counts: dict[str, str] = {}
        for provider in self._status_providers:
            counts.update(await provider(guild_id))
        return StatusReport(
            version=VERSION,
            uptime_seconds=self._clock() - self._started,
            database_bytes=await self.db.size_bytes(),
            counts=counts,
            loops=await repo.get_loop_health(self.db),
        )

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        return await repo.get_guild_settings(self.db, guild_id)

    async def update_guild_settings(self, guild_id: int, **changes: object) -> GuildSettings:
        if "timezone" in changes and changes["timezone"] is not None:
            changes["timezone"] = validate_timezone(str(changes["timezone"]))
        async with self.db.transaction() as conn:
            await repo.update_guild_settings(conn, guild_id, **changes)
        return await repo.get_guild_settings(self.db, guild_id)

    async def club_timezone(self, guild_id: int, default: str) -> str:
        settings = await repo.get_guild_settings(self.db, guild_id)
        return settings.timezone or default

    async def member_timezone(self, user_id: int) -> str | None:
        return await repo.get_member_timezone(self.db, user_id)

    async def set_member_timezone(self, user_id: int, name: str | None) -> str | None:
        zone = validate_timezone(name) if name is not None else None
        async with self.db.transaction() as conn:
            await repo.set_member_timezone(conn, user_id, zone)
        return zone

    async def member_data_counts(self, user_id: int) -> dict[str, int]:
        return await repo.count_member_data(self.db, user_id)

    async def forget_member(self, user_id: int) -> dict[str, int]:
        async with self.db.transaction() as conn:
            return await repo.delete_member_data(conn, user_id)

    async def record_loop(self, name: str, ok: bool, result: str) -> None:
        async with self.db.transaction() as conn:
            await repo.record_loop_run(conn, name, ok, result[:300])
