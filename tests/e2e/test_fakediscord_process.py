"""The fake as a separate process (for crash-soak tests): JSON line, control API, SIGTERM, state file."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from tests.fakediscord.testing import poll, running_client
from tests.helpers.bots import make_bot

REPO_ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def fake_process(state_file: Path) -> AsyncIterator[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord",
        "--port",
        "0",
        "--state-file",
        str(state_file),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 10)
        yield json.loads(line)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0


def ping_bot(guild_id: int) -> commands.Bot:
    """Answers /ping and records who reacted."""
    bot = make_bot(guild_id=guild_id, messages=False, events=False)

    @bot.tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    bot.reactions_seen = []  # type: ignore[attr-defined]

    @bot.event
    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        bot.reactions_seen.append(payload.user_id)  # type: ignore[attr-defined]

    return bot


async def test_standalone_process_is_drivable_and_persists(tmp_path: Path) -> None:
    state_file = tmp_path / "fake-state.json"
    async with fake_process(state_file) as info, aiohttp.ClientSession() as http:
        assert info["api_base"].startswith("http://127.0.0.1:") and info["gateway_url"].endswith("/gateway")
        base = info["base_url"]
        async with running_client(info, ping_bot(info["guild_id"])) as bot:
            member = info["users"]["member"]
            async with http.post(
                f"{base}/_fake/slash", json={"name": "ping", "user_id": member, "wait": 5}
            ) as r:
                answer = await r.json()
            assert answer["responded"] and answer["original"]["content"] == "pong"
            message_id = answer["original"]["id"]
            channel_id = info["text_channel_id"]
            async with http.get(f"{base}/_fake/messages/{channel_id}") as r:
                assert [m["id"] for m in await r.json()] == [message_id]
            react = {"channel_id": channel_id, "message_id": message_id, "emoji": "🎬", "user_id": member}
            async with http.post(f"{base}/_fake/react", json=react) as r:
                assert (await r.json())["reactions"] == {"🎬": [member]}
            await poll(lambda: bot.reactions_seen == [member], what="reaction event")  # type: ignore[attr-defined]
            async with http.get(
                f"{base}/_fake/requests", params={"method": "PUT", "path": "/commands$"}
            ) as r:
                assert len(await r.json()) == 1
            async with http.post(f"{base}/_fake/slash", json={"name": "nope", "user_id": member}) as r:
                assert r.status == 400
    saved = json.loads(state_file.read_text())
    assert saved["messages"][str(info["text_channel_id"])][0]["content"] == "pong"

    # A restarted fake (same state file) still has the message and the synced commands.
    async with fake_process(state_file) as info2, aiohttp.ClientSession() as http:
        async with http.get(f"{info2['base_url']}/_fake/messages/{info2['text_channel_id']}") as r:
            assert [m["content"] for m in await r.json()] == ["pong"]
        async with http.get(f"{info2['base_url']}/_fake/state") as r:
            assert [c["name"] for c in (await r.json())["commands"]["guild"]] == ["ping"]
