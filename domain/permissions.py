"""Discord's permission algorithm, from roles and channel overwrites as the REST API returns them.

``bot.py doctor`` computes the bot's permissions in every channel a feature uses without a gateway session
(and so without discord.py's cache), following https://discord.com/developers/docs/topics/permissions:

1. base: the server owner has everything; otherwise @everyone's permissions OR every role of the member;
   Administrator means everything;
2. in a channel: the @everyone overwrite (deny, then allow), then all the member's role overwrites
   together (deny, then allow), then the member's own overwrite (deny, then allow);
3. implicit rules: without View Channel nothing is left; without Send Messages, Mention Everyone,
   Send TTS, Attach Files and Embed Links go too; a timed-out member keeps only View Channel and
   Read Message History (owner and administrators are never limited).

A channel carries its own overwrites: a category's overwrites only matter through the copy Discord makes
when a channel is "synced", so the category is never consulted here. Threads take their parent's
permissions (the implicit Send Messages rule included, as discord.py and the cogs' own checks apply it);
posting in a thread needs Send Messages In Threads instead of Send Messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntFlag


class Permission(IntFlag):
    """The bits the bot's features need or that the algorithm treats specially."""

    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    MANAGE_EVENTS = 1 << 33
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38


#: Every permission bit Discord defines today and room for new ones: what owner and Administrator get.
ALL_PERMISSIONS = (1 << 53) - 1
_NEEDS_SEND = (
    Permission.MENTION_EVERYONE
    | Permission.SEND_TTS_MESSAGES
    | Permission.ATTACH_FILES
    | Permission.EMBED_LINKS
)
_TIMED_OUT_KEEPS = Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY

ROLE_OVERWRITE = 0
MEMBER_OVERWRITE = 1


@dataclass(frozen=True, slots=True)
class Overwrite:
    """A channel permission overwrite: ``type`` 0 targets a role (id), 1 a member (user id)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    @classmethod
    def from_payload(cls, raw: Mapping[str, object]) -> Overwrite:
        """From the REST shape ``{"id": "1", "type": 0, "allow": "1024", "deny": "0"}``."""
        return cls(
            int(str(raw["id"])),
            int(str(raw["type"])),
            int(str(raw.get("allow") or 0)),
            int(str(raw.get("deny") or 0)),
        )


@dataclass(frozen=True, slots=True)
class Member:
    """What the algorithm needs of a member: who, which roles, whether a timeout is running."""

    id: int
    role_ids: frozenset[int]
    timed_out: bool = False


def base_permissions(guild_id: int, owner_id: int, roles: Mapping[int, int], member: Member) -> int:
    """Server-wide permissions. ``roles`` maps role id -> permissions and includes @everyone (id = guild id)."""
    if member.id == owner_id:
        return ALL_PERMISSIONS
    perms = roles.get(guild_id, 0)
    for role_id in member.role_ids:
        perms |= roles.get(role_id, 0)
    if perms & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(base: int, guild_id: int, member: Member, overwrites: Iterable[Overwrite]) -> int:
    """Permissions in one channel, from :func:`base_permissions` and the channel's own overwrites."""
    if base & Permission.ADMINISTRATOR or base == ALL_PERMISSIONS:
        return ALL_PERMISSIONS
    perms = base
    by_target = {(o.type, o.id): o for o in overwrites}
    everyone = by_target.get((ROLE_OVERWRITE, guild_id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        overwrite = by_target.get((ROLE_OVERWRITE, role_id))
        if overwrite is not None and role_id != guild_id:
            allow |= overwrite.allow
            deny |= overwrite.deny
    perms = (perms & ~deny) | allow
    own = by_target.get((MEMBER_OVERWRITE, member.id))
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    if not perms & Permission.VIEW_CHANNEL:
        return 0
    if not perms & Permission.SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    if member.timed_out:
        perms &= _TIMED_OUT_KEEPS
    return perms


def permission_name(flag: Permission) -> str:
    """ "Send Messages", as Discord's settings screens write it."""
    return (flag.name or str(int(flag))).replace("_", " ").title().replace("Tts", "TTS")


def missing(needed: Iterable[Permission], have: int) -> list[Permission]:
    """The permissions in ``needed`` that ``have`` lacks, in the given order."""
    return [p for p in needed if not have & p]
