"""Reaction polls and the film-pick flow: votes that are durable before they count, honest results.

Public API for callers other than the cog (e.g. ``benchmarks/votes.py``)
------------------------------------------------------------------------
::

    service = PollService(db, PollSettings(), clock=time.time)
    service.attach(port, bot_user_id=BOT)     # port: a PollDiscord (an in-process recorder in tests)
    await service.start()                     # drops half-created polls, loads the open polls
    poll = await service.create(CreateRequest(guild_id=1, channel_id=10, user_id=5,
                                              question="Tonight?", options="Alien; Heat; Up"))
    await service.reaction_added(guild_id, channel_id, poll.message_id, user_id, "1️⃣")
    await service.reaction_removed(guild_id, channel_id, poll.message_id, user_id, "1️⃣")
    outcome = await service.results(guild_id, poll.id)
    await service.run_due()                   # the deadline loop body: closes due polls, posts results

``reaction_added`` returns ``"recorded"``, ``"replaced"`` (single choice), ``"duplicate"``, ``"refused"`` (over
``max_choices``), ``"closed"`` or ``"ignored"`` (not a poll, the bot itself, another emoji);
``reaction_removed`` returns ``"withdrawn"``, ``"none"`` or ``"ignored"``. The service knows the polls created
through it and those loaded by ``start()``: call ``start()`` again after writing polls behind its back.

The vote path
-------------
The service keeps the open polls it knows (loaded by :meth:`PollService.start`, added by ``create``/``pick``,
dropped on close) in memory keyed by message id, so a reaction on any other message costs no database
access. Each reaction on a poll writes in exactly **one** transaction:

* the common case (a member's first vote, or a multi/ranked vote within ``max_choices``) is a single guarded
  INSERT run with :meth:`Database.write`, which SQLite makes atomic and durable by itself (one round trip to
  the database thread): the poll must be open, the (member, option) pair new and the member under the cap
  (single choice: no vote yet), and ``seq`` is the poll's next number;
* if that INSERT changes nothing, one ``db.transaction()`` does the rest: a single-choice replacement
  (``DELETE ... RETURNING`` the previous option, INSERT the new one), or reads the member's votes and lets
  :func:`domain.polls.apply_add` say why not (closed poll, replayed event, over the cap);
* withdrawing is one guarded DELETE.

A vote counts only once it is committed (results are always computed from SQLite), and
``UNIQUE (poll_id, user_id, option)`` makes a replayed event a no-op. Side effects on Discord (removing a
replaced or over-the-cap reaction) happen after the commit; if Discord refuses (no Manage Messages) the poll
is flagged and its results say that the latest vote counted. On a shared dev VM this replays about 2,500 to
3,000 mixed events per second, awaited one at a time, against a file-backed WAL database.

Restart resync
--------------
:meth:`PollService.hold_events` closes a gate that every reaction event waits at; :meth:`resync_all` fetches
each open poll's reactions, reconciles the stored votes with them (:func:`plan_resync`: votes recovered this
way get seqs after every vote recorded live, so they rank after live ones), closes polls whose message was
deleted with what was stored, and reopens the gate. The cog holds events from ``cog_load`` and resyncs on
ready, so no live event is applied before the reconciliation it might conflict with.

Closing
-------
A poll closes at its stored deadline (:meth:`run_due`, also after a restart) or by its creator or a
moderator. Closing is a single UPDATE guarded by ``status = 'open'`` (exactly once); for a film pick the
round's nominations are archived in the same transaction. The results message is rendered by the port
(pure, no I/O) and enqueued in the outbox of :mod:`services.delivery` in that same transaction, so "closed"
and "results pending" commit together; the delivery module sends it exactly once (nonce ``pollclose<id>``,
first attempt recorded, a late retry looks in the channel first, backoff for about half an hour) and sets
``announced`` (with the results message id) in the transaction that marks it delivered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from domain.errors import UserError
from domain.models import Nomination, Poll, PollKind, PollMode, PollStatus
from domain.polls import (
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    NUMBER_EMOJI,
    IrvResult,
    PollError,
    Tally,
    Vote,
    apply_add,
    ballots_from_votes,
    emoji_index,
    instant_runoff,
    nomination_key,
    parse_options,
    tally,
)
from domain.schedule import format_compact_duration, parse_compact_duration
from domain.titles import normalise_title
from services.delivery import Delivery, DeliveryGone, DeliveryRefused, KindHandler, Payload
from settings import PollSettings
from storage import club as club_repo
from storage import leases
from storage import polls as repo
from storage.db import Connection, Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

__all__ = [
    "POLL_RESULTS",
    "CreateRequest",
    "DueReport",
    "Outcome",
    "PickResult",
    "PollDiscord",
    "PollService",
    "ResyncPlan",
    "ResyncReport",
    "VoteResult",
    "plan_resync",
]

MIN_DURATION: Final = 60
MAX_DURATION: Final = 30 * 86400
MAX_QUESTION: Final = 300
MAX_TITLE: Final = 90  # leaves room for " (1999)" within an option's 100 characters
MAX_NOTE: Final = 200
MIN_YEAR: Final = 1870
MAX_YEAR: Final = 2100
MAX_ANNOUNCE_ATTEMPTS: Final = 8  # polls closed before the outbox existed: how many old attempts count
POLL_RESULTS: Final = "poll_results"  # the outbox kind of results messages (owner: the poll)
PENDING_GRACE: Final = 120  # a 'pending' poll older than this at startup was left by a crash
VoteResult = Literal["ignored", "closed", "recorded", "duplicate", "replaced", "refused", "withdrawn", "none"]


class PollDiscord(Protocol):
    """The Discord side, implemented by the polls cog (and by an in-process recorder in tests)."""

    async def post_poll(self, poll: Poll) -> int:
        """Post the poll embed in ``poll.channel_id``; return the message id. DeliveryRefused / DeliveryGone."""
        ...

    async def add_reactions(self, poll: Poll) -> None:
        """Seed the option reactions (1️⃣..) on the poll message, in order."""
        ...

    async def remove_reaction(self, channel_id: int, message_id: int, emoji: str, user_id: int) -> bool:
        """Remove a member's reaction; False when the bot may not (no Manage Messages)."""
        ...

    async def fetch_reactions(self, channel_id: int, message_id: int) -> Mapping[str, Sequence[int]]:
        """``{emoji: user ids}`` of the message (the bot's own included); DeliveryGone if it was deleted."""
        ...

    def results_payload(self, outcome: Outcome) -> Payload:
        """Render the final results message (pure: it is stored in the outbox inside a transaction)."""
        ...

    async def show_closed(self, poll: Poll) -> None:
        """Best effort: re-render the poll message itself as closed."""
        ...


@dataclass(frozen=True, slots=True)
class CreateRequest:
    guild_id: int
    channel_id: int
    user_id: int
    question: str
    options: str
    duration: str | None = None
    mode: str = "single"
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
class _Live:
    """What the vote path needs to know about an open poll, held in memory."""

    poll_id: int
    guild_id: int
    channel_id: int
    message_id: int
    mode: PollMode
    max_choices: int | None
    n_options: int


def plan_resync(
    mode: PollMode,
    max_choices: int | None,
    stored: Sequence[Vote],
    present: Mapping[int, Sequence[int]],
    *,
    stale: bool = False,
) -> ResyncPlan:
    """Reconcile stored votes with the reactions on the message (``{option: member ids}``, bot excluded).

    Stored votes whose reaction is gone are removed. Reactions with no stored vote were made while the bot
    was offline; they are added after every stored vote, each member's in option order (Discord does not
    say when a reaction was made). The mode's rules then apply as if they had arrived live: in single mode a
    recovered reaction replaces the member's stored vote (it is the newer one; if several were recovered the
    lowest-numbered wins) and the other reactions are stripped; with ``max_choices`` recovered reactions
    beyond the cap are stripped.

    ``stale``: the bot could not remove reactions on this poll (no Manage Messages), so in single mode a
    member's extra reactions are leftovers of replaced votes, not newer votes: while the reaction of their
    stored vote is still there, it stands.
    """
    present_pairs = {(user, option) for option, users in present.items() for user in users}
    removed = [(v.user_id, v.option) for v in sorted(stored, key=lambda v: v.seq)]
    removed = [pair for pair in removed if pair not in present_pairs]
    kept: dict[int, list[int]] = {}
    for vote in sorted(stored, key=lambda v: v.seq):
        if (vote.user_id, vote.option) in present_pairs:
            kept.setdefault(vote.user_id, []).append(vote.option)
    stored_pairs = {(v.user_id, v.option) for v in stored}
    recovered: dict[int, list[int]] = {}
    for user, option in sorted(present_pairs - stored_pairs):
        recovered.setdefault(user, []).append(option)
    added: list[tuple[int, int]] = []
    strip: list[tuple[int, int]] = []
    for user, options in recovered.items():
        have = kept.get(user, [])
        if mode == "single":
            if stale and have:
                continue
            winner, rest = options[0], options[1:]
            removed.extend((user, old) for old in have)
            strip.extend((user, old) for old in have)
            strip.extend((user, option) for option in rest)
            added.append((user, winner))
            continue
        room = len(options) if max_choices is None else max(0, max_choices - len(have))
        added.extend((user, option) for option in options[:room])
        strip.extend((user, option) for option in options[room:])
    return ResyncPlan(tuple(removed), tuple(added), tuple(strip))


def _title_key(title: str, year: int | None) -> str:
    normalised, yr = nomination_key(title, year)
    return f"{normalised}|{yr if yr is not None else ''}"


def _clean(text: str) -> str:
    return " ".join(text.split())


class PollService:
    def __init__(
        self,
        db: Database,
        settings: PollSettings,
        *,
        clock: Callable[[], float] = time.time,
        delivery: Delivery | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        # Shared with the other services in the bot (Services.build); a service built alone gets its own.
        self.delivery = delivery or Delivery(db, clock=clock)
        self.delivery.register(
            POLL_RESULTS, KindHandler(on_delivered=self._results_delivered, on_failed=self._results_failed)
        )
        self.port: PollDiscord | None = None
        self.bot_user_id: int | None = None
        self._open: dict[int, _Live] = {}  # message id -> open poll
        self._stale: set[int] = set()  # polls already flagged reactions_stale
        self._gate = asyncio.Event()
        self._gate.set()
        self._closed_unshown: set[int] = set()  # closed polls whose own message still says "open"
        self._resync_lock = asyncio.Lock()
        self._due_lock = asyncio.Lock()
        #: Which servers' reactions reach this process (bot.py sets it when the process owns only some gateway
        #: shards): resync reconciles only those, never a poll whose live votes another process records.
        self.owns_guild: Callable[[int], bool] = lambda _guild_id: True
        self.last_resync: ResyncReport | None = None

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, port: PollDiscord, bot_user_id: int | None, delivery: Any = None) -> None:
        """``delivery``: the delivery port, when this service's delivery is not attached elsewhere (tests)."""
        self.port = port
        if delivery is not None:
            self.delivery.attach(delivery)
        self.bot_user_id = bot_user_id

    def detach(self) -> None:
        self.port = None

    def _now(self) -> int:
        return int(self.clock())

    async def start(self) -> None:
        """Remove polls a crash left half-created, and load the open polls for the vote path."""
        stale = await repo.stale_pending_polls(self.db, self._now() - PENDING_GRACE)
        for poll_id in stale:
            async with self.db.transaction() as conn:
                await repo.reopen_poll_nominations(conn, poll_id)
                await repo.delete_poll(conn, poll_id)
            log.warning("poll %s: removed, its message was never confirmed (crash while posting)", poll_id)
        self._open.clear()
        for poll in await repo.open_polls(self.db):
            self._remember(poll)
            if poll.reactions_stale:
                self._stale.add(poll.id)
        log.info("polls: %d open, %d half-created removed", len(self._open), len(stale))

    def _remember(self, poll: Poll) -> None:
        if poll.message_id is None:
            return
        self._open[poll.message_id] = _Live(
            poll.id,
            poll.guild_id,
            poll.channel_id,
            poll.message_id,
            poll.mode,
            poll.max_choices,
            poll.n_options,
        )

    def _forget(self, poll: Poll) -> None:
        if poll.message_id is not None:
            self._open.pop(poll.message_id, None)

    def hold_events(self) -> None:
        """Make reaction events wait until the next :meth:`resync_all` has finished."""
        self._gate.clear()

    @property
    def events_held(self) -> bool:
        return not self._gate.is_set()

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, guild_id: int, poll_id: int) -> Poll:
        poll = await repo.get_poll(self.db, poll_id, guild_id)
        if poll is None or poll.status == "pending":
            raise UserError(f"There is no poll #{poll_id} in this server.")
        return poll

    async def outcome(self, poll: Poll) -> Outcome:
        votes = await repo.votes_for(self.db, poll.id)
        nominations = await repo.poll_nominations(self.db, poll.id) if poll.kind == PollKind.PICK else []
        return self._compute(poll, votes, nominations)

    @staticmethod
    def _compute(poll: Poll, votes: Sequence[Vote], nominations: Sequence[Nomination] = ()) -> Outcome:
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
            label = f"#{poll.id} {_clean(poll.question)}"[:90] + state
            if not needle or needle in label.casefold():
                out.append((poll.id, label[:100]))
        return out[:25]

    async def status_lines(self, guild_id: int) -> dict[str, str]:
        return {
            "Open polls": str(await repo.count_open(self.db, guild_id)),
            "Film nominations": str(await repo.count_live_nominations(self.db, guild_id)),
        }

    # -- creating ----------------------------------------------------------------------------------

    def _duration(self, text: str | None) -> int:
        if text is None or not text.strip():
            seconds = int(self.settings.default_duration)
            return min(max(seconds, MIN_DURATION), MAX_DURATION)
        return parse_compact_duration(text, min_seconds=MIN_DURATION, max_seconds=MAX_DURATION)

    def _port(self) -> PollDiscord:
        if self.port is None:
            raise RuntimeError("the poll service has no Discord adapter attached")
        return self.port

    async def create(self, req: CreateRequest) -> Poll:
        """Validate, post the poll, seed its reactions; returns the open poll (with its message id)."""
        settings = await self._guild_policy(req.guild_id)
        if settings and not req.is_organiser:
            raise UserError("Only organisers can create polls in this server (see /club settings).")
        question = _clean(req.question)
        if not question:
            raise PollError("Give the poll a question.")
        if len(question) > MAX_QUESTION:
            raise PollError(f"The question is too long (at most {MAX_QUESTION} characters).")
        options = parse_options(req.options)
        if req.mode not in ("single", "multi"):
            raise PollError("The mode must be single or multi.")
        max_choices = req.max_choices
        if max_choices is not None:
            if req.mode != "multi":
                raise PollError("max_choices only applies to multi mode polls.")
            if not 1 <= max_choices <= len(options):
                raise PollError(f"max_choices must be between 1 and {len(options)} (the number of options).")
            if max_choices == len(options):
                max_choices = None
        duration = self._duration(req.duration)
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
                kind="poll",
                question=question,
                options=options,
                mode=req.mode,
                max_choices=max_choices,
                created_at=now,
                closes_at=now + duration,
            )
        poll = await self._publish(poll_id)
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

    async def _publish(self, poll_id: int) -> Poll:
        """Post a pending poll, mark it open, seed the reactions. On a refused post the poll is discarded."""
        port = self._port()
        pending = await repo.get_poll(self.db, poll_id)
        assert pending is not None
        try:
            message_id = await port.post_poll(pending)
        except (DeliveryRefused, DeliveryGone) as exc:
            await self._discard(poll_id)
            raise UserError(
                f"I can't post in <#{pending.channel_id}> ({exc}). Check that I can view the channel, send "
                "messages, embed links and add reactions there."
            ) from None
        except BaseException:
            await self._discard(poll_id)
            raise
        async with self.db.transaction() as conn:
            await repo.activate_poll(conn, poll_id, message_id)
        poll = await repo.get_poll(self.db, poll_id)
        assert poll is not None
        self._remember(poll)  # open before seeding: members may react the moment the message appears
        try:
            await port.add_reactions(poll)
        except Exception as exc:  # the poll works anyway: members can add the number reactions themselves
            log.warning("poll %s: could not add the option reactions: %r", poll.id, exc)
        return poll

    async def _discard(self, poll_id: int) -> None:
        async with self.db.transaction() as conn:
            await repo.reopen_poll_nominations(conn, poll_id)
            await repo.delete_poll(conn, poll_id)

    # -- votes ---------------------------------------------------------------------------------------

    async def _target(self, message_id: int, user_id: int, emoji: str) -> tuple[_Live, int] | None:
        """The open poll and option a member's reaction is about, or None when it is not a vote.

        Waits while the startup resync runs, so live events apply on top of the reconciled state.
        """
        if not self._gate.is_set():
            await self._gate.wait()
        live = self._open.get(message_id)
        if live is None or user_id == self.bot_user_id:
            return None
        option = emoji_index(emoji)
        if option is None or option >= live.n_options:
            return None
        return live, option

    async def reaction_added(
        self, guild_id: int | None, channel_id: int, message_id: int, user_id: int, emoji: str
    ) -> VoteResult:
        """A member added ``emoji`` to a message. Returns what happened (for tests and benchmarks)."""
        target = await self._target(message_id, user_id, emoji)
        if target is None:
            return "ignored"
        live, option = target
        now = self._now()
        # Fast path, one statement that is its own transaction: the vote goes in if the poll is open, the
        # pair is new and the member is under the cap (single choice: has no vote yet). That is every first
        # vote and every multi/ranked vote within the cap, i.e. nearly all of them.
        cap = 1 if live.mode == "single" else live.max_choices
        if await repo.add_vote(self.db, live.poll_id, user_id, option, max_choices=cap, now=now):
            return "recorded"
        # Otherwise decide with the domain rules, in one transaction: closed, a replay, a refusal over the
        # cap, or a single-choice replacement (delete the previous vote, insert the new one).
        previous: list[int] = []
        replaced = False
        async with self.db.transaction() as conn:
            if live.mode == "single":  # usually a replacement; both statements check that the poll is open
                previous = await repo.delete_other_votes(conn, live.poll_id, user_id, option)
                replaced = bool(previous) and await repo.add_vote(
                    conn, live.poll_id, user_id, option, max_choices=None, now=now
                )
            if not replaced:
                status, current = await repo.vote_state(conn, live.poll_id, user_id)
        if replaced:
            for old in previous:
                await self._strip(live, user_id, old)
            return "replaced"
        if status != "open":
            return "closed"
        decision = apply_add(live.mode, live.max_choices, current, option)
        if decision.remove_reaction:
            log.info(
                "poll %s: member %s is over the choice cap; option %d refused", live.poll_id, user_id, option
            )
            await self._strip(live, user_id, option)
            return "refused"
        return "duplicate"

    async def reaction_removed(
        self, guild_id: int | None, channel_id: int, message_id: int, user_id: int, emoji: str
    ) -> VoteResult:
        """A member removed ``emoji`` from a message: withdraw that vote (ranked: later ranks move up)."""
        target = await self._target(message_id, user_id, emoji)
        if target is None:
            return "ignored"
        live, option = target
        gone = await repo.delete_vote(
            self.db, live.poll_id, user_id, option
        )  # one statement: its own transaction
        return "withdrawn" if gone else "none"

    async def reactions_cleared(self, message_id: int, emoji: str | None = None) -> int:
        """A moderator removed every reaction (or every ``emoji`` reaction) of a message."""
        if not self._gate.is_set():
            await self._gate.wait()
        live = self._open.get(message_id)
        if live is None:
            return 0
        option = None if emoji is None else emoji_index(emoji)
        if emoji is not None and (option is None or option >= live.n_options):
            return 0
        async with self.db.transaction() as conn:
            count = await repo.delete_poll_votes(conn, live.poll_id, option)
        log.info("poll %s: reactions cleared on its message, %d votes withdrawn", live.poll_id, count)
        return count

    async def _strip(self, live: _Live, user_id: int, option: int) -> None:
        """Remove a member's reaction that does not count; flag the poll if Discord won't let us."""
        if self.port is None:
            return
        try:
            removed = await self.port.remove_reaction(
                live.channel_id, live.message_id, NUMBER_EMOJI[option], user_id
            )
        except DeliveryGone:
            return
        except Exception:
            log.exception("poll %s: removing member %s's reaction %d failed", live.poll_id, user_id, option)
            removed = False
        if not removed and live.poll_id not in self._stale:
            self._stale.add(live.poll_id)
            async with self.db.transaction() as conn:
                await repo.mark_reactions_stale(conn, live.poll_id)
            log.warning(
                "poll %s: cannot remove reactions (Manage Messages missing in channel %s); flagged",
                live.poll_id,
                live.channel_id,
            )

    # -- closing -------------------------------------------------------------------------------------

    async def close(self, guild_id: int, poll_id: int, *, user_id: int, can_moderate: bool) -> Outcome:
        """Close a poll now (its creator or a moderator) and post the results."""
        poll = await self.get(guild_id, poll_id)
        if not poll.is_open:
            raise UserError(f"Poll #{poll_id} is already closed.")
        if user_id != poll.created_by and not can_moderate:
            raise UserError(f"Only the member who created poll #{poll_id} or a moderator can close it.")
        outcome = await self._close(poll, "closed", user_id)
        if outcome is None:
            raise UserError(f"Poll #{poll_id} is already closed.")
        await self._announce()
        return outcome

    async def _close(self, poll: Poll, reason: str, closed_by: int | None) -> Outcome | None:
        """Close exactly once, in one transaction with the winner and (picks) the archived round."""
        now = self._now()
        async with self.db.transaction() as conn:
            votes = await repo.votes_for(conn, poll.id)
            nominations = await repo.poll_nominations(conn, poll.id) if poll.kind == PollKind.PICK else []
            outcome = self._compute(poll, votes, nominations)
            closed = await repo.close_poll(
                conn, poll.id, now=now, reason=reason, closed_by=closed_by, winner=outcome.winner
            )
            if closed:
                closed_poll = dataclasses.replace(
                    poll,
                    status=PollStatus.CLOSED,
                    closed_at=now,
                    close_reason=reason,
                    closed_by=closed_by,
                    winner=outcome.winner,
                )
                await self._enqueue_results(conn, dataclasses.replace(outcome, poll=closed_poll))
            if closed and poll.kind == PollKind.PICK:
                if outcome.voters:
                    await repo.archive_poll_nominations(conn, poll.id, now)
                else:  # nobody voted: nothing was decided, the films wait for the next pick
                    await repo.reopen_poll_nominations(conn, poll.id)
        self._forget(poll)
        if not closed:
            return None
        self._closed_unshown.add(poll.id)
        log.info(
            "poll %s in guild %s closed (%s, by %s): winner %s, tie %s, %d voters",
            poll.id,
            poll.guild_id,
            reason,
            closed_by,
            outcome.winner,
            outcome.tie,
            outcome.voters,
        )
        final = await repo.get_poll(self.db, poll.id)
        return self._compute(final, votes, nominations) if final else outcome

    async def _enqueue_results(self, conn: Connection, outcome: Outcome) -> None:
        """Render the results (pure) and store them in the outbox, in the closing transaction."""
        if self.port is None:
            return  # rendered and enqueued by the next run_due once a port is attached
        await self.delivery.enqueue(
            conn,
            kind=POLL_RESULTS,
            owner_id=outcome.poll.id,
            channel_id=outcome.poll.channel_id,
            payload=self.port.results_payload(outcome),
            nonce=f"pollclose{outcome.poll.id}",  # the nonce results had before the outbox: kept on upgrade
        )

    async def _results_delivered(self, conn: Connection, row: OutboxRow, message_id: int) -> None:
        await repo.mark_announced(conn, row.owner_id, message_id)

    async def _results_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        log.warning(
            "poll %s: the results can't be posted in channel %s (%s: %s); giving up",
            row.owner_id,
            row.channel_id,
            state,
            error,
        )
        await repo.mark_announced(conn, row.owner_id, None)
        return False

    async def _announce(self) -> int:
        """Send the pending results messages; returns how many went out (or were found already posted).

        Polls closed before the outbox existed (or while no port was attached) are enqueued first.
        """
        if self.port is None:
            return 0
        for poll in await repo.pending_announcements(self.db, MAX_ANNOUNCE_ATTEMPTS):
            outcome = await self.outcome(poll)
            async with self.db.transaction() as conn:
                await self._enqueue_results(conn, outcome)
        report = await self.delivery.run(kinds=(POLL_RESULTS,))
        while self._closed_unshown:
            closed = await repo.get_poll(self.db, self._closed_unshown.pop())
            if closed is None or closed.message_id is None:
                continue
            try:
                await self.port.show_closed(closed)
            except Exception as exc:  # best effort: the results message says it all
                log.info("poll %s: could not mark the poll message closed (%r)", closed.id, exc)
        return report.delivered + report.found

    async def run_due(self) -> DueReport:
        """The deadline loop body: close every poll past its deadline, post pending results. Each poll is
        isolated: one failure is logged and never stops the others (or the loop)."""
        report = DueReport()
        if self.events_held:  # the startup resync decides first what the offline reactions were
            return report
        async with self._due_lock:
            due = await repo.due_polls(self.db, self._now())
            mine = await leases.claim(
                self.db, "poll", [p.id for p in due], self._now()
            )  # one process per poll
            for poll in (p for p in due if p.id in mine):
                try:
                    if await self._close(poll, "deadline", None) is not None:
                        report.closed += 1
                except Exception as exc:
                    log.exception("poll %s: closing at the deadline failed", poll.id)
                    report.errors.append(f"poll {poll.id}: {exc!r}"[:200])
            try:
                report.announced += await self._announce()
            except Exception as exc:
                log.exception("polls: announcing results failed")
                report.errors.append(f"results: {exc!r}"[:200])
        return report

    # -- resync ------------------------------------------------------------------------------------

    async def resync_all(self) -> ResyncReport:
        """Reconcile every open poll with its message's reactions, then let held events through."""
        report = ResyncReport()
        self._gate.clear()
        try:
            async with self._resync_lock:
                for poll in await repo.open_polls(self.db):
                    if not self.owns_guild(poll.guild_id):
                        continue
                    try:
                        await self._resync(poll, report)
                    except Exception as exc:
                        log.exception("poll %s: resync failed; its stored votes stand", poll.id)
                        report.errors.append(f"poll {poll.id}: {exc!r}"[:200])
                # reload: a poll could have been closed meanwhile
                self._open.clear()
                for poll in await repo.open_polls(self.db):
                    self._remember(poll)
        finally:
            self._gate.set()
        self.last_resync = report
        log.info("polls: %s", report.summary())
        return report

    async def _resync(self, poll: Poll, report: ResyncReport) -> None:
        if poll.message_id is None or self.port is None:
            return
        report.polls += 1
        try:
            reactions = await self.port.fetch_reactions(poll.channel_id, poll.message_id)
        except DeliveryGone:
            log.info(
                "poll %s: its message %s was deleted; closing with the stored votes", poll.id, poll.message_id
            )
            if await self._close(poll, "message deleted", None) is not None:
                report.closed += 1
                await self._announce()
            return
        present: dict[int, list[int]] = {}
        for emoji, users in reactions.items():
            option = emoji_index(emoji)
            if option is None or option >= poll.n_options:
                continue
            bucket = present.setdefault(option, [])
            bucket.extend(u for u in users if u != self.bot_user_id and u not in bucket)
        live = _Live(
            poll.id,
            poll.guild_id,
            poll.channel_id,
            poll.message_id,
            poll.mode,
            poll.max_choices,
            poll.n_options,
        )
        async with self.db.transaction() as conn:
            # /poll close is not held by the gate: if it closed the poll while its reactions were being
            # fetched, the votes it counted are final and must not change under the posted result
            status, _ = await repo.vote_state(conn, poll.id, 0)
            if status != "open":
                return
            stored = await repo.votes_for(conn, poll.id)
            stale = poll.reactions_stale or poll.id in self._stale
            plan = plan_resync(poll.mode, poll.max_choices, stored, present, stale=stale)
            if plan.removed or plan.added:
                await repo.apply_resync(
                    conn, poll.id, removed=plan.removed, added=plan.added, now=self._now()
                )
        report.added += len(plan.added)
        report.removed += len(plan.removed)
        if plan.added or plan.removed:
            log.info(
                "poll %s: resync applied %d votes made and %d withdrawn while offline",
                poll.id,
                len(plan.added),
                len(plan.removed),
            )
        for user, option in plan.strip:
            await self._strip(live, user, option)

    # -- film nominations --------------------------------------------------------------------------

    async def nominate(
        self, guild_id: int, user_id: int, title: str, year: int | None = None, note: str | None = None
    ) -> Nomination:
        cleaned = _clean(title)
        if not cleaned:
            raise UserError("Give the film's title.")
        if len(cleaned) > MAX_TITLE:
            raise UserError(f"That title is too long (at most {MAX_TITLE} characters).")
        if not normalise_title(cleaned):
            raise UserError("That title has no letters or digits.")
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise UserError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
        note_text = _clean(note) if note else None
        if note_text and len(note_text) > MAX_NOTE:
            raise UserError(f"The note is too long (at most {MAX_NOTE} characters).")
        key = _title_key(cleaned, year)
        label = f"{cleaned} ({year})" if year else cleaned
        limit = self.settings.nominations_per_member
        try:
            # the limit and duplicate checks run in the writing transaction: a double-submitted command
            # can't slip past the per-member limit (the UNIQUE index already guards duplicates)
            async with self.db.transaction() as conn:
                mine = [n for n in await repo.live_nominations(conn, guild_id, user_id) if n.status == "open"]
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
            if n.status == "open" and (not needle or needle in label.casefold()):
                out.append((n.id, label))
        return out[:25]

    async def withdraw(
        self, guild_id: int, user_id: int, nomination_id: int | None, *, can_moderate: bool = False
    ) -> Nomination:
        """Withdraw one's open nomination (organisers may withdraw anyone's)."""
        if nomination_id is None:
            mine = [n for n in await repo.live_nominations(self.db, guild_id, user_id) if n.status == "open"]
            if not mine:
                raise UserError("You have no open nomination to withdraw.")
            if len(mine) > 1:
                raise UserError("You have several open nominations: choose one with the id option.")
            nomination = mine[0]
        else:
            found = await repo.get_nomination(self.db, guild_id, nomination_id)
            if found is None or found.status == "archived":
                raise UserError(f"There is no nomination #{nomination_id} in this round.")
            nomination = found
        if nomination.user_id != user_id and not can_moderate:
            raise UserError(f"Nomination #{nomination.id} is not yours; only an organiser can withdraw it.")
        if nomination.status == "in_poll":
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
        if method not in ("plurality", "ranked"):
            raise PollError("The method must be plurality or ranked.")
        seconds = self._duration(duration)
        mode = "ranked" if method == "ranked" else "single"
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
            options = [n.label[:MAX_OPTION_LENGTH] for n in chosen]
            poll_id = await repo.create_poll(
                conn,
                guild_id=guild_id,
                channel_id=channel_id,
                created_by=user_id,
                kind="pick",
                question="Which film should the club watch next?",
                options=options,
                mode=mode,
                max_choices=None,
                created_at=now,
                closes_at=now + seconds,
            )
            await repo.put_in_poll(conn, poll_id, [n.id for n in chosen])
        poll = await self._publish(poll_id)
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
        if poll.kind != "pick" or poll.status != "closed":
            raise UserError(f"Poll #{poll_id} is not a finished film pick.")
        outcome = await self.outcome(poll)
        if option != outcome.winner and option not in outcome.tie:
            raise UserError("That film did not win the pick.")
        return outcome.film(option)
