"""Polling at scale: the real feed engine against a local farm of F generated feeds.

    python -m benchmarks.feeds                  # F = 1,000
    python -m benchmarks.feeds --feeds 250 --json
    python -m benchmarks.feeds --scale          # F = 250, 1,000, 4,000, one fresh process each
    python -m benchmarks.feeds --latency 50 250 # every feed answers after 50-250 ms, like a WAN
    python -m benchmarks.feeds --smoke --json   # tiny, for the test suite

What runs is the bot's own code: ``FeedService`` (from ``services.feeds``) with the guarded ``Fetcher``
and the worker-process ``FeedParser`` built from default ``FeedSettings`` exactly as the container
builds them (only ``allow_private_addresses`` is on, since the farm is on loopback), real SQLite through
``Database.open`` (WAL, migrations) and the real digest (``DigestService.render``) delivering to an
in-process recorder that de-duplicates by nonce as Discord does. The farm (``benchmarks._feedfarm``)
runs in its own process; its CPU is not counted.

Cycles: (1) every feed is subscribed with ``FeedService.add``, which is the bot's first poll (fetch, parse,
record the baseline, post nothing); (2) every feed is polled again and answers 304; (3) 5 % of the feeds
have one new entry, which is parsed, digested and delivered; (3b) the entries table is seeded up to
``--stored`` rows and cycle 3 is repeated with another 5 %, to show stored history does not slow a cycle.
Between cycles a fake clock moves 7 hours so that every feed is due (the farm's Cache-Control and
the fetcher's back-off are honoured, not bypassed).

Baseline in the same run: the naive reader, ``feedparser.parse(url)`` for each feed in sequence (urllib,
default sanitising), in a separate process. Above ``--baseline-sample`` feeds it runs on a stratified
sample (evenly spaced ordinary feeds plus a few of each slow/failing kind) and the total is extrapolated
per kind; the output says so.

On loopback both sides are bound by CPU (feed parsing), so the cycle-1 ratio measures parsing cost and
two cores; with ``--latency`` it also measures what concurrent fetching saves. See ``BENCHMARKS.md``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks._common import (
    Meter,
    Report,
    Target,
    base_parser,
    descendants_peak_rss_mb,
    log,
    peak_rss_mb,
    profiled,
    table,
)
from benchmarks._feedfarm import LOOPBACK, FarmSpec, naive_poll, serve_farm, spec_fields
from domain.errors import UserError
from services.container import feed_parser, fetch_limits
from services.delivery import Delivery
from services.digest import DigestService
from services.feeds import CycleReport, FeedService
from services.fetcher import Fetcher
from settings import DigestSettings, FeedSettings
from storage.db import Database
from tests.feedserver import StaticResolver
from tests.helpers.clock import FakeClock
from tests.helpers.ports import FakeNotifier

GUILDS = 10
MODERATOR = 99
CLOCK_STEP = 7 * 3600  # more than max_backoff (6 h): every feed is due again, none is paused (1 d)
SCALE_SIZES = (250, 1000, 4000)


def links(recorder: FakeNotifier, start: int = 0) -> list[str]:
    """The link of every post from the ``start``-th on."""
    return [str((m.payload.embeds or ({},))[0].get("url") or "") for m in recorder.messages[start:]]


# --------------------------------------------------------------------------------------------------
# The farm process


class FarmProcess:
    def __init__(self, spec: FarmSpec) -> None:
        self.spec = spec
        self.port = 0
        self.pid = 0
        self.bytes: list[int] = []
        self._process: Any = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._process = ctx.Process(target=serve_farm, args=(spec_fields(self.spec), child), daemon=True)
        self._process.start()
        if not parent.poll(600):
            raise RuntimeError("the feed farm did not start")
        info = parent.recv()
        self.port, self.pid, self.bytes = info["port"], info["pid"], info["bytes"]

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()

    def url(self, index: int, *, by_name: bool = True) -> str:
        host = self.spec.host(index) if by_name else LOOPBACK
        return f"http://{host}:{self.port}{self.spec.path(index)}"

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(method, f"http://{LOOPBACK}:{self.port}{path}", json=body) as r:
            r.raise_for_status()
            return await r.json()

    async def publish(self, indices: list[int]) -> list[str]:
        return list((await self._call("POST", "/_farm/publish", {"feeds": indices}))["guids"])

    async def phase(self, phase: int) -> None:
        await self._call("POST", "/_farm/phase", {"phase": phase})

    async def stats(self) -> dict[str, Any]:
        return dict(await self._call("GET", "/_farm/stats"))

    async def reset(self) -> None:
        await self._call("POST", "/_farm/reset")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


# --------------------------------------------------------------------------------------------------
# Baseline


def baseline_sample(kinds: list[str], limit: int) -> list[int]:
    """All feeds when there are at most ``limit``; else evenly spaced ordinary feeds plus a few special ones."""
    if len(kinds) <= limit:
        return list(range(len(kinds)))
    special: dict[str, list[int]] = {}
    for index, kind in enumerate(kinds):
        special.setdefault(kind, []).append(index)
    chosen: list[int] = []
    for kind, indices in special.items():
        if kind == "ok":
            continue
        chosen.extend(indices[:5])
    ordinary = special.get("ok", [])
    room = max(1, limit - len(chosen))
    step = max(1, len(ordinary) // room)
    chosen.extend(ordinary[::step][:room])
    return sorted(chosen)


def run_baseline(farm: FarmProcess, limit: int) -> dict[str, Any]:
    kinds = farm.spec.kinds()
    if limit <= 0:
        return {
            "feeds_measured": 0,
            "extrapolated": False,
            "measured_wall_s": 0.0,
            "wall_s": 0.0,
            "cpu_s": 0.0,
            "feeds_per_s": 0.0,
            "entries_read": 0,
            "failures": 0,
            "skipped": True,
        }
    sample = baseline_sample(kinds, limit)
    urls = [farm.url(i, by_name=False) for i in sample]
    log(f"baseline: feedparser.parse(url) on {len(sample)} of {len(kinds)} feeds, in sequence")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        raw = pool.submit(naive_poll, urls).result()
    per_kind_wall: dict[str, list[float]] = {}
    per_kind_cpu: dict[str, list[float]] = {}
    for index, wall, cpu in zip(sample, raw["walls"], raw["cpus"], strict=True):
        per_kind_wall.setdefault(kinds[index], []).append(wall)
        per_kind_cpu.setdefault(kinds[index], []).append(cpu)
    counts = {k: kinds.count(k) for k in set(kinds)}
    wall = sum(sum(v) / len(v) * counts[k] for k, v in per_kind_wall.items())
    cpu = sum(sum(v) / len(v) * counts[k] for k, v in per_kind_cpu.items())
    return {
        "feeds_measured": len(sample),
        "extrapolated": len(sample) < len(kinds),
        "measured_wall_s": sum(raw["walls"]),
        "wall_s": wall,
        "cpu_s": cpu,
        "feeds_per_s": len(kinds) / wall if wall else 0.0,
        "entries_read": raw["entries"],
        "failures": raw["failures"],
    }


# --------------------------------------------------------------------------------------------------
# The engine


def cycle_row(
    name: str, meter: Meter, feeds: int, report: CycleReport | None = None, **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "cycle": name,
        "wall_s": round(meter.wall, 4),
        "cpu_s": round(meter.cpu, 4),
        "cpu_bot_process_s": round(meter.cpu_self, 4),
        "feeds": feeds,
        "feeds_per_s": round(feeds / meter.wall, 1) if meter.wall else 0.0,
    }
    if report is not None:
        row.update(
            polled=report.polled,
            not_modified=report.not_modified,
            failed=report.failed,
            new_entries=report.new_entries,
            delivered=report.delivered,
        )
    row.update(extra)
    return row


async def seed_entries(db: Database, total: int, now: int) -> int:
    """Add synthetic history rows until the entries table holds ``total`` rows (spread over all feeds)."""
    have = int(await db.scalar("SELECT COUNT(*) FROM entries"))
    feed_ids = [r[0] for r in await db.fetchall("SELECT id FROM feeds ORDER BY id")]
    missing = total - have
    if missing <= 0 or not feed_ids:
        return 0
    rows = [
        (
            feed_ids[n % len(feed_ids)],
            f"urn:history:{n}",
            f"Old article {n}",
            f"https://films.example/old/{n}",
            int(now) - 86400 * 30 - n,
            int(now) - 86400 * 30,
        )
        for n in range(missing)
    ]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO entries (feed_id, entry_key, title, link, published_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return missing


async def run(args: Any) -> Report:
    count = args.feeds
    spec = FarmSpec(
        count=count,
        seed=args.seed,
        slow_delay=args.slow_delay,
        latency_ms=(args.latency[0], args.latency[1]) if args.latency else (0.0, 0.0),
    )
    report = Report("benchmarks.feeds", {k: v for k, v in vars(args).items() if k != "json"})
    farm = FarmProcess(spec)
    started = time.perf_counter()
    farm.start()
    log(f"farm: {count} feeds, {sum(farm.bytes) / 1e6:.1f} MB, ready in {time.perf_counter() - started:.1f}s")
    exclude = [farm.pid]
    kinds = spec.kinds()
    tmp = tempfile.TemporaryDirectory(prefix="pj-bench-feeds-")
    rows: list[dict[str, Any]] = []
    try:
        settings = FeedSettings(allow_private_addresses=True)
        db = await Database.open(Path(tmp.name) / "bench.sqlite3")
        resolver = StaticResolver({name: LOOPBACK for name in spec.host_names()})
        fetcher = Fetcher(fetch_limits(settings), resolver=resolver)
        parser = feed_parser(settings)
        clock = FakeClock(time.time())
        digest = DigestService(db, DigestSettings())
        # the benchmark's nonce window is short (issue 11): its clock never leaves it within a retry
        delivery = Delivery(db, clock=clock, nonce_window=5)
        service = FeedService(
            db, settings, fetcher, parser, renderer=digest.render, clock=clock, delivery=delivery
        )
        recorder = FakeNotifier()  # the delivery port and the Notifier, de-duplicating nonces like Discord
        service.attach(recorder, recorder)
        try:
            await parser.warm_up()  # the bot starts its workers once at start-up, not per cycle
            rss_start = peak_rss_mb()

            # -- cycle 1: first poll of every feed, through /feed add's service call --------------
            async def subscribe(index: int) -> bool:
                try:
                    await service.add(
                        guild_id=1 + index % GUILDS,
                        channel_id=100_000 + index,
                        url=farm.url(index),
                        name=None,
                        user_id=MODERATOR,
                    )
                    return True
                except UserError:
                    return False

            log("cycle 1: subscribing (first poll of every feed)")
            with profiled(args.profile, "cycle1"), Meter(exclude) as m1:
                outcomes = await asyncio.gather(*(subscribe(i) for i in range(count)))
            subscribed = [i for i, ok in enumerate(outcomes) if ok]
            stats1 = await farm.stats()
            rows.append(
                cycle_row(
                    "1 first poll",
                    m1,
                    count,
                    polled=count,
                    subscribed=len(subscribed),
                    refused=count - len(subscribed),
                    new_entries=int(await db.scalar("SELECT COUNT(*) FROM entries")),
                    delivered=len(recorder.messages),
                )
            )
            log(f"cycle 1: {m1.wall:.2f}s wall, {m1.cpu:.2f}s CPU, {len(subscribed)} subscribed")
            workers_rss = descendants_peak_rss_mb(exclude)

            # -- baseline --------------------------------------------------------------------------
            baseline = run_baseline(farm, 0 if args.no_baseline else args.baseline_sample)
            log(f"baseline: {baseline['wall_s']:.1f}s wall (extrapolated: {baseline['extrapolated']})")

            # -- cycle 2: every feed answers 304 ---------------------------------------------------
            await farm.phase(2)  # flaky feeds start failing
            await farm.reset()
            clock.advance(CLOCK_STEP)
            log("cycle 2: every feed unchanged")
            with profiled(args.profile, "cycle2"), Meter(exclude) as m2:
                r2 = await service.run_cycle()
            stats2 = await farm.stats()
            rows.append(cycle_row("2 all unchanged", m2, r2.polled, r2))

            # -- cycle 3: 5 % of the feeds have one new entry --------------------------------------
            healthy = [i for i in subscribed if kinds[i] in ("ok", "slow")]
            share = max(1, round(len(subscribed) * args.new_share))
            step = max(1, len(healthy) // share)
            first_batch = healthy[::step][:share]
            second_batch = healthy[step // 2 :: step][:share] if step > 1 else healthy[-share:]
            guids = await farm.publish(first_batch)
            clock.advance(CLOCK_STEP)
            before = len(recorder.messages)
            log(f"cycle 3: {len(first_batch)} feeds with one new entry")
            with profiled(args.profile, "cycle3"), Meter(exclude) as m3:
                r3 = await service.run_cycle()
            posted = links(recorder, before)
            stored_before = int(await db.scalar("SELECT COUNT(*) FROM entries"))
            rows.append(
                cycle_row(
                    "3 5% new",
                    m3,
                    r3.polled,
                    r3,
                    published=len(guids),
                    stored_entries=stored_before,
                )
            )
            exact3 = sorted(posted) == sorted(f"https://films.example/news/{g}" for g in guids)

            # -- cycle 3b: the same with the entries table seeded --------------------------------
            seeded = await seed_entries(db, args.stored, int(clock()))
            stored_after = int(await db.scalar("SELECT COUNT(*) FROM entries"))
            guids_b = await farm.publish(second_batch)
            clock.advance(CLOCK_STEP)
            before = len(recorder.messages)
            log(f"cycle 3b: {stored_after:,} stored entries, {len(second_batch)} feeds with one new entry")
            with profiled(args.profile, "cycle3b"), Meter(exclude) as m3b:
                r3b = await service.run_cycle()
            posted_b = links(recorder, before)
            rows.append(
                cycle_row(
                    "3b 5% new, big history",
                    m3b,
                    r3b.polled,
                    r3b,
                    published=len(guids_b),
                    stored_entries=stored_after,
                )
            )
            exact3b = sorted(posted_b) == sorted(f"https://films.example/news/{g}" for g in guids_b)
            integrity = await db.scalar("PRAGMA integrity_check")
            workers_rss.update(
                {k: max(v, workers_rss.get(k, 0.0)) for k, v in descendants_peak_rss_mb(exclude).items()}
            )
        finally:
            await fetcher.close()
            await asyncio.to_thread(parser.close)
            await db.close()
        stats3 = await farm.stats()
    finally:
        await farm.close()
        farm.stop()
        tmp.cleanup()

    rss_main = peak_rss_mb()
    worker_peaks = sorted(workers_rss.values(), reverse=True)[: settings.parse_workers + 1]
    c1, c2, c3, c3b = rows
    speedup = baseline["wall_s"] / c1["wall_s"] if c1["wall_s"] else 0.0
    c2_share = c2["wall_s"] / c1["wall_s"] if c1["wall_s"] else 0.0
    history_ratio = c3b["wall_s"] / c3["wall_s"] if c3["wall_s"] else 0.0
    history_cpu_ratio = c3b["cpu_s"] / c3["cpu_s"] if c3["cpu_s"] else 0.0
    kinds_count = {k: kinds.count(k) for k in sorted(set(kinds))}
    report.results = {
        "feeds": count,
        "feed_kinds": kinds_count,
        "feed_bytes_total": sum(farm.bytes),
        "feed_bytes_mean": sum(farm.bytes) / len(farm.bytes),
        "cycles": rows,
        "baseline": baseline,
        "cycle1_speedup_vs_baseline": round(speedup, 2),
        "cycle2_share_of_cycle1": round(c2_share, 4),
        "cycle3b_vs_cycle3_wall": round(history_ratio, 3),
        "cycle3b_vs_cycle3_cpu": round(history_cpu_ratio, 3),
        "exactly_once": {"cycle3": exact3, "cycle3b": exact3b, "duplicates": recorder.repeats},
        "peak_rss_mb": {
            "bot_process": round(rss_main, 1),
            "at_start": round(rss_start, 1),
            "parse_workers": [round(x, 1) for x in worker_peaks],
            "total_bound": round(rss_main + sum(worker_peaks[: settings.parse_workers]), 1),
        },
        "server": {
            "cycle1_statuses": stats1["statuses"],
            "cycle2_statuses": stats2["statuses"],
            "peak_in_flight_per_host": max(stats1["peak_per_host"], stats3["peak_per_host"]),
            "peak_in_flight_total": max(stats1["peak_total"], stats3["peak_total"]),
        },
        "seeded_entries": seeded,
        "integrity_check": integrity,
    }
    report.tables.append(
        table(
            f"feed engine, F = {count:,} ({sum(farm.bytes) / 1e6:.1f} MB of feeds, {kinds_count})",
            ["cycle", "wall s", "CPU s", "feeds/s", "polled", "304", "failed", "new", "posted"],
            [
                (
                    r["cycle"],
                    r["wall_s"],
                    r["cpu_s"],
                    r["feeds_per_s"],
                    r.get("polled", count),
                    r.get("not_modified", 0),
                    r.get("failed", r.get("refused", 0)),
                    r["new_entries"],
                    r["delivered"],
                )
                for r in rows
            ],
        )
    )
    report.tables.append(
        table(
            "baseline: feedparser.parse(url) in sequence"
            + (
                f" (extrapolated from {baseline['feeds_measured']} feeds)" if baseline["extrapolated"] else ""
            ),
            ["wall s", "CPU s", "feeds/s", "cycle 1 speed-up"],
            [(baseline["wall_s"], baseline["cpu_s"], baseline["feeds_per_s"], speedup)],
        )
    )
    report.tables.append(
        table(
            "memory and limits",
            ["bot peak RSS MB", "parse worker peaks MB", "peak per host", "peak total", "integrity"],
            [
                (
                    rss_main,
                    ", ".join(f"{x:.0f}" for x in worker_peaks),
                    report.results["server"]["peak_in_flight_per_host"],
                    report.results["server"]["peak_in_flight_total"],
                    integrity,
                )
            ],
        )
    )
    report.targets = [
        Target("cycle 1 >= 10x faster than baseline", speedup >= 10, f"{speedup:.1f}x"),
        Target("cycle 2 <= 5% of cycle 1 wall", c2_share <= 0.05, f"{c2_share:.1%}"),
        Target(
            "peak RSS <= 300 MB (at 1,000 feeds)",
            rss_main <= 300,
            f"{rss_main:.0f} MB bot process (+ workers {', '.join(f'{x:.0f}' for x in worker_peaks[:2])} MB)",
        ),
        Target(
            f"{stored_after:,} stored entries do not slow cycle 3",
            history_cpu_ratio <= 1.25,
            f"wall x{history_ratio:.2f}, CPU x{history_cpu_ratio:.2f}",
        ),
        Target(
            "each new item posted exactly once",
            exact3 and exact3b and recorder.repeats == 0,
            f"{len(guids) + len(guids_b)} items",
        ),
    ]
    if baseline["extrapolated"]:
        report.notes.append(
            f"baseline measured on {baseline['feeds_measured']} feeds ({baseline['measured_wall_s']:.1f}s) "
            "and extrapolated per feed kind to all feeds"
        )
    return report


# --------------------------------------------------------------------------------------------------
# Scaling curve


def run_scale(args: Any) -> Report:
    report = Report("benchmarks.feeds --scale", {k: v for k, v in vars(args).items() if k != "json"})
    sizes = [int(s) for s in args.sizes.split(",")]
    runs: list[dict[str, Any]] = []
    for size in sizes:
        command = [
            sys.executable,
            "-m",
            "benchmarks.feeds",
            "--json",
            "--feeds",
            str(size),
            "--seed",
            str(args.seed),
            "--baseline-sample",
            str(args.baseline_sample),
            "--stored",
            str(args.stored),
            "--slow-delay",
            str(args.slow_delay),
            "--new-share",
            str(args.new_share),
        ]
        if args.latency:
            command += ["--latency", str(args.latency[0]), str(args.latency[1])]
        log(f"scale: F = {size}")
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    rows = []
    for run_ in runs:
        res = run_["results"]
        c = {r["cycle"].split()[0]: r for r in res["cycles"]}
        f = res["feeds"]
        rows.append(
            {
                "feeds": f,
                "c1_wall": c["1"]["wall_s"],
                "c1_cpu": c["1"]["cpu_s"],
                "c2_wall": c["2"]["wall_s"],
                "c2_cpu": c["2"]["cpu_s"],
                "c3_wall": c["3"]["wall_s"],
                "c3_cpu": c["3"]["cpu_s"],
                "c1_cpu_ms_per_feed": 1000 * c["1"]["cpu_s"] / f,
                "c2_cpu_ms_per_feed": 1000 * c["2"]["cpu_s"] / f,
                "c3_cpu_ms_per_feed": 1000 * c["3"]["cpu_s"] / f,
                "rss_mb": res["peak_rss_mb"]["bot_process"],
                "speedup": res["cycle1_speedup_vs_baseline"],
                "c2_share": res["cycle2_share_of_cycle1"],
            }
        )
    first, last = rows[0], rows[-1]
    growth = {
        k: last[k] / first[k] if first[k] else 0.0
        for k in ("c1_cpu_ms_per_feed", "c2_cpu_ms_per_feed", "c3_cpu_ms_per_feed")
    }
    report.results = {"runs": rows, "per_feed_cost_growth": growth, "raw": runs}
    report.tables.append(
        table(
            "scaling (CPU includes parse workers)",
            [
                "F",
                "c1 wall",
                "c1 CPU",
                "c2 wall",
                "c2 CPU",
                "c3 wall",
                "c3 CPU",
                "c1 ms/feed",
                "c2 ms/feed",
                "c3 ms/feed",
                "RSS MB",
                "speed-up",
                "c2/c1",
            ],
            [
                (
                    r["feeds"],
                    r["c1_wall"],
                    r["c1_cpu"],
                    r["c2_wall"],
                    r["c2_cpu"],
                    r["c3_wall"],
                    r["c3_cpu"],
                    r["c1_cpu_ms_per_feed"],
                    r["c2_cpu_ms_per_feed"],
                    r["c3_cpu_ms_per_feed"],
                    r["rss_mb"],
                    r["speedup"],
                    r["c2_share"],
                )
                for r in rows
            ],
        )
    )
    worst = max(growth.values())
    report.targets = [
        Target(
            f"linear: CPU per feed at F={last['feeds']} within 1.5x of F={first['feeds']}",
            worst <= 1.5,
            ", ".join(f"{k.split('_')[0]} x{v:.2f}" for k, v in growth.items()),
        )
    ]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds F")
    parser.add_argument("--scale", action="store_true", help="run F = --sizes, each in a fresh process")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SCALE_SIZES))
    parser.add_argument(
        "--baseline-sample", type=int, default=250, help="baseline feeds before extrapolating"
    )
    parser.add_argument("--stored", type=int, default=100_000, help="entries stored before cycle 3b")
    parser.add_argument("--slow-delay", type=float, default=1.0, help="seconds a slow feed waits")
    parser.add_argument("--new-share", type=float, default=0.05, help="share of feeds with a new entry")
    parser.add_argument(
        "--latency",
        type=float,
        nargs=2,
        metavar=("MIN_MS", "MAX_MS"),
        default=None,
        help="add a per-feed response latency (uniform, ms) to model a WAN; off by default (loopback)",
    )
    parser.add_argument("--profile", metavar="DIR", help="cProfile each cycle (bot process) into DIR")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline (profiling runs)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.feeds, args.stored, args.baseline_sample, args.sizes = 40, 3000, 40, "20,40"
        args.slow_delay = min(args.slow_delay, 0.3)
    result = run_scale(args) if args.scale else asyncio.run(run(args))
    result.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
