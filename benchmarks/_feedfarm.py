"""A farm of generated RSS feeds served by aiohttp on 127.0.0.1, in its own process.

The farm runs in a separate (spawned) process so its CPU and memory are not charged to the code being
measured, and so it can serve while the benchmark's event loop is busy. Feed ``i`` lives at
``http://feed-<i % hosts>.bench.test:<port>/f/<i>.xml``; the benchmark maps those names to 127.0.0.1 with a
resolver, so the fetcher's per-host cap applies across ~50 hosts. Everything is generated from the seed.

Kinds of feed (fractions of the total, chosen deterministically):

* ``slow`` (1 %): every response waits ``slow_delay`` seconds before the first byte;
* ``dead`` (0.5 %): HTTP 500 from the start, so subscribing to it is refused;
* ``flaky`` (0.5 %): fine until the benchmark moves the farm to phase 2, then 503/500 alternately;
* ``plain`` (25 %): ignores conditional GET, like many real servers: no ETag or Last-Modified, 200 with the
  same bytes on every poll;
* ``churn`` (1 %): a new ``lastBuildDate`` on every response (a timestamp, an ad slot), so the body changes
  without a new entry;
* ``ok``: everything else. ``latency`` (ms, optional) delays every response, to model a WAN.

Every feed but ``plain`` answers conditional GETs (ETag / Last-Modified) with 304 while its body is the
same. Control API, for the parent only: ``POST /_farm/publish {"feeds": [i, ...]}`` prepends one new item
to each (returns their guids), ``POST /_farm/churn {"feeds": [...]}`` changes their bodies without a new
item, ``POST /_farm/phase {"phase": n}``, ``GET /_farm/stats``. The process exits by itself when its parent
dies or after ``max_lifetime`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import signal
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

from benchmarks import _corpus as corpus

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class FarmSpec:
    count: int
    seed: int = 1234
    hosts: int = 50
    entries: int = 20
    min_bytes: int = 5_000
    max_bytes: int = 100_000
    slow_rate: float = 0.01
    dead_rate: float = 0.005
    flaky_rate: float = 0.005
    plain_rate: float = 0.25
    churn_rate: float = 0.01
    slow_delay: float = 1.0
    latency_ms: tuple[float, float] = (0.0, 0.0)
    max_lifetime: float = 3600.0

    def host(self, index: int) -> str:
        return f"feed-{index % self.hosts}.bench.test"

    def path(self, index: int) -> str:
        return f"/f/{index}.xml"

    def host_names(self) -> list[str]:
        return [f"feed-{h}.bench.test" for h in range(min(self.hosts, self.count))]

    def kinds(self) -> list[str]:
        """Deterministic kind per feed; the special ones are spread evenly over the index range."""
        rng = random.Random(self.seed * 7 + 1)
        order = list(range(self.count))
        rng.shuffle(order)
        kinds = ["ok"] * self.count
        position = 0
        rates = (
            ("slow", self.slow_rate),
            ("dead", self.dead_rate),
            ("flaky", self.flaky_rate),
            ("plain", self.plain_rate),
            ("churn", self.churn_rate),
        )
        for kind, rate in rates:
            n = round(self.count * rate)
            for index in order[position : position + n]:
                kinds[index] = kind
            position += n
        return kinds


@dataclass(slots=True)
class _Feed:
    title: str
    items: list[str]
    kind: str
    latency: float
    last_modified: float
    body: bytes = b""
    etag: str = ""
    published: int = 0
    revision: int = 0  # bumped by a change that adds no item

    def render(self) -> None:
        self.body = corpus.rss_feed(self.title, self.items)
        # Every feed says when it was built, as most real RSS feeds do; a churning feed changes only that.
        built = format_datetime(datetime.fromtimestamp(1_750_000_000 + self.revision, UTC), usegmt=True)
        self.body = self.body.replace(
            b"<channel>", f"<channel><lastBuildDate>{built}</lastBuildDate>".encode(), 1
        )
        self.etag = '"' + hashlib.blake2b(self.body, digest_size=10).hexdigest() + '"'


@dataclass(slots=True)
class _Stats:
    statuses: Counter[int] = field(default_factory=Counter)
    bytes_sent: int = 0
    in_flight: Counter[str] = field(default_factory=Counter)
    peak_per_host: Counter[str] = field(default_factory=Counter)
    peak_total: int = 0
    total_now: int = 0


def build_feeds(spec: FarmSpec) -> list[_Feed]:
    kinds = spec.kinds()
    feeds: list[_Feed] = []
    for index in range(spec.count):
        rng = random.Random(spec.seed * 1_000_003 + index)
        size = rng.randint(spec.min_bytes, spec.max_bytes)
        per_item = max(0, (size - 400) // spec.entries)
        items = [
            corpus.rss_item(rng, f"urn:bench:{index}:{n}", corpus.item_time(n), per_item)
            for n in range(spec.entries, 0, -1)
        ]
        low, high = spec.latency_ms
        feed = _Feed(
            title=f"Film news {index}",
            items=items,
            kind=kinds[index],
            latency=rng.uniform(low, high) / 1000 if high else 0.0,
            last_modified=time.time() - 86400,
        )
        feed.render()
        feeds.append(feed)
    return feeds


class Farm:
    def __init__(self, spec: FarmSpec) -> None:
        self.spec = spec
        self.feeds = build_feeds(spec)
        self.phase = 1
        self.stats = _Stats()

    def publish(self, index: int) -> str:
        feed = self.feeds[index]
        feed.published += 1
        number = self.spec.entries + feed.published
        rng = random.Random(self.spec.seed * 31 + index * 1009 + number)
        guid = f"urn:bench:{index}:{number}"
        per_item = max(0, (len(feed.body) - 400) // max(1, len(feed.items)))
        feed.items.insert(0, corpus.rss_item(rng, guid, corpus.item_time(number), per_item))
        del feed.items[self.spec.entries :]  # a feed keeps its newest N items, like a real one
        feed.last_modified = max(time.time(), feed.last_modified + 1)
        feed.render()
        return guid

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        try:
            index = int(name)
            feed = self.feeds[index]
        except (ValueError, IndexError):
            return web.Response(status=404)
        host = (request.host or "").rsplit(":", 1)[0]
        stats = self.stats
        stats.in_flight[host] += 1
        stats.total_now += 1
        stats.peak_per_host[host] = max(stats.peak_per_host[host], stats.in_flight[host])
        stats.peak_total = max(stats.peak_total, stats.total_now)
        try:
            response = await self._answer(request, feed)
        finally:
            stats.in_flight[host] -= 1
            stats.total_now -= 1
        stats.statuses[response.status] += 1
        return response

    async def _answer(self, request: web.Request, feed: _Feed) -> web.Response:
        delay = feed.latency + (self.spec.slow_delay if feed.kind == "slow" else 0.0)
        if delay:
            await asyncio.sleep(delay)
        if feed.kind == "dead" or (feed.kind == "flaky" and self.phase >= 2):
            status = 503 if feed.kind == "flaky" and self.stats.statuses[503] % 2 == 0 else 500
            return web.Response(status=status, text="upstream error")
        if feed.kind == "churn":
            self.churn(feed)
        last_modified = format_datetime(datetime.fromtimestamp(int(feed.last_modified), UTC), usegmt=True)
        headers = {"ETag": feed.etag, "Last-Modified": last_modified, "Cache-Control": "max-age=60"}
        if feed.kind == "plain":
            headers = {"Cache-Control": "max-age=60"}
        elif request.headers.get("If-None-Match") == feed.etag:
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = "application/rss+xml; charset=utf-8"
        self.stats.bytes_sent += len(feed.body)
        return web.Response(body=feed.body, headers=headers)

    async def control_publish(self, request: web.Request) -> web.Response:
        data = await request.json()
        return web.json_response({"guids": [self.publish(int(i)) for i in data["feeds"]]})

    def churn(self, feed: _Feed) -> None:
        feed.revision += 1
        feed.last_modified = max(time.time(), feed.last_modified + 1)
        feed.render()

    async def control_churn(self, request: web.Request) -> web.Response:
        data = await request.json()
        for index in data["feeds"]:
            self.churn(self.feeds[int(index)])
        return web.json_response({"ok": True})

    async def control_phase(self, request: web.Request) -> web.Response:
        self.phase = int((await request.json())["phase"])
        return web.json_response({"phase": self.phase})

    async def control_stats(self, request: web.Request) -> web.Response:
        stats = self.stats
        return web.json_response(
            {
                "statuses": {str(k): v for k, v in stats.statuses.items()},
                "bytes_sent": stats.bytes_sent,
                "peak_per_host": max(stats.peak_per_host.values(), default=0),
                "peak_total": stats.peak_total,
                "feed_bytes": [len(f.body) for f in self.feeds],
                "kinds": Counter(f.kind for f in self.feeds),
            }
        )

    async def control_reset(self, request: web.Request) -> web.Response:
        self.stats = _Stats()
        return web.json_response({"ok": True})


async def _serve(spec: FarmSpec, conn: Any) -> None:
    farm = Farm(spec)
    app = web.Application()
    app.router.add_get("/f/{name}.xml", farm.handle)
    app.router.add_post("/_farm/publish", farm.control_publish)
    app.router.add_post("/_farm/phase", farm.control_phase)
    app.router.add_post("/_farm/churn", farm.control_churn)
    app.router.add_post("/_farm/reset", farm.control_reset)
    app.router.add_get("/_farm/stats", farm.control_stats)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    conn.send({"port": port, "pid": os.getpid(), "bytes": [len(f.body) for f in farm.feeds]})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    parent = os.getppid()
    deadline = time.monotonic() + spec.max_lifetime
    try:
        while not stop.is_set() and os.getppid() == parent and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
    finally:
        await runner.cleanup()


def serve_farm(spec_fields: dict[str, Any], conn: Any) -> None:
    """Process entry point (spawn): serve until SIGTERM, parent death or ``max_lifetime``."""
    spec_fields = dict(spec_fields)
    spec_fields["latency_ms"] = tuple(spec_fields.get("latency_ms", (0.0, 0.0)))
    asyncio.run(_serve(FarmSpec(**spec_fields), conn))


def spec_fields(spec: FarmSpec) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(spec)))


# --------------------------------------------------------------------------------------------------
# The naive baseline client (runs in its own spawned process so its memory is not charged to the bot)


def naive_poll(urls: list[str]) -> dict[str, Any]:
    """``feedparser.parse(url)`` for each URL in sequence: its own urllib fetch, default sanitising.

    Returns the wall and CPU seconds of each feed, so the parent can extrapolate a stratified sample.
    """
    import feedparser

    walls: list[float] = []
    cpus: list[float] = []
    entries = 0
    failures = 0
    for url in urls:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = feedparser.parse(url)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
        entries += len(result.entries)
        failures += int(result.get("status", 200) >= 400 or not result.entries)
    return {"walls": walls, "cpus": cpus, "entries": entries, "failures": failures}
