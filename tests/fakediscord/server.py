"""``FakeDiscord``: the aiohttp app, request recording, fault injection, rate-limit headers and test controls."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from .control import add_control_routes
from .gateway import Gateway
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, InteractionRecord, Interactions
from .messages import UploadedFile, create_message
from .rest import RestApi
from .router import Call, Router
from .state import (
    ChannelType,
    FakeChannel,
    FakeMember,
    FakeRole,
    Overwrite,
    StoredMessage,
    World,
    emoji_payload,
    normalize_emoji,
)
from .validation import ApiError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    time: float
    files: list[dict[str, Any]] = field(default_factory=list)
    status: int = 0


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float | None
    body: Any


_RECORDED_HEADERS = ("Authorization", "Content-Type", "User-Agent", "X-Audit-Log-Reason")


class FakeDiscord:
    """A loopback Discord (REST + gateway) for discord.py. Use ``async with FakeDiscord() as fake:``."""

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        heartbeat_interval: int = 41250,
        interaction_deadline: float | None = 3.0,
        rate_limit: tuple[int, float] = (1000, 1.0),
        privileged_intents: int | None = None,
        application_flags: int = (1 << 15) | (1 << 19) | (1 << 23),
        state_file: str | Path | None = None,
        control_api: bool = False,
    ) -> None:
        self.world = World(token=token)
        self.host = host
        self.port = port
        self.application_flags = application_flags
        self.rate_limit = rate_limit
        self.state_file = Path(state_file) if state_file else None
        self.control_api = control_api
        if self.state_file and self.state_file.exists():
            self.world.load_json(json.loads(self.state_file.read_text()))
        self.gateway = Gateway(self, heartbeat_interval=heartbeat_interval)
        self.gateway.privileged_intents = privileged_intents
        self.router = Router()
        self.rest = RestApi(self, self.router)
        self.interactions = Interactions(self, self.router)
        self.interactions.response_deadline = interaction_deadline
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self._faults: list[Fault] = []
        #: Called with each message a bot creates through REST, after it is stored and before the response
        #: goes out: a test kills the bot here to crash it "at the instant Discord stores the message".
        self.on_message_stored: Callable[[StoredMessage], None] | None = None
        self._buckets: dict[str, tuple[float, int]] = {}
        self._runner: web.AppRunner | None = None
        self._change = asyncio.Event()
        self._dirty = False
        self._saver: asyncio.Task[None] | None = None
        self._copy_seed_attributes()

    def _copy_seed_attributes(self) -> None:
        w = self.world
        self.token: str = w.token
        self.application_id: int = w.application_id
        self.bot_user_id: int = w.bot_user_id
        self.bot_member: FakeMember = w.bot_member
        self.guild_id: int = w.guild_id
        self.other_guild_id: int = w.other_guild_id
        self.everyone_role_id: int = w.everyone_role_id
        self.moderator_role_id: int = w.moderator_role_id
        self.organiser_role_id: int = w.organiser_role_id
        self.bot_role_id: int = w.bot_role_id
        self.owner: FakeMember = w.owner
        self.moderator: FakeMember = w.moderator
        self.member: FakeMember = w.member
        self.organiser: FakeMember = w.organiser
        self.members: list[FakeMember] = list(w.members)
        self.other_member: FakeMember = w.other_member
        self.category_id: int = w.category_id
        self.text_channel_id: int = w.text_channel_id
        self.news_channel_id: int = w.news_channel_id
        self.announce_channel_id: int = w.announce_channel_id
        self.readonly_channel_id: int = w.readonly_channel_id
        self.private_channel_id: int = w.private_channel_id
        self.voice_channel_id: int = w.voice_channel_id
        self.stage_channel_id: int = w.stage_channel_id
        self.other_channel_id: int = w.other_channel_id

    # ------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_api)
        if self.control_api:
            add_control_routes(app, self)
        return app

    async def start(self) -> FakeDiscord:
        self._change = asyncio.Event()
        self.gateway._changed = asyncio.Event()
        app = self.make_app()
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])
        self.world.cdn_base = self.base_url
        if self.state_file is not None:
            self._saver = asyncio.create_task(self._save_loop())
        log.debug("fake discord listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        self.save_state()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def save_state(self) -> None:
        if self.state_file is None:
            return
        tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
        tmp.write_text(json.dumps(self.world.to_json()))
        tmp.replace(self.state_file)
        self._dirty = False

    async def _save_loop(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            if self._dirty:
                self.save_state()

    # ----------------------------------------------------------- change feed
    def _changed(self) -> None:
        """Wake up ``wait_for`` pollers; mark state dirty for the state file."""
        self._dirty = True
        self._change.set()
        self._change = asyncio.Event()

    def _record_dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.dispatched.append((event, data))
        self._changed()

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        *,
        what: str | None = None,
    ) -> Any:
        """Poll ``predicate`` (sync or async) until it returns something truthy; return that value.

        Re-checks on every state change and at least every 20 ms; raises ``TimeoutError`` naming ``what``.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                desc = what or getattr(predicate, "__name__", "condition")
                raise TimeoutError(f"fake discord: timed out after {timeout}s waiting for {desc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._change.wait(), min(remaining, 0.02))

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for message in self.messages(channel_id):
                if predicate is None or predicate(message):
                    return message
            return None

        return await self.wait_for(find, timeout, what=f"a message in channel {channel_id}")

    async def wait_until_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client has IDENTIFYed and holds a live gateway session."""
        await self.wait_for(lambda: self.gateway.connected, timeout, what="a gateway session")

    # --------------------------------------------------------------- requests
    def find_requests(self, method: str | None = None, path_regex: str = "") -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper()) and pattern.search(r.path)
        ]

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        count: int = 1,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """Make the next ``count`` matching requests (``re.search`` on the path) answer ``status``."""
        self._faults.append(Fault(method.upper(), re.compile(path_regex), status, count, retry_after, body))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (method, "*") and fault.pattern.search(path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method.upper()
        body, files = await _read_body(request)
        record = RecordedRequest(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            headers={h: request.headers[h] for h in _RECORDED_HEADERS if h in request.headers},
            time=time.time(),
            files=[{"field": f.field, "filename": f.filename, "size": len(f.data)} for f in files],
        )
        self.requests.append(record)
        response = await self._respond(request, record, body, files)
        record.status = response.status
        self._changed()
        return response

    async def _respond(
        self, request: web.Request, record: RecordedRequest, body: Any, files: list[UploadedFile]
    ) -> web.StreamResponse:
        method, path = record.method, record.path
        matched = self.router.match(method, path)
        if matched is False or matched is True:
            self.unknown_requests.append(record)
            log.warning("fake discord: unknown route %s %s", method, path)
            if matched is True:
                return _json(405, {"message": "405: Method Not Allowed", "code": 0})
            return _json(404, {"message": "404: Not Found", "code": 0})
        route, params = matched
        headers, limited = self._ratelimit_headers(self.router.bucket_key(route, params), route.bucket_hash)
        fault = self._take_fault(method, path)
        if fault is not None:
            return self._fault_response(fault, headers)
        if route.auth and request.headers.get("Authorization") != f"Bot {self.world.token}":
            return _json(401, {"message": "401: Unauthorized", "code": 0}, headers)
        if limited:
            retry = float(headers["X-RateLimit-Reset-After"])
            headers["Retry-After"] = str(max(1, round(retry)))
            return _json(
                429,
                {"message": "You are being rate limited.", "retry_after": retry, "global": False},
                headers,
            )
        call = Call(request, method, path, params, dict(request.query), body, files)
        try:
            result = await route.handler(call)
        except ApiError as exc:
            return _json(exc.status, exc.body(), headers)
        if result is None:
            return web.Response(status=204, headers=headers)
        if isinstance(result, web.StreamResponse):
            return result
        return _json(200, result, headers)

    def _ratelimit_headers(self, key: str, bucket: str) -> tuple[dict[str, str], bool]:
        """Discord-like bucket headers; the second value says the bucket is exhausted (answer 429)."""
        limit, per = self.rate_limit
        now = time.monotonic()
        start, used = self._buckets.get(key, (now, 0))
        if now - start >= per:
            start, used = now, 0
        used += 1
        self._buckets[key] = (start, used)
        reset_after = max(0.001, per - (now - start))
        headers = {
            "Via": "1.1 google",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Scope": "user",
        }
        return headers, used > limit

    def _fault_response(self, fault: Fault, headers: dict[str, str]) -> web.Response:
        status = fault.status
        if status == 429:
            retry = fault.retry_after if fault.retry_after is not None else 0.05
            headers = {**headers, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{retry:.3f}"}
            headers["Retry-After"] = str(max(1, round(retry)))
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": retry,
                "global": False,
            }
            return _json(429, body, headers)
        defaults = {
            400: {"message": "400: Bad Request", "code": 0},
            401: {"message": "401: Unauthorized", "code": 0},
            403: {"message": "Missing Permissions", "code": 50013},
            404: {"message": "404: Not Found", "code": 0},
            500: {"message": "500: Internal Server Error", "code": 0},
            502: {"message": "502: Bad Gateway", "code": 0},
            503: {"message": "503: Service Unavailable", "code": 0},
        }
        body = (
            fault.body
            if fault.body is not None
            else defaults.get(status, {"message": str(status), "code": 0})
        )
        return _json(status, body, headers)

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        att_id = int(request.match_info["attachment_id"])
        for messages in self.world.messages.values():
            for message in messages:
                for att in message.attachments:
                    if att.id == att_id:
                        return web.Response(
                            body=att.data, content_type=att.content_type or "application/octet-stream"
                        )
        for message in self.world.ephemeral_messages.values():
            for att in message.attachments:
                if att.id == att_id:
                    return web.Response(
                        body=att.data, content_type=att.content_type or "application/octet-stream"
                    )
        loose = self.interactions.loose_attachments.get(att_id)
        if loose is not None:
            return web.Response(body=loose[1].data)
        return web.Response(status=404, text="not found")

    # --------------------------------------------------------------- gateway
    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send any raw gateway event (buffered for a disconnected-but-resumable session)."""
        await self.gateway.dispatch(event, data)

    async def drop_gateway(self, code: int | None = None) -> int:
        """Kill the gateway socket(s); the client should RESUME. Returns how many sockets were dropped."""
        return await self.gateway.drop(code)

    async def hold_gateway_down(self, down: bool = True) -> int:
        """Drop the gateway and refuse reconnects until called with ``down=False`` (an outage the client
        must ride out with its backoff, then RESUME)."""
        self.gateway.refusing = down
        return await self.gateway.drop() if down else 0

    async def invalidate_session(self, resumable: bool = False) -> None:
        await self.gateway.invalidate_sessions(resumable)

    async def request_reconnect(self) -> None:
        await self.gateway.send_op(7)

    @property
    def identify_count(self) -> int:
        return len(self.gateway.identifies)

    @property
    def resume_count(self) -> int:
        return len(self.gateway.resumes)

    def dispatched_events(self, name: str | None = None) -> list[dict[str, Any]]:
        return [d for e, d in self.dispatched if name is None or e == name]

    # ------------------------------------------------------------- read state
    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages in ``channel_id`` (oldest first) as Discord would return them."""
        return [self.world.message_payload(m) for m in self.world.messages.get(channel_id, [])]

    def message(self, message_id: int) -> dict[str, Any] | None:
        message = self.world.find_message(message_id)
        return self.world.message_payload(message) if message is not None else None

    def attachment_data(self, attachment: int | str | Mapping[str, Any]) -> bytes:
        att_id = int(attachment["id"] if isinstance(attachment, Mapping) else attachment)
        for message in [
            *(m for ms in self.world.messages.values() for m in ms),
            *self.world.ephemeral_messages.values(),
        ]:
            for att in message.attachments:
                if att.id == att_id:
                    return att.data
        raise KeyError(att_id)

    @property
    def deleted_message_ids(self) -> list[int]:
        return list(self.world.deleted_message_ids)

    def scheduled_events(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        guild = self.world.guilds[guild_id or self.guild_id]
        return [
            dict(e, user_count=len(guild.event_users.get(int(e["id"]), [])))
            for e in guild.scheduled_events.values()
        ]

    @property
    def threads(self) -> list[dict[str, Any]]:
        return [
            self.world.channel_payload(c)
            for g in self.world.guilds.values()
            for c in g.channels.values()
            if c.is_thread
        ]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        if guild_id is None:
            return list(self.world.global_commands)
        return list(self.world.guild_commands.get(guild_id, []))

    def channel(self, channel_id: int) -> FakeChannel | None:
        return self.world.channel(channel_id)

    def reactions(self, message_id: int) -> dict[str, list[int]]:
        """``{emoji: [user ids in reaction order]}`` for a message."""
        message = self.world.find_message(message_id)
        if message is None:
            raise KeyError(message_id)
        return {k: list(v) for k, v in message.reactions.items() if v}

    def interaction(self, interaction_id: int) -> InteractionRecord:
        return self.interactions.records[interaction_id]

    # ------------------------------------------------------ world mutation
    def add_channel(
        self,
        name: str,
        type: int = ChannelType.TEXT,
        *,
        guild_id: int | None = None,
        topic: str | None = None,
        parent_id: int | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> FakeChannel:
        gid = guild_id or self.guild_id
        guild = self.world.guilds[gid]
        channel = FakeChannel(
            id=self.world.ids.next(),
            name=name,
            type=type,
            guild_id=gid,
            position=len(guild.channels),
            parent_id=parent_id,
            topic=topic,
            overwrites=list(overwrites or []),
        )
        guild.channels[channel.id] = channel
        self._changed()
        self.gateway.dispatch_nowait("CHANNEL_CREATE", self.world.channel_payload(channel))
        return channel

    def add_forum(
        self,
        name: str,
        tags: Sequence[str | tuple[str, bool]] = (),
        *,
        require_tag: bool = False,
        media: bool = False,
        guild_id: int | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> FakeChannel:
        """A forum (or media) channel with ``tags`` (a name, or (name, moderated)) as its available tags."""
        gid = guild_id or self.guild_id
        guild = self.world.guilds[gid]
        channel = FakeChannel(
            id=self.world.ids.next(),
            name=name,
            type=ChannelType.MEDIA if media else ChannelType.FORUM,
            guild_id=gid,
            position=len(guild.channels),
            overwrites=list(overwrites or []),
            flags=(1 << 4) if require_tag else 0,
        )
        for tag in tags:
            tag_name, moderated = (tag, False) if isinstance(tag, str) else tag
            channel.available_tags.append(
                {"id": self.world.ids.next(), "name": tag_name, "moderated": moderated}
            )
        guild.channels[channel.id] = channel
        self._changed()
        self.gateway.dispatch_nowait("CHANNEL_CREATE", self.world.channel_payload(channel))
        return channel

    def archive_thread(self, thread_id: int, archived: bool = True) -> None:
        """Archive (or unarchive) a thread, as its auto-archive timer or a moderator would."""
        thread = self.world.channel(thread_id)
        assert thread is not None and thread.is_thread
        thread.archived = archived
        self._changed()
        self.gateway.dispatch_nowait("THREAD_UPDATE", self.world.channel_payload(thread))

    def add_member(
        self,
        username: str,
        *,
        roles: list[int] | None = None,
        guild_id: int | None = None,
        global_name: str | None = None,
        user_id: int | None = None,
    ) -> FakeMember:
        gid = guild_id or self.guild_id
        uid = user_id or self.world.ids.next()
        member = FakeMember(uid, username, list(roles or []), gid, global_name=global_name)
        self.world.guilds[gid].members[uid] = member
        self.world.users.setdefault(uid, member)
        self._changed()
        self.gateway.dispatch_nowait("GUILD_MEMBER_ADD", {**member.member_payload(), "guild_id": str(gid)})
        return member

    def set_member_roles(self, member: FakeMember, roles: list[int]) -> None:
        member.roles = list(roles)
        self._changed()
        self.gateway.dispatch_nowait(
            "GUILD_MEMBER_UPDATE", {**member.member_payload(), "guild_id": str(member.guild_id)}
        )

    def add_role(self, name: str, permissions: int = 0, *, guild_id: int | None = None) -> FakeRole:
        gid = guild_id or self.guild_id
        guild = self.world.guilds[gid]
        role = FakeRole(self.world.ids.next(), name, int(permissions), position=len(guild.roles))
        guild.roles[role.id] = role
        self._changed()
        self.gateway.dispatch_nowait("GUILD_ROLE_CREATE", {"guild_id": str(gid), "role": role.payload()})
        return role

    def set_role_permissions(self, role_id: int, permissions: int, *, guild_id: int | None = None) -> None:
        gid = guild_id or self.guild_id
        role = self.world.guilds[gid].roles[role_id]
        role.permissions = int(permissions)
        self._changed()
        self.gateway.dispatch_nowait("GUILD_ROLE_UPDATE", {"guild_id": str(gid), "role": role.payload()})

    def set_permission_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, is_member: bool | None = None
    ) -> None:
        """Set (or with allow=deny=0, remove) a channel overwrite; dispatches CHANNEL_UPDATE."""
        channel = self.world.channel(channel_id)
        if channel is None or channel.guild_id is None:
            raise KeyError(channel_id)
        guild = self.world.guilds[channel.guild_id]
        if is_member is None:
            is_member = target_id not in guild.roles
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        if allow or deny:
            channel.overwrites.append(Overwrite(target_id, 1 if is_member else 0, int(allow), int(deny)))
        self._changed()
        self.gateway.dispatch_nowait("CHANNEL_UPDATE", self.world.channel_payload(channel))

    def update_guild(self, guild_id: int | None = None, **changes: Any) -> None:
        guild = self.world.guilds[guild_id or self.guild_id]
        for key, value in changes.items():
            setattr(guild, key, value)
        self._changed()
        self.gateway.dispatch_nowait("GUILD_UPDATE", self.world.guild_payload(guild))

    # ------------------------------------------------------ user actions
    def _member_of(self, user: FakeMember | int, guild_id: int | None) -> FakeMember:
        uid = user.id if isinstance(user, FakeMember) else int(user)
        if guild_id is not None:
            member = self.world.get_member(guild_id, uid)
            if member is None:
                raise LookupError(f"user {uid} is not a member of guild {guild_id}")
            return member
        found = self.world.user(uid)
        if found is None:
            raise LookupError(f"unknown user {uid}")
        return found

    def _guild_of_channel(self, channel_id: int) -> int | None:
        channel = self.world.channel(channel_id)
        if channel is None:
            raise LookupError(f"unknown channel {channel_id}")
        return channel.guild_id

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeMember | int,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionRecord:
        """Run ``/name`` (``"club status"`` for subcommands) as ``user``; returns the interaction record."""
        channel_id = channel_id or (
            self.other_channel_id if guild_id == self.other_guild_id else self.text_channel_id
        )
        guild_id = guild_id or self._guild_of_channel(channel_id)
        member = self._member_of(user, guild_id)
        record = self.interactions.command_interaction(
            APPLICATION_COMMAND, name, options, user=member, guild_id=guild_id, channel_id=channel_id
        )
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        user: FakeMember | int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused`` of ``/name``; returns the choices the bot offered."""
        channel_id = channel_id or self.text_channel_id
        guild_id = guild_id or self._guild_of_channel(channel_id)
        member = self._member_of(user, guild_id)
        record = self.interactions.command_interaction(
            AUTOCOMPLETE,
            name,
            options,
            user=member,
            guild_id=guild_id,
            channel_id=channel_id,
            focused=focused,
        )
        await self.dispatch("INTERACTION_CREATE", record.payload)
        await record.response(timeout)
        return record.choices or []

    async def press_button(
        self, message_id: int, custom_id: str, *, user: FakeMember | int, values: list[str] | None = None
    ) -> InteractionRecord:
        """Click a button (or pick ``values`` in a select) on a stored message, ephemeral ones included."""
        message = self.world.find_message(message_id)
        if message is None:
            raise LookupError(f"unknown message {message_id}")
        member = self._member_of(user, message.guild_id)
        record = self.interactions.component_interaction(message, custom_id, user=member, values=values)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    select = press_button

    async def submit_modal(
        self, custom_id: str, values: Mapping[str, str], *, user: FakeMember | int
    ) -> InteractionRecord:
        """Submit the modal the bot last showed with ``custom_id``; ``values`` maps input custom_id -> text."""
        member = self._member_of(user, None)
        record = self.interactions.modal_interaction(custom_id, values, user=member)
        if record.guild_id is not None:
            record.user = self._member_of(member, record.guild_id)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    def set_reaction(
        self, message: StoredMessage, emoji: str, user_id: int, *, present: bool, dispatch: bool
    ) -> bool:
        """Add/remove one user's reaction; returns whether anything changed."""
        users = message.reactions.setdefault(emoji, [])
        if present == (user_id in users):
            return False
        if present:
            users.append(user_id)
        else:
            users.remove(user_id)
            if not users:
                del message.reactions[emoji]
        self._changed()
        if dispatch:
            data: dict[str, Any] = {
                "user_id": str(user_id),
                "channel_id": str(message.channel_id),
                "message_id": str(message.id),
                "emoji": emoji_payload(emoji),
                "burst": False,
                "type": 0,
            }
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            if present:
                data["message_author_id"] = str(message.author_id)
                data["burst_colors"] = []
                member = self.world.get_member(message.guild_id, user_id) if message.guild_id else None
                if member is not None:
                    data["member"] = member.member_payload()
            self.gateway.dispatch_nowait(
                "MESSAGE_REACTION_ADD" if present else "MESSAGE_REACTION_REMOVE", data
            )
        return True

    def _stored(self, channel_id: int, message_id: int) -> StoredMessage:
        message = self.world.channel_message(channel_id, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in channel {channel_id}")
        return message

    async def react(self, channel_id: int, message_id: int, emoji: str, *, user: FakeMember | int) -> None:
        """``user`` adds ``emoji``: stored and dispatched as MESSAGE_REACTION_ADD (with member)."""
        message = self._stored(channel_id, message_id)
        member = self._member_of(user, message.guild_id)
        self.set_reaction(message, normalize_emoji(emoji), member.id, present=True, dispatch=True)
        await self._flush()

    async def unreact(self, channel_id: int, message_id: int, emoji: str, *, user: FakeMember | int) -> None:
        message = self._stored(channel_id, message_id)
        member = self._member_of(user, message.guild_id)
        self.set_reaction(message, normalize_emoji(emoji), member.id, present=False, dispatch=True)
        await self._flush()

    def add_reaction_silently(
        self, channel_id: int, message_id: int, emoji: str, *, user: FakeMember | int
    ) -> None:
        """Change stored reactions without any gateway event (as if it happened while the bot was offline)."""
        message = self._stored(channel_id, message_id)
        self.set_reaction(
            message,
            normalize_emoji(emoji),
            self._member_of(user, message.guild_id).id,
            present=True,
            dispatch=False,
        )

    def remove_reaction_silently(
        self, channel_id: int, message_id: int, emoji: str, *, user: FakeMember | int
    ) -> None:
        message = self._stored(channel_id, message_id)
        self.set_reaction(
            message,
            normalize_emoji(emoji),
            self._member_of(user, message.guild_id).id,
            present=False,
            dispatch=False,
        )

    async def post_message(
        self,
        channel_id: int,
        content: str,
        *,
        user: FakeMember | int,
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A user writes a message (stored and dispatched as MESSAGE_CREATE)."""
        guild_id = self._guild_of_channel(channel_id)
        member = self._member_of(user, guild_id)
        message = create_message(self, channel_id, member.id, {"content": content, "embeds": embeds or []})
        await self._flush()
        return self.world.message_payload(message)

    def add_event_user(self, event_id: int, user: FakeMember | int, *, guild_id: int | None = None) -> None:
        gid = guild_id or self.guild_id
        member = self._member_of(user, gid)
        users = self.world.guilds[gid].event_users.setdefault(event_id, [])
        if member.id not in users:
            users.append(member.id)
            self._changed()
            self.gateway.dispatch_nowait(
                "GUILD_SCHEDULED_EVENT_USER_ADD",
                {"guild_scheduled_event_id": str(event_id), "user_id": str(member.id), "guild_id": str(gid)},
            )

    async def delete_scheduled_event(self, event_id: int, *, guild_id: int | None = None) -> None:
        """A moderator deletes an event in the Discord client: removed and dispatched as
        GUILD_SCHEDULED_EVENT_DELETE."""
        guild = self.world.guilds[guild_id or self.guild_id]
        event = guild.scheduled_events.pop(event_id)
        guild.event_users.pop(event_id, None)
        self._changed()
        self.gateway.dispatch_nowait("GUILD_SCHEDULED_EVENT_DELETE", dict(event, user_count=0))
        await self._flush()

    async def set_scheduled_event_status(
        self, event_id: int, status: int, *, guild_id: int | None = None
    ) -> None:
        """A moderator starts (2), ends (3) or cancels (4) an event in the client: GUILD_SCHEDULED_EVENT_UPDATE."""
        guild = self.world.guilds[guild_id or self.guild_id]
        event = guild.scheduled_events[event_id]
        event["status"] = int(status)
        self._changed()
        self.gateway.dispatch_nowait(
            "GUILD_SCHEDULED_EVENT_UPDATE",
            dict(event, user_count=len(guild.event_users.get(event_id, []))),
        )
        await self._flush()

    async def _flush(self) -> None:
        """Give queued gateway frames a chance to be written before returning to the test."""
        await asyncio.sleep(0)


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly "application/json" (no charset).
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        body: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            name = part.name or ""  # type: ignore[union-attr]
            data = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                body = json.loads(data)
            elif part.filename is not None:  # type: ignore[union-attr]
                files.append(UploadedFile(name, part.filename, bytes(data), part.headers.get("Content-Type")))  # type: ignore[union-attr]
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []
