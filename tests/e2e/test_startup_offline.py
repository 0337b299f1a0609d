"""``bot.py run`` started before Discord is reachable waits it out, one log line per attempt, then works."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

from tests.e2e.harness import bot_process, write_config
from tests.fakediscord import FakeDiscord


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_waits_for_discord_then_connects_without_a_traceback(tmp_path: Path) -> None:
    # the fake's ids and token exist before it listens; nothing listens on the port yet
    fake = FakeDiscord(port=free_port())
    proc = await bot_process(write_config(fake, tmp_path), fake.token)
    lines: list[str] = []

    async def collect() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            lines.append(raw.decode().rstrip("\n"))

    reader = asyncio.create_task(collect())
    try:
        attempts = lambda: [line for line in lines if "cannot reach Discord" in line]  # noqa: E731
        await fake.wait_for(lambda: len(attempts()) >= 2, timeout=30, what="two logged attempts")
        assert proc.returncode is None  # still trying
        for line in attempts():
            assert fake.api_base in line and "cannot connect to 127.0.0.1" in line and "retrying in" in line
        async with fake:
            await fake.wait_for(lambda: len(fake.commands(guild_id=fake.guild_id)) > 0, timeout=60)
            await fake.wait_until_ready(timeout=30)
            ix = await fake.slash("club status", user=fake.moderator)
            assert (await ix.response(timeout=10))["data"]["embeds"]
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await asyncio.wait_for(reader, 10)
    text = "\n".join(lines)
    assert proc.returncode == 0, text[-2000:]
    assert "Traceback" not in text
    assert any("Discord is reachable" in line for line in lines)
    assert "stopped cleanly" in text
