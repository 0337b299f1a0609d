"""Feed parsing off the event loop, bounded in time and memory.

``feedparser.parse`` is pure Python and can take seconds on a large feed, so the bot never runs it on the
event loop: ``FeedParser`` sends the fetched bytes to a small pool of worker processes (forkserver or
spawn, never fork, so workers do not inherit the bot's sockets and threads). Each worker

* caps its address space with ``RLIMIT_AS`` (default 512 MiB), so a pathological document ends in a
  ``MemoryError`` inside the worker instead of the OOM killer choosing the bot;
* arms ``SIGALRM`` for every parse, so a slow document is interrupted inside the worker and the worker
  stays usable.

The parent also waits with a deadline a little longer than the worker's; if that passes (a worker stuck
in C code, or killed), the whole pool is terminated and replaced. A parse that was running in the same
pool at that moment is retried once in the new pool.

``parse_bytes`` is the synchronous core (used by the workers, the corpus test and benchmarks).
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import urljoin

import feedparser

from domain.feedkeys import KeyScan, scan_keys
from services import metrics
from services.fetcher import FetchError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0
DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024
# How much longer the parent waits than the worker's own alarm before it gives up on the pool.
PARENT_GRACE = 2.0
MAX_REASON = 300
# Bodies up to this size are scanned for entry keys on the event loop (about 1 ms for a 58 KB feed,
# benchmarks/feedkeys.py); bigger ones in a worker, bounded in time and memory like a parse.
INLINE_SCAN_LIMIT = 256 * 1024


class FeedParseError(FetchError):
    """The body was fetched but is not a usable feed. A ``FetchError`` so callers handle both alike."""

    kind = "parse_failed"


class NotAFeed(FeedParseError):
    kind = "not_a_feed"


class InvalidXML(FeedParseError):
    kind = "invalid_xml"


class ParseTimeout(FeedParseError):
    kind = "parse_timeout"


_ERRORS: dict[str, type[FeedParseError]] = {
    cls.kind: cls for cls in (FeedParseError, NotAFeed, InvalidXML, ParseTimeout)
}


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed as plain, picklable data.

    ``entries`` are plain dicts with feedparser's keys (``id``, ``title``, ``link``, ``summary``,
    ``content``, ``tags``, ``published``...). ``*_parsed`` dates are 9-tuples in UTC, like the
    ``struct_time`` feedparser makes, so ``calendar.timegm`` and ``datetime(*t[:6])`` work on them.
    """

    title: str | None
    link: str | None
    bozo: bool
    bozo_reason: str | None
    entries: tuple[dict[str, Any], ...]
    version: str


# --------------------------------------------------------------------------------------------------
# Synchronous core


def _plain(value: Any) -> Any:
    """FeedParserDict, struct_time and exceptions to dict, tuple and str, recursively."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, time.struct_time):
        return tuple(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)
_ALTERNATE = re.compile(
    rb"<link\b[^>]*?\btype\s*=\s*[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE
)
_HREF = re.compile(rb"\bhref\s*=\s*[\"']([^\"'<>]{1,500})[\"']", re.IGNORECASE)


def _looks_like_html(head: bytes, content_type: str | None) -> bool:
    if content_type and content_type.split(";", 1)[0].strip().lower() in (
        "text/html",
        "application/xhtml+xml",
    ):
        return True
    return _HTML_START.match(head) is not None


def _advertised_feed(head: bytes, url: str | None) -> str | None:
    """The feed an HTML page links to (``<link rel="alternate" type="application/rss+xml">``), if any."""
    match = _ALTERNATE.search(head)
    if match is None:
        return None
    href = _HREF.search(match.group(0))
    if href is None:
        return None
    link = href.group(1).decode("utf-8", "replace").strip()
    return urljoin(url, link) if url else link


def _describe_bozo(exc: Any) -> str:
    if exc is None:
        return "malformed feed"
    name = type(exc).__name__
    if name == "CharacterEncodingOverride":
        text = f"declared character encoding was wrong ({exc})"
    elif name == "CharacterEncodingUnknown":
        text = f"unknown character encoding ({exc})"
    elif name == "NonXMLContentType":
        text = f"served with a non-XML content type ({exc})"
    else:
        text = f"malformed XML ({exc})" if name == "SAXParseException" else f"{name}: {exc}"
    return " ".join(text.split())[:MAX_REASON]


# Bozo reasons that say nothing about the document's structure, so an empty feed with one is still valid.
_BENIGN_BOZO = frozenset({"CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown"})


def parse_bytes(
    body: bytes,
    *,
    content_type: str | None = None,
    url: str | None = None,
    sanitize_html: bool = False,
) -> ParsedFeed:
    """Parse fetched bytes into a ``ParsedFeed``; raise ``NotAFeed``/``InvalidXML`` when unusable.

    Only bytes are accepted, and they reach feedparser wrapped in ``BytesIO``: given a ``str`` feedparser
    fetches URLs and opens local files itself, and given raw ``bytes`` it first tries ``open(body)``, so
    a response body of ``b"/etc/passwd"`` would be read from disk.

    ``sanitize_html`` is off by default: the digest turns HTML into text itself and drops scripts and
    styles, and feedparser's sanitizer adds 30-60 % to the parse of an HTML-heavy feed. ``content_type``
    and ``url`` are passed on as ``Content-Type``/``Content-Location`` so encoding detection and relative
    entry links work (a missing type is sent as ``application/xml``: trust the XML declaration and BOM).

    Acceptance: entries found means accepted (a bozo reason is kept); no entries is accepted only for a
    recognised feed whose only problem, if any, is its declared encoding (a valid empty feed).
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"parse_bytes takes the fetched bytes, not {type(body).__name__}")
    data = bytes(body)
    if not data.strip():
        raise NotAFeed("not a feed (empty response)", url=url or "")
    # Without a type feedparser would flag every feed "no Content-type specified" once it sees other
    # headers; application/xml means "trust the XML declaration and BOM", which is what sniffing does.
    headers: dict[str, str] = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    # resolve_relative_uris=False: that pass re-parses every entry's HTML with sgmllib to rewrite relative
    # href/src attributes, about a third of the parse of an HTML-heavy feed (benchmarks/feeds.py). The
    # digest uses one URL from entry HTML, the first image, and resolves it itself against the entry's
    # link; element URLs (link, id, enclosures) are still resolved by feedparser against the feed URL.
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=sanitize_html,
        resolve_relative_uris=False,
    )
    bozo = bool(result.get("bozo"))
    bozo_exc = result.get("bozo_exception")
    reason = _describe_bozo(bozo_exc) if bozo else None
    version = str(result.get("version") or "")
    entries = tuple(_plain(entry) for entry in result.get("entries", ()))
    feed_language = result.get("feed", {}).get("language")
    if isinstance(feed_language, str) and feed_language.strip():
        # The channel's <language> reaches the digest through each entry (the renderer only gets entries):
        # it is the digest's hint when an item is too short to detect its language.
        for entry in entries:
            entry.setdefault("language", feed_language.strip())
    if not entries:
        head = data[:65536]
        if not version and _looks_like_html(head, content_type):
            advertised = _advertised_feed(head, url)
            hint = f"; the page links to a feed at {advertised}" if advertised else ""
            raise NotAFeed(f"not a feed (HTML page{hint})"[:MAX_REASON], url=url or "")
        if bozo and type(bozo_exc).__name__ not in _BENIGN_BOZO:
            raise InvalidXML(f"not a feed ({reason})"[:MAX_REASON], url=url or "")
        if not version:
            raise NotAFeed("not a feed (no RSS or Atom content found)", url=url or "")
    feed = result.get("feed", {})
    title = feed.get("title")
    link = feed.get("link")
    return ParsedFeed(
        title=str(title) if title is not None else None,
        link=str(link) if link is not None else None,
        bozo=bozo,
        bozo_reason=reason,
        entries=entries,
        version=version,
    )


# --------------------------------------------------------------------------------------------------
# Worker side


class _Collateral(Exception):
    """A parse lost its worker because another parse's timeout recycled the pool."""


class _Deadline(BaseException):
    """Raised by SIGALRM in a worker; a BaseException so feedparser's ``except Exception`` cannot eat it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Deadline


def _watch_owner(owner_pid: int, period: float) -> None:
    """Exit this worker once the process that owns the pool is gone.

    A pool's worker holds both ends of its own call queue's pipe, so it never sees end-of-file when the bot is
    killed (SIGKILL, OOM): without this it would wait forever, and keep its forkserver alive, leaking two
    processes per crash.
    """
    while True:
        time.sleep(period)
        try:
            os.kill(owner_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # the pid was reused by another user's process: the owner is gone
            os._exit(0)


def _init_worker(memory_limit: int | None, owner_pid: int | None = None, owner_check: float = 1.0) -> None:
    if owner_pid is not None:
        threading.Thread(
            target=_watch_owner, args=(owner_pid, owner_check), name="owner-watch", daemon=True
        ).start()
    if memory_limit:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGALRM, _on_alarm)


def _ping() -> bool:
    return True


Outcome = tuple[str, Any, str]


def _parse_in_worker(
    body: bytes, content_type: str | None, url: str | None, sanitize_html: bool | None, timeout: float
) -> Outcome:
    """Runs in a worker: returns ``("ok", ParsedFeed, "")`` or ``("error", kind, reason)``.

    ``sanitize_html`` None means: only scan the entry keys (``("ok", KeyScan | None, "")``).
    """
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result: ParsedFeed | KeyScan | None
        if sanitize_html is None:
            result = scan_keys(body, content_type=content_type, url=url)
        else:
            result = parse_bytes(body, content_type=content_type, url=url, sanitize_html=sanitize_html)
        signal.setitimer(signal.ITIMER_REAL, 0)
        return ("ok", result, "")
    except FeedParseError as exc:
        return ("error", exc.kind, exc.reason)
    except _Deadline:
        return ("error", ParseTimeout.kind, f"parsing took longer than {timeout:g} s")
    except MemoryError:
        return ("error", FeedParseError.kind, "the feed needs too much memory to parse")
    except RecursionError:
        return ("error", FeedParseError.kind, "the feed is nested too deeply to parse")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# --------------------------------------------------------------------------------------------------
# Async front end


def _default_start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class FeedParser:
    """Parses feeds in a reusable pool of worker processes.

    Workers start on first use (or ``warm_up()``) and are reused; ``max_tasks_per_child`` replaces each
    one now and then so memory fragmentation from big documents does not accumulate. Not often: a new
    worker re-runs the imports of the program's ``__main__`` (420 ms of CPU per worker for the benchmark's
    entry point, 2 ms for a bare script), so at 200 tasks a replacement cost more than the parses it served
    once feedparser only reads new entries (issue 13). Call ``close()`` (or use ``async with``) when done;
    tests do so in a fixture.

    As with any spawn/forkserver pool, workers import the program's ``__main__`` module, so the entry
    point must keep its start-up code under ``if __name__ == "__main__":``.
    """

    def __init__(
        self,
        *,
        max_workers: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        sanitize_html: bool = False,
        start_method: str | None = None,
        max_tasks_per_child: int | None = 2000,
        grace: float = PARENT_GRACE,
    ) -> None:
        if max_workers < 1 or timeout <= 0:
            raise ValueError("max_workers must be at least 1 and timeout positive")
        self.max_workers = max_workers
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.sanitize_html = sanitize_html
        self.grace = grace
        self._context = multiprocessing.get_context(start_method or _default_start_method())
        if isinstance(self._context, multiprocessing.context.ForkServerContext):
            # Import this module (feedparser, and aiohttp through services.fetcher) once in the fork
            # server, so each worker forks ready in milliseconds instead of importing for ~0.5 s. It only
            # takes effect if this process has not started its fork server yet.
            self._context.set_forkserver_preload(["__main__", __name__])
        self._max_tasks = max_tasks_per_child
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._in_flight = 0
        self._slots = asyncio.Semaphore(max_workers)
        self._retired: list[ProcessPoolExecutor] = []
        self._closed = False
        self.recycle_count = 0

    async def __aenter__(self) -> FeedParser:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _get_pool(self) -> tuple[ProcessPoolExecutor, int]:
        if self._closed:
            raise RuntimeError("FeedParser is closed")
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.max_workers,
                mp_context=self._context,
                initializer=_init_worker,
                initargs=(self.memory_limit, os.getpid()),
                max_tasks_per_child=self._max_tasks,
            )
        return self._pool, self._generation

    async def warm_up(self) -> None:
        """Start every worker now, so the first feeds do not pay for process start-up."""
        loop = asyncio.get_running_loop()
        pool, _ = self._get_pool()
        await asyncio.gather(*(loop.run_in_executor(pool, _ping) for _ in range(self.max_workers)))

    async def parse(self, body: bytes, *, content_type: str | None, url: str) -> ParsedFeed:
        """Parse ``body`` in a worker; raise a ``FeedParseError`` subclass when it is not a usable feed."""
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError(f"FeedParser.parse takes the fetched bytes, not {type(body).__name__}")
        started = time.monotonic()
        try:
            return await self._parse_pooled(bytes(body), content_type, url)
        except FeedParseError as exc:
            metrics.feed_failed(exc.kind)
            raise
        finally:
            metrics.PARSE_SECONDS.observe(time.monotonic() - started)

    async def _parse_pooled(self, data: bytes, content_type: str | None, url: str) -> ParsedFeed:
        # At most one parse per worker is handed to the pool, so the deadline below measures parsing,
        # not time spent queueing behind other feeds (a poll cycle parses many feeds at once).
        async with self._slots:
            for attempt in (1, 2):
                try:
                    return await self._parse_once(data, content_type, url)
                except _Collateral:
                    if attempt == 2:
                        break
                    log.info("parse of %s: pool was recycled under it, retrying", url)
        raise FeedParseError("the parser process crashed (feed too large or complex?)", url=url)

    async def scan(self, body: bytes, *, content_type: str | None, url: str) -> KeyScan | None:
        """The entry keys of ``body`` (``domain.feedkeys.scan_keys``), or None: then ``parse`` it.

        Small bodies are scanned here, big ones in a worker. A scan that fails in any way (timeout, memory,
        a crashed worker) is None, never an error: the full parse decides what is wrong with the feed.
        """
        data = bytes(body)
        if len(data) <= INLINE_SCAN_LIMIT:
            return scan_keys(data, content_type=content_type, url=url)
        try:
            async with self._slots:
                scanned = await self._parse_once(data, content_type, url, scan=True)
        except (FeedParseError, _Collateral):
            return None
        return scanned if isinstance(scanned, KeyScan) else None

    async def _parse_once(
        self, data: bytes, content_type: str | None, url: str, *, scan: bool = False
    ) -> Any:
        """One job in the pool: a ``ParsedFeed``, or with ``scan`` a ``KeyScan | None``."""
        loop = asyncio.get_running_loop()
        pool, generation = self._get_pool()
        started = time.monotonic()
        self._in_flight += 1
        try:
            future = loop.run_in_executor(
                pool,
                _parse_in_worker,
                data,
                content_type,
                url,
                None if scan else self.sanitize_html,
                self.timeout,
            )
            outcome: Outcome = await asyncio.wait_for(future, self.timeout + self.grace)
        except TimeoutError:
            log.warning("parse of %s: no answer after %.1fs, recycling the worker pool", url, self.timeout)
            self._recycle(generation)
            raise ParseTimeout(f"parsing took longer than {self.timeout:g} s", url=url) from None
        except asyncio.CancelledError:
            # close() cancels queued parses; report that as a failure, not as cancelling our caller.
            task = asyncio.current_task()
            if self._closed and task is not None and not task.cancelling():
                raise FeedParseError("the parser was shut down", url=url) from None
            raise
        except BrokenProcessPool:
            if self._closed:
                raise FeedParseError("the parser was shut down", url=url) from None
            if generation != self._generation:
                # Another parse's timeout killed this pool; this document did nothing wrong.
                raise _Collateral from None
            self._recycle(generation)
            log.warning("parse of %s: worker died (memory limit or crash)", url)
            raise FeedParseError("the parser process crashed (feed too large or complex?)", url=url) from None
        finally:
            self._in_flight -= 1
        status, value, reason = outcome
        if status != "ok":
            raise _ERRORS.get(value, FeedParseError)(reason, url=url)
        if scan:
            return value
        parsed: ParsedFeed = value
        log.debug(
            "parsed %s: %d entries, %s, %.3fs",
            url,
            len(parsed.entries),
            parsed.version,
            time.monotonic() - started,
        )
        return parsed

    def _recycle(self, generation: int) -> None:
        """Kill the pool of ``generation`` (if still current) so a stuck worker cannot hold a slot."""
        if generation != self._generation or self._pool is None:
            return
        pool, self._pool = self._pool, None
        self._generation += 1
        self.recycle_count += 1
        _terminate(pool)
        # Kept only so close() can reap them; a long-running bot keeps the last few.
        self._retired = [*self._retired[-7:], pool]

    def close(self) -> None:
        """Stop the workers. Idle workers exit cleanly; busy ones (a parse in flight) are terminated."""
        if self._closed:
            return
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            if self._in_flight:
                _terminate(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        for retired in self._retired:
            retired.shutdown(wait=True, cancel_futures=True)
        self._retired.clear()


def _terminate(pool: ProcessPoolExecutor) -> None:
    kill_workers = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill_workers is not None:
        kill_workers()
        return
    # Before 3.14 there is no public way to stop a busy worker; _processes is the executor's own table.
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            # SIGKILL, not SIGTERM: a stuck worker may not be able to act on SIGTERM (stopped, or blocked
            # in a system call), and the executor's exit handler would then wait for it forever.
            process.kill()
