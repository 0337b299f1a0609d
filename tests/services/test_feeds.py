"""The polling engine with real parts: a loopback feed server, real SQLite, worker-process parsing.

Discord is replaced by :class:`FakeNotifier`, a real in-process implementation of the delivery port and the
Notifier protocol that de-duplicates by nonce the way Discord's enforce_nonce does.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.models import Feed
from services import metrics
from services.club import ClubService
from services.delivery import Delivery
from services.digest import DigestService
from services.feedparse import FeedParser
from services.feeds import CycleReport, FeedService
from services.fetcher import Fetcher, FetchLimits
from settings import DigestSettings, FeedSettings
from storage import feeds as repo
from storage import outbox as outbox_repo
from storage.db import Database
from tests.feedserver import FeedEntry, FeedServer, make_entries, render_rss
from tests.helpers.clock import FakeClock
from tests.helpers.ports import FakeNotifier
from tests.markup import live_spoiler_bars, pings

GUILD = 1
CHANNEL = 10
OTHER_CHANNEL = 11
NOTICES = 12
MOD = 99


@dataclasses.dataclass
class Rig:
    server: FeedServer
    db: Database
    service: FeedService
    recorder: FakeNotifier
    clock: FakeClock

    async def add(self, path: str = "/rss", channel: int = CHANNEL, **kw: Any) -> int:
        result = await self.service.add(
            guild_id=GUILD, channel_id=channel, url=self.server.url(path), name=None, user_id=MOD, **kw
        )
        return result.subscription_id

    async def cycle(self, advance: float = 3600) -> Any:
        self.clock.advance(advance)
        return await self.service.run_cycle()

    async def feed(self, sub_id: int) -> Feed:
        view = await repo.get_subscription(self.db, GUILD, sub_id)
        assert view is not None
        return view.feed


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[Rig]:
    settings = FeedSettings(interval=600, min_interval=60, posts_per_channel_per_cycle=5, pause_after=86400)
    clock = FakeClock()
    async with FeedServer() as server:
        fetcher = Fetcher(FetchLimits(allow_private_addresses=True, total_timeout=3, connect_timeout=2))
        parser = FeedParser(max_workers=1, timeout=10)
        digest = DigestService(db, DigestSettings())
        # no backoff: a failed post is retried on the next cycle whatever the clock says
        delivery = Delivery(db, clock=clock, nonce_window=120, backoff_base=0)
        service = FeedService(
            db, settings, fetcher, parser, renderer=digest.render, clock=clock, delivery=delivery
        )
        recorder = FakeNotifier()
        service.attach(recorder, recorder)
        try:
            yield Rig(server, db, service, recorder, clock)
        finally:
            await fetcher.close()
            parser.close()


def entry(n: int, prefix: str = "News") -> FeedEntry:
    return FeedEntry(
        guid=f"urn:new:{prefix}-{n}",
        title=f"{prefix} {n}",
        link=f"https://films.example/{prefix}/{n}",
        summary=f"<p>The festival announced {prefix} {n} today. Critics were delighted by the lineup.</p>",
        published=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n),
    )


async def test_first_fetch_is_a_baseline_then_new_items_post_once(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(10))
    sub = await rig.add()
    await rig.cycle(0)
    assert rig.recorder.messages == []  # no flood on subscribe
    rig.server.add_entry("/rss", entry(1))
    rig.server.add_entry("/rss", entry(2))
    report = await rig.cycle()
    assert rig.recorder.titles() == ["News 1", "News 2"]  # oldest first
    assert report.new_entries == 2 and report.delivered == 2
    await rig.cycle()
    assert len(rig.recorder.messages) == 2
    assert rig.server.hits["/rss"] == 3  # add + 2 polls
    feed = await rig.feed(sub)
    assert feed.consecutive_failures == 0 and feed.etag


async def test_unchanged_feed_answers_304_and_costs_no_parse(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    report = await rig.cycle()
    assert report.not_modified == 1 and report.new_entries == 0
    assert rig.server.requests[-1].headers.get("If-None-Match")


async def test_backfill_posts_newest_items_oldest_first(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(8))
    await rig.add(backfill=3)
    await rig.cycle(0)
    assert rig.recorder.titles() == ["Entry 6", "Entry 7", "Entry 8"]


async def test_same_url_twice_in_a_channel_is_refused_and_two_channels_share_one_fetch(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    with pytest.raises(UserError, match="already follows"):
        await rig.add()
    await rig.add(channel=OTHER_CHANNEL)
    rig.server.reset_counters()
    rig.server.add_entry("/rss", entry(1))
    await rig.cycle()
    assert rig.server.hits["/rss"] == 1
    assert rig.recorder.titles(CHANNEL) == ["News 1"] and rig.recorder.titles(OTHER_CHANNEL) == ["News 1"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda s: s.raw(
                "/bad",
                b"<html><head><title>Hi</title></head><body>page</body></html>",
                content_type="text/html",
            ),
            "HTML",
        ),
        (lambda s: s.status("/bad", 404), "404"),
        (
            lambda s: s.raw(
                "/bad", b'<?xml version="1.0"?><rss><channel><<<>>>', content_type="application/xml"
            ),
            "malformed",
        ),
        (lambda s: s.raw("/bad", b"", content_type="application/xml"), "not a feed"),
    ],
)
async def test_add_refuses_what_is_not_a_feed(rig: Rig, setup: Any, reason: str) -> None:
    setup(rig.server)
    with pytest.raises(UserError, match=f"couldn't add that feed.*{reason}"):
        await rig.add("/bad")
    assert await repo.list_subscriptions(rig.db, GUILD) == []


async def test_add_refuses_private_addresses_unless_allowed(rig: Rig) -> None:
    rig.service.fetcher = Fetcher(FetchLimits(allow_private_addresses=False))
    with pytest.raises(UserError, match="can't use that URL"):
        await rig.service.add(
            guild_id=GUILD, channel_id=CHANNEL, url="http://127.0.0.1/rss", name=None, user_id=MOD
        )
    with pytest.raises(UserError, match="can't use that URL"):
        await rig.service.add(
            guild_id=GUILD, channel_id=CHANNEL, url="file:///etc/passwd", name=None, user_id=MOD
        )


async def test_per_channel_cap_spreads_a_burst_over_cycles(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(20))
    await rig.add()
    for n in range(12):
        rig.server.add_entry("/rss", entry(n))
    await rig.cycle()
    assert len(rig.recorder.messages) == 5
    await rig.cycle()
    await rig.cycle()
    assert rig.recorder.titles() == [f"News {n}" for n in range(12)]


async def test_flood_breaker_holds_a_regenerated_feed_until_a_moderator_decides(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(10))
    sub = await rig.add()
    rig.server.set_feed("/rss", make_entries(10, prefix="Migrated"))  # every guid changed
    await rig.cycle()
    assert rig.recorder.messages == []
    assert rig.recorder.floods == [(CHANNEL, sub, 10)]
    assert await rig.service.release_held(GUILD, sub, post=True) == 10
    await rig.cycle(0)
    await rig.cycle(0)
    assert len(rig.recorder.messages) == 10


async def test_filters_apply_to_new_items(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    await rig.service.set_filter(GUILD, sub, "festival", "News 2")
    with pytest.raises(UserError, match="filter"):
        await rig.service.set_filter(GUILD, sub, "/(a+)+/", None)
    rig.server.add_entry("/rss", entry(1))
    rig.server.add_entry("/rss", entry(2))
    rig.server.add_entry(
        "/rss", FeedEntry("urn:x", "Box office", "https://films.example/x", "<p>Numbers.</p>")
    )
    await rig.cycle()
    assert rig.recorder.titles() == ["News 1"]


async def test_failures_back_off_warn_once_then_pause_and_resume_by_themselves(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    rig.server.status("/rss", 500)
    delays = []
    for _ in range(5):
        before = rig.clock.now
        feed = await rig.feed(sub)
        rig.clock.now = max(rig.clock.now, feed.next_poll_at)
        await rig.service.run_cycle()
        feed = await rig.feed(sub)
        delays.append(feed.next_poll_at - rig.clock.now)
        assert feed.last_error and "500" in feed.last_error
        del before
    assert delays[-1] > delays[0]  # exponential backoff
    assert all(d <= 6 * 3600 * 1.25 for d in delays)
    warnings = [t for _, t in rig.recorder.notices if "failed 3 times" in t]
    assert len(warnings) == 1
    # a day of failures pauses the feed, with a notice saying how to resume
    rig.clock.advance(86400)
    await rig.service.run_cycle()
    feed = await rig.feed(sub)
    assert feed.status == "paused" and "failed for over 24 hours" in (feed.pause_reason or "")
    assert any("/feed resume" in t for _, t in rig.recorder.notices)
    # it is probed daily and resumes by itself when it works again
    rig.server.set_feed("/rss", make_entries(3))
    rig.clock.advance(86400 + 60)
    await rig.service.run_cycle()
    feed = await rig.feed(sub)
    assert feed.status == "active" and feed.consecutive_failures == 0
    assert any("works again" in t for _, t in rig.recorder.notices)


async def test_gone_pauses_at_once(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    rig.server.status("/rss", 410)
    await rig.cycle()
    feed = await rig.feed(sub)
    assert feed.status == "paused" and "gone" in (feed.pause_reason or "")
    assert len(rig.recorder.notices) == 1


async def test_a_notice_goes_to_the_notices_channel_or_back_to_the_feeds_channel(rig: Rig) -> None:
    await ClubService(rig.db).update_guild_settings(GUILD, notices_channel_id=NOTICES)
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    rig.server.set_feed("/other", make_entries(3, prefix="Other"))
    other = await rig.add("/other", channel=OTHER_CHANNEL)
    rig.server.status("/rss", 410)
    await rig.cycle()
    assert [(c, "paused" in t) for c, t in rig.recorder.notices] == [(NOTICES, True)]
    rig.recorder.refuse.add(NOTICES)  # the notices channel stopped letting the bot in
    rig.server.status("/other", 410)
    await rig.cycle()
    assert [c for c, _ in rig.recorder.notices] == [NOTICES, OTHER_CHANNEL]
    assert (await rig.feed(sub)).status == (await rig.feed(other)).status == "paused"


async def test_retry_after_is_a_lower_bound_on_the_next_poll(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    rig.server.status("/rss", 429, headers={"Retry-After": "7200"})
    await rig.cycle()
    feed = await rig.feed(sub)
    assert feed.next_poll_at - rig.clock.now >= 7200


async def test_cache_control_max_age_is_a_lower_bound(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3), headers={"Cache-Control": "max-age=5400"})
    sub = await rig.add()
    assert (await rig.feed(sub)).next_poll_at - rig.clock.now >= 5400
    rig.clock.advance(5400)
    await rig.service.run_cycle()
    assert (await rig.feed(sub)).next_poll_at - rig.clock.now >= 5400


async def test_permanent_redirect_updates_the_url_temporary_does_not(rig: Rig) -> None:
    rig.server.set_feed("/new", make_entries(3))
    rig.server.redirect("/moved", "/new", status=301)
    sub = await rig.add("/moved")
    assert (await rig.feed(sub)).url.endswith("/new")
    rig.server.set_feed("/other", make_entries(3))
    rig.server.redirect("/temp", "/other", status=302)
    sub2 = await rig.add("/temp", channel=OTHER_CHANNEL)
    assert (await rig.feed(sub2)).url.endswith("/temp")


async def test_one_failing_feed_does_not_stop_the_others(rig: Rig) -> None:
    rig.server.set_feed("/good", make_entries(3))
    rig.server.set_feed("/bad", make_entries(3))
    await rig.add("/good")
    await rig.add("/bad", channel=OTHER_CHANNEL)
    rig.server.hang("/bad")
    rig.server.add_entry("/good", entry(1))
    report = await rig.cycle()
    assert report.failed == 1
    assert rig.recorder.titles() == ["News 1"]


async def test_refused_channel_pauses_that_subscription_only(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    broken = await rig.add()
    await rig.add(channel=OTHER_CHANNEL)
    rig.recorder.refuse.add(CHANNEL)
    rig.server.add_entry("/rss", entry(1))
    await rig.cycle()
    assert rig.recorder.titles(OTHER_CHANNEL) == ["News 1"]
    view = await repo.get_subscription(rig.db, GUILD, broken)
    assert view is not None and view.subscription.status == "broken"
    assert "403" in (view.subscription.status_reason or "")
    # resuming after the moderator fixed the permission delivers what was waiting
    rig.recorder.refuse.clear()
    await rig.service.resume(GUILD, broken)
    await rig.cycle(0)
    assert rig.recorder.titles(CHANNEL) == ["News 1"]


async def test_crash_between_send_and_mark_delivered_does_not_double_post(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    rig.server.add_entry("/rss", entry(1))
    rig.recorder.crash_after_send = 1
    await rig.cycle()
    assert await outbox_repo.count(rig.db, "pending", kind="feed_post") == 1  # not marked delivered
    await rig.cycle(0)
    assert rig.recorder.titles() == ["News 1"]  # same nonce: Discord returned the first message
    assert await outbox_repo.count(rig.db, "delivered", kind="feed_post") == 1
    assert rig.recorder.find_calls == []  # within the nonce window the nonce alone is trusted


async def _outbox_row(rig: Rig) -> Any:
    row = await rig.db.fetchone("SELECT state, message_id, sending_at, attempts FROM outbox")
    assert row is not None
    return row


async def test_crash_after_send_then_restart_past_the_nonce_window_does_not_double_post(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    rig.server.add_entry("/rss", entry(1))
    rig.recorder.crash_after_send = 1
    await rig.cycle()
    first_try = int(rig.clock())
    row = await _outbox_row(rig)
    assert (row["state"], row["sending_at"]) == ("pending", first_try)
    rig.recorder.forget_nonces()  # the bot was down for 10 minutes: Discord no longer knows the nonce
    await rig.cycle(600)
    assert rig.recorder.titles() == ["News 1"]
    assert rig.recorder.find_calls == [(CHANNEL, first_try)]
    row = await _outbox_row(rig)
    assert (row["state"], row["message_id"]) == ("delivered", 1)
    await rig.cycle()
    assert rig.recorder.titles() == ["News 1"]


async def test_crash_before_the_send_reached_discord_then_restart_later_posts_once(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    rig.server.add_entry("/rss", entry(1))
    rig.recorder.errors.append(ConnectionResetError("connection lost before the request reached Discord"))
    await rig.cycle()
    assert rig.recorder.messages == [] and (await _outbox_row(rig))["state"] == "pending"
    rig.recorder.forget_nonces()
    await rig.cycle(600)
    assert rig.recorder.titles() == ["News 1"] and len(rig.recorder.find_calls) == 1
    assert (await _outbox_row(rig))["state"] == "delivered"


async def test_a_failing_history_check_is_retried_before_sending(rig: Rig) -> None:
    """Sending without knowing whether the post is there could post it twice: the check is retried."""
    rig.server.set_feed("/rss", make_entries(3))
    await rig.add()
    rig.server.add_entry("/rss", entry(1))
    rig.recorder.crash_after_send = 1  # the post reached Discord; the answer did not reach us
    await rig.cycle()
    rig.recorder.forget_nonces()
    rig.recorder.find_error = RuntimeError("history unavailable")
    await rig.cycle(600)
    assert rig.recorder.titles() == ["News 1"] and rig.recorder.find_calls
    assert (await _outbox_row(rig))["state"] == "pending"
    rig.recorder.find_error = None
    await rig.cycle(600)
    assert rig.recorder.titles() == ["News 1"]
    assert (await _outbox_row(rig))["state"] == "delivered"


async def test_test_command_renders_newest_without_posting(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    payload = await rig.service.test(GUILD, sub)
    assert payload["embeds"][0]["title"] == "Entry 3"
    assert payload["allowed_mentions"] == {"parse": []}
    assert rig.recorder.messages == []


async def test_test_command_can_explain_the_post_it_renders(rig: Rig) -> None:
    rig.server.set_feed(
        "/rss",
        [
            FeedEntry(
                guid="urn:test:violent",
                title="Night Shift",
                link="https://films.example/night-shift",
                summary="<p>A man is stabbed to death in the opening scene. The film follows a night nurse "
                "through one long shift in a hospital that is about to close.</p>",
                published=datetime(2024, 2, 1, tzinfo=UTC),
            ),
            *make_entries(2),
        ],
    )
    sub = await rig.add()
    digest = DigestService(rig.db, DigestSettings())
    test = await rig.service.test(GUILD, sub, digest.test_post)
    assert test.payload["embeds"][0]["title"] == "Night Shift"
    assert "**violence**: “A man is stabbed”" in test.note and "content warnings checked" in test.note
    assert rig.recorder.messages == []


async def test_other_guilds_ids_are_not_found(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    sub = await rig.add()
    with pytest.raises(UserError, match="No feed subscription"):
        await rig.service.remove(GUILD + 1, sub)


async def test_bozo_feed_that_still_has_entries_is_accepted_with_the_reason_stored(rig: Rig) -> None:
    rig.server.raw(
        "/rss", b"<rss><channel><title>Half</title><item><guid>a</guid><title>Only item</title></item>"
    )
    sub = await rig.add()
    rig.clock.advance(3600)
    await rig.service.run_cycle()
    feed = await rig.feed(sub)
    assert feed.consecutive_failures == 0
    assert feed.last_error and "malformed" in feed.last_error


async def test_a_big_feed_is_rendered_a_few_entries_per_event_loop_step(rig: Rig) -> None:
    """The loop gets control back between entries while a big feed is rendered and stored.

    Counted in loop steps, not milliseconds (no test asserts on speed): a ticker task advances once per
    event-loop iteration, and every render records the tick it ran in. Rendering all 1480 entries in one
    step would block the loop for the whole feed on a slow machine."""
    big = [
        FeedEntry(
            f"urn:big:{n}",
            f"Big story {n}",
            f"https://films.example/big/{n}",
            "<p>" + "A long review. " * 60 + "</p>",
        )
        for n in range(1500)
    ]
    rig.server.set_feed("/big", big[:20])
    await rig.add("/big")
    rig.server.set_feed(
        "/big", big
    )  # ~1.5 MB, 1480 new items (held by the flood breaker, rendered all the same)
    ticks = 0
    done = asyncio.Event()
    renders_per_tick: collections.Counter[int] = collections.Counter()
    real_renderer = rig.service.renderer

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0)
            ticks += 1

    async def counting_renderer(*args: Any, **kwargs: Any) -> Any:
        renders_per_tick[ticks] += 1
        return await real_renderer(*args, **kwargs)

    rig.service.renderer = counting_renderer
    tick_task = asyncio.create_task(ticker())
    try:
        report = await rig.cycle()
    finally:
        done.set()
        await tick_task
    assert report.new_entries == 1480
    assert sum(renders_per_tick.values()) == 1480
    assert max(renders_per_tick.values()) <= 10, renders_per_tick.most_common(3)


async def test_the_already_follows_error_shows_the_feed_title_literally(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3), title="@everyone ||Heat <@123>")
    await rig.add()
    with pytest.raises(UserError, match="already follows") as info:
        await rig.add()
    shown = info.value.render(escape_markdown)  # the reply's wording (cogs._ui.user_message)
    assert pings(shown) == [] and live_spoiler_bars(shown) == 0


# -- issue 13: read no more of a feed than it takes to know what is new ---------------------------------


class CountingParser:
    """Counts the full parses and key scans the engine asks its ``FeedParser`` for."""

    def __init__(self, parser: FeedParser) -> None:
        self.parses = 0
        self.scans = 0
        self.parsed_sizes: list[int] = []
        real_parse, real_scan = parser.parse, parser.scan

        async def parse(body: bytes, **kw: Any) -> Any:
            self.parses += 1
            self.parsed_sizes.append(len(body))
            return await real_parse(body, **kw)

        async def scan(body: bytes, **kw: Any) -> Any:
            self.scans += 1
            return await real_scan(body, **kw)

        parser.parse = parse  # type: ignore[method-assign]
        parser.scan = scan  # type: ignore[method-assign]


class NoValidators:
    """A server that ignores conditional GET: 200 with the whole body on every poll, no ETag."""

    def __init__(self, rig: Rig, path: str = "/plain") -> None:
        self.entries: list[FeedEntry] = []
        self.extra = ""  # e.g. a timestamp or an ad slot that changes the bytes but not the items
        self.render: Any = None

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=self.body(), content_type="application/rss+xml")

        rig.server.route(path, handler)

    def body(self) -> bytes:
        if self.render is not None:
            return bytes(self.render())
        return render_rss("Plain feed", self.entries).replace(
            b"<description>test feed</description>", f"<description>{self.extra}</description>".encode()
        )


async def test_an_identical_200_costs_no_parse_and_counts_as_unchanged(rig: Rig) -> None:
    site = NoValidators(rig)
    site.entries = make_entries(5)
    counter = CountingParser(rig.service.parser)
    sub = await rig.add("/plain")
    added = await rig.feed(sub)
    assert added.title == "Plain feed" and added.body_hash
    assert counter.parses == 0  # the subscription's baseline came from the key scan
    unchanged = metrics.FEED_POLLS.labels(result="not_modified")
    before = unchanged._value.get()
    report = await rig.cycle()
    assert (report.not_modified, report.changed_no_new, report.parsed) == (1, 0, 0)
    assert unchanged._value.get() == before + 1  # /metrics counts it as not modified too
    assert counter.parses == 0 and counter.scans == 1  # the poll did not even scan
    feed = await rig.feed(sub)
    assert feed.last_success_at == int(rig.clock.now) and feed.last_changed_at == added.last_changed_at
    assert "1 unchanged" in report.summary()
    assert rig.recorder.messages == []


async def test_a_changed_body_without_new_entries_is_scanned_not_parsed(rig: Rig) -> None:
    site = NoValidators(rig)
    site.entries = make_entries(5)
    counter = CountingParser(rig.service.parser)
    sub = await rig.add("/plain")
    site.extra = "generated at 12:00, ad slot 7"
    report = await rig.cycle()
    assert (report.not_modified, report.changed_no_new, report.parsed) == (0, 1, 0)
    assert counter.parses == 0
    feed = await rig.feed(sub)
    assert feed.last_changed_at == int(rig.clock.now)  # the new body is the one remembered ...
    report = await rig.cycle()
    assert report.not_modified == 1 and counter.scans == 2  # ... so the same bytes again are not scanned
    assert rig.recorder.messages == []


async def test_a_changed_body_with_one_new_entry_posts_exactly_that_one(rig: Rig) -> None:
    site = NoValidators(rig)
    site.entries = make_entries(20)
    counter = CountingParser(rig.service.parser)
    rendered: list[str] = []
    render = rig.service.renderer

    async def counting_renderer(raw: Mapping[str, Any], title: str | None, sub: Any) -> dict[str, Any]:
        rendered.append(str(raw.get("title")))
        return await render(raw, title, sub)

    rig.service.renderer = counting_renderer
    await rig.add("/plain")
    site.entries.insert(0, entry(1))
    site.extra = "changed too"
    report = await rig.cycle()
    assert report.parsed == 1 and report.new_entries == 1 and counter.parses == 1
    # feedparser read the feed without its 20 known entries, and only the new entry is digested
    assert counter.parsed_sizes[0] < len(site.body()) / 5
    assert rendered == ["News 1"]
    assert rig.recorder.titles() == ["News 1"]
    for _ in range(2):  # the same body again, then a changed one without new items
        await rig.cycle()
        site.extra += "!"
    assert rig.recorder.titles() == ["News 1"] and counter.parses == 1


async def test_a_body_the_scanner_declines_still_works_through_feedparser(rig: Rig) -> None:
    """A bare ``&`` is not well-formed XML: the scan declines, feedparser's loose parser reads it."""
    site = NoValidators(rig)
    items = ["<item><guid>a</guid><title>Tom & Jerry</title></item>"]
    site.render = lambda: (
        f"<rss><channel><title>Broken</title>{''.join(reversed(items))}</channel></rss>".encode()
    )
    counter = CountingParser(rig.service.parser)
    sub = await rig.add("/plain")
    assert counter.parses == 1  # the scan declined the subscription's body
    items.append(
        "<item><guid>b</guid><title>Fast & Furious</title><link>https://films.example/b</link></item>"
    )
    report = await rig.cycle()
    assert report.parsed == 1 and report.new_entries == 1
    assert rig.recorder.titles() == ["Fast & Furious"]
    await rig.cycle()  # the same broken body: not parsed again, not posted again
    assert counter.parses == 2 and len(rig.recorder.messages) == 1
    assert (await rig.feed(sub)).consecutive_failures == 0


async def test_duplicated_and_unordered_new_entries_post_once_oldest_first(rig: Rig) -> None:
    site = NoValidators(rig)
    site.entries = make_entries(3)
    await rig.add("/plain")
    # newest-first convention broken on purpose, and one new item listed twice
    site.entries = [entry(2), entry(3), entry(2), *site.entries]
    report = await rig.cycle()
    assert report.new_entries == 2
    assert rig.recorder.titles() == ["News 2", "News 3"]
    await rig.cycle()
    assert rig.recorder.titles() == ["News 2", "News 3"]


async def test_a_feed_without_a_plain_title_is_parsed_to_name_the_subscription(rig: Rig) -> None:
    site = NoValidators(rig)
    site.render = lambda: (
        b"<rss><channel><title>A <b>bold</b> feed</title><item><guid>a</guid></item></channel></rss>"
    )
    counter = CountingParser(rig.service.parser)
    result = await rig.service.add(
        guild_id=GUILD, channel_id=CHANNEL, url=rig.server.url("/plain"), name=None, user_id=MOD
    )
    assert counter.parses == 1 and "bold" in result.title
    result = await rig.service.add(
        guild_id=GUILD, channel_id=OTHER_CHANNEL, url=rig.server.url("/plain"), name="Named", user_id=MOD
    )
    assert counter.parses == 1  # a name was given: the scan is enough


async def test_the_flood_breaker_counts_every_entry_of_the_feed_not_only_the_new_ones(rig: Rig) -> None:
    """feedparser reads only the new entries: 6 new of 26 is no flood (the breaker needs 80 %)."""
    rig.server.set_feed("/rss", make_entries(20))
    await rig.add()
    for n in range(1, 7):
        rig.server.add_entry("/rss", entry(n))
    report = await rig.cycle()
    assert report.new_entries == 6 and rig.recorder.floods == []
    assert rig.recorder.titles() == [f"News {n}" for n in range(1, 6)]  # 5 per channel per cycle


SPOILERY = FeedEntry(
    guid="urn:new:spoiler",
    title="Heat ending explained: who dies",
    link="https://films.example/heat",
    summary="<p>In the ending, the detective kills the thief at the airport. The twist ending surprised many.</p>",
)


async def test_a_forum_post_is_named_and_tagged_and_a_spoiler_is_named_neutrally(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(10), title="Film Daily")
    await rig.add(channel_kind="forum")
    rig.server.add_entry("/rss", entry(1))
    rig.server.add_entry("/rss", SPOILERY)
    await rig.cycle()
    threads = {p.thread.name: p.thread for _, p in rig.recorder.payloads if p.thread}
    assert sorted(threads) == ["News 1", "Spoilers — Film Daily article"]
    spoiler = threads["Spoilers — Film Daily article"]
    assert spoiler.tags[0] == ("Spoilers", "Spoiler")
    assert spoiler.tags[-1][0] == "Film Daily" and "News" in spoiler.tags[-1]


async def test_threads_and_crossposts_follow_each_post_once(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(10), title="Film Daily")
    text = await rig.add()
    announce = await rig.add(channel=CHANNEL + 1, channel_kind="announcement")
    await rig.service.set_threads(GUILD, text, 10080)
    await rig.service.set_publish(GUILD, announce, True)
    rig.server.add_entry("/rss", entry(1))
    await rig.cycle()
    await rig.cycle()
    follow_ups = [(c, p) for c, p in rig.recorder.payloads if p.target is not None]
    (thread,) = [p for c, p in follow_ups if c == CHANNEL]
    (crosspost,) = [p for c, p in follow_ups if c == CHANNEL + 1]
    assert thread.thread is not None and (thread.thread.name, thread.thread.auto_archive) == ("News 1", 10080)
    assert crosspost.crosspost and crosspost.thread is None
    posts = [p for c, p in rig.recorder.payloads if p.target is None and p.embeds]
    assert posts[0].thread is not None and posts[1].thread is None  # only the text channel wanted a thread


async def test_threads_and_publishing_are_refused_where_they_make_no_sense(rig: Rig) -> None:
    rig.server.set_feed("/rss", make_entries(3))
    forum = await rig.add(channel_kind="forum")
    text = await rig.add(channel=CHANNEL + 1)
    with pytest.raises(UserError, match="forum already gives"):
        await rig.service.set_threads(GUILD, forum, 1440)
    with pytest.raises(UserError, match="1 day or 1 week"):
        await rig.service.set_threads(GUILD, text, 60)
    with pytest.raises(UserError, match="announcement channel"):
        await rig.service.set_publish(GUILD, text, True)
    view = await rig.service.set_threads(GUILD, text, 1440)
    assert view.subscription.thread_archive == 1440
    view = await rig.service.set_threads(GUILD, text, None)
    assert view.subscription.thread_archive is None


def _with_build_date(site: NoValidators, built: list[str]) -> None:
    site.render = lambda: render_rss("Plain feed", site.entries).replace(
        b"<description>test feed</description>",
        f"<description>test feed{site.extra}</description><lastBuildDate>{built[0]}</lastBuildDate>".encode(),
    )


async def test_a_new_build_date_alone_costs_no_scan_and_anything_more_is_scanned(rig: Rig) -> None:
    """Only the channel's lastBuildDate changed: the entries fingerprint answers, the key scan does not run."""
    site = NoValidators(rig)
    site.entries = make_entries(5)
    built = ["Mon, 01 Dec 2026 10:00:00 GMT"]
    _with_build_date(site, built)
    counter = CountingParser(rig.service.parser)
    sub = await rig.add("/plain")
    assert (await rig.feed(sub)).entries_hash and counter.scans == 1
    built[0] = "Mon, 01 Dec 2026 10:05:00 GMT"
    report = await rig.cycle()
    assert (report.not_modified, report.changed_no_new, report.parsed) == (0, 1, 0)
    assert counter.scans == 1 and counter.parses == 0
    assert (await rig.feed(sub)).last_changed_at == int(rig.clock.now)
    # a new entry and a new date: the fingerprint differs, so the scan finds the entry and it is posted
    site.entries.insert(0, entry(1))
    built[0] = "Mon, 01 Dec 2026 10:10:00 GMT"
    report = await rig.cycle()
    assert report.parsed == 1 and report.new_entries == 1 and counter.scans == 2
    assert rig.recorder.titles() == ["News 1"]
    built[0] = "Tue, 02 Dec 2026 00:00:00 +0000"  # the fingerprint was taken again with the new entry
    report = await rig.cycle()
    assert report.changed_no_new == 1 and counter.scans == 2
    site.extra = ", ad slot 7"  # a change outside the dates is scanned, and still nothing new
    built[0] = "Tue, 02 Dec 2026 00:05:00 +0000"
    report = await rig.cycle()
    assert report.changed_no_new == 1 and counter.scans == 3 and counter.parses == 1
    assert rig.recorder.titles() == ["News 1"]


async def test_a_body_read_without_the_scan_clears_the_entries_fingerprint(rig: Rig) -> None:
    """A stored entries fingerprint belongs to one scanned body: a body feedparser read instead drops it."""
    site = NoValidators(rig)
    site.entries = make_entries(3)
    built = ["Mon, 01 Dec 2026 10:00:00 GMT"]
    _with_build_date(site, built)
    sub = await rig.add("/plain")
    assert (await rig.feed(sub)).entries_hash
    site.extra = " & more"  # a bare "&": not well-formed, the scan declines and feedparser reads it
    await rig.cycle()
    assert (await rig.feed(sub)).entries_hash is None


# -- polls with nothing new are recorded together --------------------------------------------------------


async def test_polls_with_nothing_new_are_recorded_in_one_transaction(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    subs = []
    for n in range(6):
        rig.server.set_feed(f"/f{n}", make_entries(2, prefix=f"F{n}"))
        subs.append(await rig.add(f"/f{n}"))
    batches: list[int] = []
    record = repo.record_successes

    async def counting(conn: Any, successes: Any) -> None:
        batches.append(len(successes))
        await record(conn, successes)

    monkeypatch.setattr(repo, "record_successes", counting)
    report = await rig.cycle()
    assert report.not_modified == 6 and sum(batches) == 6
    # polls whose fetches end in the same step of the event loop share one transaction
    rig.clock.advance(3600)
    feeds = [await rig.feed(sub) for sub in subs]
    reads = [await rig.service._fetch_and_read(feed) for feed in feeds]
    batches.clear()
    report = CycleReport()
    await asyncio.gather(
        *(rig.service._record_nothing_new(f, r, report) for f, r in zip(feeds, reads, strict=True))
    )
    assert batches == [6] and report.not_modified == 6
    for sub in subs:
        feed = await rig.feed(sub)
        assert feed.last_success_at == int(rig.clock.now) and feed.next_poll_at > rig.clock.now


async def test_a_record_that_fails_loses_no_other_feeds_record(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    subs = []
    for n in range(4):
        rig.server.set_feed(f"/f{n}", make_entries(2, prefix=f"F{n}"))
        subs.append(await rig.add(f"/f{n}"))
    broken = (await rig.feed(subs[2])).id
    record = repo.record_successes

    async def failing(conn: Any, successes: Any) -> None:
        if any(success.feed_id == broken for success in successes):
            raise RuntimeError("disk full")
        await record(conn, successes)

    monkeypatch.setattr(repo, "record_successes", failing)
    report = await rig.cycle()
    assert report.failed == 1 and report.not_modified == 4
    for n, sub in enumerate(subs):
        feed = await rig.feed(sub)
        if n == 2:
            assert feed.consecutive_failures == 1 and feed.last_success_at != int(rig.clock.now)
        else:
            assert feed.consecutive_failures == 0 and feed.last_success_at == int(rig.clock.now)
