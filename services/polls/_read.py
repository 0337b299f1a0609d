"""Reading polls and their results (always computed from the stored votes)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import UserError
from domain.models import Nomination, Poll, PollKind, PollStatus
from domain.polls import Vote
from services.polls._core import PollCore
from services.polls._models import Outcome, clean, compute_outcome
from storage import polls as repo


class PollReading(PollCore):
    async def get(self, guild_id: int, poll_id: int) -> Poll:
        poll = await repo.get_poll(self.db, poll_id, guild_id)
        if poll is None or poll.status == PollStatus.PENDING:
            raise UserError(f"There is no poll #{poll_id} in this server.")
        return poll

    async def outcome(self, poll: Poll) -> Outcome:
        votes = await repo.votes_for(self.db, poll.id)
        nominations = await repo.poll_nominations(self.db, poll.id) if poll.kind == PollKind.PICK else []
        return self._compute(poll, votes, nominations)

    @staticmethod
    def _compute(poll: Poll, votes: Sequence[Vote], nominations: Sequence[Nomination] = ()) -> Outcome:
        return compute_outcome(poll, votes, nominations)

    async def results(self, guild_id: int, poll_id: int) -> Outcome:
        """The current tally from the database (never the bot's seed reactions: those are not votes)."""
        return await self.outcome(await self.get(guild_id, poll_id))

    async def open_polls(self, guild_id: int) -> list[tuple[Poll, int]]:
        """Open polls of a server with their voter counts, oldest first."""
        polls = await repo.open_polls(self.db, guild_id)
        voters = await repo.count_voters(self.db, [p.id for p in polls])
        return [(p, voters.get(p.id, 0)) for p in polls]

    async def choices(self, guild_id: int, prefix: str, *, open_only: bool) -> list[tuple[int, str]]:
        """Autocomplete for poll ids: ``#12 Which film tonight?``."""
        needle = prefix.strip().lstrip("#").casefold()
        out: list[tuple[int, str]] = []
        for poll in await repo.recent_polls(self.db, guild_id, open_only=open_only, limit=100):
            state = "" if poll.is_open else " (closed)"
            label = f"#{poll.id} {clean(poll.question)}"[:90] + state
            if not needle or needle in label.casefold():
                out.append((poll.id, label[:100]))
        return out[:25]

    async def status_lines(self, guild_id: int) -> dict[str, str]:
        lines = {
            "Open polls": str(await repo.count_open(self.db, guild_id)),
            "Film nominations": str(await repo.count_live_nominations(self.db, guild_id)),
        }
        if self.last_resync is not None:  # votes cast while the bot was down, counted at its last start
            lines["Reactions recounted at start"] = self.last_resync.summary()
        return lines
