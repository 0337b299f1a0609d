"""The gateway websocket: HELLO/IDENTIFY/READY, heartbeats, dispatch with sequence numbers, RESUME.

Each IDENTIFY creates a ``Session`` that outlives its socket, so events dispatched while the client is
disconnected are kept (bounded backlog) and replayed on RESUME, exactly the guarantee discord.py relies on.
Every socket has one writer task so payloads (and the shared zlib stream) are sent strictly in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

from .state import PRIVILEGED_INTENTS, Intents

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

ACK_DELAY = 0.02  # seconds between a client's heartbeat and the fake's HEARTBEAT_ACK

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

_EVENT_INTENTS: dict[str, Intents] = {
    "GUILD_UPDATE": Intents.GUILDS,
    "GUILD_DELETE": Intents.GUILDS,
    "GUILD_ROLE_CREATE": Intents.GUILDS,
    "GUILD_ROLE_UPDATE": Intents.GUILDS,
    "GUILD_ROLE_DELETE": Intents.GUILDS,
    "CHANNEL_CREATE": Intents.GUILDS,
    "CHANNEL_UPDATE": Intents.GUILDS,
    "CHANNEL_DELETE": Intents.GUILDS,
    "CHANNEL_PINS_UPDATE": Intents.GUILDS,
    "THREAD_CREATE": Intents.GUILDS,
    "THREAD_UPDATE": Intents.GUILDS,
    "THREAD_DELETE": Intents.GUILDS,
    "THREAD_LIST_SYNC": Intents.GUILDS,
    "THREAD_MEMBER_UPDATE": Intents.GUILDS,
    "GUILD_MEMBER_ADD": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intents.GUILD_MEMBERS,
    "MESSAGE_CREATE": Intents.GUILD_MESSAGES,
    "MESSAGE_UPDATE": Intents.GUILD_MESSAGES,
    "MESSAGE_DELETE": Intents.GUILD_MESSAGES,
    "MESSAGE_DELETE_BULK": Intents.GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": Intents.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intents.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_ALL": Intents.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_EMOJI": Intents.GUILD_MESSAGE_REACTIONS,
    "TYPING_START": Intents.GUILD_MESSAGE_TYPING,
    "GUILD_SCHEDULED_EVENT_CREATE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_ADD": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": Intents.GUILD_SCHEDULED_EVENTS,
}
_DM_EVENT_INTENTS: dict[str, Intents] = {
    "MESSAGE_CREATE": Intents.DIRECT_MESSAGES,
    "MESSAGE_UPDATE": Intents.DIRECT_MESSAGES,
    "MESSAGE_DELETE": Intents.DIRECT_MESSAGES,
    "MESSAGE_REACTION_ADD": Intents.DIRECT_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intents.DIRECT_MESSAGE_REACTIONS,
}
_CONTENT_FIELDS = ("content", "embeds", "attachments", "components", "poll")


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    compress: str | None
    queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None] | None] | None] = field(
        default_factory=asyncio.Queue
    )
    compressor: Any = None
    session: Session | None = None
    writer: asyncio.Task[None] | None = None
    closed_by_server: bool = False

    def send(self, payload: dict[str, Any], done: asyncio.Future[None] | None = None) -> None:
        self.queue.put_nowait((payload, done))

    async def write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            payload, done = item
            try:
                text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
                if self.compressor is not None:
                    data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError) as exc:
                log.debug("gateway write failed: %s", exc)
                if done is not None and not done.done():
                    done.set_result(None)
                return
            if done is not None and not done.done():
                done.set_result(None)


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    properties: dict[str, Any]
    presence: dict[str, Any] | None
    seq: int = 0
    backlog: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=2000))
    conn: Connection | None = None
    disconnected_at: float | None = None
    #: [shard_id, shard_count] from IDENTIFY (unsharded clients are shard 0 of 1)
    shard: tuple[int, int] = (0, 1)

    def owns(self, guild_id: int | None) -> bool:
        """Discord's routing: a guild's events go to shard ``(guild_id >> 22) % shard_count``; events of no
        guild (DMs) to shard 0."""
        shard_id, count = self.shard
        return (0 if guild_id is None else (guild_id >> 22) % count) == shard_id


_GUILD_EVENTS_KEYED_BY_ID = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


def guild_of_event(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event belongs to (None: not a guild's event)."""
    raw = data.get("id") if event in _GUILD_EVENTS_KEYED_BY_ID else data.get("guild_id")
    return int(raw) if raw is not None else None


class Gateway:
    """Owns the websocket endpoint and all sessions; ``dispatch`` is the single way events go out."""

    SESSION_TTL = 300.0

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval: int = 41250) -> None:
        self.fake = fake
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.presence_updates: list[dict[str, Any]] = []
        self.member_requests: list[dict[str, Any]] = []
        #: allowed privileged intents; None means "all enabled in the developer portal"
        self.privileged_intents: int | None = None
        #: while True, connection attempts are answered 503 (Discord unreachable) instead of upgraded
        self.refusing = False
        self._changed = asyncio.Event()

    # ------------------------------------------------------------ properties
    @property
    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.conn is not None]

    @property
    def connected(self) -> bool:
        return bool(self.live_sessions)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    # ------------------------------------------------------------- dispatch
    def dispatch_nowait(self, event: str, data: dict[str, Any]) -> list[asyncio.Future[None]]:
        """Queue ``event`` to every resumable session (buffered for disconnected ones)."""
        self._prune()
        futures: list[asyncio.Future[None]] = []
        if not self.sessions:
            log.debug("dispatch %s with no gateway session: dropped", event)
        guild_id = guild_of_event(event, data)
        for session in self.sessions.values():
            if not session.owns(guild_id):  # only the shard that owns the guild hears of it
                continue
            shaped = self._shape_for(session, event, data)
            if shaped is None:
                continue
            session.seq += 1
            payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": shaped}
            session.backlog.append(payload)
            if session.conn is not None:
                fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                session.conn.send(payload, fut)
                futures.append(fut)
        self.fake._record_dispatch(event, data)
        return futures

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        futures = self.dispatch_nowait(event, data)
        if futures:
            await asyncio.wait(futures, timeout=5)

    def _shape_for(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Apply intents like Discord: drop events the session did not ask for, strip message content."""
        is_dm = "guild_id" not in data and event.startswith("MESSAGE")
        needed = (_DM_EVENT_INTENTS if is_dm else _EVENT_INTENTS).get(event)
        if needed is not None and not session.intents & needed:
            return None
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & Intents.MESSAGE_CONTENT:
            bot_id = str(self.fake.world.bot_user_id)
            author = (data.get("author") or {}).get("id")
            mentioned = any(u.get("id") == bot_id for u in data.get("mentions", []))
            if author != bot_id and not mentioned and not is_dm:
                data = dict(data)
                for key in _CONTENT_FIELDS:
                    if key in data:
                        data[key] = "" if key == "content" else ([] if key != "poll" else None)
        return data

    def _prune(self) -> None:
        now = time.monotonic()
        for sid, session in list(self.sessions.items()):
            if session.disconnected_at is not None and now - session.disconnected_at > self.SESSION_TTL:
                del self.sessions[sid]

    # ------------------------------------------------------------- controls
    async def drop(self, code: int | None = None) -> int:
        """Kill every socket. ``code=None`` aborts TCP (abnormal closure 1006); otherwise a close frame."""
        conns = list(self.connections)
        for conn in conns:
            if code is None:
                conn.closed_by_server = True
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
                self._detach(conn)
            else:
                await self._close(conn, code, "dropped by test")
        return len(conns)

    async def send_op(self, op: int, d: Any = None) -> None:
        for conn in list(self.connections):
            conn.send({"op": op, "d": d, "s": None, "t": None})

    async def invalidate_sessions(self, resumable: bool = False) -> None:
        await self.send_op(OP_INVALID_SESSION, resumable)
        if not resumable:
            self.sessions.clear()

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await self._close(conn, WSCloseCode.GOING_AWAY, "server shutdown")

    # ------------------------------------------------------------ websocket
    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            return web.Response(status=503, text="gateway held down by the test")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        conn = Connection(ws=ws, request=request, compress=compress)
        if compress == "zlib-stream":
            conn.compressor = zlib.compressobj()
        # zstd-stream (discord.py with a zstd module) is answered with plain text frames, which it accepts.
        conn.writer = asyncio.create_task(conn.write_loop())
        self.connections.add(conn)
        conn.send(
            {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None}
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_message(conn, json.loads(msg.data))
                elif msg.type == WSMsgType.BINARY:
                    await self._on_message(conn, json.loads(zlib.decompress(msg.data)))
                elif msg.type == WSMsgType.ERROR:
                    break
        except (ConnectionError, json.JSONDecodeError) as exc:
            log.debug("gateway read ended: %s", exc)
        finally:
            session = conn.session
            self._detach(conn)
            # A client closing with 1000/1001 ends its session for good (it cannot RESUME), like Discord.
            if session is not None and not conn.closed_by_server and ws.close_code in (1000, 1001):
                self.sessions.pop(session.id, None)
            conn.queue.put_nowait(None)
            if conn.writer is not None:
                conn.writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await conn.writer
        return ws

    def _detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if conn.session is not None and conn.session.conn is conn:
            conn.session.conn = None
            conn.session.disconnected_at = time.monotonic()
            self._notify()

    async def _close(self, conn: Connection, code: int, message: str) -> None:
        conn.closed_by_server = True
        self._detach(conn)
        # Let queued frames (e.g. op 9) go out before the close frame.
        conn.queue.put_nowait(None)
        if conn.writer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(conn.writer), 1)
        with contextlib.suppress(Exception):
            await conn.ws.close(code=code, message=message.encode())

    async def _on_message(self, conn: Connection, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        d = msg.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            # Acknowledge after a little "network" time, as Discord does. On loopback an instant ACK can reach
            # discord.py's loop before its keep-alive thread has recorded when it sent the heartbeat, and the
            # client then logs "Can't keep up, ... websocket is 41.3s behind" (measured from the previous beat).
            asyncio.get_running_loop().call_later(
                ACK_DELAY, conn.send, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None}
            )
        elif op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif conn.session is None:
            await self._close(conn, 4003, "Not authenticated.")
        elif op == OP_PRESENCE:
            self.presence_updates.append(d or {})
        elif op == OP_REQUEST_MEMBERS:
            self._request_members(conn, d or {})
        elif op == OP_VOICE_STATE:
            log.debug("ignoring voice state update %s", d)
        else:
            await self._close(conn, 4001, "Unknown opcode.")

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> None:
        self.identifies.append(d)
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated.")
            return
        if d.get("token") != self.fake.world.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        intents = int(d.get("intents", 0))
        if self.privileged_intents is not None and intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await self._close(conn, 4014, "Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        if not (isinstance(shard, list) and len(shard) == 2 and 0 <= int(shard[0]) < int(shard[1])):
            await self._close(conn, 4010, "Invalid shard.")
            return
        session = Session(
            id=secrets.token_hex(16),
            intents=intents,
            properties=d.get("properties", {}),
            presence=d.get("presence"),
            conn=conn,
            shard=(int(shard[0]), int(shard[1])),
        )
        self.sessions[session.id] = session
        conn.session = session
        world = self.fake.world
        guild_ids = [
            g for g in world.guilds if world.bot_user_id in world.guilds[g].members and session.owns(g)
        ]
        ready = {
            "v": 10,
            "user": {
                **world.bot_member.user_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
                "locale": "en-US",
            },
            "user_settings": {},
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "application": {"id": str(world.application_id), "flags": self.fake.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["rotterdam"],
            "guild_join_requests": [],
            "auth": {},
            "_trace": ['["fakediscord",{"micros":1}]'],
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        self._send_dispatch(session, "READY", ready)
        with_members = bool(intents & Intents.GUILD_PRESENCES)
        for gid in guild_ids:
            payload = world.guild_payload(world.guilds[gid], full=True, members=with_members)
            self._send_dispatch(session, "GUILD_CREATE", payload)
        self._notify()

    def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.backlog.append(payload)
        if session.conn is not None:
            session.conn.send(payload)

    async def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        self.resumes.append(d)
        session = self.sessions.get(str(d.get("session_id")))
        if d.get("token") != self.fake.world.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        seq = d.get("seq") or 0
        oldest = session.backlog[0]["s"] if session and session.backlog else 1
        if session is None or seq < oldest - 1 or seq > session.seq:
            conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            await self._close(old, 4000, "Session resumed elsewhere.")
        session.conn = conn
        session.disconnected_at = None
        conn.session = session
        for payload in list(session.backlog):
            if payload["s"] > seq:
                conn.send(payload)
        session.seq += 1
        conn.send({"op": OP_DISPATCH, "t": "RESUMED", "s": session.seq, "d": {"_trace": ["fakediscord"]}})
        self._notify()

    def _request_members(self, conn: Connection, d: dict[str, Any]) -> None:
        self.member_requests.append(d)
        world = self.fake.world
        guild = world.guild(int(d.get("guild_id", 0)))
        if guild is None or conn.session is None:
            return
        members = list(guild.members.values())
        query = d.get("query")
        if d.get("user_ids"):
            wanted = {int(u) for u in d["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif query:
            q = str(query).lower()
            members = [m for m in members if m.username.lower().startswith(q)]
        limit = int(d.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.member_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        if d.get("presences"):
            chunk["presences"] = []
        self._send_dispatch(conn.session, "GUILD_MEMBERS_CHUNK", chunk)
