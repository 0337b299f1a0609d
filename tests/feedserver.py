"""A real, deliberately misbehaving feed server on 127.0.0.1 for tests and benchmarks.

    async with FeedServer() as server:
        server.set_feed("/rss", make_entries(3))
        url = server.url("/rss")                       # http://127.0.0.1:PORT/rss
        server.redirect("/old", "/rss", status=301)
        server.hang("/slow")

Routes are per path and, optionally, per virtual host (the ``Host`` header), so a benchmark can map many
names to loopback with ``server.resolver(names)`` (an aiohttp resolver that knows only those names and
never asks real DNS) and serve a different feed on each. Every request is recorded (``hits``,
``requests``) and the server tracks how many requests it is serving at once, overall and per host.

The server only ever listens on 127.0.0.1. Routes that redirect to other addresses (``10.0.0.1``...)
exist to check that the client refuses them *before* connecting.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import socket
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from types import TracebackType
from xml.sax.saxutils import escape

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

LOOPBACK = "127.0.0.1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str
    title: str
    link: str
    summary: str = ""
    published: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    categories: tuple[str, ...] = ()


def make_entries(count: int, prefix: str = "Entry", *, start: datetime | None = None) -> list[FeedEntry]:
    """``count`` entries, newest first (as feeds list them), one hour apart."""
    base = start or datetime(2024, 1, 1, tzinfo=UTC)
    return [
        FeedEntry(
            guid=f"urn:test:{prefix.lower()}-{index}",
            title=f"{prefix} {index}",
            link=f"https://films.example/{prefix.lower()}/{index}",
            summary=f"<p>Summary of <b>{prefix} {index}</b>.</p>",
            published=base + timedelta(hours=index),
            categories=("news",),
        )
        for index in range(count, 0, -1)
    ]


def render_rss(title: str, entries: Sequence[FeedEntry], link: str = "https://films.example/") -> bytes:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f'<guid isPermaLink="false">{escape(e.guid)}</guid>'
        f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>"
        f"<description>{escape(e.summary)}</description>"
        + "".join(f"<category>{escape(c)}</category>" for c in e.categories)
        + "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>test feed</description>"
        f"{items}</channel></rss>"
    ).encode()


def render_atom(title: str, entries: Sequence[FeedEntry], link: str = "https://films.example/") -> bytes:
    updated = max((e.published for e in entries), default=datetime(2024, 1, 1, tzinfo=UTC))
    items = "".join(
        f"<entry><id>{escape(e.guid)}</id><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(e.link)}"/>'
        f"<updated>{e.published.isoformat()}</updated><published>{e.published.isoformat()}</published>"
        f'<summary type="html">{escape(e.summary)}</summary>'
        + "".join(f'<category term="{escape(c)}"/>' for c in e.categories)
        + "</entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id>"
        f'<link rel="alternate" href="{escape(link)}"/><updated>{updated.isoformat()}</updated>'
        f"{items}</feed>"
    ).encode()


# --------------------------------------------------------------------------------------------------
# Canned bad documents

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Film club</title>"
    b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
    b"<body><h1>Welcome</h1><p>No feed here.</p></body></html>"
)
INVALID_XML = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</titl'
# Not well-formed (unescaped &, unclosed tags) but still full of items: the lenient parser recovers them.
SLOPPY_RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Sloppy & co</title>'
    b"<item><title>Tom & Jerry</title><link>https://films.example/tj</link><guid>tj</guid></item>"
    b"<item><title>Second<link>https://films.example/2</link><guid>2</guid></item>"
    b"</channel></rss>"
)
LATIN1_DECLARED_UTF8 = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9 cin\u00e9ma</title>'
    "<item><title>Am\u00e9lie</title><guid>amelie</guid><link>https://films.example/amelie</link></item>"
    "</channel></rss>"
).encode("latin-1")
UTF8_DECLARED_LATIN1 = (
    '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\u00e9</title>'
    "<item><title>Am\u00e9lie</title><guid>amelie</guid><link>https://films.example/amelie</link></item>"
    "</channel></rss>"
).encode("utf-8")
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (level, (b"&lol%s;" % (str(level - 1).encode() if level > 1 else b"")) * 10)
        for level in range(1, 10)
    )
    + b']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    b"<item><title>&lol9;</title><guid>lol</guid></item></channel></rss>"
)


@lru_cache(maxsize=4)
def gzip_bomb(decompressed_size: int = 1 << 30, member_size: int = 8 << 20) -> bytes:
    """Gzip data that inflates to ``decompressed_size`` zero bytes (about 1000:1).

    Built as concatenated gzip members (valid gzip, inflated member by member) so that making it costs one
    8 MiB compression instead of compressing gigabytes. Keep it under 1024 members (aiohttp's cap).
    """
    member = gzip.compress(b"\0" * member_size, compresslevel=9)
    count, rest = divmod(decompressed_size, member_size)
    tail = gzip.compress(b"\0" * rest, compresslevel=9) if rest else b""
    return member * count + tail


# --------------------------------------------------------------------------------------------------
# Resolver for virtual hosts


class StaticResolver(AbstractResolver):
    """Resolves only the names it was given (to 127.0.0.1 unless mapped otherwise); never real DNS."""

    def __init__(self, mapping: Mapping[str, str | Sequence[str]]) -> None:
        self._mapping = {name.lower().rstrip("."): value for name, value in mapping.items()}
        self.lookups: Counter[str] = Counter()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.lower().rstrip(".")
        self.lookups[name] += 1
        addresses = self._mapping.get(name)
        if addresses is None:
            raise OSError(socket.EAI_NONAME, f"test resolver does not know {host!r}")
        if isinstance(addresses, str):
            addresses = [addresses]
        results: list[ResolveResult] = []
        for address in addresses:
            is_v6 = ":" in address
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": port,
                    "family": socket.AF_INET6 if is_v6 else socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        return results

    async def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------------
# The server


@dataclass(slots=True)
class _Feed:
    entries: list[FeedEntry]
    fmt: str
    title: str
    headers: dict[str, str]
    last_modified: datetime | None
    delay: float


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    host: str
    path: str
    headers: Mapping[str, str]


@dataclass(slots=True)
class _Gauge:
    now: int = 0
    peak: int = 0
    per_host_now: Counter[str] = field(default_factory=Counter)
    per_host_peak: Counter[str] = field(default_factory=Counter)


class FeedServer:
    """See the module docstring. Use as ``async with FeedServer() as server``."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str | None, str], Handler] = {}
        self._feeds: dict[tuple[str | None, str], _Feed] = {}
        self.hits: Counter[str] = Counter()
        self.host_hits: Counter[tuple[str, str]] = Counter()
        self.requests: list[RecordedRequest] = []
        self.bytes_sent: Counter[str] = Counter()
        self._gauge = _Gauge()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- addressing ------------------------------------------------------------------------------

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or LOOPBACK}:{self.port}{path}"

    def resolver(self, names: Iterable[str], address: str = LOOPBACK) -> StaticResolver:
        return StaticResolver({name: address for name in names})

    @property
    def max_in_flight(self) -> int:
        return self._gauge.peak

    def max_in_flight_for(self, host: str) -> int:
        return self._gauge.per_host_peak[host]

    def reset_counters(self) -> None:
        self.hits.clear()
        self.host_hits.clear()
        self.requests.clear()
        self.bytes_sent.clear()
        self._gauge = _Gauge()

    # -- feeds -----------------------------------------------------------------------------------

    def set_feed(
        self,
        path: str,
        entries: Iterable[FeedEntry],
        *,
        fmt: str = "rss",
        title: str = "Test feed",
        host: str | None = None,
        headers: Mapping[str, str] | None = None,
        last_modified: datetime | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve a feed (``fmt`` "rss" or "atom") with ETag/Last-Modified and conditional GET.

        ``delay`` holds each response that long (for concurrency tests); ``headers`` are added to every
        200 and 304 (e.g. ``Cache-Control``).
        """
        if fmt not in ("rss", "atom"):
            raise ValueError("fmt must be 'rss' or 'atom'")
        self._feeds[(host, path)] = _Feed(
            list(entries),
            fmt,
            title,
            dict(headers or {}),
            last_modified or datetime(2024, 1, 2, tzinfo=UTC),
            delay,
        )
        self._routes[(host, path)] = self._serve_feed

    def add_entry(self, path: str, entry: FeedEntry, *, host: str | None = None) -> None:
        """Prepend an entry (newest first) and move Last-Modified forward, like a real site."""
        feed = self._feeds[(host, path)]
        feed.entries.insert(0, entry)
        if feed.last_modified is not None:
            feed.last_modified = max(feed.last_modified + timedelta(seconds=1), entry.published)

    def feed_body(self, path: str, *, host: str | None = None) -> bytes:
        feed = self._feeds[(host, path)]
        render = render_rss if feed.fmt == "rss" else render_atom
        return render(feed.title, feed.entries)

    # -- misbehaviours ---------------------------------------------------------------------------

    def route(self, path: str, handler: Handler, *, host: str | None = None) -> None:
        """Install any handler (escape hatch for one-off behaviours)."""
        self._routes[(host, path)] = handler
        self._feeds.pop((host, path), None)

    def raw(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str | None = "application/xml",
        headers: Mapping[str, str] | None = None,
        host: str | None = None,
    ) -> None:
        """Serve fixed bytes (HTML page, invalid XML, wrong charset, empty body...)."""
        extra = dict(headers or {})

        async def handler(request: web.Request) -> web.StreamResponse:
            all_headers = dict(extra)
            if content_type is not None:
                all_headers["Content-Type"] = content_type
            return web.Response(body=body, status=status, headers=all_headers)

        self.route(path, handler, host=host)

    def status(
        self, path: str, status: int, *, headers: Mapping[str, str] | None = None, host: str | None = None
    ) -> None:
        """Answer with a bare status (404, 410, 429/503 with ``Retry-After``, 500...)."""
        self.raw(
            path,
            f"status {status}".encode(),
            status=status,
            content_type="text/plain",
            headers=headers,
            host=host,
        )

    def redirect(self, path: str, location: str, *, status: int = 302, host: str | None = None) -> None:
        """Redirect to ``location`` (a path on this server, or any absolute URL)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": location})

        self.route(path, handler, host=host)

    def slow_drip(
        self, path: str, body: bytes, *, chunk: int = 16, interval: float = 0.05, host: str | None = None
    ) -> None:
        """Send ``body`` a few bytes at a time (chunked), ``interval`` seconds apart."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await response.prepare(request)
            for start in range(0, len(body), chunk):
                await response.write(body[start : start + chunk])
                self.bytes_sent[path] += len(body[start : start + chunk])
                await asyncio.sleep(interval)
            await response.write_eof()
            return response

        self.route(path, handler, host=host)

    def hang(self, path: str, *, after_headers: bool = False, host: str | None = None) -> None:
        """Never answer (or send headers and then nothing) until the server closes."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            if after_headers:
                await response.prepare(request)
                await response.write(b"<?xml")
            await self._closing.wait()
            return response

        self.route(path, handler, host=host)

    def huge(
        self, path: str, size: int = 50_000_000, *, declare_length: bool = False, host: str | None = None
    ) -> None:
        """Stream ``size`` bytes generated lazily (chunked unless ``declare_length``)."""
        block = (b"<!-- padding -->" * 4096)[: 64 * 1024]

        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": "application/rss+xml"}
            if declare_length:
                headers["Content-Length"] = str(size)
            response = web.StreamResponse(headers=headers)
            await response.prepare(request)
            sent = 0
            try:
                while sent < size:
                    piece = block[: size - sent]
                    await response.write(piece)
                    sent += len(piece)
                    self.bytes_sent[path] += len(piece)
            except (ConnectionError, RuntimeError):
                return response  # the client hung up, as it should
            await response.write_eof()
            return response

        self.route(path, handler, host=host)

    def gzip_bomb(self, path: str, decompressed_size: int = 1 << 30, *, host: str | None = None) -> None:
        """``Content-Encoding: gzip`` body of about 1 MB that inflates to ``decompressed_size`` bytes."""
        payload = gzip_bomb(decompressed_size)

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(
                headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
            )
            await response.prepare(request)
            try:
                for start in range(0, len(payload), 16 * 1024):
                    await response.write(payload[start : start + 16 * 1024])
                    self.bytes_sent[path] += min(16 * 1024, len(payload) - start)
            except (ConnectionError, RuntimeError):
                return response
            await response.write_eof()
            return response

        self.route(path, handler, host=host)

    def gzip_feed(self, path: str, body: bytes, *, host: str | None = None) -> None:
        """A normal document served gzip-compressed (compression must not count against the client)."""
        payload = zlib.compress(body, 6, wbits=31)
        self.raw(
            path, payload, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}, host=host
        )

    # -- dispatch --------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = _host_of(request)
        path = request.path
        self.hits[path] += 1
        self.host_hits[(host, path)] += 1
        self.requests.append(RecordedRequest(host=host, path=path, headers=dict(request.headers)))
        handler = self._routes.get((host, path)) or self._routes.get((None, path))
        if handler is None:
            return web.Response(status=404, text="no such test route")
        gauge = self._gauge
        gauge.now += 1
        gauge.per_host_now[host] += 1
        gauge.peak = max(gauge.peak, gauge.now)
        gauge.per_host_peak[host] = max(gauge.per_host_peak[host], gauge.per_host_now[host])
        try:
            return await handler(request)
        finally:
            gauge.now -= 1
            gauge.per_host_now[host] -= 1

    async def _serve_feed(self, request: web.Request) -> web.StreamResponse:
        host = _host_of(request)
        feed = self._feeds.get((host, request.path)) or self._feeds[(None, request.path)]
        if feed.delay:
            await asyncio.sleep(feed.delay)
        render = render_rss if feed.fmt == "rss" else render_atom
        body = render(feed.title, feed.entries)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers = dict(feed.headers)
        headers["ETag"] = etag
        if feed.last_modified is not None:
            headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
        if _not_modified(request, etag, feed.last_modified):
            return web.Response(status=304, headers=headers)
        content_type = "application/rss+xml" if feed.fmt == "rss" else "application/atom+xml"
        headers["Content-Type"] = f"{content_type}; charset=utf-8"
        return web.Response(body=body, headers=headers)


def _host_of(request: web.Request) -> str:
    """The Host header's name without the port (IPv6 literals without brackets)."""
    host = (request.host or "").lower()
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0]


def _not_modified(request: web.Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None:
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
