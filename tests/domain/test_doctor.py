"""The doctor's verdicts: per-feature needs, command drift, intents, exit status and the table."""

from __future__ import annotations

import json

import pytest

from domain.doctor import (
    Finding,
    Status,
    channel_verdicts,
    command_differences,
    exit_status,
    intents_verdict,
    render_table,
    to_json,
)
from domain.permissions import Permission as P

FEED_OK = int(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS | P.READ_MESSAGE_HISTORY)


@pytest.mark.parametrize(
    ("feature", "perms", "is_thread", "status", "text"),
    [
        ("feeds", FEED_OK, False, Status.OK, "all needed permissions"),
        ("feeds", FEED_OK & ~P.SEND_MESSAGES, False, Status.PROBLEM, "missing Send Messages"),
        ("feeds", FEED_OK & ~P.SEND_MESSAGES, True, Status.PROBLEM, "missing Send Messages In Threads"),
        ("feeds", (FEED_OK & ~P.SEND_MESSAGES) | P.SEND_MESSAGES_IN_THREADS, True, Status.OK, "all needed"),
        ("notices", int(P.VIEW_CHANNEL | P.SEND_MESSAGES), False, Status.OK, "all needed"),
        ("polls", FEED_OK | P.ADD_REACTIONS, False, Status.NOTE, "Manage Messages missing"),
        ("polls", FEED_OK, False, Status.PROBLEM, "missing Add Reactions"),
        ("announcements", FEED_OK, False, Status.PROBLEM, "Create Public Threads, Send Messages In Threads"),
    ],
)
def test_channel_verdicts(feature: str, perms: int, is_thread: bool, status: Status, text: str) -> None:
    [finding] = channel_verdicts(
        {feature: ["x"]}, perms, is_thread=is_thread, where="w", guild_id=1, channel_id=2
    )
    assert finding.status is status and text in finding.detail


def cmd(name: str, description: str = "d", **extra: object) -> dict[str, object]:
    return {"name": name, "type": 1, "description": description, "options": [], **extra}


def test_command_differences() -> None:
    local = [
        cmd("club"),
        cmd("feed", options=[{"type": 3, "name": "url", "description": "u", "required": True}]),
    ]
    # Discord's copy carries ids, versions and defaults that are not differences
    remote = [
        {**cmd("club"), "id": "1", "version": "2", "default_member_permissions": None, "nsfw": False},
        {
            **cmd("feed", options=[{"type": 3, "name": "url", "description": "u", "required": True}]),
            "id": "3",
        },
    ]
    assert command_differences(local, remote) == []
    changed = [remote[0], {**remote[1], "options": []}, cmd("old")]
    assert command_differences(local, changed) == [
        "/old is registered but no longer exists",
        "/feed is outdated",
    ]
    assert command_differences(local, []) == ["/club is not registered", "/feed is not registered"]
    perms = [cmd("club", default_member_permissions="32"), local[1]]
    assert command_differences(perms, remote) == ["/club is outdated"]


def test_intents() -> None:
    assert intents_verdict(1 | (1 << 10), ["guilds", "guild_reactions"], 0).status is Status.OK
    members = 1 | (1 << 1)
    refused = intents_verdict(members, ["guilds", "members"], 0)
    assert refused.status is Status.PROBLEM and "members" in refused.detail
    assert intents_verdict(members, ["guilds", "members"], 1 << 15).status is Status.OK  # "limited" counts


def test_exit_status_table_and_json() -> None:
    fine = [Finding("token", Status.OK, "accepted"), Finding("server", Status.NOTE, "Manage Events missing")]
    assert exit_status(fine) == 0
    bad = [
        *fine,
        Finding("channel", Status.PROBLEM, "feeds: missing Send Messages " * 10, "Club › #news", 1, 2),
    ]
    assert exit_status(bad) == 1
    table = render_table(bad, width=100)
    assert all(len(line) <= 100 for line in table.splitlines())
    assert table.splitlines()[0].split() == ["STATUS", "CHECK", "WHERE", "DETAIL"]
    assert "1 problem, 1 note" in table
    data = json.loads(to_json(bad))
    assert data["status"] == "attention" and data["findings"][2]["channel_id"] == 2
