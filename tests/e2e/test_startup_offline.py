"""``bot.py run`` started before Discord is reachable waits it out, one log line per attempt, then works."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
from pathlib import Path

import pytest

from tests.e2e.harness import bot_process, write_config
from tests.fakediscord import FakeDiscord


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def datagrams(sock: socket.socket) -> list[str]:
    out: list[str] = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


async def test_waits_for_discord_then_connects_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # systemd's notify socket, played by a real unix datagram socket: READY only once connected
    notify_path = f"/tmp/pj-e2e-notify-{os.getpid()}.sock"
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(notify_path)
    systemd.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", notify_path)
    monkeypatch.setenv("WATCHDOG_USEC", "1000000")
    # the fake's ids and token exist before it listens; nothing listens on the port yet
    fake = FakeDiscord(port=free_port())
    try:
        await _offline_then_online(fake, tmp_path, systemd)
    finally:
        systemd.close()
        os.unlink(notify_path)


async def _offline_then_online(fake: FakeDiscord, tmp_path: Path, systemd: socket.socket) -> None:
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
        assert not any(m.startswith("READY=1") for m in datagrams(systemd))
        for line in attempts():
            assert fake.api_base in line and "cannot connect to 127.0.0.1" in line and "retrying in" in line
        async with fake:
            await fake.wait_for(lambda: len(fake.commands(guild_id=fake.guild_id)) > 0, timeout=60)
            await fake.wait_until_ready(timeout=30)
            ix = await fake.slash("club status", user=fake.moderator)
            assert (await ix.response(timeout=10))["data"]["embeds"]
            sent: list[str] = []
            await fake.wait_for(
                lambda: sent.extend(datagrams(systemd)) or sent.count("WATCHDOG=1") >= 2,
                timeout=30,
                what="READY and two watchdog pings",
            )
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
    sent += datagrams(systemd)
    assert sent[0].startswith("READY=1") and sent.count("WATCHDOG=1") >= 2, sent
    assert sent[-1].startswith("STOPPING=1")


async def test_json_log_lines_while_waiting_and_sigterm_stops_the_wait(tmp_path: Path) -> None:
    fake = FakeDiscord(port=free_port())  # never started
    config = write_config(fake, tmp_path, '[logging]\nformat = "json"\n')
    proc = await bot_process(config, fake.token)
    try:
        assert proc.stderr is not None
        first = json.loads(await asyncio.wait_for(proc.stderr.readline(), 30))
        assert first["level"] == "WARNING" and first["logger"] == "services.startup"
        assert fake.api_base in first["message"] and "attempt 1" in first["message"]
        assert set(first) == {"ts", "level", "logger", "message"}
        proc.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0
    for line in rest.splitlines():  # still one JSON object per line, no traceback
        json.loads(line)
    assert "Traceback" not in rest


async def test_a_lost_gateway_is_one_line_per_attempt_then_resumes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot import _OneLineReconnect
    from tests.e2e.harness import e2e_settings, running_bot

    async with FakeDiscord() as fake:
        one_line = _OneLineReconnect(fake.gateway_url)
        logging.getLogger("discord.client").addFilter(one_line)
        try:
            async with running_bot(fake, e2e_settings(fake, tmp_path)):
                await fake.stop()  # Discord vanishes: the socket closes, nothing listens any more

                def reconnects() -> list[logging.LogRecord]:
                    return [r for r in caplog.records if "Attempting a reconnect" in r.getMessage()]

                await fake.wait_for(lambda: len(reconnects()) >= 1, timeout=30, what="a reconnect attempt")
                record = reconnects()[0]
                assert record.exc_info is None and not record.exc_text
                assert (
                    f"gateway {fake.gateway_url} unreachable: cannot connect to 127.0.0.1"
                    in record.getMessage()
                )
                await fake.start()  # back on the same port
                await fake.wait_for(lambda: fake.resume_count + fake.identify_count >= 2, timeout=60)
        finally:
            logging.getLogger("discord.client").removeFilter(one_line)
