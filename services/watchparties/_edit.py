"""Editing a party that has not started: the pure diff and notice come from :mod:`domain.watchparty`; this
module validates the request, saves the change with its reminders and notices, and syncs Discord."""

from __future__ import annotations

import logging
from dataclasses import replace

from domain.errors import UserError
from domain.models import Party, ReminderState
from domain.reminders import PartySchedule
from domain.schedule import ParsedTime, validate_timezone
from domain.watchparty import PartyChanges, change_notice, demotion_notice, diff_party, promotion_notice
from services.watchparties import _input
from services.watchparties._context import Context
from services.watchparties._events import sync_event
from services.watchparties._models import EditRequest, EditResult, PartyView
from services.watchparties._render import Announcements, Notices, enqueue_notices, notices
from storage import watchparties as repo
from storage.db import Connection

log = logging.getLogger(__name__)


async def _proposed(
    ctx: Context, party: Party, user_id: int, req: EditRequest
) -> tuple[Party, ParsedTime | None]:
    """The party as the request would leave it (validated), and the parsed new time if one was given."""
    after, parsed = party, None
    if req.film is not None:
        after = replace(after, film=_input.film(req.film))
    if req.when is not None:
        if req.timezone:
            tz = validate_timezone(req.timezone)
        else:
            tz = (await ctx.member_zone(user_id)) or party.timezone
        parsed = ctx.parse_when(req.when, tz)
        after = replace(after, start_at=parsed.epoch, timezone=parsed.tz)
    elif req.timezone is not None:
        # only how the time is shown in lists; the instant stays
        after = replace(after, timezone=validate_timezone(req.timezone))
    if req.duration is not None:
        after = replace(after, duration=_input.duration(req.duration))
    if req.location is not None:
        if party.voice_channel_id is not None:
            raise UserError("This party is in a voice channel; it has no separate location.")
        after = replace(after, location=_input.location(req.location))
    if req.notes is not None:
        after = replace(after, notes=_input.notes(req.notes))
    if req.capacity is not None:  # 0 removes the limit
        after = replace(after, capacity=None if req.capacity == 0 else _input.capacity(req.capacity))
    if req.reminders is not None:
        after = replace(after, reminder_offsets=_input.parse_offsets(req.reminders))
    return after, parsed


def _edit_notices(changes: PartyChanges, updated: Party, before: PartyView, after: PartyView) -> Notices:
    """What members are told about an edit (the change, new seats, lost seats), rendered."""
    header = change_notice(changes)
    out = notices(updated, header, after.interested) if header else []
    promoted = tuple(u for u in after.going if u not in before.going)
    if promoted:
        out += notices(updated, promotion_notice(updated), promoted)
    demoted = tuple(u for u in after.waitlist if u in before.going)  # fewer seats than Going members
    if demoted:
        out += notices(updated, demotion_notice(updated), demoted)
    return out


async def _save(
    ctx: Context, conn: Connection, changes: PartyChanges, plan: PartySchedule, before: PartyView
) -> Party:
    """Write the change, move the pending reminders to the new plan, enqueue the notices; the saved party."""
    party_id = changes.before.id
    now = ctx.now()
    await repo.update_party(conn, party_id, now=now, sequence=changes.before.sequence + 1, **changes.values())
    wanted = {(r.key, r.due_epoch) for r in plan.reminders}
    pending = await repo.party_reminders(conn, party_id, ReminderState.PENDING)
    stale = [r.id for r in pending if (r.key, r.due_at) not in wanted]
    kept = {(r.key, r.due_at) for r in pending if (r.key, r.due_at) in wanted}
    await repo.supersede_reminders(conn, party_id, now, stale)
    await repo.insert_reminders(
        conn, party_id, [(r.key, r.due_epoch) for r in plan.reminders if (r.key, r.due_epoch) not in kept]
    )
    updated = await repo.get_party(conn, party_id)
    assert updated is not None
    # the notices commit with the change (rendering them is pure): a crash cannot leave members untold
    rendered = _edit_notices(changes, updated, before, await ctx.view(updated, conn))
    await enqueue_notices(ctx, conn, party_id, rendered)
    return updated


async def edit(
    ctx: Context, announcements: Announcements, guild_id: int, party_id: int, user_id: int, req: EditRequest
) -> EditResult:
    """Change a party that has not started; reschedules the event and reminders and tells attendees."""
    if req.empty():
        raise UserError("Nothing to change: give at least one option (when, film, duration, ...).")
    party = await ctx.party(guild_id, party_id)
    if party.cancelled:
        raise UserError(f"Watch party #{party_id} was cancelled.")
    if ctx.now() >= party.start_at:
        raise UserError(f"Watch party #{party_id} has already started, so it can't be edited.")
    proposed, parsed = await _proposed(ctx, party, user_id, req)
    changes = diff_party(party, proposed)
    if not changes:
        raise UserError(f"Watch party #{party_id} already looks like that; nothing changed.")
    plan = ctx.plan(proposed.start_at, proposed.duration, proposed.reminder_offsets)
    before = await ctx.view(party)
    async with ctx.db.transaction() as conn:
        updated = await _save(ctx, conn, changes, plan, before)
    warnings: list[str] = []
    if changes.shows_on_event:
        await sync_event(ctx, updated, warnings)
    await announcements.refresh(party_id)
    after = await ctx.view(party_id)
    ctx.shields.forget(guild_id)
    await ctx.deliver()
    notes_out = list(parsed.notes) if parsed else []
    if plan.skipped_offsets and changes.moves_reminders:
        notes_out.append(_input.skipped_note(plan.skipped_offsets))
    log.info("watch party %s edited by %s: %s", party_id, user_id, sorted(changes.fields))
    return EditResult(
        after, tuple(sorted(changes.fields)), party.start_at, parsed, tuple(notes_out), tuple(warnings)
    )
