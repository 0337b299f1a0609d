"""No network I/O while the writer lock is held (issue 11): ``Database.transaction`` is instrumented, and every
await on a Discord port, the feed fetcher, the feed parser or the feed renderer (which may fetch the full
article over HTTP) made inside it is a failure. The feed cycle, reminders, poll closing and watch-party
scheduling, cancelling and RSVPs run through it with the same in-process fakes as their own tests.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

import aiosqlite
import pytest

from services.delivery import Delivery, Payload
from services.digest import DigestService
from services.feedparse import FeedParser
from services.feeds import FeedService
from services.fetcher import Fetcher, FetchLimits
from settings import DigestSettings, FeedSettings
from storage.db import Database, PostgresDatabase
from tests.feedserver import FeedServer, make_entries
from tests.helpers.clock import FakeClock
from tests.helpers.ports import FakeNotifier, FakePollDiscord, FakeWatchPartyDiscord
from tests.services import test_feeds, test_polls, test_watchparties

_inside: ContextVar[bool] = ContextVar("inside_transaction", default=False)


class Violations(list[str]):
    def check(self, what: str) -> None:
        if _inside.get():
            self.append(what)


@pytest.fixture
def violations(monkeypatch: pytest.MonkeyPatch) -> Violations:
    found = Violations()
    # both backends hold their writer lock for the length of transaction()
    for backend in (Database, PostgresDatabase):
        monkeypatch.setattr(backend, "transaction", _instrument(backend.transaction))
    return found


def _instrument(original: Any) -> Any:
    @asynccontextmanager
    async def instrumented(self: Any) -> AsyncIterator[aiosqlite.Connection]:
        async with original(self) as conn:
            token = _inside.set(True)
            try:
                yield conn
            finally:
                _inside.reset(token)

    return instrumented


def guarded(inner: Any, name: str, found: Violations) -> Any:
    """``inner`` with every coroutine method checking, before it runs, that no transaction is open."""

    class Guarded:
        def __getattr__(self, attr: str) -> Any:
            value = getattr(inner, attr)
            if not inspect.iscoroutinefunction(value):
                return value

            @functools.wraps(value)
            async def call(*args: Any, **kwargs: Any) -> Any:
                found.check(f"{name}.{attr}")
                return await value(*args, **kwargs)

            return call

    return Guarded()


def guard_method(obj: Any, attr: str, name: str, found: Violations) -> None:
    method: Callable[..., Any] = getattr(obj, attr)

    async def call(*args: Any, **kwargs: Any) -> Any:
        found.check(name)
        return await method(*args, **kwargs)

    setattr(obj, attr, call)


async def test_the_instrument_sees_an_await_inside_a_transaction(
    any_db: Database, violations: Violations
) -> None:
    """The check itself works (so the tests below can fail)."""
    async with nullcontext(any_db) as db:
        port = guarded(FakePollDiscord(), "port", violations)
        async with db.transaction():
            await port.find(10, Payload(content="x"), 0)
        await port.find(10, Payload(content="x"), 0)
    assert violations == ["port.find"]


async def test_feed_cycle_renders_fetches_and_delivers_outside_transactions(
    any_db: Database, violations: Violations
) -> None:
    settings = FeedSettings(interval=600, min_interval=60, posts_per_channel_per_cycle=5)
    clock = FakeClock()
    async with FeedServer() as server, nullcontext(any_db) as db:
        fetcher = Fetcher(FetchLimits(allow_private_addresses=True, total_timeout=3, connect_timeout=2))
        parser = FeedParser(max_workers=1, timeout=10)
        digest = DigestService(db, DigestSettings())

        async def full_article(*args: Any, **kwargs: Any) -> Any:  # what fetch_full_article would do
            violations.check("renderer (full-article fetch)")
            return await digest.render(*args, **kwargs)

        service = FeedService(
            db,
            settings,
            fetcher,
            parser,
            renderer=full_article,
            clock=clock,
            delivery=Delivery(db, clock=clock, backoff_base=0),
        )
        guard_method(fetcher, "fetch", "fetcher.fetch", violations)
        guard_method(parser, "parse", "parser.parse", violations)
        recorder = FakeNotifier()
        port = guarded(recorder, "discord", violations)
        service.attach(port, port)
        try:
            server.set_feed("/rss", make_entries(3))
            await service.add(
                guild_id=1, channel_id=10, url=server.url("/rss"), name=None, user_id=9, backfill=2
            )
            server.add_entry("/rss", test_feeds.entry(1))
            server.add_entry("/rss", test_feeds.entry(2))
            clock.advance(3600)
            report = await service.run_cycle()
        finally:
            await fetcher.close()
            parser.close()
    assert report.delivered == 4 and len(recorder.messages) == 4
    assert violations == []


async def test_reminders_scheduling_rsvps_and_cancelling_call_discord_outside_transactions(
    any_db: Database, violations: Violations
) -> None:
    async with nullcontext(any_db) as db:
        clock = FakeClock(test_watchparties.NOW)
        club = test_watchparties.ClubService(db, clock=clock)
        service = test_watchparties.WatchPartyService(
            db,
            test_watchparties.WatchPartySettings(),
            club,
            clock=clock,
            delivery=Delivery(db, clock=clock, backoff_base=0),
        )
        recorder = FakeWatchPartyDiscord()
        port = guarded(recorder, "discord", violations)
        service.attach(port, port)
        request = test_watchparties.ScheduleRequest(
            guild_id=1, user_id=9, invoked_channel_id=10, film="Alien", when="friday 8pm", capacity=1
        )
        party = (await service.schedule(request)).view.party
        await service.rsvp(1, party.id, 1001, "going")
        await service.rsvp(1, party.id, 1002, "going")
        result = await service.rsvp(1, party.id, 1001, "no")
        await service.announce_promotions(result.view.party, result.promoted)
        clock.set(party.start_at - 3600)
        assert (await service.run_due()).fired >= 1
        clock.set(party.end_at + 60)
        await service.run_due()  # the discussion thread and its opener
        second = (await service.schedule(request)).view.party
        await service.cancel(1, second.id, 9, reason="no projector")
        await service.close()
    assert len(recorder.announcements) == 2 and recorder.threads
    assert any("seat opened" in t for t in recorder.texts()) and any(
        "is cancelled" in t for t in recorder.texts()
    )
    assert violations == []


async def test_poll_close_and_results_call_discord_outside_transactions(
    any_db: Database, violations: Violations
) -> None:
    async with nullcontext(any_db) as db:
        env = test_polls.Env(db, FakeClock())
        port = guarded(env.port, "discord", violations)
        env.service.attach(port, test_polls.BOT, port)
        await env.service.start()
        poll = await env.create(duration="1m")
        await env.add(poll, 1, 0)
        closing = await env.create(duration="1h")
        await env.service.close(test_polls.GUILD, closing.id, user_id=test_polls.CREATOR, can_moderate=False)
        env.clock.now += 61
        report = await env.service.run_due()
    assert report.closed == 1 and len(env.port.channel) == 2
    assert violations == []
