"""REST routes for users, applications, commands, channels, messages, reactions, threads, guilds, events."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import create_message, delete_message, edit_message
from .router import Call, Router
from .state import (
    ChannelType,
    FakeChannel,
    FakeGuild,
    Perm,
    StoredMessage,
    emoji_payload,
    is_valid_unicode_emoji,
    iso,
    normalize_emoji,
)
from .validation import (
    ApiError,
    FormErrors,
    missing_access,
    missing_permissions,
    unknown,
    validate_commands,
    validate_message,
    validate_scheduled_event,
)

#: A forum's flag: every post must carry a tag.
FORUM_REQUIRE_TAG = 1 << 4

if TYPE_CHECKING:
    from .server import FakeDiscord


class RestApi:
    """Handlers act as the bot user; permission checks use the bot's computed channel permissions."""

    def __init__(self, fake: FakeDiscord, router: Router) -> None:
        self.fake = fake
        self.world = fake.world
        #: (channel_id, author_id, nonce) -> (message_id, monotonic time) for enforce_nonce
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.nonce_window = 300.0
        r = router.add
        r("GET", "/gateway", self.get_gateway, auth=False)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        r("GET", "/users/@me", self.get_me)
        r("GET", "/users/@me/guilds", self.get_my_guilds)
        r("POST", "/users/@me/channels", self.create_dm)
        r("GET", "/users/{user_id}", self.get_user)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            r("GET", f"{prefix}/commands", self.list_commands)
            r("PUT", f"{prefix}/commands", self.bulk_commands)
            r("POST", f"{prefix}/commands", self.create_command)
            r("GET", f"{prefix}/commands/{{command_id}}", self.get_command)
            r("PATCH", f"{prefix}/commands/{{command_id}}", self.edit_command)
            r("DELETE", f"{prefix}/commands/{{command_id}}", self.delete_command)
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("PATCH", "/channels/{channel_id}", self.edit_channel)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        for pins in ("/channels/{channel_id}/messages/pins", "/channels/{channel_id}/pins"):
            r("GET", pins, self.list_pins)
            r("PUT", f"{pins}/{{message_id}}", self.pin)
            r("DELETE", f"{pins}/{{message_id}}", self.unpin)
        r("GET", "/channels/{channel_id}/messages", self.list_messages)
        r("POST", "/channels/{channel_id}/messages", self.post_message)
        r("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r("POST", "/channels/{channel_id}/messages/{message_id}/crosspost", self.crosspost)
        reactions = "/channels/{channel_id}/messages/{message_id}/reactions"
        r("DELETE", reactions, self.clear_reactions)
        r("GET", f"{reactions}/{{emoji}}", self.reaction_users)
        r("DELETE", f"{reactions}/{{emoji}}", self.clear_emoji)
        r("PUT", f"{reactions}/{{emoji}}/@me", self.add_reaction)
        r("DELETE", f"{reactions}/{{emoji}}/@me", self.remove_own_reaction)
        r("DELETE", f"{reactions}/{{emoji}}/{{user_id}}", self.remove_user_reaction)
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        r("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        r("PUT", "/channels/{channel_id}/thread-members/@me", self.no_content)
        r("DELETE", "/channels/{channel_id}/thread-members/@me", self.no_content)
        r("GET", "/guilds/{guild_id}", self.get_guild)
        r("GET", "/guilds/{guild_id}/channels", self.guild_channels)
        r("GET", "/guilds/{guild_id}/threads/active", self.active_threads)
        r("GET", "/channels/{channel_id}/threads/archived/public", self.archived_public_threads)
        r("GET", "/guilds/{guild_id}/members", self.list_members)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        r("GET", "/guilds/{guild_id}/roles", self.list_roles)
        r("GET", "/guilds/{guild_id}/roles/{role_id}", self.get_role)
        events = "/guilds/{guild_id}/scheduled-events"
        r("GET", events, self.list_events)
        r("POST", events, self.create_event)
        r("GET", f"{events}/{{event_id}}", self.get_event)
        r("PATCH", f"{events}/{{event_id}}", self.edit_event)
        r("DELETE", f"{events}/{{event_id}}", self.delete_event)
        r("GET", f"{events}/{{event_id}}/users", self.event_users)

    # ----------------------------------------------------------------- helpers
    @property
    def bot_id(self) -> int:
        return self.world.bot_user_id

    def channel(self, call: Call, *, view: bool = True) -> FakeChannel:
        channel = self.world.channel(call.snowflake("channel_id"))
        if channel is None:
            raise unknown("Channel")
        if channel.guild_id is not None and view:
            if self.world.get_member(channel.guild_id, self.bot_id) is None:
                raise missing_access()
            if not self.perms(channel) & Perm.VIEW_CHANNEL:
                raise missing_access()
        return channel

    def perms(self, channel: FakeChannel) -> int:
        if channel.guild_id is None:
            return int(
                Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.READ_MESSAGE_HISTORY | Perm.ADD_REACTIONS
            )
        return self.world.permissions_for(channel.guild_id, self.bot_id, channel.id)

    def require(self, channel: FakeChannel, *needed: Perm) -> None:
        have = self.perms(channel)
        for perm in needed:
            if not have & perm:
                raise missing_permissions()

    def guild(self, call: Call) -> FakeGuild:
        guild = self.world.guild(call.snowflake("guild_id"))
        if guild is None:
            raise unknown("Guild")
        if self.bot_id not in guild.members:
            raise missing_access()
        return guild

    def message(self, call: Call, channel: FakeChannel) -> StoredMessage:
        message = self.world.channel_message(channel.id, call.snowflake("message_id"))
        if message is None:
            raise unknown("Message")
        return message

    def application(self, call: Call) -> None:
        if call.snowflake("application_id") != self.world.application_id:
            raise ApiError(403, 50001, "Missing Access")

    async def no_content(self, call: Call) -> None:
        self.channel(call)

    # ------------------------------------------------------- users and app
    async def get_gateway(self, call: Call) -> Any:
        return {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, call: Call) -> Any:
        return {
            "url": self.fake.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def get_me(self, call: Call) -> Any:
        me = self.world.bot_member.user_payload()
        return {**me, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bio": ""}

    async def get_my_guilds(self, call: Call) -> Any:
        return [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(self.world.base_permissions(g.id, self.bot_id)),
                "features": [],
            }
            for g in self.world.guilds.values()
            if self.bot_id in g.members
        ]

    async def get_user(self, call: Call) -> Any:
        user = self.world.user(call.snowflake("user_id"))
        if user is None:
            raise unknown("User")
        return user.user_payload()

    async def create_dm(self, call: Call) -> Any:
        recipient = int(call.json.get("recipient_id") or 0)
        user = self.world.user(recipient)
        if user is None:
            raise unknown("User")
        for channel in self.world.dm_channels.values():
            if channel.recipient_ids == [recipient]:
                return self.world.channel_payload(channel)
        channel = FakeChannel(
            id=self.world.ids.next(), name="", type=ChannelType.DM, recipient_ids=[recipient]
        )
        self.world.dm_channels[channel.id] = channel
        return self.world.channel_payload(channel)

    async def get_application(self, call: Call) -> Any:
        world = self.world
        return {
            "id": str(world.application_id),
            "name": world.bot_name,
            "icon": None,
            "description": "Film club bot (fake Discord)",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.fake.application_flags,
            "owner": world.owner.user_payload(),
            "team": None,
            "bot": world.bot_member.user_payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(world.guilds),
            "integration_types_config": {"0": {}},
            "install_params": None,
            "rpc_origins": [],
        }

    # ------------------------------------------------------------- commands
    def _command_list(self, call: Call) -> list[dict[str, Any]]:
        self.application(call)
        if "guild_id" in call.params:
            gid = call.snowflake("guild_id")
            self.guild(call)
            return self.world.guild_commands.setdefault(gid, [])
        return self.world.global_commands

    def _stored_command(
        self, call: Call, body: dict[str, Any], existing: list[dict[str, Any]]
    ) -> dict[str, Any]:
        ctype = body.get("type", 1)
        same = next((c for c in existing if c["name"] == body.get("name") and c["type"] == ctype), None)
        cmd: dict[str, Any] = {
            "id": same["id"] if same else str(self.world.ids.next()),
            "application_id": str(self.world.application_id),
            "version": str(self.world.ids.next()),
            "type": ctype,
            "name": body.get("name"),
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "options": copy.deepcopy(body.get("options") or []),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if "guild_id" in call.params:
            cmd["guild_id"] = call.params["guild_id"]
        return cmd

    async def list_commands(self, call: Call) -> Any:
        return copy.deepcopy(self._command_list(call))

    async def bulk_commands(self, call: Call) -> Any:
        existing = self._command_list(call)
        body = call.body if isinstance(call.body, list) else []
        validate_commands(body)
        new = [self._stored_command(call, c, existing) for c in body]
        existing[:] = new
        self.fake._changed()
        return copy.deepcopy(new)

    async def create_command(self, call: Call) -> Any:
        existing = self._command_list(call)
        validate_commands([call.json])
        cmd = self._stored_command(call, call.json, existing)
        existing[:] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
        self.fake._changed()
        return copy.deepcopy(cmd)

    def _find_command(self, call: Call) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        existing = self._command_list(call)
        for cmd in existing:
            if cmd["id"] == call.params["command_id"]:
                return existing, cmd
        raise unknown("Application Command")

    async def get_command(self, call: Call) -> Any:
        return copy.deepcopy(self._find_command(call)[1])

    async def edit_command(self, call: Call) -> Any:
        _, cmd = self._find_command(call)
        merged = {**cmd, **call.json}
        validate_commands([merged])
        cmd.update({k: v for k, v in call.json.items() if k != "id"})
        self.fake._changed()
        return copy.deepcopy(cmd)

    async def delete_command(self, call: Call) -> None:
        existing, cmd = self._find_command(call)
        existing.remove(cmd)
        self.fake._changed()

    # ------------------------------------------------------------- channels
    async def get_channel(self, call: Call) -> Any:
        channel = self.channel(call)
        return self.world.channel_payload(channel)

    async def edit_channel(self, call: Call) -> Any:
        channel = self.channel(call)
        body = call.json
        if channel.is_thread:
            if channel.owner_id != self.bot_id:
                self.require(channel, Perm.MANAGE_THREADS)
            for key in ("name", "archived", "locked", "auto_archive_duration", "rate_limit_per_user"):
                if key in body:
                    setattr(channel, key, body[key])
            event = "THREAD_UPDATE"
            if "applied_tags" in body:
                channel.applied_tags = self._forum_tags(channel, body["applied_tags"], ("applied_tags",))
        else:
            self.require(channel, Perm.MANAGE_CHANNELS)
            for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position", "flags"):
                if key in body:
                    setattr(channel, key, body[key])
            if "available_tags" in body and channel.type in ChannelType.FORUMS:
                channel.available_tags = self._available_tags(channel, body["available_tags"])
            event = "CHANNEL_UPDATE"
        self.fake._changed()
        payload = self.world.channel_payload(channel)
        self.fake.gateway.dispatch_nowait(event, payload)
        return payload

    async def typing(self, call: Call) -> None:
        channel = self.channel(call)
        self.require(channel, Perm.SEND_MESSAGES if not channel.is_thread else Perm.SEND_MESSAGES_IN_THREADS)

    # ------------------------------------------------------------- messages
    def _check_send(self, channel: FakeChannel, call: Call) -> None:
        if channel.type not in ChannelType.MESSAGEABLE:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel.type == ChannelType.DM:
            user = self.world.user(channel.recipient_ids[0]) if channel.recipient_ids else None
            if user is None or not user.dms_open or user.bot:
                raise ApiError(403, 50007, "Cannot send messages to this user")
            return
        if channel.is_thread:
            self.require(channel, Perm.SEND_MESSAGES_IN_THREADS)
            if channel.archived:
                if channel.locked and not self.perms(channel) & Perm.MANAGE_THREADS:
                    raise ApiError(400, 50083, "Thread is archived")
                channel.archived = False
                self.fake.gateway.dispatch_nowait("THREAD_UPDATE", self.world.channel_payload(channel))
        else:
            self.require(channel, Perm.SEND_MESSAGES)
        if call.files:
            self.require(channel, Perm.ATTACH_FILES)

    async def post_message(self, call: Call) -> Any:
        channel = self.channel(call)
        self._check_send(channel, call)
        body = call.json
        nonce = body.get("nonce")
        key = (channel.id, self.bot_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self.nonces.get(key)
            if seen is not None and time.monotonic() - seen[1] < self.nonce_window:
                original = self.world.channel_message(channel.id, seen[0])
                if original is not None:
                    return self.world.message_payload(original)
        message = create_message(self.fake, channel.id, self.bot_id, body, call.files)
        if nonce is not None:
            self.nonces[key] = (message.id, time.monotonic())
        if self.fake.on_message_stored is not None:
            self.fake.on_message_stored(message)
        return self.world.message_payload(message)

    async def list_messages(self, call: Call) -> Any:
        channel = self.channel(call)
        if not self.perms(channel) & Perm.READ_MESSAGE_HISTORY:
            return []
        limit = call.query_int("limit", 50, low=1, high=100)
        messages = self.world.messages.get(channel.id, [])
        before, after, around = (call.query_snowflake(k) for k in ("before", "after", "around"))
        if around is not None:
            older = [m for m in messages if m.id <= around][-((limit + 1) // 2) :]
            newer = [m for m in messages if m.id > around][: limit // 2]
            chosen = older + newer
        elif after is not None:
            chosen = [m for m in messages if m.id > after][:limit]
        else:
            pool = [m for m in messages if before is None or m.id < before]
            chosen = pool[-limit:]
        return [self.world.message_payload(m) for m in reversed(chosen)]

    async def get_message(self, call: Call) -> Any:
        channel = self.channel(call)
        if not self.perms(channel) & Perm.READ_MESSAGE_HISTORY:
            raise missing_access()
        return self.world.message_payload(self.message(call, channel))

    async def patch_message(self, call: Call) -> Any:
        channel = self.channel(call)
        message = self.message(call, channel)
        if message.author_id != self.bot_id or message.webhook_id is not None:
            only_flags = set(call.json) <= {"flags"}
            if not only_flags:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
            self.require(channel, Perm.MANAGE_MESSAGES)
        edit_message(self.fake, message, call.json, call.files)
        return self.world.message_payload(message)

    async def delete_message(self, call: Call) -> None:
        channel = self.channel(call)
        message = self.message(call, channel)
        if message.author_id != self.bot_id:
            self.require(channel, Perm.MANAGE_MESSAGES)
        delete_message(self.fake, message)

    async def bulk_delete(self, call: Call) -> None:
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES)
        ids = [int(i) for i in call.json.get("messages", [])]
        if not 2 <= len(ids) <= 100:
            errors = FormErrors()
            errors.add(("messages",), "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")
            errors.raise_if_any()
        for mid in ids:
            message = self.world.channel_message(channel.id, mid)
            if message is not None:
                delete_message(self.fake, message, dispatch=False)
        self.fake.gateway.dispatch_nowait(
            "MESSAGE_DELETE_BULK",
            {"ids": [str(i) for i in ids], "channel_id": str(channel.id), "guild_id": str(channel.guild_id)},
        )

    async def crosspost(self, call: Call) -> Any:
        channel = self.channel(call)
        if channel.type != ChannelType.NEWS:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        message = self.message(call, channel)
        if message.author_id != self.bot_id:
            self.require(channel, Perm.MANAGE_MESSAGES)
        else:
            self.require(channel, Perm.SEND_MESSAGES)
        if message.flags & 1:
            raise ApiError(400, 40033, "This message has already been crossposted.")
        message.flags |= 1
        self.fake._changed()
        return self.world.message_payload(message)

    async def list_pins(self, call: Call) -> Any:
        channel = self.channel(call)
        pinned = [m for m in self.world.messages.get(channel.id, []) if m.pinned]
        payloads = [self.world.message_payload(m) for m in reversed(pinned)]
        if call.path.endswith("/messages/pins"):
            return {
                "items": [{"pinned_at": m["timestamp"], "message": m} for m in payloads],
                "has_more": False,
            }
        return payloads

    async def pin(self, call: Call) -> None:
        await self._set_pinned(call, True)

    async def unpin(self, call: Call) -> None:
        await self._set_pinned(call, False)

    async def _set_pinned(self, call: Call, pinned: bool) -> None:
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES)
        message = self.message(call, channel)
        message.pinned = pinned
        self.fake._changed()
        self.fake.gateway.dispatch_nowait(
            "CHANNEL_PINS_UPDATE",
            {
                "channel_id": str(channel.id),
                "guild_id": str(channel.guild_id),
                "last_pin_timestamp": iso(time.time()),
            },
        )

    # ------------------------------------------------------------ reactions
    def _emoji(self, call: Call) -> str:
        emoji = normalize_emoji(call.params["emoji"])
        custom = emoji_payload(emoji)
        if custom["id"] is not None:
            raise unknown("Emoji")  # the fake guilds have no custom emojis
        if not is_valid_unicode_emoji(emoji):
            raise unknown("Emoji")
        return emoji

    async def add_reaction(self, call: Call) -> None:
        channel = self.channel(call)
        message = self.message(call, channel)
        emoji = self._emoji(call)
        self.require(channel, Perm.READ_MESSAGE_HISTORY)
        users = message.reactions.get(emoji)
        if not users:
            self.require(channel, Perm.ADD_REACTIONS)
            if len([k for k, v in message.reactions.items() if v]) >= 20:
                raise ApiError(400, 30010, "Maximum number of reactions reached (20)")
        self.fake.set_reaction(message, emoji, self.bot_id, present=True, dispatch=True)

    async def remove_own_reaction(self, call: Call) -> None:
        channel = self.channel(call)
        message = self.message(call, channel)
        emoji = self._emoji(call)
        self.fake.set_reaction(message, emoji, self.bot_id, present=False, dispatch=True)

    async def remove_user_reaction(self, call: Call) -> None:
        channel = self.channel(call)
        message = self.message(call, channel)
        emoji = self._emoji(call)
        user_id = call.snowflake("user_id")
        if user_id != self.bot_id:
            self.require(channel, Perm.MANAGE_MESSAGES)
        self.fake.set_reaction(message, emoji, user_id, present=False, dispatch=True)

    async def reaction_users(self, call: Call) -> Any:
        channel = self.channel(call)
        message = self.message(call, channel)
        emoji = self._emoji(call)
        limit = call.query_int("limit", 25, low=1, high=100)
        after = call.query_snowflake("after") or 0
        users = sorted(u for u in message.reactions.get(emoji, []) if u > after)[:limit]
        out = []
        for uid in users:
            user = self.world.user(uid)
            out.append(
                user.user_payload() if user else {"id": str(uid), "username": "unknown", "discriminator": "0"}
            )
        return out

    async def clear_reactions(self, call: Call) -> None:
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES)
        message = self.message(call, channel)
        message.reactions.clear()
        self.fake._changed()
        self.fake.gateway.dispatch_nowait(
            "MESSAGE_REACTION_REMOVE_ALL",
            {"channel_id": str(channel.id), "message_id": str(message.id), "guild_id": str(channel.guild_id)},
        )

    async def clear_emoji(self, call: Call) -> None:
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES)
        message = self.message(call, channel)
        emoji = self._emoji(call)
        message.reactions.pop(emoji, None)
        self.fake._changed()
        self.fake.gateway.dispatch_nowait(
            "MESSAGE_REACTION_REMOVE_EMOJI",
            {
                "channel_id": str(channel.id),
                "message_id": str(message.id),
                "guild_id": str(channel.guild_id),
                "emoji": emoji_payload(emoji),
            },
        )

    # -------------------------------------------------------------- threads
    def _new_thread(
        self,
        parent: FakeChannel,
        body: dict[str, Any],
        thread_id: int,
        ttype: int,
        tags: list[int] | None = None,
    ) -> FakeChannel:
        errors = FormErrors()
        errors.length_between(("name",), body.get("name"), 1, 100)
        if body.get("auto_archive_duration") not in (None, 60, 1440, 4320, 10080):
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )
        errors.raise_if_any()
        thread = FakeChannel(
            id=thread_id,
            name=body["name"],
            type=ttype,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot_id,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            rate_limit_per_user=body.get("rate_limit_per_user") or 0,
            created_at=iso(time.time()),
            applied_tags=list(tags or []),
        )
        assert parent.guild_id is not None
        self.world.guilds[parent.guild_id].channels[thread.id] = thread
        self.fake._changed()
        payload = self.world.channel_payload(thread)
        payload["newly_created"] = True
        payload["member"] = self.world.thread_member_payload(thread, self.bot_id)
        self.fake.gateway.dispatch_nowait("THREAD_CREATE", payload)
        return thread

    async def thread_from_message(self, call: Call) -> Any:
        channel = self.channel(call)
        if channel.type not in (ChannelType.TEXT, ChannelType.NEWS):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        self.require(channel, Perm.CREATE_PUBLIC_THREADS, Perm.READ_MESSAGE_HISTORY)
        message = self.message(call, channel)
        if message.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        ttype = ChannelType.NEWS_THREAD if channel.type == ChannelType.NEWS else ChannelType.PUBLIC_THREAD
        thread = self._new_thread(channel, call.json, message.id, ttype)
        message.thread_id = thread.id
        self.fake.gateway.dispatch_nowait("MESSAGE_UPDATE", self.world.message_payload(message, gateway=True))
        return self.world.channel_payload(thread)

    def _available_tags(self, forum: FakeChannel, raw: Any) -> list[dict[str, Any]]:
        errors = FormErrors()
        if not isinstance(raw, list) or len(raw) > 20:
            errors.add(("available_tags",), "BASE_TYPE_MAX_LENGTH", "Must be 20 or fewer in length.")
        errors.raise_if_any()
        tags = []
        for i, tag in enumerate(raw):
            errors.length_between(("available_tags", i, "name"), tag.get("name"), 1, 20)
            tag_id = int(tag["id"]) if tag.get("id") else self.world.ids.next()
            tags.append(
                {
                    "id": tag_id,
                    "name": tag.get("name"),
                    "moderated": bool(tag.get("moderated")),
                    "emoji_id": tag.get("emoji_id"),
                    "emoji_name": tag.get("emoji_name"),
                }
            )
        errors.raise_if_any()
        return tags

    def _forum_tags(self, forum: FakeChannel, raw: Any, path: tuple[str, ...]) -> list[int]:
        """``applied_tags`` checked like Discord: at most 5, each one of the forum's, moderated ones only
        with Manage Threads, and one at least when the forum requires a tag."""
        parent = forum if forum.type in ChannelType.FORUMS else self.world.channel(forum.parent_id or 0)
        if parent is None or parent.type not in ChannelType.FORUMS:
            return []
        ids = [int(t) for t in raw or []]
        errors = FormErrors()
        if len(ids) > 5:
            errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        known = {int(t["id"]): t for t in parent.available_tags}
        for i, tag_id in enumerate(ids):
            if tag_id not in known:
                errors.add((*path, i), "INVALID_TAG", "Tag does not exist in this forum.")
        errors.raise_if_any()
        if parent.flags & FORUM_REQUIRE_TAG and not ids:
            raise ApiError(400, 40067, "A tag is required to create a forum post in this channel")
        if any(known[t].get("moderated") for t in ids) and not self.perms(parent) & Perm.MANAGE_THREADS:
            raise missing_permissions()
        return list(dict.fromkeys(ids))

    async def forum_post(self, call: Call, forum: FakeChannel) -> Any:
        """A forum (or media) post: a public thread whose first message has the thread's id."""
        self.require(forum, Perm.SEND_MESSAGES)  # "Create Posts" is Send Messages in a forum
        body = call.json
        message = body.get("message")
        if not isinstance(message, dict):
            errors = FormErrors()
            errors.add(("message",), "BASE_TYPE_REQUIRED", "This field is required")
            errors.raise_if_any()
        assert isinstance(message, dict)
        validate_message(message, has_files=bool(call.files))
        tags = self._forum_tags(forum, body.get("applied_tags"), ("applied_tags",))
        thread = self._new_thread(forum, body, self.world.ids.next(), ChannelType.PUBLIC_THREAD, tags)
        starter = create_message(self.fake, thread.id, self.bot_id, message, call.files, message_id=thread.id)
        forum.last_message_id = thread.id  # a forum's last message is its newest post
        if self.fake.on_message_stored is not None:
            self.fake.on_message_stored(starter)
        payload = self.world.channel_payload(thread)
        payload["message"] = self.world.message_payload(starter)
        payload["member"] = self.world.thread_member_payload(thread, self.bot_id)
        return payload

    async def archived_public_threads(self, call: Call) -> Any:
        channel = self.channel(call)
        if not self.perms(channel) & Perm.READ_MESSAGE_HISTORY:
            raise missing_access()
        assert channel.guild_id is not None
        threads = [
            c
            for c in self.world.guilds[channel.guild_id].channels.values()
            if c.is_thread
            and c.archived
            and c.parent_id == channel.id
            and c.type != ChannelType.PRIVATE_THREAD
        ]
        threads.sort(key=lambda t: t.id, reverse=True)
        return {"threads": [self.world.channel_payload(t) for t in threads], "members": [], "has_more": False}

    async def thread_without_message(self, call: Call) -> Any:
        channel = self.channel(call)
        if channel.type in ChannelType.FORUMS:
            return await self.forum_post(call, channel)
        if channel.type not in (ChannelType.TEXT, ChannelType.NEWS):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        ttype = int(call.json.get("type") or ChannelType.PRIVATE_THREAD)
        perm = (
            Perm.CREATE_PRIVATE_THREADS if ttype == ChannelType.PRIVATE_THREAD else Perm.CREATE_PUBLIC_THREADS
        )
        self.require(channel, perm)
        thread = self._new_thread(channel, call.json, self.world.ids.next(), ttype)
        return self.world.channel_payload(thread)

    async def active_threads(self, call: Call) -> Any:
        guild = self.guild(call)
        threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
        return {
            "threads": [self.world.channel_payload(t) for t in threads],
            "members": [
                self.world.thread_member_payload(t, self.bot_id) for t in threads if t.owner_id == self.bot_id
            ],
        }

    # --------------------------------------------------------------- guilds
    async def get_guild(self, call: Call) -> Any:
        guild = self.guild(call)
        data = self.world.guild_payload(guild)
        if call.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = len(guild.members)
        return data

    async def guild_channels(self, call: Call) -> Any:
        guild = self.guild(call)
        return [self.world.channel_payload(c) for c in guild.channels.values() if not c.is_thread]

    async def list_members(self, call: Call) -> Any:
        guild = self.guild(call)
        limit = call.query_int("limit", 1, low=1, high=1000)
        after = call.query_snowflake("after") or 0
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return [m.member_payload() for m in members[:limit]]

    async def get_member(self, call: Call) -> Any:
        guild = self.guild(call)
        member = guild.members.get(call.snowflake("user_id"))
        if member is None:
            raise unknown("Member")
        return member.member_payload()

    async def list_roles(self, call: Call) -> Any:
        guild = self.guild(call)
        return [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)]

    async def get_role(self, call: Call) -> Any:
        guild = self.guild(call)
        role = guild.roles.get(call.snowflake("role_id"))
        if role is None:
            raise unknown("Role")
        return role.payload()

    # ----------------------------------------------------- scheduled events
    def _event(self, call: Call, guild: FakeGuild) -> dict[str, Any]:
        event = guild.scheduled_events.get(call.snowflake("event_id"))
        if event is None:
            raise unknown("Guild Scheduled Event")
        return event

    def _event_out(self, guild: FakeGuild, event: dict[str, Any], with_count: bool = True) -> dict[str, Any]:
        out = copy.deepcopy(event)
        if with_count:
            out["user_count"] = len(guild.event_users.get(int(event["id"]), []))
        else:
            out.pop("user_count", None)
        return out

    def _require_events(self, guild: FakeGuild, channel_id: int | None) -> None:
        if channel_id is not None:
            perms = self.world.permissions_for(guild.id, self.bot_id, channel_id)
        else:
            perms = self.world.base_permissions(guild.id, self.bot_id)
        if not perms & Perm.MANAGE_EVENTS:
            raise missing_permissions()

    def _event_channel_type(self, guild: FakeGuild, body: dict[str, Any]) -> int | None:
        if body.get("channel_id") is None:
            return None
        channel = guild.channels.get(int(body["channel_id"]))
        if channel is None:
            raise unknown("Channel")
        return channel.type

    async def list_events(self, call: Call) -> Any:
        guild = self.guild(call)
        with_count = call.query.get("with_user_count") in ("true", "1", "True")
        return [self._event_out(guild, e, with_count) for e in guild.scheduled_events.values()]

    async def get_event(self, call: Call) -> Any:
        guild = self.guild(call)
        with_count = call.query.get("with_user_count") in ("true", "1", "True")
        return self._event_out(guild, self._event(call, guild), with_count)

    async def create_event(self, call: Call) -> Any:
        guild = self.guild(call)
        body = call.json
        ctype = self._event_channel_type(guild, body)
        validate_scheduled_event(body, ctype, creating=True)
        self._require_events(guild, int(body["channel_id"]) if body.get("channel_id") else None)
        event_id = self.world.ids.next()
        event: dict[str, Any] = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": str(body["channel_id"]) if body.get("channel_id") else None,
            "creator_id": str(self.bot_id),
            "creator": self.world.bot_member.user_payload(),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": 2,
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
            "auto_start": False,
            "sku_ids": [],
            "user_count": 0,
        }
        guild.scheduled_events[event_id] = event
        guild.event_users[event_id] = []
        self.fake._changed()
        self.fake.gateway.dispatch_nowait("GUILD_SCHEDULED_EVENT_CREATE", self._event_out(guild, event))
        return self._event_out(guild, event)

    _TRANSITIONS: ClassVar[dict[int, set[int]]] = {1: {1, 2, 4}, 2: {2, 3}}

    async def edit_event(self, call: Call) -> Any:
        guild = self.guild(call)
        event = self._event(call, guild)
        body = call.json
        merged = {**event, **body}
        ctype = self._event_channel_type(guild, merged)
        check = {k: v for k, v in body.items()}
        if "entity_type" in body or "channel_id" in body:
            check.update(
                entity_type=merged["entity_type"],
                channel_id=merged.get("channel_id"),
                entity_metadata=merged.get("entity_metadata"),
            )
        validate_scheduled_event(check, ctype, creating=False)
        self._require_events(guild, int(event["channel_id"]) if event.get("channel_id") else None)
        if "status" in body and body["status"] not in self._TRANSITIONS.get(event["status"], set()):
            errors = FormErrors()
            errors.add(
                ("status",),
                "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                f"Cannot change status from {event['status']} to {body['status']}.",
            )
            errors.raise_if_any()
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "entity_type",
            "entity_metadata",
            "status",
            "privacy_level",
            "recurrence_rule",
        ):
            if key in body:
                event[key] = body[key]
        if "channel_id" in body:
            event["channel_id"] = None if body["channel_id"] is None else str(body["channel_id"])
        self.fake._changed()
        self.fake.gateway.dispatch_nowait("GUILD_SCHEDULED_EVENT_UPDATE", self._event_out(guild, event))
        return self._event_out(guild, event)

    async def delete_event(self, call: Call) -> None:
        guild = self.guild(call)
        event = self._event(call, guild)
        self._require_events(guild, int(event["channel_id"]) if event.get("channel_id") else None)
        del guild.scheduled_events[int(event["id"])]
        guild.event_users.pop(int(event["id"]), None)
        self.fake._changed()
        self.fake.gateway.dispatch_nowait("GUILD_SCHEDULED_EVENT_DELETE", self._event_out(guild, event))

    async def event_users(self, call: Call) -> Any:
        guild = self.guild(call)
        event = self._event(call, guild)
        limit = call.query_int("limit", 100, low=1, high=100)
        with_member = call.query.get("with_member") in ("true", "1", "True")
        out = []
        for uid in sorted(guild.event_users.get(int(event["id"]), []))[:limit]:
            member = guild.members.get(uid)
            if member is None:
                continue
            entry: dict[str, Any] = {"guild_scheduled_event_id": event["id"], "user": member.user_payload()}
            if with_member:
                entry["member"] = member.member_payload(with_user=False)
            out.append(entry)
        return out
