"""Scheduling: validate, store the party with its reminders and announcement, post it, create the event."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from domain import reminders as rem
from domain.errors import UserError
from domain.models import Party
from domain.schedule import ParsedTime
from services.watchparties import _input
from services.watchparties._context import Context
from services.watchparties._events import create_event, save_event_id
from services.watchparties._models import ANNOUNCEMENT, ScheduleRequest, ScheduleResult
from services.watchparties._port import WatchPartyDiscord
from storage import watchparties as repo
from storage.db import Connection
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Place:
    announce_channel_id: int
    voice_channel_id: int | None
    location: str | None


async def _place(ctx: Context, port: WatchPartyDiscord, req: ScheduleRequest, location: str | None) -> _Place:
    """Where the party is announced and where it happens (a voice/stage channel, or a place)."""
    voice_channel_id = req.channel_id if req.channel_kind in ("voice", "stage") else None
    if req.channel_kind == "text" and req.channel_id is not None:
        announce_channel_id = req.channel_id
    else:
        settings = await ctx.club.guild_settings(req.guild_id)
        announce_channel_id = settings.announce_channel_id or req.invoked_channel_id
    if voice_channel_id is None and location is None:
        location = await port.channel_label(announce_channel_id)
    if voice_channel_id is not None:
        location = None  # a voice/stage event has its channel as its place
    return _Place(announce_channel_id, voice_channel_id, location)


async def schedule(ctx: Context, req: ScheduleRequest) -> ScheduleResult:
    """Validate, store the party and its reminders, announce it, and create the Discord event."""
    port = ctx.port()
    film = _input.film(req.film)
    tz = await ctx.resolve_timezone(req.guild_id, req.user_id, req.timezone)
    parsed = ctx.parse_when(req.when, tz)
    duration = _input.duration(req.duration) if req.duration else int(ctx.settings.default_duration)
    offsets = (
        _input.parse_offsets(req.reminders)
        if req.reminders is not None
        else rem.normalise_offsets(ctx.settings.reminders)
    )
    capacity = _input.capacity(req.capacity)
    notes = _input.notes(req.notes)
    place = await _place(ctx, port, req, _input.location(req.location))
    plan = ctx.plan(parsed.epoch, duration, offsets)
    async with ctx.db.transaction() as conn:
        party_id = await repo.insert_party(
            conn,
            guild_id=req.guild_id,
            film=film,
            start_at=parsed.epoch,
            duration=duration,
            timezone=parsed.tz,
            voice_channel_id=place.voice_channel_id,
            location=place.location,
            notes=notes,
            capacity=capacity,
            reminder_offsets=offsets,
            announce_channel_id=place.announce_channel_id,
            created_by=req.user_id,
            now=ctx.now(),
        )
        await repo.insert_reminders(conn, party_id, [(r.key, r.due_epoch) for r in plan.reminders])
        party, row_id = await _enqueue_announcement(ctx, conn, port, party_id)
    return await _publish(ctx, req, party, row_id, parsed, plan.skipped_offsets)


async def _enqueue_announcement(
    ctx: Context, conn: Connection, port: WatchPartyDiscord, party_id: int
) -> tuple[Party, int]:
    party = await repo.get_party(conn, party_id)
    assert party is not None
    # rendering is pure; the party and its announcement commit together
    row_id = await ctx.delivery.enqueue(
        conn,
        kind=ANNOUNCEMENT,
        owner_id=party_id,
        channel_id=party.announce_channel_id,
        payload=port.announcement_payload(await ctx.view(party, conn)),
    )
    assert row_id is not None
    return party, row_id


async def _publish(
    ctx: Context,
    req: ScheduleRequest,
    party: Party,
    row_id: int,
    parsed: ParsedTime,
    skipped: tuple[int, ...],
) -> ScheduleResult:
    """After the party is stored: post its announcement, create its event, report."""
    message_id = await _announce(ctx, party, row_id)
    warnings: list[str] = []
    event_id = await create_event(ctx, party, warnings)
    await save_event_id(ctx, party.id, event_id)
    ctx.shields.forget(req.guild_id)
    stored = await repo.get_party(ctx.db, party.id)
    assert stored is not None
    notes_out = list(parsed.notes)
    if skipped:
        notes_out.append(_input.skipped_note(skipped))
    log.info(
        "watch party %s (%r) scheduled in guild %s by %s for %s (event %s, announcement %s)",
        party.id,
        party.film,
        req.guild_id,
        req.user_id,
        parsed.epoch,
        event_id,
        message_id,
    )
    return ScheduleResult(await ctx.view(stored), parsed, tuple(notes_out), tuple(warnings))


async def _announce(ctx: Context, party: Party, row_id: int) -> int:
    """Post the enqueued announcement now; a party whose announcement fails is discarded.

    Cancelled (or killed) mid-send, the party stays with its announcement pending in the outbox: the
    reminder loop delivers it exactly once (it may already be in the channel)."""
    result = await ctx.delivery.send_now(row_id)
    if result.state == "delivered" and result.message_id is not None:
        return result.message_id
    await _discard(ctx, party.id)
    if result.state in ("gone", "refused"):
        raise UserError(
            f"I can't post the announcement in <#{party.announce_channel_id}> ({result.error}); nothing was "
            "scheduled. Check my permissions there (View Channel, Send Messages, Embed Links) or pick "
            "another channel."
        )
    raise UserError(
        f"Posting the announcement in <#{party.announce_channel_id}> failed ({result.error}); nothing was "
        "scheduled. Please try again."
    )


async def announced(ctx: Context, conn: Connection, row: OutboxRow, message_id: int) -> None:
    """The delivery callback: the announcement is out, remember its message."""
    await repo.update_party(conn, row.owner_id, now=ctx.now(), announce_message_id=message_id)


async def _discard(ctx: Context, party_id: int) -> None:
    async with ctx.db.transaction() as conn:
        await ctx.delivery.forget(conn, ANNOUNCEMENT, party_id)
        await repo.delete_party(conn, party_id)
