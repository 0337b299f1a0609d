"""Film nominations and the film pick: a poll over the round's nominations whose winner can be scheduled."""

from __future__ import annotations

import logging

from domain.errors import UserError
from domain.models import Nomination, NominationStatus, PollKind, PollMode, PollStatus
from domain.polls import MAX_OPTION_LENGTH, MAX_OPTIONS, PollError
from domain.titles import normalise_title
from services.polls._create import PollCreating
from services.polls._models import MAX_NOTE, MAX_TITLE, MAX_YEAR, MIN_YEAR, PickResult, clean, title_key
from storage import polls as repo

log = logging.getLogger(__name__)

PICK_METHODS = {"plurality": PollMode.SINGLE, "ranked": PollMode.RANKED}  # /film pick method -> poll mode
PICK_QUESTION = "Which film should the club watch next?"


def _validate_nomination(title: str, year: int | None, note: str | None) -> tuple[str, str | None]:
    """The cleaned title and note."""
    cleaned = clean(title)
    if not cleaned:
        raise UserError("Give the film's title.")
    if len(cleaned) > MAX_TITLE:
        raise UserError(f"That title is too long (at most {MAX_TITLE} characters).")
    if not normalise_title(cleaned):
        raise UserError("That title has no letters or digits.")
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise UserError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
    note_text = clean(note) if note else None
    if note_text and len(note_text) > MAX_NOTE:
        raise UserError(f"The note is too long (at most {MAX_NOTE} characters).")
    return cleaned, note_text


class PollPicking(PollCreating):
    async def nominate(
        self, guild_id: int, user_id: int, title: str, year: int | None = None, note: str | None = None
    ) -> Nomination:
        cleaned, note_text = _validate_nomination(title, year, note)
        key = title_key(cleaned, year)
        label = f"{cleaned} ({year})" if year else cleaned
        limit = self.settings.nominations_per_member
        try:
            # the limit and duplicate checks run in the writing transaction: a double-submitted command
            # can't slip past the per-member limit (the UNIQUE index already guards duplicates)
            async with self.db.transaction() as conn:
                mine = [
                    n
                    for n in await repo.live_nominations(conn, guild_id, user_id)
                    if n.status == NominationStatus.OPEN
                ]
                if limit > 0 and len(mine) >= limit:
                    shown = ", ".join(f"#{n.id} {n.label}" for n in mine[:3])
                    raise UserError(
                        f"You already have {len(mine)} open nomination{'s' * (len(mine) != 1)} this round "
                        f"({{mine}}); the limit is {limit}. Use /film withdraw first.",
                        mine=shown,
                    )
                existing = await repo.live_nomination_by_key(conn, guild_id, key)
                if existing is not None:
                    raise UserError(
                        f"“{{label}}” was already nominated by <@{existing.user_id}> (#{existing.id}).",
                        label=existing.label,
                    )
                nomination_id = await repo.add_nomination(
                    conn,
                    guild_id=guild_id,
                    user_id=user_id,
                    title=cleaned,
                    year=year,
                    note=note_text,
                    title_key=key,
                    now=self._now(),
                )
        except repo.DuplicateNomination:
            first = await repo.live_nomination_by_key(self.db, guild_id, key)
            who = f" by <@{first.user_id}>" if first else ""
            raise UserError(f"“{{label}}” was already nominated{who}.", label=label) from None
        found = await repo.get_nomination(self.db, guild_id, nomination_id)
        assert found is not None
        log.info("nomination %s (%r) in guild %s by %s", found.id, found.label, guild_id, user_id)
        return found

    async def nominations(self, guild_id: int) -> list[Nomination]:
        """The current round: open nominations and those in a running pick, oldest first."""
        return await repo.live_nominations(self.db, guild_id)

    async def nomination_choices(self, guild_id: int, user_id: int, prefix: str) -> list[tuple[int, str]]:
        needle = prefix.strip().lstrip("#").casefold()
        out = []
        for n in await repo.live_nominations(self.db, guild_id, user_id):
            label = f"#{n.id} {n.label}"[:100]
            if n.status == NominationStatus.OPEN and (not needle or needle in label.casefold()):
                out.append((n.id, label))
        return out[:25]

    async def withdraw(
        self, guild_id: int, user_id: int, nomination_id: int | None, *, can_moderate: bool = False
    ) -> Nomination:
        """Withdraw one's open nomination (organisers may withdraw anyone's)."""
        if nomination_id is None:
            live = await repo.live_nominations(self.db, guild_id, user_id)
            mine = [n for n in live if n.status == NominationStatus.OPEN]
            if not mine:
                raise UserError("You have no open nomination to withdraw.")
            if len(mine) > 1:
                raise UserError("You have several open nominations: choose one with the id option.")
            nomination = mine[0]
        else:
            found = await repo.get_nomination(self.db, guild_id, nomination_id)
            if found is None or found.status == NominationStatus.ARCHIVED:
                raise UserError(f"There is no nomination #{nomination_id} in this round.")
            nomination = found
        if nomination.user_id != user_id and not can_moderate:
            raise UserError(f"Nomination #{nomination.id} is not yours; only an organiser can withdraw it.")
        if nomination.status == NominationStatus.IN_POLL:
            raise UserError(
                f"“{{label}}” is an option of the running pick poll #{nomination.poll_id}; "
                "it can't be withdrawn until the poll closes.",
                label=nomination.label,
            )
        async with self.db.transaction() as conn:
            await repo.delete_nomination(conn, nomination.id)
        log.info("nomination %s withdrawn in guild %s by %s", nomination.id, guild_id, user_id)
        return nomination

    async def pick(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        *,
        duration: str | None = None,
        method: str = "plurality",
    ) -> PickResult:
        """Open a pick poll over the current nominations (the oldest 10)."""
        mode = PICK_METHODS.get(method)
        if mode is None:
            raise PollError("The method must be plurality or ranked.")
        seconds = self._duration(duration)
        port = self._port()
        now = self._now()
        # one transaction from the "no pick running" check to taking the nominations: two organisers picking
        # at once get one pick, never two polls over the same films
        async with self.db.transaction() as conn:
            running = await repo.open_pick(conn, guild_id)
            if running is not None:
                raise UserError(f"A film pick is already running (poll #{running.id}); close it first.")
            waiting = await repo.open_nominations(conn, guild_id)
            if len(waiting) < 2:
                raise UserError(
                    f"A pick needs at least 2 nominations; there {'is' if len(waiting) == 1 else 'are'} "
                    f"{len(waiting) or 'none'}. Members nominate with /film nominate."
                )
            chosen = waiting[:MAX_OPTIONS]
            poll_id = await repo.create_poll(
                conn,
                guild_id=guild_id,
                channel_id=channel_id,
                created_by=user_id,
                kind=PollKind.PICK,
                question=PICK_QUESTION,
                options=[n.label[:MAX_OPTION_LENGTH] for n in chosen],
                mode=mode,
                max_choices=None,
                created_at=now,
                closes_at=now + seconds,
            )
            await repo.put_in_poll(conn, poll_id, [n.id for n in chosen])
            row_id = await self._enqueue_poll_message(conn, port, poll_id)
        poll = await self._publish(poll_id, channel_id, row_id)
        log.info(
            "film pick %s opened in guild %s by %s over %d nominations (%s, %d left out)",
            poll.id,
            guild_id,
            user_id,
            len(chosen),
            method,
            len(waiting) - len(chosen),
        )
        return PickResult(poll, len(waiting) - len(chosen))

    async def pick_film(self, guild_id: int, poll_id: int, option: int) -> str:
        """The film a closed pick chose (or one of its tied films) for the 'Schedule a watch party' button."""
        poll = await self.get(guild_id, poll_id)
        if poll.kind != PollKind.PICK or poll.status != PollStatus.CLOSED:
            raise UserError(f"Poll #{poll_id} is not a finished film pick.")
        outcome = await self.outcome(poll)
        if option != outcome.winner and option not in outcome.tie:
            raise UserError("That film did not win the pick.")
        return outcome.film(option)
