"""Calendar export (.ics) of one party or of the guild's upcoming ones."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import UserError
from domain.ics import IcsParty, build_calendar
from domain.models import Party
from services.watchparties._context import Context
from services.watchparties._models import PRODID
from storage import watchparties as repo


async def _place(ctx: Context, party: Party) -> str:
    if party.voice_channel_id is not None:
        label = await ctx.discord.channel_label(party.voice_channel_id) if ctx.discord else ""
        return ("Discord " + label).strip()
    return (party.location or "").strip()


async def ics(ctx: Context, guild_id: int, party_id: int | None) -> tuple[str, bytes]:
    """An .ics file of one party (cancelled ones too, so calendars update) or of all upcoming ones."""
    if party_id is not None:
        parties = [await ctx.party(guild_id, party_id)]
        filename = f"watchparty-{party_id}.ics"
    else:
        parties = await repo.upcoming_parties(ctx.db, guild_id, ctx.now(), 100)
        if not parties:
            raise UserError("There are no upcoming watch parties to export.")
        filename = "watchparties.ics"
    items = await ics_items(ctx, parties)
    return filename, build_calendar(items, PRODID, ctx.now_dt(), name="Watch parties")


async def ics_items(ctx: Context, parties: Sequence[Party]) -> list[IcsParty]:
    """The calendar view of ``parties`` (for ``/watchparty ics`` and the subscribable club calendar)."""
    return [
        IcsParty(
            guild_id=p.guild_id,
            party_id=p.id,
            title=p.film,
            start_epoch=p.start_at,
            end_epoch=p.end_at,
            notes=p.notes or "",
            location=await _place(ctx, p),
            cancelled=p.cancelled,
            sequence=p.sequence,
            created_epoch=p.created_at,
            updated_epoch=p.updated_at,
        )
        for p in parties
    ]
