"""/poll create: validate the request, insert the pending poll with its queued message, post it."""

from __future__ import annotations

import logging

from domain.errors import UserError
from domain.models import Poll, PollKind, PollMode
from domain.polls import PollError, parse_options
from domain.schedule import format_compact_duration, parse_compact_duration
from services.polls._models import MAX_DURATION, MAX_QUESTION, MIN_DURATION, CreateRequest, clean
from services.polls._resync import PollResync
from storage import club as club_repo
from storage import polls as repo

log = logging.getLogger(__name__)

CREATE_MODES = (PollMode.SINGLE, PollMode.MULTI)  # ranked polls are film picks (/film pick method:ranked)


def validate(req: CreateRequest) -> tuple[str, tuple[str, ...], PollMode, int | None]:
    """The cleaned question, the options, the mode and the effective choice cap (None: no cap)."""
    question = clean(req.question)
    if not question:
        raise PollError("Give the poll a question.")
    if len(question) > MAX_QUESTION:
        raise PollError(f"The question is too long (at most {MAX_QUESTION} characters).")
    options = parse_options(req.options)
    if req.mode not in CREATE_MODES:
        raise PollError("The mode must be single or multi.")
    mode = PollMode(req.mode)
    max_choices = req.max_choices
    if max_choices is not None:
        if mode != PollMode.MULTI:
            raise PollError("max_choices only applies to multi mode polls.")
        if not 1 <= max_choices <= len(options):
            raise PollError(f"max_choices must be between 1 and {len(options)} (the number of options).")
        if max_choices == len(options):
            max_choices = None
    return question, options, mode, max_choices


class PollCreating(PollResync):
    def _duration(self, text: str | None) -> int:
        if text is None or not text.strip():
            seconds = int(self.settings.default_duration)
            return min(max(seconds, MIN_DURATION), MAX_DURATION)
        return parse_compact_duration(text, min_seconds=MIN_DURATION, max_seconds=MAX_DURATION)

    async def create(self, req: CreateRequest) -> Poll:
        """Validate, post the poll, seed its reactions; returns the open poll (with its message id), or the
        pending poll when Discord has not answered yet (its message stays queued and is retried)."""
        if await self._guild_policy(req.guild_id) and not req.is_organiser:
            raise UserError("Only organisers can create polls in this server (see /club settings).")
        question, options, mode, max_choices = validate(req)
        duration = self._duration(req.duration)
        port = self._port()
        now = self._now()
        cooldown = int(self.settings.create_cooldown)
        async with self.db.transaction() as conn:
            # checked in the writing transaction, so a double-submitted command can't slip through twice
            if cooldown and not req.is_organiser:
                last = await repo.last_created_at(conn, req.guild_id, req.user_id)
                if last is not None and now - last < cooldown:
                    wait = cooldown - (now - last)
                    raise UserError(
                        f"You created a poll moments ago; try again in {format_compact_duration(wait)}."
                    )
            poll_id = await repo.create_poll(
                conn,
                guild_id=req.guild_id,
                channel_id=req.channel_id,
                created_by=req.user_id,
                kind=PollKind.POLL,
                question=question,
                options=options,
                mode=mode,
                max_choices=max_choices,
                created_at=now,
                closes_at=now + duration,
            )
            row_id = await self._enqueue_poll_message(conn, port, poll_id)
        poll = await self._publish(poll_id, req.channel_id, row_id)
        log.info(
            "poll %s created in guild %s channel %s by %s (%s, %d options, closes at %s, message %s)",
            poll.id,
            poll.guild_id,
            poll.channel_id,
            poll.created_by,
            poll.mode,
            poll.n_options,
            poll.closes_at,
            poll.message_id,
        )
        return poll

    async def _guild_policy(self, guild_id: int) -> bool:
        """Whether poll creation is restricted to organisers in this server."""
        return (await club_repo.get_guild_settings(self.db, guild_id)).polls_organisers_only
