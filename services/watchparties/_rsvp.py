"""RSVPs: one member's answer, the waitlist it may move, and the promoted members' notice."""

from __future__ import annotations

import logging

from domain.errors import UserError
from domain.models import RsvpChoice
from domain.watchparty import Seat, promotion_notice
from services.watchparties._context import Context
from services.watchparties._models import PartyView, RsvpResult
from services.watchparties._render import enqueue_notices, notices
from storage import watchparties as repo

log = logging.getLogger(__name__)


def _seat(view: PartyView, user_id: int, choice: RsvpChoice) -> tuple[Seat, int | None]:
    """Where the answer left the member, and their place on the waitlist (1 = next)."""
    if user_id in view.going:
        return Seat.GOING, None
    if user_id in view.waitlist:
        return Seat.WAITLIST, view.waitlist.index(user_id) + 1
    return Seat(choice), None


async def rsvp(ctx: Context, guild_id: int, party_id: int, user_id: int, choice: RsvpChoice) -> RsvpResult:
    """Record one member's answer (race-free: one transaction reads the queue and writes the answer)."""
    if choice not in repo.CHOICES:
        raise UserError("Unknown answer.")
    choice = RsvpChoice(choice)
    now = ctx.now()
    async with ctx.db.transaction() as conn:
        party = await repo.get_party(conn, party_id, guild_id)
        if party is None:
            raise UserError("This watch party no longer exists.")
        if party.cancelled:
            raise UserError("This watch party was cancelled.")
        if now >= party.end_at:
            raise UserError("This screening is over, so answers are closed.")
        before = await ctx.view(party, conn)
        changed = await repo.set_rsvp(conn, party_id, user_id, choice, now)
        after = await ctx.view(party, conn)
        promoted = tuple(u for u in after.going if u not in before.going and u != user_id)
        if promoted:  # told exactly once: the notice commits with the answer that freed the seat
            await enqueue_notices(ctx, conn, party_id, notices(party, promotion_notice(party), promoted))
    status, position = _seat(after, user_id, choice)
    if changed:
        log.info("watch party %s: user %s answered %s (%s)", party_id, user_id, choice, status)
    return RsvpResult(after, status, position, promoted, changed)
