"""The poll service's request and result types, its limits and outbox kinds, and the pure outcome maths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from domain.models import Nomination, Poll, PollMode
from domain.polls import IrvResult, Tally, Vote, ballots_from_votes, instant_runoff, nomination_key, tally

MIN_DURATION: Final = 60
MAX_DURATION: Final = 30 * 86400
MAX_QUESTION: Final = 300
MAX_TITLE: Final = 90  # leaves room for " (1999)" within an option's 100 characters
MAX_NOTE: Final = 200
MIN_YEAR: Final = 1870
MAX_YEAR: Final = 2100
MAX_ANNOUNCE_ATTEMPTS: Final = 8  # polls closed before the outbox existed: how many old attempts count
POLL_MESSAGE: Final = "poll_message"  # the outbox kind of the poll message itself (owner: the poll)
POLL_RESULTS: Final = "poll_results"  # the outbox kind of results messages (owner: the poll)
PENDING_GRACE: Final = 120  # a 'pending' poll with no message queued, older than this at startup: a crash
VoteResult = Literal["ignored", "closed", "recorded", "duplicate", "replaced", "refused", "withdrawn", "none"]


@dataclass(frozen=True, slots=True)
class CreateRequest:
    guild_id: int
    channel_id: int
    user_id: int
    question: str
    options: str
    duration: str | None = None
    mode: str = PollMode.SINGLE  # as typed by the member: validated against the modes /poll create offers
    max_choices: int | None = None
    is_organiser: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """A poll's result computed from the stored votes. ``winner`` None with a non-empty ``tie`` is a tie;
    both empty: nobody voted. ``irv`` is set for ranked polls. ``nominations`` (film picks) are by option."""

    poll: Poll
    tally: Tally
    irv: IrvResult | None
    winner: int | None
    tie: tuple[int, ...]
    nominations: tuple[Nomination, ...] = ()

    @property
    def voters(self) -> int:
        return self.tally.total_voters

    def film(self, option: int) -> str:
        """The nominated title behind a pick option (the option label for ordinary polls)."""
        for nomination in self.nominations:
            if nomination.poll_option == option:
                return nomination.title
        return self.poll.options[option]


@dataclass(frozen=True, slots=True)
class PickResult:
    poll: Poll
    left_out: int  # nominations beyond the 10 oldest, waiting for the next round


@dataclass(frozen=True, slots=True)
class ResyncPlan:
    removed: tuple[tuple[int, int], ...]  # (user, option) votes to delete
    added: tuple[tuple[int, int], ...]  # (user, option) votes to append, in this order
    strip: tuple[tuple[int, int], ...]  # (user, option) reactions the bot should remove (not counted)


@dataclass(slots=True)
class ResyncReport:
    polls: int = 0
    added: int = 0
    removed: int = 0
    closed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.polls} polls resynced: +{self.added} -{self.removed} votes, {self.closed} closed (deleted)"
        return text + (f", {len(self.errors)} errors" if self.errors else "")


@dataclass(slots=True)
class DueReport:
    closed: int = 0
    announced: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.closed or self.announced or self.errors)

    def summary(self) -> str:
        text = f"{self.closed} closed, {self.announced} results posted"
        return text + (f", {len(self.errors)} errors" if self.errors else "")


@dataclass(frozen=True, slots=True)
class Live:
    """What the vote path needs to know about an open poll, held in memory."""

    poll_id: int
    guild_id: int
    channel_id: int
    message_id: int
    mode: PollMode
    max_choices: int | None
    n_options: int


def live_of(poll: Poll) -> Live | None:
    if poll.message_id is None:
        return None
    return Live(
        poll.id, poll.guild_id, poll.channel_id, poll.message_id, poll.mode, poll.max_choices, poll.n_options
    )


def compute_outcome(poll: Poll, votes: Sequence[Vote], nominations: Sequence[Nomination] = ()) -> Outcome:
    counted = tally(votes, poll.n_options, mode=poll.mode, max_choices=poll.max_choices)
    if poll.mode == PollMode.RANKED:
        irv = instant_runoff(
            ballots_from_votes(votes, poll.n_options, poll.max_choices), poll.n_options, seed=poll.id
        )
        return Outcome(poll, counted, irv, irv.winner, irv.tie, tuple(nominations))
    winners = counted.winners
    winner = winners[0] if len(winners) == 1 else None
    tie = winners if len(winners) > 1 else ()
    return Outcome(poll, counted, None, winner, tie, tuple(nominations))


def title_key(title: str, year: int | None) -> str:
    normalised, yr = nomination_key(title, year)
    return f"{normalised}|{yr if yr is not None else ''}"


def clean(text: str) -> str:
    return " ".join(text.split())
