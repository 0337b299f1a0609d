"""systemd's notify protocol (``Type=notify``, ``WatchdogSec=``) over the ``NOTIFY_SOCKET`` datagram socket.

No dependency: the protocol is newline-separated ``KEY=value`` lines in one datagram to the unix socket
systemd names in ``$NOTIFY_SOCKET`` (a leading ``@`` means the abstract namespace). The bot sends
``READY=1`` the first time it is healthy, then ``WATCHDOG=1`` at half the ``$WATCHDOG_USEC`` interval *only
while healthy*: a bot stuck without its gateway stops feeding the watchdog, and systemd restarts it
after ``WatchdogSec``. Outside systemd (no ``NOTIFY_SOCKET``) everything here is a no-op.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping

log = logging.getLogger(__name__)

Health = Callable[[], bool | Awaitable[bool]]
#: How often health is looked at when systemd asked for READY but set no watchdog.
READY_POLL = 1.0


class SystemdNotifier:
    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        self.address = address or None
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._warned = False
        self.ready_sent = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier:
        env = os.environ if environ is None else environ
        watchdog: int | None = None
        pid = env.get("WATCHDOG_PID")
        # WATCHDOG_PID names the process the watchdog is meant for (not a child we started)
        if env.get("WATCHDOG_USEC", "").isdigit() and (not pid or pid == str(os.getpid())):
            watchdog = int(env["WATCHDOG_USEC"])
        return cls(env.get("NOTIFY_SOCKET"), watchdog)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between two WATCHDOG=1 pings: half the timeout, as sd_watchdog_enabled(3) advises."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def send(self, *fields: str) -> bool:
        """Send ``KEY=value`` fields in one datagram; False (logged once) if the socket refuses."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(fields).encode(), target)
        except OSError as exc:
            if not self._warned:
                log.warning("cannot notify systemd at %s: %s", self.address, exc)
                self._warned = True
            return False
        return True

    async def run(
        self, healthy: Health, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        """READY=1 once healthy, then WATCHDOG=1 while healthy, until cancelled."""
        if self.address is None:
            return
        interval = self.watchdog_interval
        was_healthy: bool | None = None
        while True:
            ok = healthy()
            if inspect.isawaitable(ok):
                ok = await ok
            if ok and not self.ready_sent:
                self.ready_sent = self.send("READY=1", "STATUS=connected to Discord")
            elif ok != was_healthy and self.ready_sent:
                self.send("STATUS=" + ("connected to Discord" if ok else "not connected to Discord; waiting"))
            was_healthy = bool(ok)
            if interval is None:
                if self.ready_sent:
                    return
                await sleep(READY_POLL)
                continue
            if ok:
                self.send("WATCHDOG=1")
            await sleep(interval)

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=shutting down")
