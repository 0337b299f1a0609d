"""PollService on real SQLite with an in-process Discord recorder (the tally maths is in tests/domain)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.models import Poll
from domain.polls import NUMBER_EMOJI, Vote, tally
from services.delivery import Delivery
from services.polls import CreateRequest, Outcome, PollService, plan_resync
from settings import PollSettings
from storage import club as club_repo
from storage import outbox as outbox_repo
from storage import polls as repo
from storage.db import Database
from tests.helpers.clock import FakeClock
from tests.helpers.ports import Crash, FakePollDiscord

GUILD = 1
OTHER_GUILD = 2
CHANNEL = 10
BOT = 999
CREATOR = 5
E = NUMBER_EMOJI


class Env:
    def __init__(self, db: Database, clock: FakeClock, settings: PollSettings | None = None) -> None:
        self.db = db
        self.clock = clock
        self.port = FakePollDiscord(BOT)
        self.settings = settings or PollSettings(create_cooldown=0)
        self.service = self.fresh()

    def fresh(self) -> PollService:
        """A new service on the same database and Discord (a restart)."""
        delivery = Delivery(self.db, clock=self.clock, nonce_window=120)
        service = PollService(self.db, self.settings, clock=self.clock, delivery=delivery)
        service.attach(self.port, BOT, self.port)
        return service

    async def create(self, options: str = "Alien; Heat; Up", **kw: object) -> Poll:
        req = CreateRequest(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=int(kw.pop("user_id", CREATOR)),  # type: ignore[call-overload]
            question=str(kw.pop("question", "Which film?")),
            options=options,
            **kw,  # type: ignore[arg-type]
        )
        return await self.service.create(req)

    async def add(self, poll: Poll, user: int, option: int, *, service: PollService | None = None) -> str:
        assert poll.message_id is not None
        self.port.react(poll.message_id, E[option], user)
        svc = service or self.service
        return await svc.reaction_added(GUILD, CHANNEL, poll.message_id, user, E[option])

    async def remove(self, poll: Poll, user: int, option: int) -> str:
        assert poll.message_id is not None
        self.port.unreact(poll.message_id, E[option], user)
        return await self.service.reaction_removed(GUILD, CHANNEL, poll.message_id, user, E[option])

    async def votes(self, poll: Poll) -> list[tuple[int, int]]:
        return [(v.user_id, v.option) for v in await repo.votes_for(self.db, poll.id)]


@pytest.fixture
async def env(db: Database) -> Env:
    e = Env(db, FakeClock())
    await e.service.start()
    return e


# ------------------------------------------------------------------------------------------------- creating


async def test_create_posts_seeds_and_opens(env: Env) -> None:
    poll = await env.create()
    assert poll.is_open and poll.message_id is not None and poll.options == ("Alien", "Heat", "Up")
    assert env.port.reactions[poll.message_id] == {E[0]: [BOT], E[1]: [BOT], E[2]: [BOT]}
    assert poll.closes_at - poll.created_at == 24 * 3600
    outcome = await env.service.results(GUILD, poll.id)
    assert outcome.voters == 0 and outcome.winner is None and outcome.tie == ()  # seeds are not votes


@pytest.mark.parametrize(
    ("options", "kw", "message"),
    [
        ("Alien", {}, "at least 2"),
        (";".join(str(i) for i in range(11)), {}, "at most 10"),
        ("Alien; " + "x" * 101, {}, "longer than 100"),
        ("Alien;;Heat", {}, "empty"),
        ("Alien; Heat", {"duration": "30s"}, "too short"),
        ("Alien; Heat", {"duration": "31d"}, "too long"),
        ("Alien; Heat", {"duration": "90"}, "needs a unit"),
        ("Alien; Heat", {"mode": "ranked"}, "single or multi"),
        ("Alien; Heat", {"max_choices": 2}, "only applies to multi"),
        ("Alien; Heat", {"mode": "multi", "max_choices": 3}, "between 1 and 2"),
        ("Alien; Heat", {"question": "   "}, "question"),
        ("Alien; Heat", {"question": "q" * 301}, "too long"),
    ],
)
async def test_create_validation(env: Env, options: str, kw: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        await env.create(options, **kw)
    assert await repo.open_polls(env.db) == [] and env.port.posted == []


async def test_duration_bounds_accepted(env: Env) -> None:
    short = await env.create(duration="1m")
    long = await env.create(duration="30d")
    assert short.closes_at - short.created_at == 60 and long.closes_at - long.created_at == 30 * 86400


async def test_cooldown_and_organisers_only(db: Database) -> None:
    env = Env(db, FakeClock(), PollSettings(create_cooldown=30))
    await env.create()
    with pytest.raises(UserError, match="try again in 30s"):
        await env.create()
    await env.create(is_organiser=True)  # organisers are not slowed down
    env.clock.now += 31
    await env.create()
    async with db.transaction() as conn:
        await club_repo.update_guild_settings(conn, GUILD, polls_organisers_only=1)
    with pytest.raises(UserError, match="Only organisers"):
        await env.create(user_id=77)
    assert (await env.create(user_id=77, is_organiser=True)).is_open


async def test_refused_post_leaves_nothing(env: Env) -> None:
    env.port.refuse_post = True
    with pytest.raises(UserError, match="can't post"):
        await env.create()
    assert await repo.recent_polls(env.db, GUILD, open_only=False) == []
    assert await env.db.scalar("SELECT COUNT(*) FROM polls") == 0


# ---------------------------------------------------------------------------------------------------- votes


async def test_single_mode_replaces_and_removes_old_reaction(env: Env) -> None:
    poll = await env.create()
    assert await env.add(poll, 1, 0) == "recorded"
    assert await env.add(poll, 1, 2) == "replaced"
    assert await env.votes(poll) == [(1, 2)]
    assert env.port.removed == [(poll.message_id, E[0], 1)]
    assert 1 not in env.port.reactions[poll.message_id or 0][E[0]]
    # the removal comes back as a reaction-remove event: it finds no vote and changes nothing
    assert await env.service.reaction_removed(GUILD, CHANNEL, poll.message_id or 0, 1, E[0]) == "none"
    outcome = await env.service.results(GUILD, poll.id)
    assert outcome.tally.counts == (0, 0, 1) and outcome.winner == 2 and not outcome.poll.reactions_stale


async def test_single_mode_without_manage_messages_flags_the_poll(env: Env) -> None:
    env.port.can_manage = False
    poll = await env.create()
    await env.add(poll, 1, 0)
    await env.add(poll, 1, 1)
    outcome = await env.service.results(GUILD, poll.id)
    assert outcome.tally.counts == (0, 1, 0)  # the latest vote counts
    assert outcome.poll.reactions_stale


async def test_multi_mode_cap(env: Env) -> None:
    poll = await env.create("A; B; C; D", mode="multi", max_choices=2)
    assert await env.add(poll, 1, 0) == "recorded"
    assert await env.add(poll, 1, 3) == "recorded"
    assert await env.add(poll, 1, 1) == "refused"
    assert env.port.removed == [(poll.message_id, E[1], 1)]
    assert await env.remove(poll, 1, 0) == "withdrawn"
    assert await env.add(poll, 1, 1) == "recorded"
    outcome = await env.service.results(GUILD, poll.id)
    assert outcome.tally.counts == (0, 1, 0, 1) and outcome.voters == 1 and outcome.tie == (1, 3)


async def test_multi_without_cap_counts_everything(env: Env) -> None:
    poll = await env.create("A; B; C", mode="multi")
    for option in range(3):
        await env.add(poll, 1, option)
    await env.add(poll, 2, 1)
    outcome = await env.service.results(GUILD, poll.id)
    assert outcome.tally.counts == (1, 2, 1) and outcome.winner == 1 and outcome.voters == 2


async def test_bot_foreign_emoji_and_other_messages_are_ignored(env: Env) -> None:
    poll = await env.create()
    mid = poll.message_id or 0
    assert await env.service.reaction_added(GUILD, CHANNEL, mid, BOT, E[0]) == "ignored"
    assert await env.service.reaction_added(GUILD, CHANNEL, mid, 1, "👍") == "ignored"
    assert await env.service.reaction_added(GUILD, CHANNEL, mid, 1, E[5]) == "ignored"  # no option 6
    assert await env.service.reaction_added(GUILD, CHANNEL, 123456, 1, E[0]) == "ignored"
    assert await env.service.reaction_removed(GUILD, CHANNEL, mid, BOT, E[0]) == "ignored"
    assert await env.votes(poll) == []


async def test_keycap_without_variation_selector_counts(env: Env) -> None:
    poll = await env.create()
    assert await env.service.reaction_added(GUILD, CHANNEL, poll.message_id or 0, 1, "2\u20e3") == "recorded"
    assert await env.votes(poll) == [(1, 1)]


async def test_duplicate_events_are_idempotent(env: Env) -> None:
    poll = await env.create()
    mid = poll.message_id or 0
    assert await env.service.reaction_added(GUILD, CHANNEL, mid, 1, E[0]) == "recorded"
    assert await env.service.reaction_added(GUILD, CHANNEL, mid, 1, E[0]) == "duplicate"
    assert await env.votes(poll) == [(1, 0)]
    assert await env.service.reaction_removed(GUILD, CHANNEL, mid, 1, E[0]) == "withdrawn"
    assert await env.service.reaction_removed(GUILD, CHANNEL, mid, 1, E[0]) == "none"
    assert await env.votes(poll) == []


async def test_concurrent_events_give_exact_tallies(env: Env) -> None:
    poll = await env.create("A; B; C; D; E", mode="multi")
    rng = random.Random(3)
    events: list[tuple[int, int]] = [(user, rng.randrange(5)) for user in range(1, 201) for _ in range(3)]
    rng.shuffle(events)
    mid = poll.message_id or 0
    await asyncio.gather(
        *(env.service.reaction_added(GUILD, CHANNEL, mid, u, E[o]) for u, o in events),
        # replays of the same events, interleaved
        *(env.service.reaction_added(GUILD, CHANNEL, mid, u, E[o]) for u, o in events[::2]),
    )
    expected = sorted(set(events))
    assert sorted(await env.votes(poll)) == expected
    counts = [sum(1 for _, o in expected if o == i) for i in range(5)]
    assert list((await env.service.results(GUILD, poll.id)).tally.counts) == counts
    seqs = [v.seq for v in await repo.votes_for(env.db, poll.id)]
    assert len(seqs) == len(set(seqs)) == len(expected)


async def test_concurrent_single_mode_keeps_one_vote_each(env: Env) -> None:
    poll = await env.create("A; B; C")
    mid = poll.message_id or 0
    await asyncio.gather(
        *(env.service.reaction_added(GUILD, CHANNEL, mid, u, E[o]) for u in range(1, 51) for o in range(3))
    )
    votes = await env.votes(poll)
    assert sorted(u for u, _ in votes) == list(range(1, 51))
    assert (await env.service.results(GUILD, poll.id)).voters == 50


async def test_ranked_pick_records_arrival_order(env: Env) -> None:
    await _nominate_films(env, 3)
    pick = (await env.service.pick(GUILD, CHANNEL, CREATOR, method="ranked")).poll
    assert pick.mode == "ranked"
    # 1: C>A>B (reacted in that order), 2: B>C, 3: A>C, 4: C. Round 1: C 2, A 1, B 1 of 4 (no majority);
    # A and B tie for last and together equal C, so a lot seeded by the poll id removes one of them; either
    # way C has 3 of 4 in round 2. Read by option index instead of arrival, ballot 1 would put A first.
    for user, order in {1: [2, 0, 1], 2: [1, 2], 3: [0, 2], 4: [2]}.items():
        for option in order:
            await env.add(pick, user, option)
    outcome = await env.service.results(GUILD, pick.id)
    assert outcome.irv is not None and outcome.winner == 2
    assert outcome.irv.rounds[0].counts == (1, 1, 2) and outcome.irv.rounds[0].by_lot
    # removing a reaction moves later ranks up
    await env.remove(pick, 1, 2)
    stored = [(v.user_id, v.option) for v in await repo.votes_for(env.db, pick.id) if v.user_id == 1]
    assert stored == [(1, 0), (1, 1)]


async def test_reactions_cleared(env: Env) -> None:
    poll = await env.create()
    await env.add(poll, 1, 0)
    await env.add(poll, 2, 1)
    assert await env.service.reactions_cleared(poll.message_id or 0, E[0]) == 1
    assert await env.votes(poll) == [(2, 1)]
    assert await env.service.reactions_cleared(poll.message_id or 0) == 1
    assert await env.votes(poll) == []


# -------------------------------------------------------------------------------------------------- closing


async def test_close_permissions_and_other_servers(env: Env) -> None:
    poll = await env.create()
    with pytest.raises(UserError, match="no poll #"):
        await env.service.close(OTHER_GUILD, poll.id, user_id=CREATOR, can_moderate=True)
    with pytest.raises(UserError, match="no poll #"):
        await env.service.results(OTHER_GUILD, poll.id)
    with pytest.raises(UserError, match="Only the member who created"):
        await env.service.close(GUILD, poll.id, user_id=42, can_moderate=False)
    outcome = await env.service.close(GUILD, poll.id, user_id=42, can_moderate=True)
    assert outcome.poll.status == "closed" and outcome.poll.closed_by == 42
    with pytest.raises(UserError, match="already closed"):
        await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert env.port.close_calls == 1


async def test_closed_polls_ignore_reactions(env: Env) -> None:
    poll = await env.create()
    await env.add(poll, 1, 0)
    await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert await env.add(poll, 2, 1) == "ignored"
    assert await env.remove(poll, 1, 0) == "ignored"
    assert await env.votes(poll) == [(1, 0)]


async def test_close_message_tie_and_winner(env: Env) -> None:
    poll = await env.create()
    await env.add(poll, 1, 0)
    await env.add(poll, 2, 1)
    outcome = await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert outcome.winner is None and outcome.tie == (0, 1)
    ((_, posted),) = env.port.closes.values()
    assert posted.tie == (0, 1) and posted.poll.status == "closed"
    assert (await repo.get_poll(env.db, poll.id)).winner is None  # type: ignore[union-attr]


async def test_deadline_close_across_a_restart_posts_once(env: Env) -> None:
    poll = await env.create(duration="1h")
    await env.add(poll, 1, 2)
    assert (await env.service.run_due()).closed == 0
    env.clock.now += 3601
    restarted = env.fresh()  # the bot was down at the deadline
    await restarted.start()
    await restarted.resync_all()
    report = await restarted.run_due()
    assert report.closed == 1 and report.announced == 1
    assert (await restarted.run_due()).busy is False
    again = env.fresh()  # another restart: nothing is posted twice
    await again.start()
    await again.run_due()
    assert env.port.close_calls == 1 and len(env.port.closes) == 1
    stored = await repo.get_poll(env.db, poll.id)
    assert (
        stored is not None and stored.close_reason == "deadline" and stored.winner == 2 and stored.announced
    )


async def test_failed_close_post_is_retried_with_the_same_nonce(env: Env) -> None:
    poll = await env.create(duration="1m")
    env.port.errors.append(RuntimeError("503 Service Unavailable"))
    env.clock.now += 61
    first = await env.service.run_due()
    assert first.closed == 1 and first.announced == 0
    stored = await repo.get_poll(env.db, poll.id)
    assert stored is not None and not stored.announced
    (row_id,) = [
        r["id"]
        for r in await env.db.fetchall(
            "SELECT id FROM outbox WHERE kind = 'poll_results' AND owner_id = ?", (poll.id,)
        )
    ]
    row = await outbox_repo.get(env.db, row_id)
    assert row is not None
    assert (row.state, row.attempts) == ("pending", 1)
    assert (await env.service.run_due()).announced == 0  # backing off
    assert env.port.close_calls == 1
    env.clock.now += 15
    second = await env.service.run_due()
    assert second.announced == 1 and list(env.port.closes) == [f"pollclose{poll.id}"]
    assert env.port.close_calls == 2


async def test_one_bad_poll_does_not_stop_the_others(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = await env.create(duration="1m")
    good = await env.create(duration="1m")
    original = env.service._close

    async def flaky(poll: Poll, reason: str, closed_by: int | None) -> Outcome | None:
        if poll.id == bad.id:
            raise RuntimeError("boom")
        return await original(poll, reason, closed_by)

    monkeypatch.setattr(env.service, "_close", flaky)
    env.clock.now += 61
    report = await env.service.run_due()
    assert report.closed == 1 and len(report.errors) == 1
    assert (await repo.get_poll(env.db, good.id)).status == "closed"  # type: ignore[union-attr]


async def test_close_racing_the_deadline_loop_closes_and_posts_once(env: Env) -> None:
    poll = await env.create(duration="1m")
    await env.add(poll, 1, 0)
    env.clock.now += 61  # due: the loop and a /poll close arrive together
    results = await asyncio.gather(
        env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False),
        env.service.run_due(),
        env.service.run_due(),
        return_exceptions=True,
    )
    closed_by_command = isinstance(results[0], Outcome)
    if not closed_by_command:
        assert isinstance(results[0], UserError) and "already closed" in str(results[0])
    assert sum(r.closed for r in results[1:] if not isinstance(r, BaseException)) == (not closed_by_command)
    await env.service.run_due()
    assert env.port.close_calls == 1 and len(env.port.closes) == 1
    stored = await repo.get_poll(env.db, poll.id)
    assert stored is not None and stored.announced and stored.winner == 0


# --------------------------------------------------------------------------------------------------- resync


async def test_resync_leaves_a_poll_closed_meanwhile_alone(env: Env) -> None:
    poll = await env.create("A; B; C", mode="multi")
    mid = poll.message_id or 0
    await env.add(poll, 1, 0)
    env.port.react(mid, E[1], 2)  # offline
    env.port.unreact(mid, E[0], 1)  # offline
    restarted = env.fresh()
    await restarted.start()
    fetch = env.port.fetch_reactions

    async def slow_fetch(channel_id: int, message_id: int) -> Mapping[str, Sequence[int]]:
        # /poll close is not held by the resync gate: it closes the poll while the reactions are fetched
        await restarted.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
        return await fetch(channel_id, message_id)

    env.port.fetch_reactions = slow_fetch  # type: ignore[method-assign]
    report = await restarted.resync_all()
    assert (report.added, report.removed) == (0, 0)
    assert await env.votes(poll) == [(1, 0)]  # what the posted result counted
    ((_, posted),) = env.port.closes.values()
    assert posted.tally.counts == (1, 0, 0)
    assert (await restarted.results(GUILD, poll.id)).tally.counts == (1, 0, 0)


async def test_resync_applies_offline_changes_after_live_votes(env: Env) -> None:
    poll = await env.create("A; B; C", mode="multi")
    mid = poll.message_id or 0
    await env.add(poll, 1, 0)
    await env.add(poll, 2, 1)
    # offline: member 1 adds C, member 2 withdraws B, member 3 votes A; the bot's seeds stay
    env.port.react(mid, E[2], 1)
    env.port.unreact(mid, E[1], 2)
    env.port.react(mid, E[0], 3)
    env.port.react(mid, "👍", 4)
    restarted = env.fresh()
    await restarted.start()
    report = await restarted.resync_all()
    assert (report.added, report.removed, report.closed) == (2, 1, 0)
    rows = await env.db.fetchall(
        "SELECT user_id, option, seq, source FROM votes WHERE poll_id = ? ORDER BY seq", (poll.id,)
    )
    assert [(r[0], r[1], r[3]) for r in rows] == [(1, 0, "live"), (1, 2, "resync"), (3, 0, "resync")]
    assert [r[2] for r in rows] == sorted(r[2] for r in rows)
    assert (await restarted.results(GUILD, poll.id)).tally.counts == (2, 0, 1)
    assert (await restarted.resync_all()).added == 0  # nothing left to reconcile


async def test_resync_single_mode_keeps_the_newer_vote(env: Env) -> None:
    poll = await env.create()
    mid = poll.message_id or 0
    await env.add(poll, 1, 0)
    env.port.react(mid, E[1], 1)  # offline: a second reaction the bot could not replace
    restarted = env.fresh()
    await restarted.start()
    await restarted.resync_all()
    assert await env.votes(poll) == [(1, 1)]
    assert (mid, E[0], 1) in env.port.removed


async def test_resync_without_manage_messages_keeps_the_latest_live_vote(env: Env) -> None:
    env.port.can_manage = False
    poll = await env.create()
    await env.add(poll, 1, 0)
    await env.add(poll, 1, 1)  # replaces the vote; the old reaction stays on the message
    restarted = env.fresh()
    await restarted.start()
    await restarted.resync_all()
    assert await env.votes(poll) == [(1, 1)]  # the leftover reaction is not a newer vote


async def test_resync_deleted_message_closes_with_stored_votes(env: Env) -> None:
    poll = await env.create()
    await env.add(poll, 1, 1)
    env.port.gone_messages.add(poll.message_id or 0)
    restarted = env.fresh()
    await restarted.start()
    report = await restarted.resync_all()
    assert report.closed == 1
    stored = await repo.get_poll(env.db, poll.id)
    assert stored is not None and stored.status == "closed" and stored.close_reason == "message deleted"
    assert stored.winner == 1 and stored.announced and env.port.close_calls == 1


async def test_live_events_wait_for_the_resync(env: Env) -> None:
    poll = await env.create()
    mid = poll.message_id or 0
    env.port.react(mid, E[0], 1)  # offline
    restarted = env.fresh()
    await restarted.start()
    restarted.hold_events()
    # a live event arrives before the resync: member 1 moves to option 2
    env.port.unreact(mid, E[0], 1)
    env.port.react(mid, E[1], 1)
    task = asyncio.create_task(restarted.reaction_added(GUILD, CHANNEL, mid, 1, E[1]))
    await asyncio.sleep(0.05)
    assert not task.done()
    assert (await restarted.run_due()).busy is False  # the deadline loop waits for the resync too
    await restarted.resync_all()
    assert await task in ("duplicate", "recorded")
    assert await env.votes(poll) == [(1, 1)]


@pytest.mark.parametrize(
    ("mode", "cap", "stored", "present", "removed", "added", "strip"),
    [
        ("multi", None, [], {0: [1, 2]}, [], [(1, 0), (2, 0)], []),
        ("multi", None, [Vote(1, 0, 1)], {}, [(1, 0)], [], []),
        ("multi", 1, [Vote(1, 0, 1)], {0: [1], 1: [1]}, [], [], [(1, 1)]),
        ("multi", 2, [], {0: [1], 1: [1], 2: [1]}, [], [(1, 0), (1, 1)], [(1, 2)]),
        ("single", None, [Vote(1, 0, 1)], {0: [1], 2: [1]}, [(1, 0)], [(1, 2)], [(1, 0)]),
        ("single", None, [], {1: [1], 2: [1]}, [], [(1, 1)], [(1, 2)]),
        ("ranked", None, [Vote(1, 2, 1)], {0: [1], 2: [1]}, [], [(1, 0)], []),
    ],
)
def test_plan_resync(
    mode: str,
    cap: int | None,
    stored: list[Vote],
    present: dict[int, list[int]],
    removed: list[tuple[int, int]],
    added: list[tuple[int, int]],
    strip: list[tuple[int, int]],
) -> None:
    plan = plan_resync(mode, cap, stored, present)
    assert list(plan.removed) == removed and list(plan.added) == added and list(plan.strip) == strip


async def test_resync_then_tally_matches_domain(env: Env) -> None:
    """Recovered ranked votes rank after live ones: a live 2nd preference beats an offline 1st."""
    await _nominate_films(env, 3)
    pick = (await env.service.pick(GUILD, CHANNEL, CREATOR, method="ranked")).poll
    await env.add(pick, 1, 2)  # live: C first
    env.port.react(pick.message_id or 0, E[0], 1)  # offline: A (ranks after C)
    restarted = env.fresh()
    await restarted.start()
    await restarted.resync_all()
    votes = await repo.votes_for(env.db, pick.id)
    assert [v.option for v in sorted(votes, key=lambda v: v.seq)] == [2, 0]
    assert tally(votes, 3, mode="ranked").counts == (0, 0, 1)


# ---------------------------------------------------------------------------------------------- film pick


async def _nominate_films(env: Env, n: int) -> list[int]:
    ids = []
    for i in range(n):
        env.clock.now += 1
        ids.append((await env.service.nominate(GUILD, 100 + i, f"Film {chr(65 + i)}", 1990 + i)).id)
    return ids


async def test_nominations_duplicates_and_limit(env: Env) -> None:
    first = await env.service.nominate(GUILD, 1, "The Thing", 1982, "practical effects")
    with pytest.raises(UserError, match="already have 1 open nomination"):
        await env.service.nominate(GUILD, 1, "Alien", 1979)
    with pytest.raises(UserError, match=r"already nominated by <@1> \(#\d+\)"):
        await env.service.nominate(GUILD, 2, "  thing ", 1982)  # normalised: case, spaces, leading "The"
    other = await env.service.nominate(GUILD, 2, "The Thing", 2011)  # the remake is another film
    assert other.label == "The Thing (2011)"
    assert (await env.service.nominate(OTHER_GUILD, 2, "The Thing", 1982)).guild_id == OTHER_GUILD
    with pytest.raises(UserError, match="not yours"):
        await env.service.withdraw(GUILD, 2, first.id)
    with pytest.raises(UserError, match="no nomination #"):
        await env.service.withdraw(OTHER_GUILD, 1, first.id)
    assert (await env.service.withdraw(GUILD, 1, None)).id == first.id
    assert (await env.service.nominate(GUILD, 1, "Alien", 1979)).title == "Alien"
    for bad, year, message in [("", None, "title"), ("x" * 91, None, "too long"), ("Up", 1500, "year")]:
        with pytest.raises(UserError, match=message):
            await env.service.nominate(GUILD, 9, bad, year)


async def test_pick_round_trip(env: Env) -> None:
    ids = await _nominate_films(env, 12)
    result = await env.service.pick(GUILD, CHANNEL, CREATOR, duration="2h")
    poll = result.poll
    assert result.left_out == 2 and poll.kind == "pick" and poll.mode == "single"
    assert poll.options[0] == "Film A (1990)" and poll.n_options == 10
    with pytest.raises(UserError, match="already running"):
        await env.service.pick(GUILD, CHANNEL, CREATOR)
    with pytest.raises(UserError, match="running pick poll"):
        await env.service.withdraw(GUILD, 100, ids[0])
    await env.add(poll, 1, 3)
    await env.add(poll, 2, 3)
    await env.add(poll, 3, 0)
    outcome = await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert outcome.winner == 3 and outcome.film(3) == "Film D"
    assert await env.service.pick_film(GUILD, poll.id, 3) == "Film D"
    with pytest.raises(UserError, match="did not win"):
        await env.service.pick_film(GUILD, poll.id, 0)
    with pytest.raises(UserError, match="no poll"):
        await env.service.pick_film(OTHER_GUILD, poll.id, 3)
    left = await env.service.nominations(GUILD)
    assert [n.id for n in left] == ids[10:]  # the round's ten are archived; two wait for the next round
    assert {n.status for n in left} == {"open"}
    # archived titles may be nominated again
    assert (await env.service.nominate(GUILD, 500, "Film A", 1990)).status == "open"


async def test_pick_needs_two_nominations_and_discard_reopens(env: Env) -> None:
    with pytest.raises(UserError, match="at least 2"):
        await env.service.pick(GUILD, CHANNEL, CREATOR)
    await _nominate_films(env, 2)
    env.port.refuse_post = True
    with pytest.raises(UserError, match="can't post"):
        await env.service.pick(GUILD, CHANNEL, CREATOR)
    assert {n.status for n in await env.service.nominations(GUILD)} == {"open"}
    env.port.refuse_post = False
    assert (await env.service.pick(GUILD, CHANNEL, CREATOR)).poll.n_options == 2


async def test_pick_nobody_voted_keeps_the_nominations(env: Env) -> None:
    ids = await _nominate_films(env, 2)
    poll = (await env.service.pick(GUILD, CHANNEL, CREATOR)).poll
    outcome = await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert outcome.voters == 0 and outcome.winner is None
    assert [(n.id, n.status) for n in await env.service.nominations(GUILD)] == [(i, "open") for i in ids]
    assert (await env.service.pick(GUILD, CHANNEL, CREATOR)).poll.n_options == 2


async def test_crash_left_pending_poll_is_cleaned_at_start(env: Env) -> None:
    await _nominate_films(env, 2)
    async with env.db.transaction() as conn:
        poll_id = await repo.create_poll(
            conn,
            guild_id=GUILD,
            channel_id=CHANNEL,
            created_by=CREATOR,
            kind="pick",
            question="q",
            options=["a", "b"],
            mode="single",
            max_choices=None,
            created_at=int(env.clock.now),
            closes_at=int(env.clock.now) + 60,
        )
        await repo.put_in_poll(conn, poll_id, [n.id for n in await repo.open_nominations(conn, GUILD)])
    env.clock.now += 600
    restarted = env.fresh()
    await restarted.start()
    assert await repo.get_poll(env.db, poll_id) is None
    assert {n.status for n in await env.service.nominations(GUILD)} == {"open"}


async def test_status_lines_and_choices(env: Env) -> None:
    poll = await env.create(question="Best *Alien*?")
    await env.service.nominate(GUILD, 1, "Heat", 1995)
    assert await env.service.status_lines(GUILD) == {"Open polls": "1", "Film nominations": "1"}
    await env.service.resync_all()
    lines = await env.service.status_lines(GUILD)
    assert lines["Reactions recounted at start"].startswith("1 polls resynced")
    assert await env.service.choices(GUILD, "alien", open_only=True) == [
        (poll.id, f"#{poll.id} Best *Alien*?")
    ]
    assert await env.service.choices(OTHER_GUILD, "", open_only=False) == []


async def test_votes_survive_in_sqlite(tmp_path: Path) -> None:
    """A recorded vote is committed: a new connection sees it."""
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        env = Env(db, FakeClock())
        poll = await env.create()
        await env.add(poll, 1, 0)
    finally:
        await db.close()
    async with await Database.open(tmp_path / "a.sqlite3") as again:
        assert [(v.user_id, v.option) for v in await repo.votes_for(again, poll.id)] == [(1, 0)]


async def test_double_submitted_commands_are_refused_once(db: Database) -> None:
    env = Env(db, FakeClock(), PollSettings(create_cooldown=30))
    created = await asyncio.gather(env.create(), env.create(), return_exceptions=True)
    assert sorted(type(r).__name__ for r in created) == ["Poll", "UserError"]
    nominated = await asyncio.gather(
        env.service.nominate(GUILD, 7, "Alien", 1979),
        env.service.nominate(GUILD, 7, "Heat", 1995),
        return_exceptions=True,
    )
    refused = [r for r in nominated if isinstance(r, UserError)]
    assert len(refused) == 1 and "limit is 1" in str(refused[0])
    assert len(await env.service.nominations(GUILD)) == 1


async def test_nomination_messages_escape_titles(env: Env) -> None:
    await env.service.nominate(GUILD, 1, "||Spoiler|| <@123> @everyone", 2001)
    with pytest.raises(UserError) as refused:
        await env.service.nominate(GUILD, 2, "spoiler <@123> @everyone", 2001)
    text = refused.value.render(escape_markdown)  # the reply's wording (cogs._ui.user_message)
    assert "\\|\\|Spoiler\\|\\|" in text and "\\<@\u200b123\\>" in text and "@\u200beveryone" in text
    assert "by <@1>" in text  # the first nominator is named (replies never ping)


async def test_two_organisers_picking_at_once_get_one_pick(env: Env) -> None:
    await _nominate_films(env, 3)
    results = await asyncio.gather(
        env.service.pick(GUILD, CHANNEL, CREATOR), env.service.pick(GUILD, CHANNEL, 6), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 1 and "already running" in str(refused[0])
    assert len(env.port.posted) == 1
    assert {n.poll_id for n in await env.service.nominations(GUILD)} == {env.port.posted[0].id}


# ------------------------------------------------------------------------------------- exactly-once results


@pytest.mark.parametrize("how", ["deadline", "command"])
async def test_crash_as_discord_stores_the_results_then_restart_past_the_nonce_window_posts_once(
    env: Env, how: str
) -> None:
    """The process dies at the instant Discord stores the results message (before ``announced`` is set);
    it comes back after Discord has forgotten the nonce. The retry finds the message instead of re-posting."""
    poll = await env.create(duration="1m")
    await env.add(poll, 1, 1)
    env.port.crash_after_send = 1
    with pytest.raises(Crash):
        if how == "deadline":
            env.clock.now += 61
            await env.service.run_due()
        else:
            await env.service.close(GUILD, poll.id, user_id=CREATOR, can_moderate=False)
    assert len(env.port.channel) == 1
    stored = await repo.get_poll(env.db, poll.id)
    assert stored is not None and stored.status == "closed" and not stored.announced
    env.clock.now += 600  # down for ten minutes
    env.port.forget_nonces()
    restarted = env.fresh()
    await restarted.start()
    await restarted.resync_all()
    assert (await restarted.run_due()).announced == 1
    await restarted.run_due()
    assert len(env.port.channel) == 1 and len(env.port.find_calls) == 1
    stored = await repo.get_poll(env.db, poll.id)
    assert stored is not None and stored.announced and stored.result_message_id == env.port.channel[0][0]


async def test_trusting_the_nonce_alone_after_its_window_would_post_the_results_twice(env: Env) -> None:
    """The control for the test above: the old behaviour (no look in the channel) duplicates."""
    poll = await env.create(duration="1m")
    env.port.crash_after_send = 1
    env.clock.now += 61
    with pytest.raises(Crash):
        await env.service.run_due()
    env.clock.now += 600
    env.port.forget_nonces()
    restarted = env.fresh()
    restarted.delivery.nonce_window = 10**9  # as if the nonce were remembered for ever
    await restarted.start()
    await restarted.run_due()
    assert len(env.port.channel) == 2 and poll.id


# ---------------------------------------------------------------------------------- exactly-once poll messages


async def test_the_poll_message_goes_through_the_outbox(env: Env) -> None:
    poll = await env.create()
    (row,) = await env.db.fetchall("SELECT kind, owner_id, state, message_id, sending_at FROM outbox")
    assert (row["kind"], row["owner_id"], row["state"]) == ("poll_message", poll.id, "delivered")
    assert row["message_id"] == poll.message_id and row["sending_at"] is not None
    assert [message_id for message_id, _ in env.port.poll_messages] == [poll.message_id]


@pytest.mark.parametrize("how", ["create", "pick"])
async def test_crash_as_discord_stores_the_poll_then_restart_past_the_nonce_window_posts_once(
    env: Env, how: str
) -> None:
    """The process dies at the instant Discord stores the poll message (before the poll is marked open); it
    comes back after Discord has forgotten the nonce. The poll message is found, not posted again, and the
    poll opens with it and gets its reactions."""
    env.port.crash_after_post = 1
    with pytest.raises(Crash):
        if how == "create":
            await env.create()
        else:
            await _nominate_films(env, 2)
            await env.service.pick(GUILD, CHANNEL, CREATOR)
    ((message_id, _),) = env.port.poll_messages
    env.clock.now += 600  # down for ten minutes
    env.port.forget_nonces()
    restarted = env.fresh()
    await restarted.start()  # the pending poll has its message queued: it is not a half-created leftover
    await restarted.resync_all()
    await restarted.run_due()
    await restarted.run_due()
    assert [m for m, _ in env.port.poll_messages] == [message_id] and len(env.port.find_calls) == 1
    (poll,) = await repo.open_polls(env.db)
    assert poll.message_id == message_id
    assert env.port.reactions[message_id] == {E[i]: [BOT] for i in range(poll.n_options)}
    assert await env.add(poll, 1, 1, service=restarted) == "recorded"  # the vote path knows it


async def test_trusting_the_nonce_alone_after_its_window_would_post_the_poll_twice(env: Env) -> None:
    """The control for the test above: without the look in the channel, the poll message is duplicated."""
    env.port.crash_after_post = 1
    with pytest.raises(Crash):
        await env.create()
    env.clock.now += 600
    env.port.forget_nonces()
    restarted = env.fresh()
    restarted.delivery.nonce_window = 10**9  # as if the nonce were remembered for ever
    await restarted.start()
    await restarted.run_due()
    assert len(env.port.poll_messages) == 2


async def test_a_poll_message_discord_did_not_take_is_posted_by_the_deadline_loop(env: Env) -> None:
    env.port.fail_post = 1
    poll = await env.create()
    assert poll.status == "pending" and poll.message_id is None and env.port.poll_messages == []
    assert await env.service.open_polls(GUILD) == []
    env.clock.now += 60  # the delivery backoff
    await env.service.run_due()
    (opened,) = await repo.open_polls(env.db)
    assert opened.id == poll.id and opened.message_id == env.port.poll_messages[0][0]
    assert env.port.reactions[opened.message_id] == {E[0]: [BOT], E[1]: [BOT], E[2]: [BOT]}
    assert await env.add(opened, 1, 0) == "recorded"


async def test_a_poll_message_still_unsent_at_its_deadline_discards_the_poll(env: Env) -> None:
    await _nominate_films(env, 2)
    env.port.fail_post = 100
    poll = (await env.service.pick(GUILD, CHANNEL, CREATOR, duration="1m")).poll
    assert poll.status == "pending"
    env.clock.now += 61
    await env.service.run_due()
    assert await repo.get_poll(env.db, poll.id) is None and env.port.poll_messages == []
    assert {n.status for n in await env.service.nominations(GUILD)} == {"open"}  # back in the round
    env.port.fail_post = 0
    again = (await env.service.pick(GUILD, CHANNEL, CREATOR)).poll  # the same id, a new outbox row
    assert again.is_open
    if env.db.dialect == "sqlite":  # SQLite hands a deleted row's id out again; PostgreSQL never does
        assert again.id == poll.id


async def test_restart_resync_finishes_seeding_the_reactions(env: Env) -> None:
    env.port.crash_seeding = True
    with pytest.raises(Crash):
        await env.create()
    (poll,) = await repo.open_polls(env.db)
    assert poll.message_id is not None
    assert env.port.reactions[poll.message_id] == {E[0]: [BOT]}
    env.port.react(poll.message_id, E[1], 7)  # a member voted while the bot was down
    restarted = env.fresh()
    await restarted.start()
    report = await restarted.resync_all()
    assert report.added == 1
    assert env.port.reactions[poll.message_id] == {E[0]: [BOT], E[1]: [7, BOT], E[2]: [BOT]}
    await restarted.resync_all()  # complete now: nothing more is added
    assert env.port.reactions[poll.message_id][E[1]] == [7, BOT]
