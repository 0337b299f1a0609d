"""The systemd notifier against a real unix datagram socket standing in for systemd."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.sdnotify import SystemdNotifier


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    # unix socket paths are limited to ~100 bytes; pytest's tmp_path can be longer
    path = f"/tmp/pj-notify-{os.getpid()}-{id(tmp_path)}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    try:
        yield sock, path
    finally:
        sock.close()
        os.unlink(path)


def received(sock: socket.socket) -> list[str]:
    out: list[str] = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


async def test_ready_once_healthy_and_watchdog_only_while_healthy(systemd: tuple[socket.socket, str]) -> None:
    sock, path = systemd
    notifier = SystemdNotifier.from_env({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert notifier.watchdog_interval == 2.0
    health = iter([False, True, True, False, True])
    sleeps: list[float] = []

    class Done(Exception):
        pass

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 5:
            raise Done

    with pytest.raises(Done):
        await notifier.run(lambda: next(health), sleep=sleep)
    messages = received(sock)
    assert messages[0] == "READY=1\nSTATUS=connected to Discord"
    pings = [m for m in messages if m == "WATCHDOG=1"]
    assert len(pings) == 3  # the three healthy passes; the unhealthy ones starve the watchdog
    assert "STATUS=not connected to Discord; waiting" in messages
    assert sleeps == [2.0] * 5
    notifier.stopping()
    assert received(sock) == ["STOPPING=1\nSTATUS=shutting down"]


async def test_without_watchdog_ready_is_sent_once_and_run_returns(
    systemd: tuple[socket.socket, str],
) -> None:
    sock, path = systemd
    notifier = SystemdNotifier.from_env({"NOTIFY_SOCKET": path})
    health = iter([False, False, True])

    async def healthy() -> bool:
        return next(health)

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    await asyncio.wait_for(notifier.run(healthy, sleep=sleep), 5)
    assert received(sock) == ["READY=1\nSTATUS=connected to Discord"]


def test_outside_systemd_nothing_happens() -> None:
    notifier = SystemdNotifier.from_env({})
    assert not notifier.enabled and notifier.send("READY=1") is False
    # a watchdog meant for another process is not ours to feed
    other = SystemdNotifier.from_env({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"})
    assert other.watchdog_interval is None


def test_abstract_socket_address() -> None:
    name = f"pj-notify-abstract-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        assert SystemdNotifier("@" + name).send("READY=1")
        assert sock.recv(100) == b"READY=1"


def test_a_gone_socket_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier("/nonexistent/notify.sock")
    assert notifier.send("WATCHDOG=1") is False and notifier.send("WATCHDOG=1") is False
    assert len([r for r in caplog.records if "cannot notify systemd" in r.getMessage()]) == 1
