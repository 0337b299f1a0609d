"""Cancelling a party: by an organiser, or because its Discord event was deleted."""

from __future__ import annotations

import logging

from domain.errors import UserError
from domain.models import PartyStatus
from domain.watchparty import cancel_notice
from services.watchparties._context import Context
from services.watchparties._events import cancel_event
from services.watchparties._models import CancelResult
from services.watchparties._render import Announcements, enqueue_notices, notices
from storage import watchparties as repo

log = logging.getLogger(__name__)


async def cancel(
    ctx: Context,
    announcements: Announcements,
    guild_id: int,
    party_id: int,
    user_id: int | None,
    reason: str | None,
) -> CancelResult:
    """Cancel a party: its reminders stop, the event is cancelled, the announcement says so, members are told.

    ``user_id`` None means Discord told us the event was deleted (the event is not touched again).
    """
    party = await ctx.party(guild_id, party_id)
    if party.cancelled:
        raise UserError(f"Watch party #{party_id} is already cancelled.")
    if ctx.now() >= party.end_at:
        raise UserError(f"Watch party #{party_id} is already over.")
    now = ctx.now()
    header = cancel_notice(party, reason)
    async with ctx.db.transaction() as conn:
        told = await ctx.view(party, conn)
        await repo.update_party(
            conn,
            party_id,
            now=now,
            status=PartyStatus.CANCELLED,
            cancel_reason=reason,
            sequence=party.sequence + 1,
        )
        await repo.supersede_reminders(conn, party_id, now)
        # the notice commits with the cancellation: a crash now cannot leave members untold
        await enqueue_notices(ctx, conn, party_id, notices(party, header, told.interested))
    ctx.shields.forget(guild_id)
    warnings: list[str] = []
    if user_id is not None:
        await cancel_event(ctx, party, warnings)
    await announcements.refresh(party_id)
    view = await ctx.view(party_id)
    await ctx.deliver()
    log.info("watch party %s cancelled by %s (reason: %r)", party_id, user_id or "Discord", reason)
    return CancelResult(view, tuple(warnings))


async def event_deleted(ctx: Context, announcements: Announcements, guild_id: int, event_id: int) -> bool:
    """The Discord event was deleted or cancelled outside the bot: cancel its party. True if one was."""
    party = await repo.party_by_event(ctx.db, guild_id, event_id)
    if party is None or party.cancelled or ctx.now() >= party.end_at:
        return False
    await cancel(ctx, announcements, guild_id, party.id, None, "its Discord event was deleted")
    return True
