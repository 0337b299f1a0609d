"""cogs._ui.guarded_pass: a background loop's pass never raises and its health is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cogs._ui import guarded_pass
from services.club import ClubService
from storage import club as repo
from storage.db import Database


@dataclass
class Report:
    busy: bool
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"busy={self.busy} errors={len(self.errors)}"


async def test_guarded_pass_records_busy_passes_and_swallows_failures(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        club = ClubService(db)

        async def idle() -> Report:
            return Report(busy=False)

        async def busy_with_an_error() -> Report:
            return Report(busy=True, errors=["feed 3: boom"])

        async def broken() -> Report:
            raise RuntimeError("database is locked")

        await guarded_pass(club, "idle", idle)
        await guarded_pass(club, "first", idle, record_idle=True)
        await guarded_pass(club, "busy", busy_with_an_error)
        await guarded_pass(club, "broken", broken)  # must not raise
        health = {h.name: h for h in await repo.get_loop_health(db)}
    assert "idle" not in health
    assert health["first"].last_ok_at is not None
    assert health["busy"].last_ok_at is None and health["busy"].last_result == "busy=True errors=1"
    assert health["broken"].last_ok_at is None
    assert "pass failed" in (health["broken"].last_result or "")
    assert "database is locked" in (health["broken"].last_result or "")
