"""The optional HTTP server: ``/healthz``, ``/readyz``, ``/metrics`` and ``/calendar/<token>.ics``.

Read-only by design: only GET/HEAD routes exist, and any request that carries a body is refused before a
handler runs (413 with a Content-Length, 400 when chunked), so nothing a client sends is ever read. Each
client address has a token bucket (429 with Retry-After when it is empty). Every request gets one access log
line of our own, with calendar tokens masked: a log shared in a bug report must not carry working links.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from domain.ics import ICS_MEDIA_TYPE
from services import metrics
from services.calendar import CalendarFeed, CalendarService
from services.health import HealthState, probe
from services.http.ratelimit import RateLimiter
from settings import HttpSettings, split_listen
from storage.db import Database

__all__ = ["HttpServer"]

log = logging.getLogger(__name__)
# Its own logger, so the one-line-per-request log can be filtered or routed apart from the bot's.
access_log = logging.getLogger("services.http.access")

#: Returns (messages pending in the outbox, age in seconds of the oldest one), queried at scrape time.
Backlog = Callable[[], Awaitable[tuple[int, float]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# secrets.token_urlsafe's alphabet; anything else cannot be a token and is answered like any missing page.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_CALENDAR_PATH = re.compile(r"^/calendar/[^/?]*")


def _not_found() -> web.Response:
    # One 404 for every miss (a missing page, a malformed, unknown or rotated token), so a response never
    # tells a prober whether a token was ever valid.
    return web.Response(status=404, text="404: Not Found")


def _masked(path: str) -> str:
    return _CALENDAR_PATH.sub("/calendar/<token>", path)


def _http_date(epoch: int) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, tz=UTC), usegmt=True)


def _not_modified(request: web.Request, feed: CalendarFeed) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or feed.etag in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return feed.last_modified <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError):
            return False
    return False


class HttpServer:
    """Started and stopped by ``services.container.Services`` when ``[http] listen`` is set."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        db: Database,
        health: HealthState,
        calendar: CalendarService,
        outbox_backlog: Backlog,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.health = health
        self.calendar = calendar
        self.outbox_backlog = outbox_backlog
        self.limiter = limiter or RateLimiter(settings.rate_per_minute / 60, settings.rate_burst)
        self._outbox = metrics.OutboxCollector()
        self._scrape_registry = CollectorRegistry(auto_describe=True)
        self._scrape_registry.register(self._outbox)
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        # client_max_size=1: nothing is ever read, but if a handler did read, aiohttp itself would refuse.
        app = web.Application(
            middlewares=[self._access_log, self._refuse_bodies, self._rate_limit], client_max_size=1
        )
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/calendar/{name}", self.calendar_feed)
        return app

    async def start(self) -> None:
        host, port = split_listen(self.settings.listen)
        self._runner = web.AppRunner(
            self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=2
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("HTTP server listening on %s (health, metrics, calendar)", self.settings.listen)

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("HTTP server on %s stopped", self.settings.listen)

    # -- middlewares -------------------------------------------------------------------------------

    @web.middleware
    async def _access_log(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.monotonic()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPNotFound:
            status = 404
            return _not_found()
        except web.HTTPException as exc:  # 405 for a POST, ...
            status = exc.status
            raise
        except Exception:
            log.exception("HTTP %s %s failed", request.method, _masked(request.path))
            return web.Response(status=500, text="500: Internal Server Error")
        finally:
            access_log.info(
                '%s "%s %s" %d %.1fms "%s"',
                request.remote,
                request.method,
                _masked(request.path),
                status,
                (time.monotonic() - started) * 1000,
                request.headers.get("User-Agent", "-")[:120],
            )

    @web.middleware
    async def _refuse_bodies(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("Transfer-Encoding", "").lower().strip() not in ("", "identity"):
            return web.Response(status=400, text="400: request bodies are not accepted")
        if request.content_length:
            return web.Response(status=413, text="413: request bodies are not accepted")
        return await handler(request)

    @web.middleware
    async def _rate_limit(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # Calendar apps and health checks get separate buckets: behind a reverse proxy both arrive from the
        # proxy's address, and a crowd of calendar apps must not starve the watchdog's /healthz into 429s.
        kind = "calendar" if request.path.startswith("/calendar/") else "ops"
        wait = self.limiter.acquire(f"{kind} {request.remote or '?'}")
        if wait > 0:
            return web.Response(
                status=429,
                text="429: too many requests",
                headers={"Retry-After": RateLimiter.retry_after(wait)},
            )
        return await handler(request)

    # -- handlers ----------------------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        healthy, body = await probe(self.health, self.db)
        return web.json_response(body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    async def readyz(self, request: web.Request) -> web.Response:
        body = {
            "ready": self.health.ready,
            "commands_synced": self.health.commands_synced,
            "guilds_ready": self.health.guilds_ready,
        }
        return web.json_response(
            body, status=200 if self.health.ready else 503, headers={"Cache-Control": "no-store"}
        )

    async def metrics(self, request: web.Request) -> web.Response:
        pending, oldest = await self.outbox_backlog()
        self._outbox.update(pending, oldest)
        latency = self.health.gateway_latency()
        if latency is not None:
            metrics.GATEWAY_LATENCY.set(latency)
        text = generate_latest(metrics.REGISTRY) + generate_latest(self._scrape_registry)
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def calendar_feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        token = name.removesuffix(".ics")
        if token == name or not _TOKEN.match(token):
            return _not_found()
        feed = await self.calendar.feed(token)
        if feed is None:
            return _not_found()
        headers = {
            "ETag": feed.etag,
            "Last-Modified": _http_date(feed.last_modified),
            # A secret link: shared caches must not keep it; apps may reuse it briefly.
            "Cache-Control": "private, max-age=300",
        }
        if _not_modified(request, feed):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = ICS_MEDIA_TYPE
        headers["Content-Disposition"] = 'inline; filename="club-screenings.ics"'
        return web.Response(body=feed.body, headers=headers)
