"""Polling at scale: the real feed engine against a local farm of F generated feeds.

    python -m benchmarks.feeds                  # F = 1,000
    python -m benchmarks.feeds --feeds 250 --json
    python -m benchmarks.feeds --scale          # F = 250, 1,000, 4,000, 10,000, one fresh process each
    python -m benchmarks.feeds --scale --sizes 1000,10000
    python -m benchmarks.feeds --latency 50 250 # every feed answers after 50-250 ms, like a WAN
    python -m benchmarks.feeds --smoke --json   # tiny, for the test suite
    python -m benchmarks.feeds --backend postgresql --processes 2   # scale-out: SQLite x1, PostgreSQL x1, x2

What runs is the bot's own code: ``FeedService`` (from ``services.feeds``) with the guarded ``Fetcher``
and the worker-process ``FeedParser`` built from default ``FeedSettings`` exactly as the container
builds them (only ``allow_private_addresses`` is on, since the farm is on loopback), real SQLite through
``Database.open`` (WAL, migrations) and the real digest (``DigestService.render``) delivering to an
in-process recorder that de-duplicates by nonce as Discord does. The farm (``benchmarks._feedfarm``)
runs in its own process; its CPU is not counted.

The farm's feeds behave like the world (issue 13): 25 % ignore conditional GET (200, the same bytes),
1 % change their body on every poll without a new entry, 1 % are slow, 0.5 % dead, 0.5 % flaky; the rest
answer 304 while unchanged.

Cycles: (1) every feed is subscribed with ``FeedService.add``, which is the bot's first poll (fetch, key
scan, record the baseline, post nothing); (2) every feed is polled again, none has a new entry; then one
cycle per kind of poll, with only that kind's feeds due, for its CPU per feed: ``not_modified`` (304),
``unchanged_200``, ``changed_no_new`` (5 % of the feeds get a new lastBuildDate) and ``new_entry`` (5 % get
one new entry), and the reference for the last: feedparser's own parse of the same bodies plus the digest of
one entry, in process; (3) steady state: 5 % of the feeds have one new entry on top of the mix above, parsed,
digested and delivered; (3b) the entries table is seeded up to ``--stored`` rows and cycle 3 is repeated
with another 5 %, to show stored history does not slow a cycle.
Between cycles a fake clock moves 7 hours so that every feed is due (the farm's Cache-Control and
the fetcher's back-off are honoured, not bypassed).

Baseline in the same run: the naive reader, ``feedparser.parse(url)`` for each feed in sequence (urllib,
default sanitising), in a separate process. Above ``--baseline-sample`` feeds it runs on a stratified
sample (evenly spaced ordinary feeds plus a few of each slow/failing kind) and the total is extrapolated
per kind; the output says so.

On loopback both sides are bound by CPU (feed parsing), so the cycle-1 ratio measures parsing cost and
two cores; with ``--latency`` it also measures what concurrent fetching saves. See ``BENCHMARKS.md``.

``--backend postgresql --processes N`` runs the scale-out comparison instead (``benchmarks/scaleout.py``):
one poll cycle of the same farm on SQLite in one process and on PostgreSQL in 1 and N bot processes sharing
the work through leases, then 2 processes of which one is SIGKILLed mid-cycle: feeds/s, CPU per feed,
duplicates and the survivor's takeover time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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
from domain.models import Subscription, SubscriptionStatus
from services.container import feed_parser, fetch_limits
from services.delivery import Delivery
from services.digest import DigestService
from services.feedparse import parse_bytes
from services.feeds import CycleReport, FeedService
from services.fetcher import Fetcher
from settings import DigestSettings, FeedSettings
from storage.db import Database
from tests.feedserver import StaticResolver
from tests.helpers.clock import FakeClock
from tests.helpers.ports import FakeNotifier
from tests.pg import INSTALL_HINT, find_bindir

GUILDS = 10
MODERATOR = 99
CLOCK_STEP = 7 * 3600  # more than max_backoff (6 h): every feed is due again, none is paused (1 d)
SCALE_SIZES = (250, 1000, 4000, 10_000)


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

    async def churn(self, indices: list[int]) -> None:
        await self._call("POST", "/_farm/churn", {"feeds": indices})

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
            changed_no_new=report.changed_no_new,
            parsed=report.parsed,
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
    rows = (
        (
            feed_ids[n % len(feed_ids)],
            f"urn:history:{n}",
            f"Old article {n}",
            f"https://films.example/old/{n}",
            int(now) - 86400 * 30 - n,
            int(now) - 86400 * 30,
        )
        for n in range(missing)
    )
    while chunk := list(itertools.islice(rows, 10_000)):  # in chunks: the rows are not the bot's memory
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO entries (feed_id, entry_key, title, link, published_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                chunk,
            )
    return missing


async def warm_up_digest(farm: FarmProcess, digest: DigestService) -> None:
    """Render every entry of a few farm feeds once, outside any measurement (tables load per language)."""
    sub = Subscription(0, 0, 1, 1, "warm-up", None, None, False, SubscriptionStatus.ACTIVE, None, 0)
    async with aiohttp.ClientSession() as session:
        for index in range(min(5, farm.spec.count)):
            async with session.get(farm.url(index, by_name=False)) as response:
                body = await response.read()
            if response.status != 200:
                continue
            parsed = parse_bytes(body, url=farm.url(index))
            for entry in parsed.entries:
                await digest.render(entry, parsed.title, sub)


def feed_index(url: str) -> int:
    """The farm's index of a feed from its URL (``.../f/<i>.xml``)."""
    return int(url.rsplit("/", 1)[1].split(".", 1)[0])


async def make_due(db: Database, due: list[int], others: list[int], now: int) -> None:
    """Make the feeds ``due`` due now and push ``others`` far into the future (a cycle of one kind)."""
    async with db.transaction() as conn:
        for ids, when in ((others, now + 10**9), (due, 0)):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await conn.execute(f"UPDATE feeds SET next_poll_at = ? WHERE id IN ({marks})", (when, *chunk))


# The four kinds of poll issue 13 prices, with the CycleReport counter each must land in.
KINDS = ("not_modified", "unchanged_200", "changed_no_new", "new_entry")


async def measure_kinds(
    args: Any,
    farm: FarmProcess,
    db: Database,
    service: FeedService,
    clock: FakeClock,
    recorder: FakeNotifier,
    digest: DigestService,
    ids: dict[int, int],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One cycle per kind of poll, only that kind's feeds due, for its CPU per feed (bot + parse workers).

    ``not_modified``: validating feeds that answer 304; ``unchanged_200``: the ``plain`` feeds (200, same
    bytes); ``changed_no_new``: 5 % of the feeds get a new lastBuildDate; ``new_entry``: 5 % get one new
    entry. Then the reference for a new entry: feedparser's own parse of those same bodies plus the digest
    of their new entry, in this process (``parse_bytes`` as the workers call it, ``DigestService.render``).
    """
    kinds = farm.spec.kinds()
    ordinary = [i for i in sorted(ids) if kinds[i] == "ok"]
    share = max(1, round(len(ids) * args.new_share))
    step = max(1, len(ordinary) // (2 * share))
    churned = ordinary[::step][:share]
    published = [i for i in ordinary[step // 2 :: step] if i not in set(churned)][:share]
    quiet = [i for i in ordinary if i not in set(churned) | set(published)]
    groups = {
        "not_modified": quiet,
        "unchanged_200": [i for i in sorted(ids) if kinds[i] == "plain"],
        "changed_no_new": churned,
        "new_entry": published,
    }
    rows: list[dict[str, Any]] = []
    guids: list[str] = []
    exact = True
    # What a cycle costs with nothing due (delivery checks, the due query): not a per-feed cost, shown apart.
    await make_due(db, [], list(ids.values()), int(clock()))
    with Meter([farm.pid]) as empty:
        await service.run_cycle()
    for kind in KINDS:
        members = groups[kind]
        if not members:
            continue
        if kind == "changed_no_new":
            await farm.churn(members)
        elif kind == "new_entry":
            guids = await farm.publish(members)
        member_ids = {ids[i] for i in members}
        await make_due(db, sorted(member_ids), [f for f in ids.values() if f not in member_ids], int(clock()))
        clock.advance(CLOCK_STEP)
        before = len(recorder.messages)
        log(f"kind {kind}: {len(members)} feeds")
        with profiled(args.profile, f"kind-{kind}"), Meter([farm.pid]) as meter:
            report = await service.run_cycle()
        counted = {
            "not_modified": report.not_modified,
            "unchanged_200": report.not_modified,
            "changed_no_new": report.changed_no_new,
            "new_entry": report.new_entries,
        }[kind]
        if kind == "new_entry":
            posted = links(recorder, before)
            exact = sorted(posted) == sorted(f"https://films.example/news/{g}" for g in guids)
        rows.append(
            cycle_row(
                kind,
                meter,
                report.polled,
                report,
                counted_as_kind=counted,
                parsed=report.parsed,
                cpu_ms_per_feed=round(1000 * meter.cpu / max(1, report.polled), 3),
                empty_cycle_cpu_ms=round(1000 * empty.cpu, 3),
                net_cpu_ms_per_feed=round(1000 * max(0.0, meter.cpu - empty.cpu) / max(1, report.polled), 3),
            )
        )
        log(f"kind {kind}: {rows[-1]['cpu_ms_per_feed']} ms CPU per feed, peak RSS {peak_rss_mb():.0f} MB")
    reference = await reference_new_entry(farm, published, digest, service.parser.sanitize_html)
    reference["exactly_once"] = exact
    return rows, reference


async def reference_new_entry(
    farm: FarmProcess, indices: list[int], digest: DigestService, sanitize_html: bool
) -> dict[str, Any]:
    """CPU ms per feed of ``parse_bytes`` on the feed's current body, and of the digest of its newest entry."""
    bodies: list[tuple[str, bytes, str | None]] = []
    async with aiohttp.ClientSession() as session:
        for index in indices:
            async with session.get(farm.url(index, by_name=False)) as response:
                bodies.append((farm.url(index), await response.read(), response.headers.get("Content-Type")))
    sub = Subscription(0, 0, 1, 1, "bench", None, None, False, SubscriptionStatus.ACTIVE, None, 0)
    parse_cpu = digest_cpu = 0.0
    for url, body, content_type in bodies:
        started = time.process_time()
        parsed = parse_bytes(body, content_type=content_type, url=url, sanitize_html=sanitize_html)
        parsed_at = time.process_time()
        await digest.render(parsed.entries[0], parsed.title, sub)
        parse_cpu += parsed_at - started
        digest_cpu += time.process_time() - parsed_at
    n = max(1, len(bodies))
    return {
        "feeds": len(bodies),
        "parse_ms": round(1000 * parse_cpu / n, 3),
        "digest_ms": round(1000 * digest_cpu / n, 3),
        "total_ms": round(1000 * (parse_cpu + digest_cpu) / n, 3),
    }


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
            # The digest loads its language tables on its first post (~130 MB, a few hundred ms): a
            # running bot has done that long ago, so it is not charged to the first cycle that posts.
            await warm_up_digest(farm, digest)
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
            log(
                f"cycle 1: {m1.wall:.2f}s wall, {m1.cpu:.2f}s CPU, {len(subscribed)} subscribed, "
                f"peak RSS {peak_rss_mb():.0f} MB"
            )
            workers_rss = descendants_peak_rss_mb(exclude)

            # -- baseline --------------------------------------------------------------------------
            baseline = run_baseline(farm, 0 if args.no_baseline else args.baseline_sample)
            log(f"baseline: {baseline['wall_s']:.1f}s wall (extrapolated: {baseline['extrapolated']})")

            # -- cycle 2: no new entry anywhere (304s, identical 200s, churning bodies) -------------
            await farm.phase(2)  # flaky feeds start failing
            await farm.reset()
            clock.advance(CLOCK_STEP)
            log("cycle 2: no feed has a new entry")
            with profiled(args.profile, "cycle2"), Meter(exclude) as m2:
                r2 = await service.run_cycle()
            stats2 = await farm.stats()
            rows.append(cycle_row("2 no new entries", m2, r2.polled, r2))
            log(f"cycle 2: {m2.wall:.2f}s wall, {m2.cpu:.2f}s CPU, peak RSS {peak_rss_mb():.0f} MB")

            # -- CPU per feed by what a poll had to read, one kind per cycle ------------------------
            ids = {
                feed_index(url): feed_id for feed_id, url in await db.fetchall("SELECT id, url FROM feeds")
            }
            per_kind, reference = await measure_kinds(args, farm, db, service, clock, recorder, digest, ids)

            # -- cycle 3: steady state: 5 % of the feeds have one new entry, and the mix above -------
            await make_due(db, list(ids.values()), [], int(clock()))
            healthy = [i for i in subscribed if kinds[i] in ("ok", "slow")]
            share = max(1, round(len(subscribed) * args.new_share))
            step = max(1, len(healthy) // share)
            first_batch = healthy[::step][:share]
            second_batch = healthy[step // 2 :: step][:share] if step > 1 else healthy[-share:]
            guids = await farm.publish(first_batch)
            clock.advance(CLOCK_STEP)
            before = len(recorder.messages)
            log(
                f"cycle 3: {len(first_batch)} feeds with one new entry (peak RSS so far {peak_rss_mb():.0f} MB)"
            )
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
            log(f"seeded {seeded:,} entries, peak RSS so far {peak_rss_mb():.0f} MB")
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
            log(f"cycle 3b done, peak RSS so far {peak_rss_mb():.0f} MB")
            integrity = await db.scalar("PRAGMA integrity_check")
            log(f"integrity check done, peak RSS {peak_rss_mb():.0f} MB")
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
    cpu_ms = {row["cycle"]: row["cpu_ms_per_feed"] for row in per_kind}
    cpu_ms["steady_state"] = round(1000 * c3["cpu_s"] / max(1, c3["polled"]), 3)
    cpu_ms["reference_new_entry"] = reference["total_ms"]
    base = cpu_ms.get("not_modified") or 0.0

    def ratio(kind: str, over: float) -> float:
        return round(cpu_ms.get(kind, 0.0) / over, 3) if over else 0.0

    ratios = {
        "unchanged_200_vs_304": ratio("unchanged_200", base),
        "changed_no_new_vs_304": ratio("changed_no_new", base),
        "new_entry_vs_parse_plus_digest": ratio("new_entry", reference["total_ms"]),
    }
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
        "exactly_once": {
            "cycle3": exact3,
            "cycle3b": exact3b,
            "new_entry_cycle": reference["exactly_once"],
            "duplicates": recorder.repeats,
        },
        "cpu_ms_per_feed": cpu_ms,
        "cpu_ratios": ratios,
        "kind_cycles": per_kind,
        "reference_new_entry": reference,
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
            [
                "cycle",
                "wall s",
                "CPU s",
                "feeds/s",
                "polled",
                "unchanged",
                "no new",
                "parsed",
                "failed",
                "new",
                "posted",
            ],
            [
                (
                    r["cycle"],
                    r["wall_s"],
                    r["cpu_s"],
                    r["feeds_per_s"],
                    r.get("polled", count),
                    r.get("not_modified", 0),
                    r.get("changed_no_new", 0),
                    r.get("parsed", "-"),
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
            "CPU per feed by kind of poll (one cycle per kind; bot process + parse workers)",
            [
                "kind",
                "feeds",
                "wall s",
                "CPU s",
                "CPU ms/feed",
                "net of an empty cycle",
                "counted as kind",
                "parsed",
            ],
            [
                (
                    r["cycle"],
                    r["polled"],
                    r["wall_s"],
                    r["cpu_s"],
                    r["cpu_ms_per_feed"],
                    r["net_cpu_ms_per_feed"],
                    r["counted_as_kind"],
                    r["parsed"],
                )
                for r in per_kind
            ]
            + [
                (
                    "steady state (cycle 3)",
                    c3["polled"],
                    c3["wall_s"],
                    c3["cpu_s"],
                    cpu_ms["steady_state"],
                    "-",
                    "-",
                    c3["parsed"],
                ),
                (
                    "reference: parse_bytes + digest of 1 entry",
                    reference["feeds"],
                    "-",
                    "-",
                    f"{reference['total_ms']} ({reference['parse_ms']} + {reference['digest_ms']})",
                    "-",
                    "-",
                    "-",
                ),
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
        Target(
            "unchanged 200 <= 1.5x the CPU of a 304",
            0 < ratios["unchanged_200_vs_304"] <= 1.5,
            f"x{ratios['unchanged_200_vs_304']:.2f}",
        ),
        Target(
            "changed body without new entries <= 3x a 304",
            0 < ratios["changed_no_new_vs_304"] <= 3,
            f"x{ratios['changed_no_new_vs_304']:.2f}",
        ),
        Target(
            "one new entry <= 1.2x feedparser's parse + digest of one entry",
            0 < ratios["new_entry_vs_parse_plus_digest"] <= 1.2,
            f"x{ratios['new_entry_vs_parse_plus_digest']:.2f}",
        ),
        Target("cycle 2 <= 5% of cycle 1 wall", c2_share <= 0.05, f"{c2_share:.1%}"),
        Target(
            f"peak RSS <= 300 MB (at {count:,} feeds)",
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
            exact3 and exact3b and reference["exactly_once"] and recorder.repeats == 0,
            f"{len(guids) + len(guids_b) + reference['feeds']} items",
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
                "duplicates": res["exactly_once"]["duplicates"],
                "exact": all(v for k, v in res["exactly_once"].items() if k != "duplicates"),
                **{f"{k}_ms": res["cpu_ms_per_feed"].get(k, 0.0) for k in KINDS},
            }
        )
    # Growth is measured from F = 1,000 (issue 13's reference size) when it was run, else the smallest F.
    first = next((r for r in rows if r["feeds"] == 1000), rows[0])
    last = rows[-1]
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
    report.tables.append(
        table(
            "CPU ms per feed by kind of poll",
            ["F", *KINDS, "duplicates", "exactly once"],
            [(r["feeds"], *(r[f"{k}_ms"] for k in KINDS), r["duplicates"], r["exact"]) for r in rows],
        )
    )
    steady_growth = growth["c3_cpu_ms_per_feed"]
    report.targets = [
        Target(
            f"steady state: CPU per feed at F={last['feeds']:,} within x1.25 of F={first['feeds']:,}",
            steady_growth <= 1.25,
            ", ".join(f"{k.split('_')[0]} x{v:.2f}" for k, v in growth.items()),
        ),
        Target(
            f"F={last['feeds']:,}: one steady-state cycle <= 60 s wall",
            last["c3_wall"] <= 60,
            f"{last['c3_wall']:.1f}s",
        ),
        Target(
            f"F={last['feeds']:,}: peak RSS <= 300 MB",
            last["rss_mb"] <= 300,
            f"{last['rss_mb']:.0f} MB bot process",
        ),
        Target(
            f"F={last['feeds']:,}: zero duplicates, every new item posted once",
            last["duplicates"] == 0 and last["exact"],
            f"{last['duplicates']} duplicates",
        ),
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
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: the scale-out run (benchmarks/scaleout.py): one poll cycle on SQLite x1 and on "
        "PostgreSQL x1 and x --processes, then the takeover after a SIGKILL",
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="bot processes on PostgreSQL (with --backend postgresql)"
    )
    parser.add_argument(
        "--lease-timeout", type=float, default=5.0, help="seconds (with --backend postgresql)"
    )
    args = parser.parse_args(argv)
    if args.backend == "postgresql":
        if args.processes < 1:
            parser.error("--processes must be at least 1")
        return _scale_out(args)
    if args.smoke:
        args.feeds, args.stored, args.baseline_sample, args.sizes = 40, 3000, 40, "20,40"
        args.slow_delay = min(args.slow_delay, 0.3)
    result = run_scale(args) if args.scale else asyncio.run(run(args))
    result.emit(args.json)
    return 0


def _scale_out(args: argparse.Namespace) -> int:
    """``--backend postgresql``: the same farm, SQLite x1 versus PostgreSQL x1 and xN, in one run."""
    from benchmarks import scaleout  # it imports this module's farm: loaded only when asked for

    if find_bindir() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    scale_args = argparse.Namespace(
        feeds=min(args.feeds, 20) if args.smoke else args.feeds,
        processes=sorted({1, args.processes}),
        lease_timeout=args.lease_timeout,
        backend=args.backend,
        smoke=args.smoke,
        seed=args.seed,
    )
    scaleout.emit(scaleout.run(scale_args, benchmark="benchmarks.feeds"), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
