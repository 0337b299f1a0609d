"""Discord's permission algorithm, table-driven, and cross-checked against the fake Discord's own model."""

from __future__ import annotations

import pytest

from domain.permissions import (
    ALL_PERMISSIONS,
    MEMBER_OVERWRITE,
    ROLE_OVERWRITE,
    Member,
    Overwrite,
    Permission,
    base_permissions,
    channel_permissions,
    missing,
    permission_name,
)

P = Permission
GUILD = 100
OWNER = 1
BOT = 2
ROLE_A = 10
ROLE_B = 11
EVERYONE = int(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS)
ROLES = {GUILD: EVERYONE, ROLE_A: int(P.EMBED_LINKS | P.MANAGE_MESSAGES), ROLE_B: int(P.MANAGE_EVENTS)}
SEND_SET = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS


def ow(target: int, *, allow: int = 0, deny: int = 0, member: bool = False) -> Overwrite:
    return Overwrite(target, MEMBER_OVERWRITE if member else ROLE_OVERWRITE, int(allow), int(deny))


@pytest.mark.parametrize(
    ("case", "roles", "overwrites", "has", "lacks"),
    [
        ("everyone + role, no overwrites", {ROLE_A}, [], SEND_SET, P.MANAGE_EVENTS),
        ("@everyone deny send", {ROLE_A}, [ow(GUILD, deny=P.SEND_MESSAGES)], P.VIEW_CHANNEL, P.SEND_MESSAGES),
        (
            "role allow beats @everyone deny",
            {ROLE_A},
            [ow(GUILD, deny=P.SEND_MESSAGES), ow(ROLE_A, allow=P.SEND_MESSAGES)],
            SEND_SET,
            0,
        ),
        (
            "role allow beats another role's deny (allows applied after all denies)",
            {ROLE_A, ROLE_B},
            [ow(ROLE_A, deny=P.SEND_MESSAGES), ow(ROLE_B, allow=P.SEND_MESSAGES)],
            SEND_SET,
            0,
        ),
        (
            "member deny beats role allow",
            {ROLE_A},
            [ow(ROLE_A, allow=P.SEND_MESSAGES), ow(BOT, deny=P.SEND_MESSAGES, member=True)],
            P.VIEW_CHANNEL,
            P.SEND_MESSAGES,
        ),
        (
            "member allow beats @everyone and role denies",
            {ROLE_A},
            [
                ow(GUILD, deny=P.VIEW_CHANNEL),
                ow(ROLE_A, deny=P.VIEW_CHANNEL),
                ow(BOT, allow=P.VIEW_CHANNEL, member=True),
            ],
            SEND_SET,
            0,
        ),
        (
            "no view means nothing",
            {ROLE_A},
            [ow(GUILD, deny=P.VIEW_CHANNEL)],
            0,
            SEND_SET | P.READ_MESSAGE_HISTORY,
        ),
        (
            "no send strips embed links and attach files",
            {ROLE_A},
            [ow(GUILD, deny=P.SEND_MESSAGES)],
            P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS,
            P.EMBED_LINKS | P.ATTACH_FILES,
        ),
        (
            "no send keeps send messages in threads",
            {ROLE_A},
            [ow(GUILD, deny=P.SEND_MESSAGES, allow=P.SEND_MESSAGES_IN_THREADS)],
            P.SEND_MESSAGES_IN_THREADS,
            P.SEND_MESSAGES,
        ),
        (
            "an overwrite for a role the member lacks does nothing",
            set(),
            [ow(ROLE_A, deny=P.VIEW_CHANNEL)],
            P.VIEW_CHANNEL | P.SEND_MESSAGES,
            P.EMBED_LINKS,
        ),
        (
            "a member overwrite for someone else does nothing",
            {ROLE_A},
            [ow(OWNER, deny=P.VIEW_CHANNEL, member=True)],
            SEND_SET,
            0,
        ),
        (
            "a role overwrite with a member's id is not a member overwrite",
            {ROLE_A},
            [ow(BOT, deny=P.VIEW_CHANNEL)],
            SEND_SET,
            0,
        ),
    ],
)
def test_channel_permissions(
    case: str, roles: set[int], overwrites: list[Overwrite], has: int, lacks: int
) -> None:
    member = Member(BOT, frozenset(roles))
    perms = channel_permissions(base_permissions(GUILD, OWNER, ROLES, member), GUILD, member, overwrites)
    assert perms & has == has, case
    assert perms & lacks == 0, case


def test_owner_and_administrator_have_everything_whatever_the_overwrites() -> None:
    deny_all = [ow(GUILD, deny=ALL_PERMISSIONS), ow(BOT, deny=ALL_PERMISSIONS, member=True)]
    owner = Member(OWNER, frozenset(), timed_out=True)
    assert (
        channel_permissions(base_permissions(GUILD, OWNER, ROLES, owner), GUILD, owner, deny_all)
        == ALL_PERMISSIONS
    )
    roles = {**ROLES, ROLE_B: int(P.ADMINISTRATOR)}
    admin = Member(BOT, frozenset({ROLE_B}))
    assert base_permissions(GUILD, OWNER, roles, admin) == ALL_PERMISSIONS
    assert (
        channel_permissions(base_permissions(GUILD, OWNER, roles, admin), GUILD, admin, deny_all)
        == ALL_PERMISSIONS
    )


def test_administrator_granted_by_overwrite_does_not_count() -> None:
    # Administrator is a server-wide permission: an overwrite cannot grant it (Discord ignores it there)
    member = Member(BOT, frozenset())
    base = base_permissions(GUILD, OWNER, ROLES, member)
    perms = channel_permissions(base, GUILD, member, [ow(GUILD, allow=P.ADMINISTRATOR, deny=P.SEND_MESSAGES)])
    assert not perms & P.SEND_MESSAGES


def test_timed_out_member_keeps_only_view_and_history() -> None:
    member = Member(BOT, frozenset({ROLE_A}), timed_out=True)
    perms = channel_permissions(base_permissions(GUILD, OWNER, ROLES, member), GUILD, member, [])
    assert perms == P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY


def test_missing_and_names() -> None:
    assert missing([P.VIEW_CHANNEL, P.SEND_MESSAGES, P.EMBED_LINKS], int(P.VIEW_CHANNEL)) == [
        P.SEND_MESSAGES,
        P.EMBED_LINKS,
    ]
    assert permission_name(P.SEND_MESSAGES) == "Send Messages"
    assert permission_name(P.SEND_MESSAGES_IN_THREADS) == "Send Messages In Threads"


def test_overwrite_from_rest_payload() -> None:
    raw = {"id": "42", "type": 1, "allow": "2048", "deny": "0"}
    assert Overwrite.from_payload(raw) == Overwrite(42, MEMBER_OVERWRITE, 2048, 0)


def test_agrees_with_the_fake_discords_model_on_every_seeded_channel() -> None:
    """The fake implements the same documented algorithm independently; both must agree for every member."""
    from tests.fakediscord.state import Overwrite as FakeOverwrite
    from tests.fakediscord.state import World

    world = World()
    general = world.guilds[world.guild_id].channels[world.text_channel_id]
    general.overwrites.append(FakeOverwrite(world.moderator_role_id, 0, deny=int(P.SEND_MESSAGES)))
    for guild in world.guilds.values():
        roles = {r.id: r.permissions for r in guild.roles.values()}
        for member in guild.members.values():
            ours = Member(member.id, frozenset(member.roles))
            base = base_permissions(guild.id, guild.owner_id, roles, ours)
            for channel in guild.channels.values():
                overwrites = [Overwrite(o.id, o.type, o.allow, o.deny) for o in channel.overwrites]
                theirs = world.permissions_for(guild.id, member.id, channel.id)
                mine = channel_permissions(base, guild.id, ours, overwrites)
                if theirs == (1 << 51) - 1:  # the fake's "everything" mask is narrower than ours
                    assert mine == ALL_PERMISSIONS
                else:
                    assert mine == theirs, (member.username, channel.name)
