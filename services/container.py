"""Builds the services from settings and the shared resources, and starts/stops them together."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from services import metrics
from services.calendar import CalendarService
from services.club import ClubService
from services.delivery import Delivery
from services.digest import DigestService
from services.feedparse import FeedParser
from services.feeds import FeedService
from services.fetcher import Fetcher, FetchLimits
from services.fullarticle import ArticleExpander
from services.health import HealthState
from services.http import HttpServer
from services.polls import PollService
from services.watchparties import WatchPartyService
from settings import FeedSettings, Settings
from storage.backlog import outbox_backlog
from storage.db import Database

log = logging.getLogger(__name__)


def fetch_limits(feeds: FeedSettings) -> FetchLimits:
    return FetchLimits(
        total_timeout=feeds.timeout,
        connect_timeout=feeds.connect_timeout,
        max_bytes=feeds.max_bytes,
        max_redirects=feeds.max_redirects,
        allow_private_addresses=feeds.allow_private_addresses,
        user_agent=feeds.user_agent,
        per_host=feeds.per_host_concurrency,
        global_concurrency=feeds.concurrency,
    )


def feed_parser(feeds: FeedSettings) -> FeedParser:
    return FeedParser(
        max_workers=feeds.parse_workers,
        timeout=feeds.parse_timeout,
        memory_limit=feeds.parse_memory_mb * 1024 * 1024,
    )


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    delivery: Delivery
    club: ClubService
    fetcher: Fetcher
    parser: FeedParser
    digest: DigestService
    feeds: FeedService
    watchparties: WatchPartyService
    polls: PollService
    health: HealthState
    calendar: CalendarService
    http: HttpServer | None

    @classmethod
    def build(cls, settings: Settings, db: Database) -> Services:
        health = HealthState()
        club = ClubService(db, health=health)
        # The one outbox engine every bot-initiated message goes through; bot.py attaches its Discord port.
        delivery = Delivery(db, nonce_window=settings.discord.nonce_window)
        # The fetcher owns its own aiohttp session: its connector carries the address guard, which the
        # bot's general-purpose session must not have.
        fetcher = Fetcher(fetch_limits(settings.feeds))
        parser = feed_parser(settings.feeds)
        digest = DigestService(db, settings.digest)
        if settings.digest.fetch_full_article:
            digest.expand = ArticleExpander(fetcher).expand
        feeds = FeedService(db, settings.feeds, fetcher, parser, renderer=digest.render, delivery=delivery)
        watchparties = WatchPartyService(db, settings.watchparty, club, delivery=delivery)
        # Feed posts about films on the club's schedule go behind spoiler tags.
        digest.shield_provider = watchparties.shield_for
        club.add_status_provider(feeds.status_lines)
        club.add_status_provider(watchparties.status_lines)
        polls = PollService(db, settings.polls, delivery=delivery)
        club.add_status_provider(polls.status_lines)
        db.write_observer = metrics.DB_WRITE_SECONDS.observe
        calendar = CalendarService(db, settings.http, watchparties)

        async def backlog() -> tuple[int, float]:
            return await outbox_backlog(db, int(time.time()))

        http = (
            HttpServer(settings.http, db=db, health=health, calendar=calendar, outbox_backlog=backlog)
            if settings.http.listen
            else None
        )
        return cls(
            settings=settings,
            db=db,
            delivery=delivery,
            club=club,
            fetcher=fetcher,
            parser=parser,
            digest=digest,
            feeds=feeds,
            watchparties=watchparties,
            polls=polls,
            health=health,
            calendar=calendar,
            http=http,
        )

    async def start(self) -> None:
        """Start every service that keeps state (called from the bot's setup_hook before cogs load).

        This is the only place services start and stop: cogs only attach and detach their Discord adapters,
        so reloading a cog never restarts (or half-restarts) a service. tests/services/test_container.py
        checks that every service with a ``start``/``close`` is covered here.
        """
        await self.watchparties.start()
        await self.polls.start()  # loads the open polls for the vote path; cogs' resync reconciles later
        await self.health.start()
        if self.http is not None:
            try:
                await self.http.start()
            except OSError as exc:
                # The club's bot matters more than its status page: run on, and say why there is none.
                log.error(
                    "HTTP server: cannot listen on %s: %s; running without it", self.settings.http.listen, exc
                )
                self.http = None

    async def close(self) -> None:
        """Stop them in reverse order (called on shutdown after the cogs have unloaded)."""
        if self.http is not None:
            await self.http.close()
        await self.health.close()
        await self.watchparties.close()
        await self.fetcher.close()
        await asyncio.to_thread(self.parser.close)  # joins worker processes: keep it off the loop
