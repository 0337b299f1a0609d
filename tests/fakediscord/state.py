"""The fake Discord's world: guilds, roles, channels, members, messages and how they look on the wire.

Everything here is synchronous and side-effect free apart from mutating the world; the REST and gateway
layers decide what to dispatch. Payload builders mirror the shapes Discord sends (API v10) closely enough
that discord.py's parsers accept them without special cases.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from enum import IntFlag
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
#: Seeded objects get snowflakes from this instant (2024-01-01T00:00:00Z) so their ids never change.
SEED_BASE_MS = 1_704_067_200_000


class Perm(IntFlag):
    """Discord permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMS = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.ADD_REACTIONS
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ATTACH_FILES
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.CHANGE_NICKNAME
    | Perm.CREATE_INSTANT_INVITE
)
MODERATOR_PERMS = Perm.MANAGE_GUILD | Perm.MANAGE_EVENTS | Perm.MANAGE_MESSAGES
ORGANISER_PERMS = Perm.MANAGE_EVENTS
BOT_PERMS = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ADD_REACTIONS
    | Perm.MANAGE_MESSAGES
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.MANAGE_EVENTS
    | Perm.READ_MESSAGE_HISTORY
)

#: Without SEND_MESSAGES these are implicitly denied too (Discord's documented behaviour).
_NEEDS_SEND = Perm.MENTION_EVERYONE | Perm.SEND_TTS_MESSAGES | Perm.ATTACH_FILES | Perm.EMBED_LINKS


class ChannelType:
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    NEWS_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    STAGE = 13
    FORUM = 15
    MEDIA = 16

    FORUMS = frozenset({15, 16})

    THREADS = frozenset({10, 11, 12})
    MESSAGEABLE = frozenset({0, 1, 2, 5, 10, 11, 12, 13})


class Intents(IntFlag):
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    GUILD_MESSAGE_TYPING = 1 << 11
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


PRIVILEGED_INTENTS = Intents.GUILD_MEMBERS | Intents.GUILD_PRESENCES | Intents.MESSAGE_CONTENT

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2


def iso(ts: float) -> str:
    """Discord's timestamp format, e.g. ``2024-01-01T00:00:00.000000+00:00``."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="microseconds")


def snowflake_time(snowflake: int) -> float:
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


class SnowflakeFactory:
    """Seeded ids are deterministic; runtime ids follow the clock but are strictly increasing."""

    def __init__(self) -> None:
        self._seed = itertools.count(1)
        self._last = 0
        self._lock = threading.Lock()

    def seeded(self) -> int:
        return (SEED_BASE_MS + next(self._seed) - DISCORD_EPOCH_MS) << 22

    def next(self) -> int:
        with self._lock:
            candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last = max(candidate, self._last + 1)
            return self._last


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeMember:
    """A user as a member of one guild. ``roles`` holds role ids (never the @everyone role)."""

    id: int
    username: str
    roles: list[int] = field(default_factory=list)
    guild_id: int = 0
    global_name: str | None = None
    nick: str | None = None
    bot: bool = False
    joined_at: str = "2024-01-01T00:00:00.000000+00:00"
    dms_open: bool = True

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def user_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    def member_payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = ChannelType.TEXT
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    nsfw: bool = False
    rate_limit_per_user: int = 0
    last_message_id: int | None = None
    #: channel flags: a forum's REQUIRE_TAG (1 << 4); a forum post's PINNED (1 << 1)
    flags: int = 0
    #: forum/media only: [{"id", "name", "moderated", "emoji_id", "emoji_name"}]
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    # thread-only
    applied_tags: list[int] = field(default_factory=list)
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: str | None = None
    message_count: int = 0
    # DM-only
    recipient_ids: list[int] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREADS

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class StoredAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["data"] = base64.b64encode(self.data).decode()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StoredAttachment:
        return cls(**{**raw, "data": base64.b64decode(raw["data"])})


@dataclass
class StoredMessage:
    """A message as the fake keeps it; ``payload()`` renders what REST/gateway return."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    nonce: str | None = None
    tts: bool = False
    timestamp: str = ""
    edited_timestamp: str | None = None
    pinned: bool = False
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None
    thread_id: int | None = None
    #: emoji key ("👍" or "name:id") -> user ids in the order they reacted
    reactions: dict[str, list[int]] = field(default_factory=dict)
    ephemeral: bool = False

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["attachments"] = [a.to_json() for a in self.attachments]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StoredMessage:
        return cls(**{**raw, "attachments": [StoredAttachment.from_json(a) for a in raw["attachments"]]})


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: event id -> user ids interested
    event_users: dict[int, list[int]] = field(default_factory=dict)
    system_channel_id: int | None = None


_MENTION_USER = re.compile(r"<@!?(\d+)>")
_MENTION_ROLE = re.compile(r"<@&(\d+)>")


def emoji_payload(key: str) -> dict[str, Any]:
    """``"👍"`` -> ``{"id": None, "name": "👍"}``; ``"name:123"`` / ``"a:name:123"`` -> custom emoji."""
    parts = key.split(":")
    if len(parts) >= 2 and parts[-1].isdigit():
        data: dict[str, Any] = {"id": parts[-1], "name": parts[-2]}
        if len(parts) == 3 and parts[0] == "a":
            data["animated"] = True
        return data
    return {"id": None, "name": key}


def normalize_emoji(emoji: str) -> str:
    """Accept the forms people and discord.py use: ``<:name:id>``, ``<a:name:id>``, ``name:id``, unicode."""
    emoji = emoji.strip()
    if emoji.startswith("<") and emoji.endswith(">"):
        emoji = emoji[1:-1]
    parts = emoji.split(":")
    if len(parts) == 3 and parts[0] in ("", "a"):
        emoji = f"{parts[1]}:{parts[2]}"
    return emoji


def is_valid_unicode_emoji(emoji: str) -> bool:
    """Cheap approximation: Discord rejects plain ASCII such as ``thumbsup`` or ``:+1:`` with Unknown Emoji."""
    if not emoji:
        return False
    if "\u20e3" in emoji:  # keycap sequences like 1️⃣ start with ASCII
        return True
    return all(ord(ch) > 0x7F for ch in emoji)


class World:
    """All guild state plus the seeded objects' ids as attributes (``world.guild_id`` ...)."""

    def __init__(self, *, token: str | None = None) -> None:
        self.ids = SnowflakeFactory()
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        #: channel id -> messages in creation order
        self.messages: dict[int, list[StoredMessage]] = {}
        self.deleted_message_ids: list[int] = []
        #: ephemeral interaction messages are not in any channel history
        self.ephemeral_messages: dict[int, StoredMessage] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.users: dict[int, FakeMember] = {}
        self._seed(token)

    # ----------------------------------------------------------------- seeding
    def _seed(self, token: str | None) -> None:
        ids = self.ids
        self.application_id = self.bot_user_id = ids.seeded()
        self.bot_name = "Projectionist"
        self.token = token or _make_token(self.bot_user_id)

        gid = self.guild_id = ids.seeded()
        self.owner = self._member(ids.seeded(), "club-owner", gid, global_name="Club Owner")
        guild = FakeGuild(id=gid, name="Projectionist Test Club", owner_id=self.owner.id)
        self.guilds[gid] = guild
        self.everyone_role_id = gid
        self.moderator_role_id = ids.seeded()
        self.organiser_role_id = ids.seeded()
        self.bot_role_id = ids.seeded()
        for role in (
            FakeRole(gid, "@everyone", int(EVERYONE_PERMS), position=0),
            FakeRole(self.organiser_role_id, "Organiser", int(ORGANISER_PERMS), position=1, color=0x2ECC71),
            FakeRole(self.moderator_role_id, "Moderator", int(MODERATOR_PERMS), position=2, color=0xE67E22),
            FakeRole(
                self.bot_role_id, "Projectionist", int(BOT_PERMS), 3, managed=True, bot_id=self.bot_user_id
            ),
        ):
            guild.roles[role.id] = role

        self.moderator = self._member(ids.seeded(), "mod-maria", gid, [self.moderator_role_id], "Maria")
        self.member = self._member(ids.seeded(), "member-max", gid, global_name="Max")
        self.organiser = self._member(ids.seeded(), "organiser-olga", gid, [self.organiser_role_id], "Olga")
        self.members = [
            self._member(ids.seeded(), name, gid, global_name=name.title())
            for name in ("alice", "bob", "carol", "dave", "erin")
        ]
        self.bot_member = self._member(self.bot_user_id, self.bot_name, gid, [self.bot_role_id], bot=True)
        for m in (self.owner, self.moderator, self.member, self.organiser, *self.members, self.bot_member):
            guild.members[m.id] = m

        self.category_id = self._channel(gid, "Film Club", ChannelType.CATEGORY, 0).id
        self.text_channel_id = self._channel(gid, "general", position=1, topic="Chat about films").id
        self.news_channel_id = self._channel(gid, "film-news", position=2, topic="Film news feed").id
        self.announce_channel_id = self._channel(gid, "announcements", ChannelType.NEWS, 3).id
        self.readonly_channel_id = self._channel(
            gid,
            "rules",
            position=4,
            overwrites=[Overwrite(self.bot_user_id, 1, deny=int(Perm.SEND_MESSAGES))],
        ).id
        self.private_channel_id = self._channel(
            gid,
            "mod-lounge",
            position=5,
            overwrites=[
                Overwrite(gid, 0, deny=int(Perm.VIEW_CHANNEL)),
                Overwrite(self.moderator_role_id, 0, allow=int(Perm.VIEW_CHANNEL)),
            ],
        ).id
        self.voice_channel_id = self._channel(gid, "Screening Room", ChannelType.VOICE, 6).id
        self.stage_channel_id = self._channel(gid, "Director Q&A", ChannelType.STAGE, 7).id
        guild.system_channel_id = self.text_channel_id

        ogid = self.other_guild_id = ids.seeded()
        self.other_owner = self._member(ids.seeded(), "other-owner", ogid)
        other = FakeGuild(id=ogid, name="Other Film Society", owner_id=self.other_owner.id)
        self.guilds[ogid] = other
        self.other_bot_role_id = ids.seeded()
        other.roles[ogid] = FakeRole(ogid, "@everyone", int(EVERYONE_PERMS))
        other.roles[self.other_bot_role_id] = FakeRole(
            self.other_bot_role_id, "Projectionist", int(BOT_PERMS), 1, managed=True, bot_id=self.bot_user_id
        )
        self.other_member = self._member(ids.seeded(), "zed", ogid, global_name="Zed")
        other_bot = self._member(self.bot_user_id, self.bot_name, ogid, [self.other_bot_role_id], bot=True)
        for m in (self.other_owner, self.other_member, other_bot):
            other.members[m.id] = m
        self.other_channel_id = self._channel(ogid, "society-chat", position=0).id
        other.system_channel_id = self.other_channel_id

    def _member(
        self,
        uid: int,
        username: str,
        guild_id: int,
        roles: list[int] | None = None,
        global_name: str | None = None,
        *,
        bot: bool = False,
    ) -> FakeMember:
        member = FakeMember(uid, username, list(roles or []), guild_id, global_name=global_name, bot=bot)
        self.users.setdefault(uid, member)
        return member

    def _channel(
        self,
        guild_id: int,
        name: str,
        type: int = ChannelType.TEXT,
        position: int = 0,
        *,
        topic: str | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> FakeChannel:
        parent = getattr(self, "category_id", None) if guild_id == getattr(self, "guild_id", None) else None
        channel = FakeChannel(
            id=self.ids.seeded(),
            name=name,
            type=type,
            guild_id=guild_id,
            position=position,
            parent_id=parent if type != ChannelType.CATEGORY else None,
            topic=topic,
            overwrites=list(overwrites or []),
        )
        self.guilds[guild_id].channels[channel.id] = channel
        return channel

    # ----------------------------------------------------------------- lookups
    @property
    def bot_user(self) -> FakeMember:
        return self.bot_member

    def guild(self, guild_id: int) -> FakeGuild | None:
        return self.guilds.get(guild_id)

    def channel(self, channel_id: int) -> FakeChannel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return self.dm_channels.get(channel_id)

    def get_member(self, guild_id: int, user_id: int) -> FakeMember | None:
        guild = self.guilds.get(guild_id)
        return guild.members.get(user_id) if guild else None

    def user(self, user_id: int) -> FakeMember | None:
        return self.users.get(user_id)

    def find_message(self, message_id: int) -> StoredMessage | None:
        for messages in self.messages.values():
            for message in messages:
                if message.id == message_id:
                    return message
        return self.ephemeral_messages.get(message_id)

    def channel_message(self, channel_id: int, message_id: int) -> StoredMessage | None:
        for message in self.messages.get(channel_id, []):
            if message.id == message_id:
                return message
        return None

    # ------------------------------------------------------------- permissions
    def base_permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = guild.roles[guild_id].permissions
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def permissions_for(self, guild_id: int, user_id: int, channel_id: int | None = None) -> int:
        """Discord's permission algorithm: base role perms, then @everyone/role/member overwrites."""
        perms = self.base_permissions(guild_id, user_id)
        if channel_id is None or perms == ALL_PERMISSIONS:
            return perms
        guild = self.guilds[guild_id]
        channel = guild.channels.get(channel_id)
        if channel is None:
            return perms
        if channel.is_thread and channel.parent_id is not None:
            channel = guild.channels.get(channel.parent_id, channel)
        member = guild.members[user_id]
        by_id = {(o.type, o.id): o for o in channel.overwrites}
        everyone = by_id.get((0, guild_id))
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for rid in member.roles:
            ow = by_id.get((0, rid))
            if ow:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        own = by_id.get((1, user_id))
        if own:
            perms = (perms & ~own.deny) | own.allow
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        if not perms & Perm.SEND_MESSAGES:
            perms &= ~_NEEDS_SEND
        return perms

    # ---------------------------------------------------------------- payloads
    def channel_payload(self, channel: FakeChannel, *, for_user: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(channel.id),
            "type": channel.type,
            "name": channel.name,
            "flags": channel.flags,
        }
        if channel.type == ChannelType.DM:
            data["recipients"] = [
                self.users[uid].user_payload() for uid in channel.recipient_ids if uid in self.users
            ]
            data["last_message_id"] = _opt_str(channel.last_message_id)
            data.pop("name")
            return data
        data.update(
            guild_id=str(channel.guild_id),
            position=channel.position,
            parent_id=_opt_str(channel.parent_id),
            nsfw=channel.nsfw,
        )
        if channel.is_thread:
            data.update(
                owner_id=str(channel.owner_id),
                last_message_id=_opt_str(channel.last_message_id),
                message_count=channel.message_count,
                total_message_sent=channel.message_count,
                member_count=1,
                rate_limit_per_user=channel.rate_limit_per_user,
                thread_metadata={
                    "archived": channel.archived,
                    "locked": channel.locked,
                    "auto_archive_duration": channel.auto_archive_duration,
                    "archive_timestamp": channel.created_at,
                    "create_timestamp": channel.created_at,
                    "invitable": channel.type != ChannelType.PRIVATE_THREAD,
                },
                applied_tags=[str(t) for t in channel.applied_tags],
            )
            data.pop("position")
        else:
            data["permission_overwrites"] = [o.payload() for o in channel.overwrites]
            if channel.type in ChannelType.FORUMS:
                data.update(
                    available_tags=[
                        {"emoji_id": None, "emoji_name": None, "moderated": False, **t, "id": str(t["id"])}
                        for t in channel.available_tags
                    ],
                    default_reaction_emoji=None,
                    default_sort_order=None,
                    default_forum_layout=0,
                    default_thread_rate_limit_per_user=0,
                )
            if channel.type in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM, ChannelType.MEDIA):
                data.update(
                    topic=channel.topic,
                    last_message_id=_opt_str(channel.last_message_id),
                    rate_limit_per_user=channel.rate_limit_per_user,
                    default_auto_archive_duration=1440,
                )
            elif channel.type in (ChannelType.VOICE, ChannelType.STAGE):
                data.update(
                    bitrate=64000,
                    user_limit=0,
                    rtc_region=None,
                    last_message_id=_opt_str(channel.last_message_id),
                    rate_limit_per_user=0,
                )
        if for_user is not None and channel.guild_id is not None:
            data["permissions"] = str(self.permissions_for(channel.guild_id, for_user, channel.id))
        return data

    def thread_member_payload(self, channel: FakeChannel, user_id: int) -> dict[str, Any]:
        return {
            "id": str(channel.id),
            "user_id": str(user_id),
            "join_timestamp": channel.created_at,
            "flags": 1,
        }

    def guild_payload(self, guild: FakeGuild, *, full: bool = False, members: bool = True) -> dict[str, Any]:
        """REST shape by default; ``full`` adds the GUILD_CREATE extras (channels, members, threads ...)."""
        data: dict[str, Any] = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": _opt_str(guild.system_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "nsfw": False,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }
        if full:
            bot = guild.members.get(self.bot_user_id)
            listed = list(guild.members.values()) if members else [m for m in (bot,) if m]
            data.update(
                unavailable=False,
                lazy=True,
                large=False,
                joined_at=bot.joined_at if bot else iso(time.time()),
                member_count=len(guild.members),
                channels=[self.channel_payload(c) for c in guild.channels.values() if not c.is_thread],
                threads=[
                    self.channel_payload(c) for c in guild.channels.values() if c.is_thread and not c.archived
                ],
                members=[m.member_payload() for m in listed],
                voice_states=[],
                presences=[],
                stage_instances=[],
                guild_scheduled_events=[copy.deepcopy(e) for e in guild.scheduled_events.values()],
                soundboard_sounds=[],
                embedded_activities=[],
                activity_instances=[],
            )
        return data

    def message_payload(self, message: StoredMessage, *, gateway: bool = False) -> dict[str, Any]:
        author = self.users.get(message.author_id)
        author_payload = author.user_payload() if author else {"id": str(message.author_id), "username": "?"}
        if message.webhook_id is not None:
            author_payload = {**self.bot_member.user_payload()}
        mentions, mention_roles, mention_everyone = self._mentions(message)
        data: dict[str, Any] = {
            "id": str(message.id),
            "type": message.type,
            "content": message.content,
            "channel_id": str(message.channel_id),
            "author": author_payload,
            "attachments": [self.attachment_payload(message.channel_id, a) for a in message.attachments],
            "embeds": copy.deepcopy(message.embeds),
            "mentions": mentions,
            "mention_roles": mention_roles,
            "mention_everyone": mention_everyone,
            "pinned": message.pinned,
            "tts": message.tts,
            "timestamp": message.timestamp,
            "edited_timestamp": message.edited_timestamp,
            "flags": message.flags,
            "components": copy.deepcopy(message.components),
        }
        if message.nonce is not None:
            data["nonce"] = message.nonce
        if message.reactions:
            data["reactions"] = self.reactions_payload(message)
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
        if message.application_id is not None:
            data["application_id"] = str(message.application_id)
        if message.interaction_metadata is not None:
            data["interaction_metadata"] = copy.deepcopy(message.interaction_metadata)
        if message.message_reference is not None:
            data["message_reference"] = copy.deepcopy(message.message_reference)
            ref = self.find_message(int(message.message_reference.get("message_id", 0) or 0))
            data["referenced_message"] = self.message_payload(ref) if ref is not None else None
        if message.poll is not None:
            data["poll"] = copy.deepcopy(message.poll)
        if message.thread_id is not None:
            thread = self.channel(message.thread_id)
            if thread is not None:
                data["thread"] = self.channel_payload(thread)
        if gateway and message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            member = self.get_member(message.guild_id, message.author_id)
            if member is not None and message.webhook_id is None:
                data["member"] = member.member_payload(with_user=False)
        return data

    def attachment_payload(self, channel_id: int, attachment: StoredAttachment) -> dict[str, Any]:
        url = f"{self.cdn_base}/attachments/{channel_id}/{attachment.id}/{attachment.filename}"
        return {
            "id": str(attachment.id),
            "filename": attachment.filename,
            "title": attachment.filename.rsplit(".", 1)[0],
            "description": attachment.description,
            "content_type": attachment.content_type,
            "size": len(attachment.data),
            "url": url,
            "proxy_url": url,
            "flags": 0,
        }

    cdn_base = "http://127.0.0.1"

    def reactions_payload(self, message: StoredMessage) -> list[dict[str, Any]]:
        return [
            {
                "emoji": emoji_payload(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": self.bot_user_id in users,
                "me_burst": False,
                "burst_me": False,
                "burst_colors": [],
            }
            for key, users in message.reactions.items()
            if users
        ]

    def _mentions(self, message: StoredMessage) -> tuple[list[dict[str, Any]], list[str], bool]:
        """Honour ``allowed_mentions`` the way Discord does: only permitted mentions are reported."""
        allowed = message.allowed_mentions
        parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
        allowed_users = {int(u) for u in (allowed or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
        users: list[dict[str, Any]] = []
        for raw in dict.fromkeys(_MENTION_USER.findall(message.content)):
            uid = int(raw)
            if ("users" in parse or uid in allowed_users) and uid in self.users:
                users.append(self.users[uid].user_payload())
        roles = [
            raw
            for raw in dict.fromkeys(_MENTION_ROLE.findall(message.content))
            if "roles" in parse or int(raw) in allowed_roles
        ]
        everyone = False
        pings = "@everyone" in message.content or "@here" in message.content
        if pings and "everyone" in parse and message.guild_id is not None and message.webhook_id is None:
            perms = self.permissions_for(message.guild_id, message.author_id, message.channel_id)
            everyone = bool(perms & Perm.MENTION_EVERYONE)
        return users, roles, everyone

    # ----------------------------------------------------------- persistence
    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "last_id": self.ids._last,
            "guilds": {str(g.id): dataclasses.asdict(g) for g in self.guilds.values()},
            "dm_channels": [dataclasses.asdict(c) for c in self.dm_channels.values()],
            "messages": {str(cid): [m.to_json() for m in msgs] for cid, msgs in self.messages.items()},
            "deleted_message_ids": self.deleted_message_ids,
            "global_commands": self.global_commands,
            "guild_commands": {str(k): v for k, v in self.guild_commands.items()},
        }

    def load_json(self, raw: dict[str, Any]) -> None:
        """Restore mutable state saved by ``to_json`` (seeded ids are deterministic, so they line up)."""
        self.ids._last = max(self.ids._last, int(raw.get("last_id", 0)))
        for gid, graw in raw.get("guilds", {}).items():
            guild = FakeGuild(
                id=graw["id"],
                name=graw["name"],
                owner_id=graw["owner_id"],
                roles={int(k): FakeRole(**v) for k, v in graw["roles"].items()},
                channels={int(k): _channel_from_json(v) for k, v in graw["channels"].items()},
                members={int(k): FakeMember(**v) for k, v in graw["members"].items()},
                scheduled_events={int(k): v for k, v in graw["scheduled_events"].items()},
                event_users={int(k): v for k, v in graw["event_users"].items()},
                system_channel_id=graw.get("system_channel_id"),
            )
            self.guilds[int(gid)] = guild
            for m in guild.members.values():
                self.users.setdefault(m.id, m)
        self.dm_channels = {c["id"]: _channel_from_json(c) for c in raw.get("dm_channels", [])}
        self.messages = {
            int(cid): [StoredMessage.from_json(m) for m in msgs]
            for cid, msgs in raw.get("messages", {}).items()
        }
        self.deleted_message_ids = list(raw.get("deleted_message_ids", []))
        self.global_commands = list(raw.get("global_commands", []))
        self.guild_commands = {int(k): v for k, v in raw.get("guild_commands", {}).items()}


def _channel_from_json(raw: dict[str, Any]) -> FakeChannel:
    return FakeChannel(**{**raw, "overwrites": [Overwrite(**o) for o in raw["overwrites"]]})


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)


def _make_token(user_id: int) -> str:
    head = base64.b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{head}.FAKE00.projectionist-fake-discord-token"
