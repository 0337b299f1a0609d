"""The party's Discord scheduled event: created, kept in sync with edits, cancelled. Failures become warnings."""

from __future__ import annotations

import logging

from domain.models import Party
from services.delivery import DeliveryGone, DeliveryRefused
from services.watchparties._context import Context
from services.watchparties._models import MAX_FILM, EventSpec
from storage import watchparties as repo

log = logging.getLogger(__name__)


def event_spec(party: Party) -> EventSpec:
    hint = f"RSVP with the buttons on the announcement (watch party #{party.id})."
    description = f"{party.notes}\n\n{hint}" if party.notes else hint
    return EventSpec(
        guild_id=party.guild_id,
        party_id=party.id,
        name=party.film[:MAX_FILM],
        description=description[:1000],
        start_at=party.start_at,
        end_at=party.end_at,
        voice_channel_id=party.voice_channel_id,
        location=None if party.voice_channel_id else (party.location or "Discord"),
    )


async def create_event(ctx: Context, party: Party, warnings: list[str]) -> int | None:
    try:
        return await ctx.port().create_event(event_spec(party))
    except DeliveryRefused:
        log.warning(
            "guild %s: no permission to create the event for watch party %s", party.guild_id, party.id
        )
        warnings.append(
            "I couldn't create the Discord event: I need the **Manage Events** permission. "
            "The party is announced and RSVPs work; edit it once I have the permission to add the event."
        )
    except Exception as exc:
        log.exception("guild %s: creating the event for watch party %s failed", party.guild_id, party.id)
        warnings.append(f"I couldn't create the Discord event ({type(exc).__name__}); RSVPs still work.")
    return None


async def save_event_id(ctx: Context, party_id: int, event_id: int | None) -> None:
    async with ctx.db.transaction() as conn:
        await repo.update_party(conn, party_id, now=ctx.now(), event_id=event_id)


async def sync_event(ctx: Context, party: Party, warnings: list[str]) -> None:
    """Show an edit on the event; a deleted event is created anew."""
    port = ctx.port()
    if party.event_id is None:
        event_id = await create_event(ctx, party, warnings)
        if event_id is not None:
            await save_event_id(ctx, party.id, event_id)
        return
    try:
        await port.edit_event(party.event_id, event_spec(party))
    except DeliveryRefused:
        warnings.append("I couldn't update the Discord event: I need the **Manage Events** permission.")
    except DeliveryGone:
        log.info("watch party %s: event %s is gone; creating a new one", party.id, party.event_id)
        await save_event_id(ctx, party.id, None)
        await sync_event(ctx, await repo.get_party(ctx.db, party.id) or party, warnings)
    except Exception as exc:
        log.exception("watch party %s: editing event %s failed", party.id, party.event_id)
        warnings.append(f"I couldn't update the Discord event ({type(exc).__name__}).")


async def cancel_event(ctx: Context, party: Party, warnings: list[str]) -> None:
    if party.event_id is None:
        return
    try:
        await ctx.port().cancel_event(party.guild_id, party.event_id)
    except DeliveryGone:
        pass
    except DeliveryRefused:
        warnings.append(
            "I couldn't cancel the Discord event (I need **Manage Events**); please delete it by hand."
        )
    except Exception as exc:
        log.exception("watch party %s: cancelling event %s failed", party.id, party.event_id)
        warnings.append(f"I couldn't cancel the Discord event ({type(exc).__name__}).")


async def live_event_ids(ctx: Context, guild_id: int) -> list[int]:
    """Discord event ids of the guild's parties that are neither cancelled nor over (to check after a
    restart whether someone deleted them meanwhile)."""
    parties = await repo.upcoming_parties(ctx.db, guild_id, ctx.now(), 1000)
    return [p.event_id for p in parties if p.event_id is not None]
