"""Parsing: the synchronous core and the worker-process front end (real processes, no mocks)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import pickle
import resource
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import feedparser
import pytest

from domain.feedrules import entry_key, entry_timestamp
from services import feedparse
from services.feedparse import (
    FeedParseError,
    FeedParser,
    InvalidXML,
    NotAFeed,
    ParsedFeed,
    ParseTimeout,
    parse_bytes,
)
from services.fetcher import FetchError
from tests.feedserver import (
    BILLION_LAUGHS,
    HTML_PAGE,
    INVALID_XML,
    LATIN1_DECLARED_UTF8,
    SLOPPY_RSS,
    FeedEntry,
    make_entries,
    render_atom,
    render_rss,
)

RSS = render_rss("Cinema news", make_entries(3))


def big_feed(target_bytes: int = 1_800_000) -> bytes:
    """A feed of about ``target_bytes`` with HTML-heavy summaries, like a long WordPress feed."""
    paragraph = (
        "<p>The <em>restored</em> print of <a href='/films/42'>Metropolis</a> screens on "
        "<strong>Friday</strong> &amp; Saturday.<script>track()</script><img src='poster.jpg' alt=''></p>"
    )
    entries: list[FeedEntry] = []
    size = 0.0
    index = 0
    base = datetime(2024, 1, 1, tzinfo=UTC)
    while size < target_bytes:
        summary = paragraph * 20
        entries.append(
            FeedEntry(
                guid=f"urn:big:{index}",
                title=f"Screening {index}",
                link=f"https://films.example/s/{index}",
                summary=summary,
                published=base + timedelta(minutes=index),
                categories=("screenings", "restorations"),
            )
        )
        size += len(summary) * 1.3 + 400
        index += 1
    return render_rss("Big feed", entries)


@pytest.fixture
async def parser() -> AsyncIterator[FeedParser]:
    feed_parser = FeedParser(max_workers=2, timeout=10)
    try:
        yield feed_parser
    finally:
        feed_parser.close()


# --------------------------------------------------------------------------------------------------
# parse_bytes


def test_str_is_refused() -> None:
    with pytest.raises(TypeError, match="not str"):
        parse_bytes(RSS.decode())  # type: ignore[arg-type]


def test_bytes_that_name_a_file_are_not_opened(tmp_path: Path) -> None:
    feed_file = tmp_path / "secret.xml"
    feed_file.write_bytes(RSS)
    path_as_body = str(feed_file).encode()
    # The hazard: feedparser itself would open the file named by the bytes.
    assert len(feedparser.parse(path_as_body).entries) == 3
    with pytest.raises(FeedParseError):  # parsed as the (invalid) document it is, never opened
        parse_bytes(path_as_body)


def test_rss_entries_are_plain_picklable_json_ready() -> None:
    parsed = parse_bytes(RSS, content_type="application/rss+xml", url="https://films.example/feed")
    assert parsed.version == "rss20" and parsed.title == "Cinema news" and not parsed.bozo
    assert len(parsed.entries) == 3
    entry = parsed.entries[0]
    assert type(entry) is dict and type(entry["tags"][0]) is dict
    assert entry["id"] == "urn:test:entry-3" and entry["title"] == "Entry 3"
    assert entry["published_parsed"] == (2024, 1, 1, 3, 0, 0, 0, 1, 0)
    assert entry_timestamp(entry) == int(datetime(2024, 1, 1, 3, tzinfo=UTC).timestamp())
    assert pickle.loads(pickle.dumps(parsed)) == parsed
    json.dumps(parsed.entries)
    assert entry_key(entry) == "id:urn:test:entry-3"


def test_atom_and_relative_links() -> None:
    body = render_atom("Atom news", make_entries(2)).replace(b"https://films.example/entry/2", b"/entry/2")
    parsed = parse_bytes(body, content_type="application/atom+xml", url="https://films.example/feeds/atom")
    assert parsed.version == "atom10"
    assert parsed.entries[0]["link"] == "https://films.example/entry/2"


def test_sanitize_html_off_keeps_markup_for_the_digest() -> None:
    body = render_rss(
        "x", [FeedEntry("g", "t", "https://e.example/", summary="<p>hi<script>x()</script></p>")]
    )
    raw = parse_bytes(body).entries[0]["summary"]
    clean = parse_bytes(body, sanitize_html=True).entries[0]["summary"]
    assert "<script>" in raw and "<script>" not in clean


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed) as info:
        parse_bytes(HTML_PAGE, content_type="text/html", url="https://club.example/")
    assert (
        info.value.reason
        == "not a feed (HTML page; the page links to a feed at https://club.example/feed.xml)"
    )
    # Sniffed even without a content type.
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_bytes(b"<html><body>hello</body></html>")


@pytest.mark.parametrize("body", [b"", b"  \n\t "])
def test_empty_body(body: bytes) -> None:
    with pytest.raises(NotAFeed, match="empty response"):
        parse_bytes(body)


def test_plain_text_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError) as info:
        parse_bytes(b"just some text", content_type="text/plain")
    assert info.value.kind in ("not_a_feed", "invalid_xml")


def test_invalid_xml_and_sloppy_xml() -> None:
    with pytest.raises(InvalidXML):
        parse_bytes(INVALID_XML)
    sloppy = parse_bytes(SLOPPY_RSS)
    assert sloppy.bozo and sloppy.bozo_reason and len(sloppy.entries) == 2


def test_valid_empty_feed_is_accepted() -> None:
    parsed = parse_bytes(render_rss("Quiet club", []))
    assert parsed.entries == () and parsed.version == "rss20" and parsed.title == "Quiet club"


def test_wrong_charset_is_recovered() -> None:
    parsed = parse_bytes(LATIN1_DECLARED_UTF8, content_type="application/xml; charset=utf-8")
    assert parsed.entries[0]["title"] == "Amélie"
    assert parsed.bozo_reason is not None and "encoding" in parsed.bozo_reason


def test_billion_laughs_does_not_expand() -> None:
    parsed = parse_bytes(BILLION_LAUGHS)
    assert all(len(str(entry.get("title", ""))) < 1000 for entry in parsed.entries)


def test_parse_errors_are_fetch_errors() -> None:
    assert issubclass(FeedParseError, FetchError)
    assert NotAFeed.kind == "not_a_feed" and InvalidXML.kind == "invalid_xml"


# --------------------------------------------------------------------------------------------------
# FeedParser (worker processes)


async def test_parses_in_a_worker(parser: FeedParser) -> None:
    parsed = await parser.parse(RSS, content_type="application/rss+xml", url="https://films.example/feed")
    assert isinstance(parsed, ParsedFeed) and len(parsed.entries) == 3


async def test_worker_refuses_str(parser: FeedParser) -> None:
    with pytest.raises(TypeError):
        await parser.parse(RSS.decode(), content_type=None, url="https://x.example/")  # type: ignore[arg-type]


async def test_worker_reports_typed_errors(parser: FeedParser) -> None:
    with pytest.raises(NotAFeed, match="HTML page") as info:
        await parser.parse(HTML_PAGE, content_type="text/html", url="https://club.example/")
    assert info.value.url == "https://club.example/"
    with pytest.raises(InvalidXML):
        await parser.parse(INVALID_XML, content_type=None, url="https://club.example/")


# Parses held on an event: a forked worker inherits this process's memory, so it sees the patched
# ``parse_bytes`` below and these multiprocessing events. A gated parse tells the test it has started, then
# waits in the worker until the test releases it. No test here asserts on wall-clock speed.
_FORK = multiprocessing.get_context("fork")
_GATES: dict[str, tuple[EventType, EventType]] = {}
_REAL_PARSE_BYTES = feedparse.parse_bytes


def _gated_parse_bytes(body: bytes, **kwargs: Any) -> ParsedFeed:
    gate = _GATES.get(kwargs.get("url") or "")
    if gate is not None:
        started, release = gate
        started.set()
        if not release.wait(60):
            raise RuntimeError("the test never released this parse")
    return _REAL_PARSE_BYTES(body, **kwargs)


def _gated_parser(monkeypatch: pytest.MonkeyPatch, urls: list[str], **options: Any) -> FeedParser:
    """A FeedParser whose forked workers hold the parses of ``urls`` until released."""
    _GATES.clear()
    _GATES.update({url: (_FORK.Event(), _FORK.Event()) for url in urls})
    monkeypatch.setattr(feedparse, "parse_bytes", _gated_parse_bytes)
    return FeedParser(start_method="fork", max_tasks_per_child=None, memory_limit=None, **options)


async def _until_started(url: str) -> None:
    assert await asyncio.to_thread(_GATES[url][0].wait, 60), f"the parse of {url} never started"


async def test_big_feed_does_not_block_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    body = big_feed()
    assert len(body) > 1_500_000
    url = "https://films.example/big"
    parser = _gated_parser(monkeypatch, [url], max_workers=1, timeout=60)
    try:
        parsing = asyncio.create_task(parser.parse(body, content_type="application/rss+xml", url=url))
        await _until_started(url)
        # The parse is now under way and waits for this coroutine: were it running on the event loop, we
        # could not get here to release it.
        assert not parsing.done()
        _GATES[url][1].set()
        parsed = await parsing
    finally:
        parser.close()
    assert len(parsed.entries) > 100


class _SkewedClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock the test moves forward, so asyncio deadlines (``wait_for``) see time pass
    without the test waiting for it."""

    def __init__(self) -> None:
        super().__init__()
        self.skew = 0.0

    def time(self) -> float:
        return super().time() + self.skew


def test_queueing_for_a_worker_does_not_count_against_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    held = ["https://first.example/", "https://second.example/"]
    parser = _gated_parser(monkeypatch, held, max_workers=1, timeout=5.0, grace=0.5)
    deadline = parser.timeout + parser.grace
    loop = _SkewedClockLoop()

    async def scenario() -> None:
        first = asyncio.create_task(parser.parse(RSS, content_type=None, url=held[0]))
        await asyncio.sleep(0)  # the slots are handed out in arrival order
        second = asyncio.create_task(parser.parse(RSS, content_type=None, url=held[1]))
        await asyncio.sleep(0)
        queued = asyncio.create_task(parser.parse(RSS, content_type=None, url="https://queued.example/"))
        for url, task in zip(held, (first, second), strict=True):
            await _until_started(url)
            loop.skew += 0.8 * deadline  # each held parse "runs" for 80% of its deadline
            await asyncio.sleep(0)
            _GATES[url][1].set()
            assert len((await task).entries) == 3
        # The last parse has queued for 1.6 deadlines by the loop's clock; only its own parse counts.
        assert len((await queued).entries) == 3
        assert parser.recycle_count == 0

    try:
        loop.run_until_complete(scenario())
    finally:
        parser.close()
        loop.close()


async def test_parallel_parses(parser: FeedParser) -> None:
    bodies = [render_rss(f"Feed {index}", make_entries(index + 1)) for index in range(6)]
    results = await asyncio.gather(
        *(
            parser.parse(body, content_type=None, url=f"https://f{index}.example/")
            for index, body in enumerate(bodies)
        )
    )
    assert [len(result.entries) for result in results] == [1, 2, 3, 4, 5, 6]


async def test_worker_alarm_times_out_and_worker_survives() -> None:
    parser = FeedParser(max_workers=1, timeout=0.05)
    try:
        with pytest.raises(ParseTimeout) as info:
            await parser.parse(big_feed(), content_type=None, url="https://slow.example/")
        assert info.value.kind == "parse_timeout"
        assert parser.recycle_count == 0  # interrupted inside the worker, no need to kill it
        parser.timeout = 10
        assert len((await parser.parse(RSS, content_type=None, url="https://ok.example/")).entries) == 3
    finally:
        parser.close()


async def test_stuck_worker_is_terminated_and_pool_replaced() -> None:
    parser = FeedParser(max_workers=1, timeout=0.3, grace=0.2)
    try:
        await parser.warm_up()
        pool, _ = parser._get_pool()
        # Freeze the worker: its own alarm cannot fire, as if it were stuck in C code.
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGSTOP)
        # No assert on how long it took (no test asserts on speed): the frozen worker would never answer,
        # so getting ParseTimeout at all shows the parent's own deadline fired.
        with pytest.raises(ParseTimeout):
            await parser.parse(RSS, content_type=None, url="https://stuck.example/")
        assert parser.recycle_count == 1
        parser.timeout = 10
        assert len((await parser.parse(RSS, content_type=None, url="https://ok.example/")).entries) == 3
    finally:
        parser.close()


async def test_workers_run_under_a_memory_limit() -> None:
    limit = 512 * 1024 * 1024
    parser = FeedParser(max_workers=1, memory_limit=limit)
    try:
        loop = asyncio.get_running_loop()
        pool, _ = parser._get_pool()
        soft, _hard = await loop.run_in_executor(pool, resource.getrlimit, resource.RLIMIT_AS)
        assert soft == limit
        with pytest.raises(MemoryError):
            await loop.run_in_executor(pool, bytearray, 1 << 30)
        # The worker is still usable after the failed allocation.
        assert len((await parser.parse(RSS, content_type=None, url="https://ok.example/")).entries) == 3
    finally:
        parser.close()


async def test_closed_parser_refuses_work() -> None:
    parser = FeedParser()
    parser.close()
    parser.close()  # idempotent
    with pytest.raises(RuntimeError):
        await parser.parse(RSS, content_type=None, url="https://x.example/")


_OWNER = """
import asyncio, os, sys
sys.path.insert(0, {root!r})
from services.feedparse import FeedParser

async def main():
    parser = FeedParser(max_workers=2, timeout=5)
    await parser.warm_up()
    print(os.getpid(), flush=True)
    await asyncio.sleep(60)

if __name__ == "__main__":  # workers import __main__
    asyncio.run(main())
"""


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")
def test_workers_exit_when_the_bot_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no orphaned parser workers (nor their forkserver) behind."""
    from tests.conftest import REPO_ROOT

    script = tmp_path / "owner.py"
    script.write_text(_OWNER.format(root=str(REPO_ROOT)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=tmp_path, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == str(proc.pid)
        workers = _descendants(proc.pid)
        assert len(workers) >= 2  # the forkserver and its workers
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    for pid in alive:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert alive == [], f"orphaned parser processes: {alive}"


# --------------------------------------------------------------------------------------------------
# the key scan (issue 13)


async def test_scan_reads_small_bodies_here_and_big_ones_in_a_worker(
    parser: FeedParser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.feedkeys import scan_keys

    url = "https://films.example/feed"
    small = await parser.scan(RSS, content_type="application/rss+xml", url=url)
    assert small is not None and small.keys == tuple(entry_key(e) for e in parse_bytes(RSS, url=url).entries)
    big = big_feed(600_000)
    assert len(big) > feedparse.INLINE_SCAN_LIMIT
    calls: list[int] = []
    monkeypatch.setattr(
        feedparse, "scan_keys", lambda body, **kw: calls.append(len(body)) or scan_keys(body, **kw)
    )
    scanned = await parser.scan(big, content_type=None, url=url)
    assert calls == []  # not on the event loop: in the worker, which has its own scan_keys
    assert scanned == scan_keys(big, url=url) and scanned is not None and len(scanned.keys) > 100


async def test_a_big_body_the_worker_cannot_scan_is_none_not_an_error(parser: FeedParser) -> None:
    junk = b"<rss><channel>" + b"<item><guid>a</guid>" * 40_000  # never closed: not well-formed
    assert len(junk) > feedparse.INLINE_SCAN_LIMIT
    assert await parser.scan(junk, content_type=None, url="https://films.example/feed") is None
    parser.timeout = 0.001  # the worker's alarm fires: still None, the full parse will say what is wrong
    assert await parser.scan(big_feed(600_000), content_type=None, url="https://films.example/feed") is None
