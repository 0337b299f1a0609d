"""Scale-out: the feed engine in 1 and 2 processes on PostgreSQL versus 1 process on SQLite, one farm, one run.

    python -m benchmarks.scaleout                 # F = 300 feeds
    python -m benchmarks.scaleout --feeds 100 --json
    python -m benchmarks.scaleout --smoke          # tiny, proves it runs
    python -m benchmarks.feeds --backend postgresql --processes 2 --feeds 300   # the same, as issue 15 names it

Every feed is subscribed once (the bot's first poll, into a SQLite file); then each feed publishes one new
entry, and each scenario starts from a copy of that same database (the SQLite file, or ``migrate-data`` into
a fresh PostgreSQL database) and runs ONE poll cycle of the real ``FeedService`` in N separate bot processes
(``--worker``): fetch, parse, digest, post. Posts go to a recorder per process that appends each post's
nonce and link to a shared log, so duplicates across processes are counted the way Discord would see them
(a repeated nonce is one message; one entry under two nonces is a duplicate).

Takeover: a last round with 2 processes on PostgreSQL in which one process is SIGKILLed as its cycle starts;
the other keeps cycling and takes its feeds over once their leases expire (``--lease-timeout``). The time
from the kill to the last post is the takeover time.

The PostgreSQL server is the tests' throwaway cluster (``tests/pg.py``); the farm runs in its own process.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import Report, Target, base_parser, log, table
from benchmarks._feedfarm import LOOPBACK, FarmSpec
from benchmarks.feeds import CLOCK_STEP, GUILDS, MODERATOR, FarmProcess
from domain.errors import UserError
from services.container import feed_parser, fetch_limits
from services.delivery import Delivery, Payload
from services.digest import DigestService
from services.feeds import FeedService
from services.fetcher import Fetcher
from settings import DigestSettings, FeedSettings
from storage.copy import copy_sqlite_to_postgres
from storage.db import Database, open_database
from tests.feedserver import StaticResolver
from tests.helpers.ports import FakeNotifier
from tests.pg import PgServer


class LoggingNotifier(FakeNotifier):
    """The recorder, also appending ``nonce<TAB>link`` per stored post to a log shared by every process."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._log = path.open("a", encoding="utf-8")

    def store(self, channel_id: int, payload: Payload, nonce: str) -> int:
        link = str((payload.embeds or ({},))[0].get("url") or "")
        self._log.write(f"{nonce}\t{link}\n")
        self._log.flush()  # survives a SIGKILL
        return super().store(channel_id, payload, nonce)


async def _service(
    db: Database, spec: FarmSpec, clock: Any, notifier: FakeNotifier
) -> tuple[FeedService, Any]:
    settings = FeedSettings(allow_private_addresses=True)
    fetcher = Fetcher(
        fetch_limits(settings), resolver=StaticResolver({h: LOOPBACK for h in spec.host_names()})
    )
    parser = feed_parser(settings)
    digest = DigestService(db, DigestSettings())
    delivery = Delivery(db, clock=clock, nonce_window=5)
    service = FeedService(
        db, settings, fetcher, parser, renderer=digest.render, clock=clock, delivery=delivery
    )
    service.attach(notifier, notifier)
    await parser.warm_up()
    return service, (fetcher, parser)


async def _close(parts: Any) -> None:
    fetcher, parser = parts
    await fetcher.close()
    parser.close()


# -- the worker: one bot process ------------------------------------------------------------------


async def worker(args: Any) -> dict[str, Any]:
    spec = FarmSpec(count=args.feeds, slow_rate=0, dead_rate=0, flaky_rate=0)
    db = await open_database(args.url, args.path, pool_size=4, lease_timeout=args.lease_timeout)
    t0, wall0 = args.now, time.time()

    def clock() -> float:  # the scenario's moment, moving with real time (leases expire in real seconds)
        return t0 + (time.time() - wall0)

    notifier = LoggingNotifier(Path(args.log))
    service, parts = await _service(db, spec, clock, notifier)
    cpu0 = time.process_time()
    start = time.time()
    await asyncio.to_thread(Path(args.log + f".started.{os.getpid()}").touch)
    polled = 0
    deadline = start + args.loop
    while True:
        report = await service.run_cycle()
        polled += report.polled
        if args.loop <= 0 or time.time() > deadline or _posted(Path(args.log)) >= args.feeds:
            break
        await asyncio.sleep(0.5)
    end = time.time()
    cpu = time.process_time() - cpu0
    await _close(parts)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parser's worker processes, now ended
    await db.close()
    return {"start": start, "end": end, "cpu": cpu + children.ru_utime + children.ru_stime, "polled": polled}


def _posted(log_path: Path) -> int:
    if not log_path.exists():
        return 0
    return len({line.split("\t")[1] for line in log_path.read_text().splitlines() if "\t" in line})


# -- the driver -----------------------------------------------------------------------------------


async def _subscribe_all(path: Path, farm: FarmProcess, spec: FarmSpec, now: float) -> None:
    db = await Database.open(path)
    service, parts = await _service(db, spec, lambda: now, FakeNotifier())

    async def subscribe(index: int) -> None:
        try:
            await service.add(
                guild_id=1 + index % GUILDS,
                channel_id=100_000 + index,
                url=farm.url(index),
                name=None,
                user_id=MODERATOR,
            )
        except UserError as exc:
            log(f"feed {index} refused: {exc}")

    await asyncio.gather(*(subscribe(i) for i in range(spec.count)))
    await _close(parts)
    await db.close()


def _spawn(args: Any, url: str, path: Path, now: float, log_path: Path, loop: float) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.scaleout",
        "--worker",
        "--feeds",
        str(args.feeds),
        "--now",
        str(now),
        "--log",
        str(log_path),
        "--lease-timeout",
        str(args.lease_timeout),
        "--loop",
        str(loop),
        "--path",
        str(path),
    ]
    if url:
        cmd += ["--url", url]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent
    )


def _duplicates(log_path: Path) -> tuple[int, int]:
    """(messages Discord would show, duplicates): one message per nonce; a link under two nonces is doubled."""
    nonces: dict[str, str] = {}
    for line in log_path.read_text().splitlines():
        nonce, link = line.split("\t")
        nonces[nonce] = link
    return len(nonces), len(nonces) - len(set(nonces.values()))


def run(args: Any, benchmark: str = "benchmarks.scaleout") -> Report:
    spec = FarmSpec(count=args.feeds, slow_rate=0, dead_rate=0, flaky_rate=0)
    report = Report(benchmark, {k: v for k, v in vars(args).items() if k not in ("json", "worker")})
    farm = FarmProcess(spec)
    farm.start()
    server = PgServer.start()
    tmp = Path(tempfile.mkdtemp(prefix="pj-bench-scale-"))
    rows: list[dict[str, Any]] = []
    try:
        now = time.time()
        template = tmp / "template.sqlite3"
        log(f"subscribing {args.feeds} feeds (first poll) into {template}")
        asyncio.run(_subscribe_all(template, farm, spec, now))
        asyncio.run(farm.publish(list(range(args.feeds))))  # one new entry per feed, for every scenario
        cycle_at = now + CLOCK_STEP
        for backend, processes in [("sqlite", 1)] + [("postgresql", n) for n in args.processes]:
            path, url = tmp / f"{backend}-{processes}.sqlite3", ""
            shutil.copy(template, path)
            if backend == "postgresql":
                url = server.create_database(migrated=False)
                asyncio.run(copy_sqlite_to_postgres(template, url))
            log_path = tmp / f"{backend}-{processes}.log"
            procs = [_spawn(args, url, path, cycle_at, log_path, 0) for _ in range(processes)]
            results = [json.loads(p.communicate()[0]) for p in procs]
            wall = max(r["end"] for r in results) - min(r["start"] for r in results)
            messages, duplicates = _duplicates(log_path)
            rows.append(
                {
                    "backend": backend,
                    "processes": processes,
                    "feeds_per_s": round(args.feeds / wall, 1),
                    "cpu_ms_per_feed": round(1000 * sum(r["cpu"] for r in results) / args.feeds, 1),
                    "polled": sum(r["polled"] for r in results),
                    "posted": messages,
                    "duplicates": duplicates,
                    "wall_s": round(wall, 2),
                }
            )
            log(f"{backend} x{processes}: {rows[-1]}")
        report.results["cycles"] = rows
        report.results["takeover"] = _takeover(args, server, tmp, template, farm, cycle_at + CLOCK_STEP)
        _targets(report, args)
    finally:
        server.stop()
        farm.stop()
        asyncio.run(farm.close())
        shutil.rmtree(tmp, ignore_errors=True)
    return report


def _targets(report: Report, args: Any) -> None:
    rows, takeover = report.results["cycles"], report.results["takeover"]
    report.targets.append(
        Target(
            "each new item posted exactly once (every scenario, and after the SIGKILL)",
            all(r["posted"] == args.feeds and r["duplicates"] == 0 for r in rows)
            and takeover["posted"] == takeover["messages"] == args.feeds
            and takeover["duplicates"] == 0,
            f"duplicates {[r['duplicates'] for r in rows]} + {takeover['duplicates']}",
        )
    )
    # The survivor cycles every 0.5 s: it takes the dead process's feeds over once their leases expire, then
    # needs one cycle (about the PostgreSQL x2 cycle's wall time) to fetch and post them.
    cycle = max((r["wall_s"] for r in rows if r["backend"] == "postgresql"), default=0.0)
    bound = args.lease_timeout + 0.5 + cycle
    report.targets.append(
        Target(
            "survivor takes over within lease_timeout + one cycle",
            takeover["takeover_s"] <= bound,
            f"{takeover['takeover_s']} s (bound {bound:.1f} s)",
        )
    )


def emit(report: Report, as_json: bool) -> None:
    if as_json:
        report.emit(True)
        return
    report.tables.append(
        table(
            "poll cycle",
            ["backend", "processes", "feeds/s", "CPU ms/feed", "posted", "duplicates", "wall s"],
            [
                [
                    r["backend"],
                    r["processes"],
                    r["feeds_per_s"],
                    r["cpu_ms_per_feed"],
                    r["posted"],
                    r["duplicates"],
                    r["wall_s"],
                ]
                for r in report.results["cycles"]
            ],
        )
    )
    report.notes.append(f"takeover after SIGKILL: {json.dumps(report.results['takeover'])}")
    report.emit(False)


def _takeover(
    args: Any, server: PgServer, tmp: Path, template: Path, farm: FarmProcess, at: float
) -> dict[str, Any]:
    """Two processes on PostgreSQL; one is SIGKILLed as its cycle starts; time until every entry is posted."""
    url = server.create_database(migrated=False)
    asyncio.run(copy_sqlite_to_postgres(template, url))
    log_path = tmp / "takeover.log"
    procs = [_spawn(args, url, tmp / "unused.sqlite3", at, log_path, 120) for _ in range(2)]
    victim = procs[0]
    while not list(tmp.glob(f"takeover.log.started.{victim.pid}")):
        time.sleep(0.05)
    time.sleep(0.3)  # mid-cycle: it has claimed feeds and is fetching them
    victim.send_signal(signal.SIGKILL)
    killed = time.time()
    victim.wait()
    survivor = json.loads(procs[1].communicate()[0])
    messages, duplicates = _duplicates(log_path)
    # Time from the kill until every entry is posted: 0 when the survivor had posted everything before the
    # kill landed (a small --smoke farm on a loaded machine), which the report says rather than a negative.
    return {
        "lease_timeout_s": args.lease_timeout,
        "takeover_s": round(max(0.0, survivor["end"] - killed), 1),
        "survivor_done_before_kill": survivor["end"] < killed,
        "posted": _posted(log_path),
        "expected": args.feeds,
        "messages": messages,
        "duplicates": duplicates,
    }


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else "scale-out")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--processes", default="1,2", help="PostgreSQL process counts to compare")
    parser.add_argument("--lease-timeout", type=float, default=5.0)
    parser.add_argument("--worker", action="store_true", help="internal: run one bot process of a scenario")
    parser.add_argument("--url", default="")
    parser.add_argument("--path", default="")
    parser.add_argument("--now", type=float, default=0.0)
    parser.add_argument("--log", default="")
    parser.add_argument("--loop", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(asyncio.run(worker(args))))
        return 0
    if args.smoke:
        args.feeds = min(args.feeds, 20)
    args.processes = [int(n) for n in str(args.processes).split(",")]
    emit(run(args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
