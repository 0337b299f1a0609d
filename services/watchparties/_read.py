"""Read-only queries: a party's details, the upcoming list, id autocomplete, the status line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.models import ReminderRow
from domain.schedule import format_local
from services.watchparties._context import Context
from services.watchparties._models import PartyView
from storage import watchparties as repo


async def info(ctx: Context, guild_id: int, party_id: int) -> tuple[PartyView, list[ReminderRow]]:
    party = await ctx.party(guild_id, party_id)
    return await ctx.view(party), await repo.party_reminders(ctx.db, party.id)


async def upcoming(ctx: Context, guild_id: int) -> list[PartyView]:
    return [await ctx.view(p) for p in await repo.upcoming_parties(ctx.db, guild_id, ctx.now(), 25)]


async def choices(ctx: Context, guild_id: int, prefix: str) -> list[tuple[int, str]]:
    """Autocomplete for ids: ``#3 Alien — Fri 5 Dec 2026, 20:00 GMT``."""
    needle = prefix.strip().lstrip("#").casefold()
    out: list[tuple[int, str]] = []
    for party in await repo.upcoming_parties(ctx.db, guild_id, ctx.now(), 100):
        local = datetime.fromtimestamp(party.start_at, tz=ZoneInfo(party.timezone))
        label = f"#{party.id} {party.film}"[:70] + f" — {format_local(local)}"
        if not needle or needle in label.casefold():
            out.append((party.id, label[:100]))
    return out[:25]


async def status_lines(ctx: Context, guild_id: int) -> dict[str, str]:
    return {"Upcoming watch parties": str(await repo.count_upcoming(ctx.db, guild_id, ctx.now()))}


async def restart_counts(ctx: Context) -> tuple[int, int, int | None]:
    """(pending, overdue, next due) reminder counts, for the startup log line."""
    pending = await repo.count_pending(ctx.db)
    next_due = await repo.next_due_at(ctx.db)
    overdue = await repo.due_reminders(ctx.db, ctx.now())
    return pending, len(overdue), next_due
