"""Feed subscriptions and the polling engine: fetch politely, record new entries, post each exactly once.

The Discord side is the delivery port (:mod:`services.delivery`) and the :class:`Notifier` implemented by
the feeds cog, so this module never imports discord and the whole engine runs in tests and benchmarks against
an in-process recorder or the fake Discord.

Exactly-once: a poll renders the new entries' posts first (the renderer may fetch the full article: never
inside a transaction), then records the entries as seen *and* enqueues their posts in the one outbox of
:mod:`services.delivery` in one transaction. The delivery module sends each exactly once (nonce, first
attempt recorded, a late retry looks in the channel first). On startup the outbox is drained before
anything is polled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, overload

from domain import feedrules, netguard
from domain.errors import UserError
from domain.feedkeys import KeyScan, entries_fingerprint, entries_unchanged, without_entries
from domain.forumposts import PostInfo
from domain.markdown import escape_markdown
from domain.models import Feed, NewEntry, Subscription, SubscriptionStatus, SubscriptionView
from services import metrics
from services.delivery import Delivery, DeliveryPort, DeliveryReport, KindHandler, Payload, ThreadSpec
from services.feedparse import INLINE_SCAN_LIMIT, FeedParser, ParsedFeed
from services.fetcher import Fetcher, FetchError, FetchResult
from settings import FeedSettings
from storage import club as club_repo
from storage import feeds as repo
from storage import leases
from storage.db import Connection, Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

# The outbox kind of feed posts (owner: the subscription, part: the entry id).
FEED_POST = "feed_post"
# Moderator notices (a feed paused, failing, working again; the flood prompt). Owner: the subscription's
# channel, where a notice goes when the guild's notices channel refuses it.
FEED_NOTICE = "feed_notice"
# What follows a delivered post (owner: the subscription, part: the entry id): the public thread under it
# (text channels with /feed threads on) and its crosspost (announcement channels with /feed publish on).
FEED_THREAD = "feed_thread"
FEED_CROSSPOST = "feed_crosspost"
#: Auto-archive choices for threads under posts, in minutes (Discord's: 1 hour, 1 day, 3 days, 1 week).
THREAD_ARCHIVE_CHOICES = (1440, 10080)
# The flood breaker only trips for feeds with history and at least this many new items at once.
FLOOD_MIN_ITEMS = 5

# What a poll had to read of a feed (issue 13): each costs more than the one before.
NOT_MODIFIED = "not_modified"  # 304: no body
UNCHANGED_200 = "unchanged_200"  # 200 with the body of the last poll (fingerprint): no parse
CHANGED_NO_NEW = "changed_no_new"  # another body, but the key scan finds no new entry: no parse
# Polls with nothing new recorded in one transaction at most (``_record_nothing_new``).
RECORD_BATCH = 500
PARSED = "parsed"  # new keys, or a body the scan declined: feedparser reads it


class Notifier(Protocol):
    def flood_payload(self, subscription_id: int, name: str, count: int, channel_id: int) -> Payload:
        """Render the question to the moderators: post or skip ``count`` items held for ``channel_id``
        (pure: it is stored in the outbox with the held posts)."""
        ...


Renderer = Callable[[Mapping[str, Any], str | None, Subscription], Awaitable[dict[str, Any]]]
_R = TypeVar("_R")
TestRenderer = Callable[[Mapping[str, Any], str | None, Subscription], Awaitable[_R]]


@dataclass(frozen=True, slots=True)
class AddResult:
    subscription_id: int
    title: str
    url: str
    item_count: int
    backfilled: int
    shared: bool


@dataclass(frozen=True, slots=True)
class FeedRead:
    """A fetched feed, read only as far as needed to know whether it has new entries."""

    kind: str  # NOT_MODIFIED, UNCHANGED_200, CHANGED_NO_NEW or PARSED
    result: FetchResult  # without its body
    fingerprint: str | None = None  # of the body (None for a 304)
    parsed: ParsedFeed | None = None  # only for PARSED: the whole feed, or only its new entries
    entries_in_feed: int | None = None  # distinct entries in the feed when ``parsed`` has only the new ones
    # The body's entries fingerprint to store ("" clears the stored one), None to keep the stored one.
    entries_hash: str | None = None


def body_fingerprint(result: FetchResult) -> str:
    """The fingerprint of a fetched body and of what decides how it parses (its content type and URL).

    SHA-256 runs at 1.5 GB/s with the CPU's SHA instructions (40 µs for a 58 KB feed, twice as fast as
    BLAKE2b here), next to 10-35 ms for its parse.
    """
    digest = hashlib.sha256()
    digest.update(f"{result.content_type or ''}\n{result.final_url}\n".encode())
    digest.update(result.body or b"")
    return digest.hexdigest()[:32]


@dataclass(slots=True)
class CycleReport:
    polled: int = 0
    # 304s and bodies identical to the last one: neither is parsed
    not_modified: int = 0
    # bodies that changed without a new entry (the key scan says so): not parsed either
    changed_no_new: int = 0
    # bodies feedparser read (new entries, or a body the scan could not read with certainty)
    parsed: int = 0
    failed: int = 0
    new_entries: int = 0
    delivered: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        """Whether the cycle did anything worth recording in the loop's health."""
        return bool(self.polled or self.delivered or self.errors)

    def summary(self) -> str:
        text = (
            f"{self.polled} polled, {self.not_modified} unchanged, {self.changed_no_new} changed without "
            f"new items, {self.parsed} parsed, {self.failed} failed, {self.new_entries} new, "
            f"{self.delivered} posted"
        )
        return text


async def plain_renderer(
    entry: Mapping[str, Any], feed_title: str | None, sub: Subscription
) -> dict[str, Any]:
    """Title + link, used until a richer renderer is plugged in (and by tests)."""
    title = escape_markdown(str(entry.get("title") or "(untitled)"), limit=200)
    link = str(entry.get("link") or "")
    return {"content": f"**{title}**\n{link}".strip()[:2000], "allowed_mentions": {"parse": []}}


def display_url(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


class FeedService:
    def __init__(
        self,
        db: Database,
        settings: FeedSettings,
        fetcher: Fetcher,
        parser: FeedParser,
        *,
        renderer: Renderer = plain_renderer,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        delivery: Delivery | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.fetcher = fetcher
        self.parser = parser
        self.renderer = renderer
        self.clock = clock
        self.rng = rng or random.Random()
        # Shared with the other services in the bot (Services.build); a service built alone gets its own.
        self.delivery = delivery or Delivery(db, clock=clock)
        self.delivery.register(
            FEED_POST, KindHandler(on_delivered=self._post_delivered, on_failed=self._post_failed)
        )
        self.delivery.register(FEED_THREAD, KindHandler(on_failed=self._follow_up_failed))
        self.delivery.register(FEED_CROSSPOST, KindHandler(on_failed=self._follow_up_failed))
        self.delivery.register(FEED_NOTICE, KindHandler(on_failed=self._notice_failed))
        self.notifier: Notifier | None = None
        self._cycle_lock = asyncio.Lock()
        # Fetched bodies wait for a parser worker; without a bound a cycle over many fast feeds would fetch
        # them all first and hold every body in memory at once (memory growing with the number of feeds).
        # Twice the fetch concurrency keeps the fetcher busy while the parsers catch up.
        self._pipeline = asyncio.Semaphore(2 * fetcher.limits.global_concurrency)
        self.last_cycle: CycleReport | None = None
        self._pending_records: list[tuple[repo.Success, asyncio.Future[None]]] = []
        self._record_flusher: asyncio.Task[None] | None = None

    def attach(self, poster: DeliveryPort | None, notifier: Notifier) -> None:
        """``poster``: the delivery port, when this service's delivery is not attached elsewhere (tests)."""
        if poster is not None:
            self.delivery.attach(poster)
        self.notifier = notifier

    def detach(self) -> None:
        self.notifier = None

    def _now(self) -> int:
        return int(self.clock())

    # -- scheduling maths -------------------------------------------------------------------------

    def _next_poll(self, now: int, result: FetchResult | None = None) -> int:
        delay = feedrules.jittered_interval(self.settings.interval, self.rng)
        if result is not None:
            for hint in (result.max_age, result.retry_after):
                if hint:
                    delay = max(delay, hint)
        return now + int(max(delay, self.settings.min_interval))

    # -- commands ---------------------------------------------------------------------------------

    async def _fetch_and_parse(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> tuple[FetchResult, ParsedFeed | None]:
        async with self._pipeline:
            result = await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)
            if result.not_modified or result.body is None:
                return result, None
            parsed = await self.parser.parse(
                result.body, content_type=result.content_type, url=result.final_url
            )
        return dataclasses.replace(result, body=None), parsed  # the parsed form is what is kept

    async def add(
        self,
        *,
        guild_id: int,
        channel_id: int,
        url: str,
        name: str | None,
        user_id: int,
        backfill: int = 0,
        channel_kind: str = "text",
    ) -> AddResult:
        """Validate, fetch once, record a baseline (posting nothing but ``backfill`` newest items)."""
        if not 0 <= backfill <= 5:
            raise UserError("backfill must be between 0 and 5.")
        try:
            target = self.fetcher.check(url.strip())
        except netguard.BlockedURL as exc:
            raise UserError("I can't use that URL: {reason}", reason=exc) from None
        url = target.url
        existing = await repo.get_feed_by_url(self.db, url)
        if existing is not None:
            for sub in await repo.subscriptions_for_feed(self.db, existing.id, active_only=False):
                if sub.channel_id == channel_id:
                    raise UserError(
                        f"<#{channel_id}> already follows that feed (as “{{name}}”, id {sub.id}).",
                        name=sub.name,
                    )
        try:
            result, fingerprint, scan, parsed = await self._fetch_for_subscription(
                url, name=name, backfill=backfill
            )
        except FetchError as exc:
            raise UserError("I couldn't add that feed: {reason}", reason=exc.reason) from None
        if parsed is not None and not parsed.entries and parsed.bozo:
            raise UserError(
                "I couldn't add that feed: {reason}",
                reason=parsed.bozo_reason or "it is not an RSS or Atom feed",
            )
        stored_url = result.permanent_url or url
        title = ((parsed.title if parsed is not None else scan and scan.title) or "").strip() or stored_url
        now = self._now()
        if parsed is not None:
            entries = self._entries_oldest_first(parsed.entries)
            item_count = len(parsed.entries)
        else:
            # The baseline only needs the keys (a baseline entry is never posted, so its title, link and
            # date are not needed either); oldest first and de-duplicated like _entries_oldest_first.
            assert scan is not None
            entries = [(NewEntry(key, None, None, None), {}) for key in dict.fromkeys(reversed(scan.keys))]
            item_count = len(scan.keys)
        # The backfilled posts are rendered before the transaction (the renderer may fetch full articles);
        # the subscription's id is not part of a rendering.
        draft = Subscription(
            0,
            0,
            guild_id,
            channel_id,
            name or title,
            None,
            None,
            False,
            SubscriptionStatus.ACTIVE,
            None,
            now,
            channel_kind=channel_kind,
        )
        rendered = (
            [(new_entry, await self._render(raw, title, draft)) for new_entry, raw in entries[-backfill:]]
            if backfill
            else []
        )
        async with self.db.transaction() as conn:
            feed = await repo.get_feed_by_url(conn, stored_url)
            shared = feed is not None
            if feed is None:
                feed_id = await repo.create_feed(
                    conn,
                    stored_url,
                    title=title,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    next_poll_at=self._next_poll(now, result),
                    now=now,
                    body_hash=fingerprint[0],
                    entries_hash=fingerprint[1],
                    note=self._bozo_note(parsed),
                )
            else:
                feed_id = feed.id
            try:
                sub_id = await repo.add_subscription(
                    conn,
                    feed_id=feed_id,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    name=(name or title).strip()[:100] or title[:100],
                    created_by=user_id,
                    now=now,
                    channel_kind=channel_kind,
                )
            except repo.DuplicateSubscription:
                raise UserError(f"<#{channel_id}> already follows that feed.") from None
            await repo.insert_entries(conn, feed_id, [e for e, _ in entries], now)
            backfilled = 0
            if rendered:
                ids = await repo.entry_ids(conn, feed_id, [e.key for e, _ in rendered])
                for new_entry, payload in rendered:
                    entry_id = ids.get(new_entry.key)
                    if entry_id is None:
                        continue
                    await self._enqueue(conn, sub_id, entry_id, channel_id, payload, held=False)
                    backfilled += 1
        log.info(
            "feed %s (%s) subscribed in channel %s of guild %s by %s as subscription %s",
            feed_id,
            stored_url,
            channel_id,
            guild_id,
            user_id,
            sub_id,
        )
        return AddResult(sub_id, title, stored_url, item_count, backfilled, shared)

    async def _fetch_for_subscription(
        self, url: str, *, name: str | None, backfill: int
    ) -> tuple[FetchResult, tuple[str, str | None], KeyScan | None, ParsedFeed | None]:
        """Fetch a feed to subscribe to; read it with the key scan when that is all the baseline needs.

        feedparser still reads it for a backfill (the posts need whole entries), when the scan declines,
        and when no name was given and the scan found no plain title to name the subscription by. Returns
        the result without its body, the body's fingerprint and entries fingerprint (``entries_fingerprint``,
        only when scanned), and the scan without its document: many
        subscriptions can wait for the database at once, and each should hold only its keys then.
        """
        async with self._pipeline:
            result = await self.fetcher.fetch(url)
            body = result.body or b""  # a 304 to a request without validators: an empty, unusable answer
            fingerprint = body_fingerprint(result)
            result = dataclasses.replace(result, body=None)
            content_type, final_url = result.content_type, result.final_url
            scan = (
                None if backfill else await self.parser.scan(body, content_type=content_type, url=final_url)
            )
            if scan is not None and (name or scan.title):
                fingerprints = (
                    fingerprint,
                    entries_fingerprint(scan, content_type=content_type, url=final_url),
                )
                return (
                    result,
                    fingerprints,
                    dataclasses.replace(scan, document=b"", spans=(), volatile=()),
                    None,
                )
            parsed = await self.parser.parse(body, content_type=content_type, url=final_url)
        return result, (fingerprint, None), None, parsed

    async def _view(self, guild_id: int, subscription_id: int) -> SubscriptionView:
        view = await repo.get_subscription(self.db, guild_id, subscription_id)
        if view is None:
            raise UserError(f"No feed subscription with id {subscription_id} in this server.")
        return view

    async def get(self, guild_id: int, subscription_id: int) -> SubscriptionView:
        """A subscription of this guild; a UserError naming the id if there is none."""
        return await self._view(guild_id, subscription_id)

    async def remove(self, guild_id: int, subscription_id: int) -> SubscriptionView:
        view = await self._view(guild_id, subscription_id)
        async with self.db.transaction() as conn:
            await repo.remove_subscription(conn, subscription_id)
        return view

    async def pause(self, guild_id: int, subscription_id: int, user_id: int) -> SubscriptionView:
        view = await self._view(guild_id, subscription_id)
        async with self.db.transaction() as conn:
            await repo.set_subscription_status(conn, subscription_id, "paused", f"paused by <@{user_id}>")
        return view

    async def resume(self, guild_id: int, subscription_id: int) -> SubscriptionView:
        """Resume a subscription paused by a moderator or broken by Discord, and its feed if paused."""
        view = await self._view(guild_id, subscription_id)
        now = self._now()
        async with self.db.transaction() as conn:
            await repo.set_subscription_status(conn, subscription_id, "active", None)
            if view.feed.status == "paused":
                await repo.resume_feed(conn, view.feed.id, now)
        return view

    async def set_filter(
        self, guild_id: int, subscription_id: int, include: str | None, exclude: str | None
    ) -> SubscriptionView:
        await self._view(guild_id, subscription_id)
        include = (include or "").strip() or None
        exclude = (exclude or "").strip() or None
        try:
            feedrules.compile_filter(include, exclude)
        except ValueError as exc:
            raise UserError("That filter doesn't work: {reason}", reason=exc) from None
        async with self.db.transaction() as conn:
            await repo.set_filters(conn, subscription_id, include, exclude)
        return await self._view(guild_id, subscription_id)

    async def set_force_spoiler(self, guild_id: int, subscription_id: int, value: bool) -> SubscriptionView:
        await self._view(guild_id, subscription_id)
        async with self.db.transaction() as conn:
            await repo.set_force_spoiler(conn, subscription_id, value)
        return await self._view(guild_id, subscription_id)

    async def set_threads(
        self, guild_id: int, subscription_id: int, archive_minutes: int | None
    ) -> SubscriptionView:
        """A public thread under each new post (text and announcement channels), or none (``None``)."""
        view = await self._view(guild_id, subscription_id)
        if archive_minutes is not None:
            if view.subscription.channel_kind not in ("text", "announcement"):
                raise UserError(
                    "Threads under posts are for text and announcement channels; a forum already gives "
                    "every article its own post."
                )
            if archive_minutes not in THREAD_ARCHIVE_CHOICES:
                raise UserError("Threads can auto-archive after 1 day or 1 week.")
        async with self.db.transaction() as conn:
            await repo.set_threads(conn, subscription_id, archive_minutes)
        return await self._view(guild_id, subscription_id)

    async def set_publish(self, guild_id: int, subscription_id: int, value: bool) -> SubscriptionView:
        """Publish each new post to following servers (announcement channels only)."""
        view = await self._view(guild_id, subscription_id)
        if value and view.subscription.channel_kind != "announcement":
            raise UserError(
                f"Only posts in an announcement channel can be published; <#{view.subscription.channel_id}> "
                "is not one."
            )
        async with self.db.transaction() as conn:
            await repo.set_publish(conn, subscription_id, value)
        return await self._view(guild_id, subscription_id)

    async def subscriptions(self, guild_id: int, channel_id: int | None = None) -> list[SubscriptionView]:
        return await repo.list_subscriptions(self.db, guild_id, channel_id)

    async def choices(self, guild_id: int, prefix: str) -> list[tuple[int, str]]:
        needle = prefix.strip().lower()
        out = []
        for view in await repo.list_subscriptions(self.db, guild_id):
            label = f"#{view.subscription.id} {view.subscription.name} — {display_url(view.feed.url)}"
            if not needle or needle in label.lower():
                out.append((view.subscription.id, label[:100]))
        return out[:25]

    @overload
    async def test(self, guild_id: int, subscription_id: int) -> dict[str, Any]: ...

    @overload
    async def test(self, guild_id: int, subscription_id: int, render: TestRenderer[_R]) -> _R: ...

    async def test(self, guild_id: int, subscription_id: int, render: TestRenderer[Any] | None = None) -> Any:
        """Render the newest item privately; posts nothing and changes nothing. ``render`` replaces the
        feed's renderer, e.g. by one that also says why the post looks the way it does (``/feed test``)."""
        view = await self._view(guild_id, subscription_id)
        try:
            _, parsed = await self._fetch_and_parse(view.feed.url)
        except FetchError as exc:
            raise UserError("Fetching the feed failed: {reason}", reason=exc.reason) from None
        assert parsed is not None
        if not parsed.entries:
            raise UserError("The feed has no items right now.")
        newest = self._entries_oldest_first(parsed.entries)[-1][1]
        return await (render or self.renderer)(newest, parsed.title or view.feed.title, view.subscription)

    async def release_held(self, guild_id: int, subscription_id: int, post: bool) -> int:
        await self._view(guild_id, subscription_id)
        async with self.db.transaction() as conn:
            return await repo.release_held(conn, subscription_id, post)

    async def status_lines(self, guild_id: int) -> dict[str, str]:
        counts = await repo.count_feeds(self.db, guild_id)
        total = sum(counts.values())
        detail = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
        lines = {"Feeds": f"{total} ({detail})"}
        last = await repo.last_poll(self.db)
        if last is not None and last.last_polled_at:
            result = "ok" if last.consecutive_failures == 0 else f"failed: {last.last_error}"
            lines["Last feed poll"] = f"<t:{last.last_polled_at}:R>: {result}"[:1024]
        if self.last_cycle is not None:
            lines["Feed loop"] = self.last_cycle.summary()
        return lines

    # -- the engine -------------------------------------------------------------------------------

    def _entries_oldest_first(
        self, entries: Sequence[Mapping[str, Any]]
    ) -> list[tuple[NewEntry, Mapping[str, Any]]]:
        """Feeds list newest first by convention; reverse, then sort by date where every entry has one."""
        items: list[tuple[NewEntry, Mapping[str, Any]]] = []
        seen: set[str] = set()
        for raw in reversed(entries):
            key = feedrules.entry_key(raw)
            if key in seen:
                continue
            seen.add(key)
            items.append(
                (
                    NewEntry(
                        key=key,
                        title=str(raw.get("title") or "")[:300] or None,
                        link=str(raw.get("link") or "")[:1000] or None,
                        published_at=feedrules.entry_timestamp(raw),
                    ),
                    raw,
                )
            )
        if items and all(e.published_at is not None for e, _ in items):
            items.sort(key=lambda pair: pair[0].published_at or 0)
        return items

    async def run_cycle(self) -> CycleReport:
        """One pass: drain the outbox, poll every due feed (each isolated), deliver what is new."""
        async with self._cycle_lock:  # no overlapping runs
            report = CycleReport()
            await self.deliver(report)
            # Due feeds come in batches (due_feeds has a limit); a feed polled in this cycle gets a next poll
            # after ``now``, so the loop ends, and ``polled`` guards against one whose update failed.
            now = self._now()
            polled: set[int] = set()
            while True:
                due = [f for f in await repo.due_feeds(self.db, now) if f.id not in polled]
                if not due:
                    break
                polled.update(f.id for f in due)
                # Other processes poll too: each feed is fetched by whoever claims it. The lease is kept until
                # it expires, so a process whose due list was read just before another polled the feed finds
                # it still taken; a process that dies mid-poll leaves its feeds to the others after that.
                mine = await leases.claim(self.db, "feed", [f.id for f in due], now)
                due = [f for f in due if f.id in mine]
                await asyncio.gather(*(self._poll_isolated(feed, report) for feed in due))
            await self.deliver(report)
            await leases.sweep(self.db, now)
            self.last_cycle = report
            return report

    async def _poll_isolated(self, feed: Feed, report: CycleReport) -> None:
        try:
            await self.poll_feed(feed, report)
        except Exception as exc:  # one bad feed never stops the loop
            log.exception("feed %s (%s): unexpected error while polling", feed.id, feed.url)
            report.failed += 1
            report.errors.append(f"feed {feed.id}: {exc!r}"[:200])
            try:
                await self._record_failure(feed, f"internal error: {type(exc).__name__}", None, gone=False)
            except Exception:
                log.exception("feed %s: could not record the failure", feed.id)

    async def _record_nothing_new(self, feed: Feed, read: FeedRead, report: CycleReport) -> None:
        """Record a poll that found nothing new, in one transaction with the others of this loop step.

        Thousands of 304s in a cycle would otherwise cost a transaction (and its hops to the database's
        thread) each. The records wait for the next step of the event loop, which only collects what the
        polls finishing meanwhile add; nothing here touches the network.
        """
        if read.kind == CHANGED_NO_NEW:
            report.changed_no_new += 1
            metrics.feed_polled("changed_no_new")
        else:
            report.not_modified += 1
            metrics.feed_polled("not_modified")
        now, result = self._now(), read.result
        fresh_body = read.kind != NOT_MODIFIED  # a 200's validators replace the stored ones
        success = repo.Success(
            feed.id,
            now,
            self._next_poll(now, result),
            etag=result.etag if fresh_body else result.etag or feed.etag,
            last_modified=result.last_modified if fresh_body else result.last_modified or feed.last_modified,
            url=result.permanent_url if fresh_body else None,
            body_hash=read.fingerprint if read.kind == CHANGED_NO_NEW else None,
            keep_note=read.kind == UNCHANGED_200 and not feed.consecutive_failures,
            entries_hash=read.entries_hash,
        )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending_records.append((success, done))
        if self._record_flusher is None or self._record_flusher.done():
            self._record_flusher = asyncio.create_task(self._flush_records())
        await done
        await self._after_success(feed)

    async def _flush_records(self) -> None:
        """Write the pending records of polls with nothing new, a batch per transaction.

        A batch that fails is written again one feed per transaction, so a feed whose record cannot be
        written fails its own poll (``_poll_isolated`` records that) and loses no other feed's record.
        """
        await asyncio.sleep(0)  # let the polls finishing in this loop step join the batch
        while self._pending_records:
            batch = self._pending_records[:RECORD_BATCH]
            del self._pending_records[:RECORD_BATCH]
            try:
                try:
                    async with self.db.transaction() as conn:
                        await repo.record_successes(conn, [success for success, _ in batch])
                except Exception:
                    log.warning("recording %d polls together failed, recording them one by one", len(batch))
                    for success, done in batch:
                        try:
                            async with self.db.transaction() as conn:
                                await repo.record_successes(conn, [success])
                        except Exception as exc:
                            if not done.done():  # done: its poll was cancelled meanwhile
                                done.set_exception(exc)
                        else:
                            if not done.done():
                                done.set_result(None)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
            finally:
                for _, done in batch:  # cancelled mid-batch (shutdown): the polls waiting on it must end
                    done.cancel()

    # Longer than most: render-before-transaction, the flood decision and the recording of new entries
    # must see one consistent list of entries, and splitting them apart would pass that list through
    # several helpers without making any of them testable on its own.
    async def poll_feed(self, feed: Feed, report: CycleReport | None = None) -> None:
        report = report or CycleReport()
        report.polled += 1
        try:
            read = await self._fetch_and_read(feed)
        except FetchError as exc:
            report.failed += 1
            metrics.feed_polled("failed")
            log.info("feed %s (%s): fetch failed: %s", feed.id, feed.url, exc.reason)
            await self._record_failure(feed, exc.reason, exc.retry_after, gone=exc.kind == "gone")
            return
        now = self._now()
        result, parsed = read.result, read.parsed
        if parsed is None:  # nothing new (304, the same body, or no new key): costs no parse
            await self._record_nothing_new(feed, read, report)
            return
        report.parsed += 1
        if not parsed.entries and parsed.bozo:
            report.failed += 1
            metrics.feed_polled("failed")
            await self._record_failure(
                feed, parsed.bozo_reason or "not an RSS or Atom feed", result.retry_after, gone=False
            )
            return
        metrics.feed_polled("parsed")
        entries = self._entries_oldest_first(parsed.entries)
        # Render before the transaction (the renderer may fetch the full article over HTTP, and the writer
        # lock must never wait on the network); the transaction then only writes. A feed is never polled twice
        # at once (the cycle lock), so what is new now is still new when the transaction starts.
        known = await repo.known_keys(self.db, feed.id, [e.key for e, _ in entries])
        candidates = [(e, raw) for e, raw in entries if e.key not in known]
        subs = await repo.subscriptions_for_feed(self.db, feed.id)
        notice_channels = await self._notice_channels(subs)
        rendered: dict[tuple[int, str], Payload] = {}
        for sub in subs if candidates else ():
            entry_filter = feedrules.compile_filter(sub.include_filter, sub.exclude_filter)
            for entry, raw in candidates:
                if entry_filter.matches(raw):
                    rendered[(sub.id, entry.key)] = await self._render(raw, parsed.title or feed.title, sub)
                    if len(rendered) % 8 == 0:
                        await asyncio.sleep(0)  # rendering is CPU work: let the bot breathe in a big batch
        new_count = 0
        flood = False
        async with self.db.transaction() as conn:
            known = await repo.known_keys(conn, feed.id, [e.key for e, _ in entries])
            fresh = [e for e, _ in entries if e.key not in known]
            history = bool(known) or await repo.count_entries(conn, feed.id) > 0
            flood = (
                history
                and len(fresh) >= FLOOD_MIN_ITEMS
                and len(fresh) >= self.settings.flood_ratio * (read.entries_in_feed or len(entries))
            )
            inserted = await repo.insert_entries(conn, feed.id, fresh, now)
            new_count = len(inserted)
            for sub in subs:
                for entry_id, entry in inserted:
                    payload = rendered.get((sub.id, entry.key))
                    if payload is not None:
                        await self._enqueue(conn, sub.id, entry_id, sub.channel_id, payload, held=flood)
            if flood and self.notifier is not None:  # the question to the moderators commits with the hold
                for sub in subs:
                    payload = self.notifier.flood_payload(sub.id, sub.name, new_count, sub.channel_id)
                    await self._enqueue_notice(conn, notice_channels, sub, payload, f"flood:{sub.id}:{now}")
            note = self._bozo_note(parsed)
            await repo.record_success(
                conn,
                feed.id,
                now=now,
                next_poll_at=self._next_poll(now, result),
                etag=result.etag,
                last_modified=result.last_modified,
                title=parsed.title,
                url=result.permanent_url,
                note=note,
                body_hash=read.fingerprint,
                entries_hash=read.entries_hash if read.entries_hash is not None else "",
            )
        report.new_entries += new_count
        if new_count:
            log.info(
                "feed %s: %d new entries%s", feed.id, new_count, " (held: flood breaker)" if flood else ""
            )
        await self._after_success(feed)

    @staticmethod
    def _bozo_note(parsed: ParsedFeed | None) -> str | None:
        if parsed is None or not parsed.bozo:
            return None
        return f"feed has problems but was read: {parsed.bozo_reason}"[:300]

    async def _fetch_and_read(self, feed: Feed) -> FeedRead:
        """Fetch ``feed`` and read no more of it than it takes to know whether it has new entries.

        A 304 and a body identical to the last one (its fingerprint) are not read at all; a changed body is
        scanned for its entry keys (``FeedParser.scan``), and if every key is known, that is all. Only new
        keys, or a body the scan cannot read with certainty, cost a full parse. The scan's keys are proven
        equal to the parse's (tests/domain/test_feedkeys.py), so "no new key" never hides a new entry.
        """
        async with self._pipeline:
            result = await self.fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
            if result.not_modified or result.body is None:
                return FeedRead(NOT_MODIFIED, result)
            body, fingerprint = result.body, body_fingerprint(result)
            result = dataclasses.replace(result, body=None)
            if fingerprint == feed.body_hash:
                return FeedRead(UNCHANGED_200, result, fingerprint)
            content_type, final_url = result.content_type, result.final_url
            if (
                feed.entries_hash
                and len(body) <= INLINE_SCAN_LIMIT
                and entries_unchanged(body, feed.entries_hash, content_type=content_type, url=final_url)
            ):
                # only feed-level dates changed: the keys are those of the last scan, all known then
                return FeedRead(CHANGED_NO_NEW, result, fingerprint)
            scan = await self.parser.scan(body, content_type=content_type, url=final_url)
            if scan is not None:
                entries_hash = entries_fingerprint(scan, content_type=content_type, url=final_url) or ""
                keys = list(dict.fromkeys(scan.keys))
                known = await repo.known_keys(self.db, feed.id, keys)
                if len(known) == len(keys):
                    return FeedRead(CHANGED_NO_NEW, result, fingerprint, entries_hash=entries_hash)
                parsed = await self._parse_new_only(scan, known, final_url) if known else None
                if parsed is not None:
                    return FeedRead(
                        PARSED,
                        result,
                        fingerprint,
                        parsed,
                        entries_in_feed=len(keys),
                        entries_hash=entries_hash,
                    )
            parsed = await self.parser.parse(body, content_type=content_type, url=final_url)
        return FeedRead(PARSED, result, fingerprint, parsed, entries_hash="")

    async def _parse_new_only(self, scan: KeyScan, known: set[str], url: str) -> ParsedFeed | None:
        """feedparser's reading of only the new entries (the document without the known ones), or None.

        None (parse the whole body) when the document cannot be cut, or when feedparser does not find
        exactly the new entries' keys in what is left: a wrong cut can only cost a second parse.
        """
        keep = {i for i, key in enumerate(scan.keys) if key not in known}
        document = without_entries(scan, keep)
        if document is None:
            return None
        try:
            parsed = await self.parser.parse(document, content_type="application/xml", url=url)
        except FetchError:
            return None
        expected = [scan.keys[i] for i in sorted(keep)]
        if parsed.bozo or [feedrules.entry_key(e) for e in parsed.entries] != expected:
            log.info("%s: feedparser disagrees with the cut document, parsing the whole feed", url)
            return None
        return parsed

    async def _after_success(self, feed: Feed) -> None:
        if feed.status == "paused":
            log.info("feed %s (%s) works again: resumed", feed.id, feed.url)
            subs = await repo.subscriptions_for_feed(self.db, feed.id, active_only=False)
            channels = await self._notice_channels(subs)
            async with self.db.transaction() as conn:
                await self._notify_subscribers(
                    conn, subs, channels, f"The feed {display_url(feed.url)} works again, so I resumed it."
                )

    async def _record_failure(
        self, feed: Feed, reason: str, retry_after: float | None, *, gone: bool
    ) -> None:
        now = self._now()
        s = self.settings
        if feed.status == "paused":
            delay = s.probe_interval
        else:
            delay = feedrules.next_delay(feed.consecutive_failures + 1, s.interval, s.max_backoff, self.rng)
        if retry_after:
            delay = max(delay, retry_after)
        # read before the transaction: whom a pause or a warning would be told, and where
        subs = await repo.subscriptions_for_feed(self.db, feed.id, active_only=False)
        channels = await self._notice_channels(subs)
        async with self.db.transaction() as conn:
            updated = await repo.record_failure(
                conn, feed.id, now=now, next_poll_at=now + int(delay), error=reason
            )
            pause_reason = None
            if feed.status != "paused":
                if gone:
                    pause_reason = f"the site says the feed is gone for good ({reason})"
                elif updated.failing_since is not None and now - updated.failing_since >= s.pause_after:
                    pause_reason = (
                        f"it has failed for over {int(s.pause_after // 3600)} hours (last error: {reason})"
                    )
                if pause_reason:
                    await repo.pause_feed(conn, feed.id, pause_reason, now + int(s.probe_interval))
            warn = (
                pause_reason is None
                and feed.status != "paused"
                and not updated.warned
                and updated.consecutive_failures >= s.warn_after_failures
            )
            if warn:
                await repo.set_feed_warned(conn, feed.id)
            # the notice commits with the state it reports
            if pause_reason:
                text = (
                    f"I paused the feed {display_url(feed.url)} because {escape_markdown(pause_reason)}. I'll check it daily and "
                    "resume it when it works again; a moderator can also use `/feed resume`."
                )
                await self._notify_subscribers(conn, subs, channels, text)
            elif warn:
                text = (
                    f"The feed {display_url(feed.url)} has failed {updated.consecutive_failures} times in a row: "
                    f"{escape_markdown(reason)}. I'll keep retrying with growing pauses."
                )
                await self._notify_subscribers(conn, subs, channels, text)
        if pause_reason:
            log.warning("feed %s (%s) paused: %s", feed.id, feed.url, pause_reason)

    async def _notice_channels(self, subs: Sequence[Subscription]) -> dict[int, int]:
        """``{guild id: notices channel}`` for the guilds that set one."""
        out: dict[int, int] = {}
        for guild_id in {sub.guild_id for sub in subs}:
            settings = await club_repo.get_guild_settings(self.db, guild_id)
            if settings.notices_channel_id:
                out[guild_id] = settings.notices_channel_id
        return out

    async def _enqueue_notice(
        self,
        conn: Connection,
        channels: Mapping[int, int],
        sub: Subscription,
        payload: Payload,
        part: str,
    ) -> None:
        await self.delivery.enqueue(
            conn,
            kind=FEED_NOTICE,
            owner_id=sub.channel_id,
            part=part,
            channel_id=channels.get(sub.guild_id, sub.channel_id),
            payload=payload,
        )

    async def _notify_subscribers(
        self,
        conn: Connection,
        subs: Sequence[Subscription],
        channels: Mapping[int, int],
        text: str,
    ) -> None:
        """One notice per subscribed channel (in its guild's notices channel if set), in ``conn``."""
        tag = secrets.token_hex(6)
        done: set[int] = set()
        for sub in subs:
            if sub.channel_id not in done:
                done.add(sub.channel_id)
                await self._enqueue_notice(conn, channels, sub, Payload(content=text[:2000]), f"{tag}")

    async def _notice_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        """The notices channel refused (or vanished): say it in the subscription's own channel instead."""
        if state in ("gone", "refused") and row.channel_id != row.owner_id:
            log.warning(
                "notices channel %s unusable (%s); notice %s goes to %s",
                row.channel_id,
                error,
                row.id,
                row.owner_id,
            )
            await self.delivery.enqueue(
                conn,
                kind=FEED_NOTICE,
                owner_id=row.owner_id,
                part=f"{row.part}:fallback",
                channel_id=row.owner_id,
                payload=Payload.from_json(row.payload),
            )
        return False

    async def _render(self, raw: Mapping[str, Any], feed_title: str | None, sub: Subscription) -> Payload:
        data = await self.renderer(raw, feed_title, sub)
        thread = None
        # A forum post is named and tagged; a text channel's post carries the name its thread will get.
        if sub.channel_kind == "forum" or sub.thread_archive:
            post = data.get("post")
            info = (
                PostInfo.from_dict(post)
                if isinstance(post, Mapping)
                else PostInfo(str(raw.get("title") or ""))  # a renderer without a digest: no warnings
            )
            forum = sub.channel_kind == "forum"
            thread = ThreadSpec(info.name(sub.name), info.tags(sub.name) if forum else ())
        return Payload(
            content=str(data.get("content") or ""), embeds=tuple(data.get("embeds") or ()), thread=thread
        )

    async def _enqueue(
        self,
        conn: Connection,
        subscription_id: int,
        entry_id: int,
        channel_id: int,
        payload: Payload,
        *,
        held: bool,
    ) -> None:
        await self.delivery.enqueue(
            conn,
            kind=FEED_POST,
            owner_id=subscription_id,
            part=str(entry_id),
            channel_id=channel_id,
            payload=payload,
            held=held,
            nonce=repo.nonce_for(subscription_id, entry_id),
        )

    async def _post_delivered(self, conn: Connection, row: OutboxRow, message_id: int) -> None:
        """Enqueue what follows the post, in the transaction that marks it delivered: its thread (text
        channels with threads on) and its crosspost (announcement channels that publish)."""
        sub = await repo.get_subscription_by_id(conn, row.owner_id)
        if sub is None or sub.channel_kind not in ("text", "announcement"):
            return
        spec = Payload.from_json(row.payload).thread
        if sub.thread_archive and spec is not None:
            await self.delivery.enqueue(
                conn,
                kind=FEED_THREAD,
                owner_id=row.owner_id,
                part=row.part,
                channel_id=row.channel_id,
                payload=Payload(
                    thread=dataclasses.replace(spec, auto_archive=sub.thread_archive), target=message_id
                ),
            )
        if sub.publish and sub.channel_kind == "announcement":
            await self.delivery.enqueue(
                conn,
                kind=FEED_CROSSPOST,
                owner_id=row.owner_id,
                part=row.part,
                channel_id=row.channel_id,
                payload=Payload(target=message_id, crosspost=True),
            )

    async def _follow_up_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        """A thread or crosspost Discord refused (or whose post was deleted): the post stands; say why."""
        log.warning(
            "subscription %s: %s for post %s in channel %s %s: %s",
            row.owner_id,
            row.kind,
            row.part,
            row.channel_id,
            state,
            error,
        )
        return False

    async def _post_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        """Discord refused the channel (or it is gone): pause its subscriptions; the posts wait for a resume."""
        if state not in ("refused", "gone"):
            return False
        log.warning(
            "channel %s refused post %s: %s; pausing its subscriptions", row.channel_id, row.id, error
        )
        await repo.set_channel_broken(conn, row.channel_id, f"Discord refused the channel: {error}")
        return True

    async def deliver(self, report: CycleReport | None = None) -> int:
        """Send pending posts, oldest first, at most ``posts_per_channel_per_cycle`` per channel."""
        report = report or CycleReport()
        await self.delivery.run(kinds=(FEED_NOTICE,))
        done: DeliveryReport = await self.delivery.run(
            kinds=(FEED_POST,), per_channel=self.settings.posts_per_channel_per_cycle
        )
        await self.delivery.run(kinds=(FEED_THREAD, FEED_CROSSPOST))
        delivered = done.delivered + done.found
        metrics.items_posted(done.delivered + done.found)
        report.delivered += delivered
        return delivered
