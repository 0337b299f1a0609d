"""Every Prometheus metric the bot exports, in one place (served at ``/metrics`` by :mod:`services.http`).

The metric objects live in :data:`REGISTRY`, a registry of our own rather than prometheus-client's global
one: the process's default collectors (GC, platform) stay out, and tests that start several bots in one
process share these counters without registering anything twice. Counters only grow, so tests compare
before and after. Label values are always from a fixed set (command names, error kinds, warning
categories), never user text, so the number of series stays bounded.

Code that cannot import this module (``storage`` sits below ``services``; ``cogs`` and ``bot.py`` may) is
given a callback instead, e.g. :attr:`storage.db.Database.write_observer`. The one-line hooks
(:func:`items_posted`, :func:`delivery_retried`, :func:`reminder_sent`) exist so that the sending code calls
one function and does not need to know about Prometheus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["REGISTRY", "OutboxCollector"]

REGISTRY = CollectorRegistry(auto_describe=True)

# Fetch and parse times span a fast 304 (milliseconds) to a slow host at the 30 s timeout.
_NETWORK_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)

FEED_FETCHES = Counter(
    "projectionist_feed_fetches_total",
    "Fetches through the guarded fetcher (feeds, and linked articles when [digest] fetch_full_article is "
    "on) by result: ok (new body), not_modified (304) or failed.",
    ["result"],
    registry=REGISTRY,
)
FEED_FAILURES = Counter(
    "projectionist_feed_failures_total",
    "Failed feed fetches and parses by reason (timeout, connection, http_status, parse_failed, ...).",
    ["reason"],
    registry=REGISTRY,
)
FETCH_SECONDS = Histogram(
    "projectionist_feed_fetch_seconds",
    "Time to fetch one feed, redirects included.",
    buckets=_NETWORK_BUCKETS,
    registry=REGISTRY,
)
PARSE_SECONDS = Histogram(
    "projectionist_feed_parse_seconds",
    "Time to parse one feed body in the worker pool, waiting for a free worker included.",
    buckets=_NETWORK_BUCKETS,
    registry=REGISTRY,
)
DIGEST_SECONDS = Histogram(
    "projectionist_digest_seconds",
    "Time to turn one feed entry into a post (summary, content warnings, optional article fetch).",
    buckets=_NETWORK_BUCKETS,
    registry=REGISTRY,
)
WARNINGS_EMITTED = Counter(
    "projectionist_content_warnings_total",
    "Content warnings put on rendered posts, by category.",
    ["category"],
    registry=REGISTRY,
)
FEED_POLLS = Counter(
    "projectionist_feed_polls_total",
    "Feed polls by outcome: not_modified (a 304, or a 200 with the same body as last time: no parse), "
    "changed_no_new (a new body whose entries are all known: scanned, not parsed), parsed (new entries) "
    "or failed.",
    ["result"],
    registry=REGISTRY,
)
ITEMS_POSTED = Counter("projectionist_items_posted_total", "Feed items posted to Discord.", registry=REGISTRY)
DELIVERY_RETRIES = Counter(
    "projectionist_delivery_retries_total",
    "Failed attempts to send a bot-initiated message that will be tried again.",
    registry=REGISTRY,
)
REMINDERS_SENT = Counter(
    "projectionist_reminders_sent_total", "Watch-party reminders sent.", registry=REGISTRY
)
VOTES_RECORDED = Counter(
    "projectionist_votes_recorded_total", "Poll votes recorded from reactions.", registry=REGISTRY
)
INTERACTIONS = Counter(
    "projectionist_interactions_total", "Slash commands handled, by command.", ["command"], registry=REGISTRY
)
INTERACTIONS_FAILED = Counter(
    "projectionist_interactions_failed_total",
    "Slash commands that ended in an error, by command and kind (expected: a user error answered "
    "with a short message; unexpected: a bug, logged with a traceback).",
    ["command", "kind"],
    registry=REGISTRY,
)
GATEWAY_LATENCY = Gauge(
    "projectionist_gateway_latency_seconds",
    "Time between the last gateway heartbeat and its acknowledgement.",
    registry=REGISTRY,
)
GATEWAY_CONNECTED = Gauge(
    "projectionist_gateway_connected", "1 while the gateway connection is up.", registry=REGISTRY
)
EVENT_LOOP_LAG = Histogram(
    "projectionist_event_loop_lag_seconds",
    "How late a 1-second timer on the event loop fires (the loop was busy with something else).",
    buckets=_FAST_BUCKETS,
    registry=REGISTRY,
)
DB_WRITE_SECONDS = Histogram(
    "projectionist_database_write_seconds",
    "Time a database write (transaction or single statement) took, waiting for the writer lock included.",
    buckets=_FAST_BUCKETS,
    registry=REGISTRY,
)


# -- one-line hooks for the sending code -----------------------------------------------------------


def items_posted(count: int) -> None:
    """``count`` feed items reached their channels (sent, or found there after a crash)."""
    if count:
        ITEMS_POSTED.inc(count)


def delivery_retried() -> None:
    """A send failed and will be retried later."""
    DELIVERY_RETRIES.inc()


def reminder_sent() -> None:
    """A watch-party reminder went out."""
    REMINDERS_SENT.inc()


def vote_recorded() -> None:
    VOTES_RECORDED.inc()


def warnings_emitted(categories: Iterable[str]) -> None:
    for category in categories:
        WARNINGS_EMITTED.labels(category=category).inc()


def interaction_failed(command: str, *, expected: bool) -> None:
    """A slash command ended in an error (it counts as handled too)."""
    INTERACTIONS.labels(command=command).inc()
    INTERACTIONS_FAILED.labels(command=command, kind="expected" if expected else "unexpected").inc()


def feed_polled(result: str) -> None:
    """One feed poll ended: ``not_modified``, ``changed_no_new``, ``parsed`` or ``failed``."""
    FEED_POLLS.labels(result=result).inc()


def fetch_failed(reason: str) -> None:
    FEED_FETCHES.labels(result="failed").inc()
    FEED_FAILURES.labels(reason=reason).inc()


def feed_failed(reason: str) -> None:
    """A fetched feed that could not be used (the fetch itself counted as ok)."""
    FEED_FAILURES.labels(reason=reason).inc()


class OutboxCollector(Collector):
    """The outbox backlog, as measured just before a scrape (``collect`` must be synchronous, the query is
    not, so the ``/metrics`` handler awaits the query and hands the numbers over with :meth:`update`)."""

    def __init__(self) -> None:
        self.pending = 0
        self.oldest_age = 0.0

    def update(self, pending: int, oldest_age: float) -> None:
        self.pending = pending
        self.oldest_age = oldest_age

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "projectionist_outbox_pending", "Messages waiting in the outbox to be sent.", value=self.pending
        )
        yield GaugeMetricFamily(
            "projectionist_outbox_oldest_age_seconds",
            "Age of the oldest message waiting in the outbox (0 when none).",
            value=self.oldest_age,
        )
