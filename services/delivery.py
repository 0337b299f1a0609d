"""The one way the bot sends a message on its own: an outbox, exactly once across crashes and restarts.

Feed posts and notices, watch-party announcements, reminders, edit/cancel notices, waitlist promotions, the
discussion opener, poll and film-pick messages and their results all go through :class:`Delivery`; no other
module sends a channel message of the bot's own (interaction replies are answers, not messages it posts).

How a message goes out exactly once
-----------------------------------
1. The caller renders the message (a :class:`Payload`, plain data) *before* its write transaction and calls
   :meth:`Delivery.enqueue` *inside* it, so the change ("poll closed") and its message ("results pending")
   commit together, and a retry sends exactly the stored payload.
2. Before the first attempt, its time is recorded in its own short transaction (``sending_at``).
3. Each attempt is sent with the row's deterministic nonce; Discord (``enforce_nonce``) answers a repeated
   nonce with the message it already created, for a few minutes (``[discord] nonce_window``).
4. A retry later than the nonce window after the first attempt first asks the port for the message in the
   channel's history after the first attempt (matched on the stored payload) and sends only if it is not
   there.
5. Delivered: the row is marked in one transaction with the kind's ``on_delivered`` callback (e.g. storing
   the poll's results message id). Gone (404) / refused (403) / given up: ``on_failed``.

Transient failures are retried with exponential backoff; no network call ever runs inside a transaction.

Public surface
--------------
``Payload``, ``Button``, ``DeliveryPort`` (implemented by ``cogs/_delivery.py``), the errors
``DeliveryError`` > ``DeliveryGone`` / ``DeliveryRefused`` / ``DeliveryTransient``, ``KindHandler`` and
``Delivery`` (``register``, ``enqueue``, ``run``, ``send_now``, ``cancel``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from services import metrics
from storage import leases
from storage import outbox as repo
from storage.db import Connection, Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

__all__ = [
    "Button",
    "Delivery",
    "DeliveryError",
    "DeliveryGone",
    "DeliveryPort",
    "DeliveryRefused",
    "DeliveryReport",
    "DeliveryTransient",
    "KindHandler",
    "Payload",
    "ThreadSpec",
    "nonce_of",
]

#: Attempts before a message is given up (state 'failed', visible in logs and /club status).
MAX_ATTEMPTS = 8
#: Backoff between attempts: BACKOFF_BASE * 2**attempts seconds, at most BACKOFF_MAX (15s .. 10m: with
#: MAX_ATTEMPTS, about half an hour of retries).
BACKOFF_BASE = 15.0
BACKOFF_MAX = 600.0


class DeliveryError(Exception):
    """Sending (or looking for) a message failed. The port raises one of the subclasses."""


class DeliveryGone(DeliveryError):
    """The channel (or the message replied to) no longer exists (404): never retried."""


class DeliveryRefused(DeliveryError):
    """Discord refused for good (403 Missing Access / Permissions): never retried unless the kind says so."""


class DeliveryTransient(DeliveryError):
    """A failure worth retrying (5xx, timeout, rate limit, not connected yet)."""


@dataclass(frozen=True, slots=True)
class Button:
    """A persistent button (its ``custom_id`` is handled by a cog's DynamicItem)."""

    custom_id: str
    label: str
    style: str = "secondary"  # primary | secondary | success | danger
    emoji: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadSpec:
    """A thread to open: a forum post (sent to a forum or media channel) or a thread under a message.

    ``tags`` are wanted forum tags, most important first, each a group of alternative names; the port applies
    those of the forum's own tags that match (:func:`domain.forumposts.select_tags`, at most five).
    ``auto_archive`` is in minutes (60, 1440, 4320 or 10080); None: the channel's default.
    """

    name: str
    tags: tuple[tuple[str, ...], ...] = ()
    auto_archive: int | None = None


@dataclass(frozen=True, slots=True)
class Payload:
    """One rendered message, as stored in the outbox. Only ``mention_users`` may ever be pinged.

    ``thread``: sent to a forum or media channel, the message opens a post with that name and tags; sent
    elsewhere, it is an ordinary message (the spec stays with the row for a follow-up). Forum posts carry no
    nonce on Discord, so every retry of one looks for it first (see :meth:`Delivery._attempt`).

    ``target``: act on that existing message of the channel instead of sending one: open ``thread`` under it,
    or ``crosspost`` it (publish it to following servers). Both are idempotent on Discord's side.
    """

    content: str = ""
    embeds: tuple[Mapping[str, Any], ...] = ()  # Discord embed objects (as discord.Embed.to_dict gives them)
    buttons: tuple[Button, ...] = ()
    mention_users: tuple[int, ...] = ()
    reply_to: int | None = None
    thread: ThreadSpec | None = None
    target: int | None = None
    crosspost: bool = False

    def to_json(self) -> str:
        data: dict[str, Any] = {"content": self.content}
        if self.embeds:
            data["embeds"] = [dict(e) for e in self.embeds]
        if self.buttons:
            data["buttons"] = [[b.custom_id, b.label, b.style, b.emoji] for b in self.buttons]
        if self.mention_users:
            data["mention_users"] = list(self.mention_users)
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        if self.thread is not None:
            data["thread"] = {
                "name": self.thread.name,
                "tags": [list(group) for group in self.thread.tags],
                "auto_archive": self.thread.auto_archive,
            }
        if self.target is not None:
            data["target"] = self.target
        if self.crosspost:
            data["crosspost"] = True
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Payload:
        """Also reads the feed outbox's payloads of before 0006 (``content``, ``embeds``, never pinging)."""
        data = json.loads(text)
        thread = data.get("thread")
        return cls(
            content=str(data.get("content") or ""),
            embeds=tuple(data.get("embeds") or ()),
            buttons=tuple(Button(*b) for b in data.get("buttons") or ()),
            mention_users=tuple(int(u) for u in data.get("mention_users") or ()),
            reply_to=data.get("reply_to"),
            thread=ThreadSpec(
                str(thread["name"]),
                tuple(tuple(str(n) for n in group) for group in thread.get("tags") or ()),
                thread.get("auto_archive"),
            )
            if thread
            else None,
            target=data.get("target"),
            crosspost=bool(data.get("crosspost")),
        )

    def matches(self, content: str, embeds: Sequence[Mapping[str, Any]]) -> bool:
        """Whether a message found in a channel (its content and embed dicts) is this payload.

        Compares the content (as sent: at most 2000 characters) and each embed's title, url and description,
        the fields Discord returns unchanged; colours and timestamps may come back normalised.
        """
        if content != self.content[:2000]:
            return False
        if len(embeds) != len(self.embeds):
            return False
        keys = ("title", "url", "description")
        return all(
            all((mine.get(k) or None) == (theirs.get(k) or None) for k in keys)
            for mine, theirs in zip(self.embeds, embeds, strict=True)
        )


class DeliveryPort(Protocol):
    """The Discord side of delivery, implemented once in ``cogs/_delivery.py``. Raises DeliveryError's."""

    async def send(self, channel_id: int, payload: Payload, nonce: str) -> int:
        """Send ``payload`` with ``nonce`` (enforced); return the message id (a forum post's starter
        message, whose id is the post's). With ``payload.target``: open the thread under it or crosspost it,
        and return the thread's (or the message's) id, also when that was done before."""
        ...

    async def find(self, channel_id: int, payload: Payload, since: int) -> int | None:
        """The id of a message of ours in ``channel_id`` matching ``payload`` among every message after the
        snowflake of ``since`` (UTC epoch seconds, the first attempt), or None. In a forum: the starter
        message of our post opened since then, active or archived."""
        ...


#: ``on_delivered(conn, row, message_id)``: runs in the transaction that marks the row delivered.
OnDelivered = Callable[[Connection, OutboxRow, int], Awaitable[None]]
#: ``on_failed(conn, row, state, error) -> keep``: runs in the transaction that finishes the row as ``state``
#: (gone, refused, failed, expired). Returning True keeps the row pending instead (feeds: the post waits
#: until the subscription is resumed).
OnFailed = Callable[[Connection, OutboxRow, str, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class KindHandler:
    on_delivered: OnDelivered | None = None
    on_failed: OnFailed | None = None


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    found: int = 0  # already in the channel after the nonce window: marked, not re-sent
    retried: int = 0
    failed: int = 0  # gone, refused, given up or expired
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Result:
    """What :meth:`Delivery.send_now` did: ``state`` is the row's state afterwards."""

    state: str
    message_id: int | None = None
    error: str | None = None


def _without_nonce(payload: Payload) -> bool:
    """A send Discord does not de-duplicate by nonce: opening a forum post (or a thread with a first
    message). Acting on an existing message (``target``) is idempotent by itself."""
    return payload.thread is not None and payload.target is None


def nonce_of(row: OutboxRow) -> str:
    """Deterministic per row (Discord allows 25 characters); rows moved from older tables keep theirs."""
    return row.nonce or f"pjo{row.id}"


class Delivery:
    def __init__(
        self,
        db: Database,
        *,
        nonce_window: float = 120.0,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.db = db
        self.nonce_window = nonce_window
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.port: DeliveryPort | None = None
        self._handlers: dict[str, KindHandler] = {}
        # rows being sent right now (never two attempts at once), each with an event set when it is done
        self._inflight: dict[int, asyncio.Event] = {}

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, port: DeliveryPort) -> None:
        self.port = port

    def detach(self) -> None:
        self.port = None

    def register(self, kind: str, handler: KindHandler) -> None:
        """Each feature registers its kinds once (in its service's constructor)."""
        self._handlers[kind] = handler

    def _now(self) -> int:
        return int(self.clock())

    # -- writing -----------------------------------------------------------------------------------

    async def enqueue(
        self,
        conn: Connection,
        *,
        kind: str,
        owner_id: int,
        channel_id: int,
        payload: Payload,
        part: str = "",
        held: bool = False,
        nonce: str | None = None,
        first_attempt_at: int | None = None,
        expires_at: int | None = None,
    ) -> int | None:
        """Store a rendered message in the caller's transaction; None if (kind, owner_id, part) exists.

        ``nonce``/``first_attempt_at`` carry over an attempt made before this outbox existed.
        """
        return await repo.enqueue(
            conn,
            kind=kind,
            owner_id=owner_id,
            part=part,
            channel_id=channel_id,
            payload=payload.to_json(),
            now=self._now(),
            state="held" if held else "pending",
            nonce=nonce,
            sending_at=first_attempt_at,
            expires_at=expires_at,
        )

    async def cancel(self, conn: Connection, kind: str, owner_id: int) -> int:
        """Cancel an owner's messages not sent yet, in the caller's transaction."""
        return await repo.cancel_owner(conn, kind, owner_id, self._now())

    async def forget(self, conn: Connection, kind: str, owner_id: int) -> int:
        """Delete an owner's undelivered messages, in the caller's transaction that deletes the owner row:
        its id may be reused, and (kind, owner, part) is unique."""
        return await repo.delete_undelivered(conn, kind, owner_id)

    # -- sending -----------------------------------------------------------------------------------

    async def run(
        self, *, kinds: Collection[str] | None = None, per_channel: int | None = None
    ) -> DeliveryReport:
        """Send every due pending row (of ``kinds``), oldest first; each row is isolated."""
        report = DeliveryReport()
        if self.port is None:
            return report
        stalled: set[int] = set()  # channels that refused or vanished during this run
        attempted: set[int] = set()
        # A callback may enqueue a follow-up (a notice re-routed to another channel): a few passes send it in
        # the same run. Each row is attempted at most once per run; a per-channel cap means one pass.
        for _ in range(1 if per_channel is not None else 3):
            rows = [
                row
                for row in await repo.due(self.db, self._now(), kinds=kinds, per_channel=per_channel)
                if row.id not in attempted and row.id not in self._inflight
            ]
            if not rows:
                break
            for row in rows:
                if row.channel_id in stalled:
                    continue
                attempted.add(row.id)
                try:
                    result = await self._deliver(row, report)
                except Exception as exc:  # a bug in a callback must not stop the other messages
                    log.exception(
                        "outbox %s (%s %s): delivery failed unexpectedly", row.id, row.kind, row.owner_id
                    )
                    report.errors.append(f"outbox {row.id}: {exc!r}"[:200])
                    continue
                if result.state in ("gone", "refused") or result.error in ("gone", "refused"):
                    stalled.add(row.channel_id)
        return report

    async def send_now(self, row_id: int) -> Result:
        """One attempt at one row right away (a command waiting for its announcement). If a run is sending it
        at this moment, its outcome is the answer."""
        row = await repo.get(self.db, row_id)
        if row is None:
            return Result("cancelled")
        if row.state != "pending" or self.port is None:
            return Result(row.state, row.message_id)
        return await self._deliver(row, DeliveryReport())

    def _backoff(self, attempts: int) -> float:
        return min(self.backoff_max, self.backoff_base * 2**attempts)

    async def _deliver(self, row: OutboxRow, report: DeliveryReport) -> Result:
        while (busy := self._inflight.get(row.id)) is not None:  # another run got to it first
            await busy.wait()
        done = self._inflight[row.id] = asyncio.Event()
        claimed = False
        try:
            # Another process (PostgreSQL, several shards) may be sending it: one sender per message. A sender
            # that died leaves it after lease_timeout, and then the nonce-window rule in _attempt applies.
            claimed = bool(await leases.claim(self.db, "outbox", [row.id], self._now()))
            if not claimed:
                return Result("pending", None, "being sent by another process")
            # read again: another run may have finished it since this one listed the due rows
            current = await repo.get(self.db, row.id)
            if current is None or current.state != "pending":
                return Result(
                    current.state if current else "cancelled", current.message_id if current else None
                )
            return await self._attempt(current, report)
        finally:
            if claimed:
                await leases.release(self.db, "outbox", row.id)
            del self._inflight[row.id]
            done.set()

    async def _attempt(self, row: OutboxRow, report: DeliveryReport) -> Result:
        port = self.port
        assert port is not None
        now = self._now()
        if row.expires_at is not None and now > row.expires_at:
            log.info(
                "outbox %s (%s %s): expired at %s; not sent", row.id, row.kind, row.owner_id, row.expires_at
            )
            report.failed += 1
            return await self._fail(row, "expired", f"not sent by {row.expires_at}")
        payload = Payload.from_json(row.payload)
        try:
            if row.sending_at is None:
                async with self.db.transaction() as conn:
                    await repo.mark_sending(conn, row.id, now)
            elif payload.target is None and (
                now - row.sending_at > self.nonce_window or _without_nonce(payload)
            ):
                # Discord has forgotten the nonce (or a forum post never had one): a repeat would post a
                # second copy if an earlier attempt reached Discord (a crash or timeout after it stored the
                # message). Look first. Acting on a message (``target``) is idempotent: repeating it is the check.
                found = await port.find(row.channel_id, payload, row.sending_at)
                if found is not None:
                    log.info(
                        "outbox %s (%s %s) is already in channel %s as message %s; not sending it again",
                        row.id,
                        row.kind,
                        row.owner_id,
                        row.channel_id,
                        found,
                    )
                    report.found += 1
                    return await self._delivered(row, found)
            message_id = await port.send(row.channel_id, payload, nonce_of(row))
        except (DeliveryGone, DeliveryRefused) as exc:
            state = "gone" if isinstance(exc, DeliveryGone) else "refused"
            log.warning(
                "outbox %s (%s %s): channel %s %s: %s",
                row.id,
                row.kind,
                row.owner_id,
                row.channel_id,
                state,
                exc,
            )
            report.failed += 1
            return await self._fail(row, state, str(exc))
        except Exception as exc:  # transient or unexpected: retried with backoff until MAX_ATTEMPTS
            return await self._retry(row, exc, report)
        report.delivered += 1
        return await self._delivered(row, message_id)

    async def _delivered(self, row: OutboxRow, message_id: int) -> Result:
        handler = self._handlers.get(row.kind)
        async with self.db.transaction() as conn:
            marked = await repo.mark_delivered(conn, row.id, message_id, self._now())
            if marked and handler is not None and handler.on_delivered is not None:
                await handler.on_delivered(conn, row, message_id)
        log.debug("outbox %s (%s %s) delivered as %s", row.id, row.kind, row.owner_id, message_id)
        return Result("delivered", message_id)

    async def _fail(self, row: OutboxRow, state: str, error: str) -> Result:
        handler = self._handlers.get(row.kind)
        async with self.db.transaction() as conn:
            keep = False
            if handler is not None and handler.on_failed is not None:
                keep = await handler.on_failed(conn, row, state, error)
            if keep:
                await repo.mark_retry(
                    conn, row.id, f"{state}: {error}", row.next_attempt_at, count_attempt=False
                )
            else:
                await repo.mark_final(conn, row.id, state, error[:300], self._now())
        if keep:
            return Result("pending", None, state)
        return Result(state, None, error)

    async def _retry(self, row: OutboxRow, exc: BaseException, report: DeliveryReport) -> Result:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            log.warning(
                "outbox %s (%s %s): giving up after %d attempts: %r",
                row.id,
                row.kind,
                row.owner_id,
                attempts,
                exc,
            )
            report.failed += 1
            async with self.db.transaction() as conn:
                await repo.mark_retry(conn, row.id, repr(exc), row.next_attempt_at)
            return await self._fail(row, "failed", repr(exc))
        delay = self._backoff(row.attempts)
        log.warning(
            "outbox %s (%s %s) to channel %s failed (attempt %d): %r; retrying in %ds",
            row.id,
            row.kind,
            row.owner_id,
            row.channel_id,
            attempts,
            exc,
            delay,
        )
        report.retried += 1
        metrics.delivery_retried()
        async with self.db.transaction() as conn:
            await repo.mark_retry(conn, row.id, repr(exc), self._now() + int(delay))
        return Result("pending", None, repr(exc))
