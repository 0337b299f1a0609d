"""Poll throughput: reaction events through the real PollService against real SQLite.

    python -m benchmarks.votes                  # 10,000 events, 20 polls, 2,000 members
    python -m benchmarks.votes --events 50000 --json
    python -m benchmarks.votes --smoke --json

Twenty polls are created through ``PollService.create`` (half single choice, half multi choice, some of
those with a ``max_choices`` cap) in a file-backed SQLite database opened with ``Database.open`` (WAL,
migrations). A deterministic stream of reaction add/remove events by 2,000 members is generated against a
model of what Discord shows (a member can only remove a reaction they have; the bot strips a replaced
single-choice vote and a vote over the cap, as the service asks it to), then replayed through
``reaction_added`` / ``reaction_removed``, each awaited before the next as the gateway delivers them. Each
call returns only after its vote is committed, so every counted vote is durable.

Reported: events/s, latency per event (median, p99, max), the service's answers (recorded, replaced,
refused, withdrawn...), and whether every poll's final tally (``PollService.results``) equals the model's.
Baseline in the same run: a bare durable write, one ``BEGIN IMMEDIATE; INSERT or DELETE; COMMIT`` per
event on the same kind of database (what any durable vote path pays at least once). The two alternate in
blocks of a tenth of the events, so load from other processes on a shared machine falls on both.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import Meter, Report, Target, base_parser, log, median, percentile, profiled, table
from domain.models import Poll
from domain.polls import NUMBER_EMOJI
from services.polls import CreateRequest, PollService
from settings import PollSettings
from storage.db import Database
from tests.helpers.ports import FakePollDiscord

GUILD = 1
BOT_USER = 999_999
CREATOR = 5
OPTIONS = 5


def poll_plan(polls: int) -> list[tuple[str, int | None]]:
    """(mode, max_choices) per poll: half single, a quarter multi uncapped, a quarter multi capped at 2."""
    plan: list[tuple[str, int | None]] = []
    for index in range(polls):
        if index % 2 == 0:
            plan.append(("single", None))
        elif index % 4 == 1:
            plan.append(("multi", None))
        else:
            plan.append(("multi", 2))
    return plan


def generate(
    rng: random.Random,
    polls: list[tuple[int, str, int | None]],
    members: int,
    count: int,
    remove_share: float,
) -> tuple[list[tuple[bool, int, int, int]], dict[int, list[int]]]:
    """Events (add?, poll index, member, option) and the expected counts per poll index.

    ``reactions`` is what Discord shows; ``votes`` what should be counted. The bot strips reactions it does
    not count, so the two stay equal and a member only ever removes a reaction they have.
    """
    votes: dict[tuple[int, int], set[int]] = {}
    events: list[tuple[bool, int, int, int]] = []
    for _ in range(count):
        index = rng.randrange(len(polls))
        _, mode, cap = polls[index]
        member = 1000 + rng.randrange(members)
        mine = votes.setdefault((index, member), set())
        if mine and rng.random() < remove_share:
            option = rng.choice(sorted(mine))
            mine.discard(option)
            events.append((False, index, member, option))
            continue
        option = rng.choice([o for o in range(OPTIONS) if o not in mine] or [0])
        events.append((True, index, member, option))
        if option in mine:
            continue  # a duplicate add (only when every option is taken): no change
        if mode == "single":
            mine.clear()
            mine.add(option)
        elif cap is None or len(mine) < cap:
            mine.add(option)
        # else: over the cap, refused and stripped
    expected = {index: [0] * OPTIONS for index in range(len(polls))}
    for (index, _member), options in votes.items():
        for option in options:
            expected[index][option] += 1
    return events, expected


class BareWrites:
    """The floor: one durable INSERT or DELETE per event, each in its own transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: Path) -> BareWrites:
        db = await Database.open(path)
        async with db.transaction() as conn:
            await conn.execute(
                "CREATE TABLE bench_votes (p INTEGER, u INTEGER, o INTEGER, PRIMARY KEY (p, u, o))"
            )
        return cls(db)

    async def replay(self, events: Sequence[tuple[bool, int, int, int]]) -> None:
        for add, index, member, option in events:
            async with self.db.transaction() as conn:
                if add:
                    await conn.execute(
                        "INSERT OR IGNORE INTO bench_votes VALUES (?, ?, ?)", (index, member, option)
                    )
                else:
                    await conn.execute(
                        "DELETE FROM bench_votes WHERE p = ? AND u = ? AND o = ?", (index, member, option)
                    )


async def run(args: Any) -> Report:
    report = Report("benchmarks.votes", {k: v for k, v in vars(args).items() if k != "json"})
    rng = random.Random(args.seed)
    tmp = tempfile.TemporaryDirectory(prefix="pj-bench-votes-")
    try:
        db = await Database.open(Path(tmp.name) / "votes.sqlite3")
        try:
            service = PollService(db, PollSettings(create_cooldown=0))
            port = FakePollDiscord(BOT_USER)  # in process: the numbers are the service's and SQLite's
            service.attach(port, bot_user_id=BOT_USER, delivery=port)
            await service.start()
            created: list[Poll] = []
            for index, (mode, cap) in enumerate(poll_plan(args.polls)):
                created.append(
                    await service.create(
                        CreateRequest(
                            guild_id=GUILD,
                            channel_id=100 + index,
                            user_id=CREATOR,
                            question=f"Which film on night {index + 1}?",
                            options="; ".join(f"Film {chr(65 + o)}" for o in range(OPTIONS)),
                            duration="7d",
                            mode=mode,
                            max_choices=cap,
                            is_organiser=True,
                        )
                    )
                )
            polls = [(p.id, p.mode, p.max_choices) for p in created]
            events, expected = generate(rng, polls, args.members, args.events, args.remove_share)
            log(f"{len(events):,} events over {len(polls)} polls and {args.members:,} members")
            answers: Counter[str] = Counter()
            latencies: list[float] = []
            floor_db = await BareWrites.open(Path(tmp.name) / "floor.sqlite3")
            wall = cpu = floor = 0.0
            # Service and floor alternate in blocks, so that a noisy neighbour on a shared machine hits both.
            block = max(1, len(events) // 10)
            for start in range(0, len(events), block):
                chunk = events[start : start + block]
                with profiled(args.profile and f"{args.profile}/{start // block}", "votes"), Meter() as meter:
                    for add, index, member, option in chunk:
                        poll = created[index]
                        started = time.perf_counter()
                        if add:
                            answer = await service.reaction_added(
                                GUILD, poll.channel_id, poll.message_id or 0, member, NUMBER_EMOJI[option]
                            )
                        else:
                            answer = await service.reaction_removed(
                                GUILD, poll.channel_id, poll.message_id or 0, member, NUMBER_EMOJI[option]
                            )
                        latencies.append(time.perf_counter() - started)
                        answers[answer] += 1
                wall += meter.wall
                cpu += meter.cpu
                floor_started = time.perf_counter()
                await floor_db.replay(chunk)
                floor += time.perf_counter() - floor_started
            await floor_db.db.close()
            mismatches = []
            for index, poll in enumerate(created):
                outcome = await service.results(GUILD, poll.id)
                if list(outcome.tally.counts) != expected[index]:
                    mismatches.append(
                        {
                            "poll": poll.id,
                            "mode": poll.mode,
                            "got": list(outcome.tally.counts),
                            "expected": expected[index],
                        }
                    )
            integrity = await db.scalar("PRAGMA integrity_check")
        finally:
            await db.close()
    finally:
        tmp.cleanup()
    rate = len(events) / wall
    floor_rate = len(events) / floor
    lat_ms = [x * 1000 for x in latencies]
    report.results = {
        "events": len(events),
        "polls": {mode: sum(1 for _, m, _ in polls if m == mode) for mode in ("single", "multi")},
        "capped_polls": sum(1 for _, _, cap in polls if cap),
        "members": args.members,
        "wall_s": wall,
        "cpu_s": cpu,
        "events_per_s": rate,
        "latency_ms": {"median": median(lat_ms), "p99": percentile(lat_ms, 99), "max": max(lat_ms)},
        "answers": dict(answers),
        "reactions_stripped": len(port.removed),
        "tallies_match": not mismatches,
        "mismatches": mismatches[:5],
        "integrity_check": integrity,
        "baseline_bare_writes": {"wall_s": floor, "events_per_s": floor_rate},
        "ratio_to_bare_writes": wall / floor,
    }
    report.tables.append(
        table(
            f"{len(events):,} reaction events, {len(polls)} polls, {args.members:,} members (awaited one by one)",
            ["path", "wall s", "events/s", "median ms", "p99 ms", "max ms"],
            [
                ("PollService", wall, rate, median(lat_ms), percentile(lat_ms, 99), max(lat_ms)),
                (
                    "bare durable write (reference)",
                    floor,
                    floor_rate,
                    float("nan"),
                    float("nan"),
                    float("nan"),
                ),
            ],
        )
    )
    report.tables.append(table("service answers", list(answers), [tuple(answers.values())]))
    report.targets = [
        Target(">= 2,000 events/s", rate >= 2000, f"{rate:,.0f} events/s (bare write {floor_rate:,.0f})"),
        Target("final tallies equal the expected ones", not mismatches, f"{len(mismatches)} polls differ"),
        Target("PRAGMA integrity_check ok", integrity == "ok", str(integrity)),
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--remove-share", type=float, default=0.3, help="share of events that remove")
    parser.add_argument("--profile", metavar="DIR", help="cProfile the replay into DIR")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events, args.members = 600, 200
    report = asyncio.run(run(args))
    report.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
