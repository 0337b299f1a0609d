"""services.metrics: the instrumented places count what they should (fetch results and failure reasons,
parse failures, digest latency and warning categories, database writes, loop passes)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cogs._ui import guarded_pass
from domain.models import Subscription, SubscriptionStatus
from services import metrics
from services.club import ClubService
from services.digest import DigestService
from services.feedparse import FeedParseError, FeedParser
from services.fetcher import Fetcher, FetchError
from settings import DigestSettings
from storage.db import Database
from tests.feedserver import FeedServer, make_entries
from tests.services.test_fetcher import loopback_limits


def value(name: str, **labels: str) -> float:
    found = metrics.REGISTRY.get_sample_value(name, labels or None)
    return found or 0.0


async def test_fetches_count_ok_not_modified_and_failures_by_reason() -> None:
    async with FeedServer() as server, Fetcher(loopback_limits()) as fetcher:
        server.set_feed("/rss", make_entries(2))
        server.status("/gone", 404)
        before = {
            r: value("projectionist_feed_fetches_total", result=r) for r in ("ok", "not_modified", "failed")
        }
        status_failures = value("projectionist_feed_failures_total", reason="http_status")
        timings = value("projectionist_feed_fetch_seconds_count")
        first = await fetcher.fetch(server.url("/rss"))
        await fetcher.fetch(server.url("/rss"), etag=first.etag, last_modified=first.last_modified)
        with pytest.raises(FetchError):
            await fetcher.fetch(server.url("/gone"))
    assert value("projectionist_feed_fetches_total", result="ok") == before["ok"] + 1
    assert value("projectionist_feed_fetches_total", result="not_modified") == before["not_modified"] + 1
    assert value("projectionist_feed_fetches_total", result="failed") == before["failed"] + 1
    assert value("projectionist_feed_failures_total", reason="http_status") == status_failures + 1
    assert value("projectionist_feed_fetch_seconds_count") == timings + 3


async def test_parse_failures_count_by_reason_and_parses_are_timed() -> None:
    parser = FeedParser(max_workers=1, timeout=10)
    try:
        parses = value("projectionist_feed_parse_seconds_count")
        not_a_feed = value("projectionist_feed_failures_total", reason="not_a_feed")
        with pytest.raises(FeedParseError):
            await parser.parse(b"<html><body>hello</body></html>", content_type="text/html", url="http://x/")
    finally:
        parser.close()
    assert value("projectionist_feed_parse_seconds_count") == parses + 1
    assert value("projectionist_feed_failures_total", reason="not_a_feed") == not_a_feed + 1


async def test_digest_is_timed_and_warnings_counted_by_category(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    sub = Subscription(1, 1, 5, 6, "News", None, None, False, SubscriptionStatus.ACTIVE, None, 0)
    entry = {
        "title": "A brutal horror film",
        "summary": "The killer tortures his victims in graphic detail; blood and gore fill the screen.",
        "link": "https://films.example/1",
    }
    digests = value("projectionist_digest_seconds_count")
    before = {c: value("projectionist_content_warnings_total", category=c) for c in ("gore", "torture")}
    await service.render(entry, "Film Daily", sub)
    assert value("projectionist_digest_seconds_count") == digests + 1
    moved = [c for c in before if value("projectionist_content_warnings_total", category=c) == before[c] + 1]
    assert moved, "no warning category was counted"


async def test_database_writes_are_timed(db: Database) -> None:
    seen: list[float] = []
    db.write_observer = seen.append
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO loop_health (name, last_run_at) VALUES ('x', 1)")
    await db.write("UPDATE loop_health SET last_run_at = 2 WHERE name = 'x'")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("UPDATE loop_health SET last_run_at = 3 WHERE name = 'x'")
            raise RuntimeError("rolled back")
    assert len(seen) == 2 and all(s >= 0 for s in seen)  # a rolled-back transaction is not a write


@dataclass
class Report:
    busy: bool
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "ok"


class FakeLoop:
    """The three interval attributes guarded_pass reads from a discord.ext.tasks.Loop."""

    hours = None
    minutes = 1.0
    seconds = 30.0


async def test_guarded_pass_reports_every_completed_pass_to_health(db: Database) -> None:
    club = ClubService(db)

    async def idle() -> Report:
        return Report(busy=False)

    async def broken() -> Report:
        raise RuntimeError("boom")

    await guarded_pass(club, "feeds", idle, loop=FakeLoop())  # type: ignore[arg-type]
    await guarded_pass(club, "polls", broken, loop=FakeLoop())  # type: ignore[arg-type]
    loops = club.health.loops
    assert loops["feeds"].interval == 90 and loops["feeds"].last_pass_at is not None
    assert loops["polls"].started_at is not None and loops["polls"].last_pass_at is None


def test_exposition_names_follow_prometheus_conventions() -> None:
    families = list(text_string_to_metric_families(generate_latest(metrics.REGISTRY).decode()))
    assert families
    for family in families:
        assert family.name.startswith("projectionist_")
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples)
        if family.type == "histogram":
            assert family.name.endswith("_seconds")
