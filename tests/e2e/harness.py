"""Run the real Projectionist bot in-process against the fake Discord (and, when needed, a feed server).

The backend: a test runs on SQLite (a file in its ``tmp_path``) unless the ``e2e_backend`` fixture
(tests/e2e/conftest.py) gave it a fresh PostgreSQL database, which ``e2e_settings``, ``write_config``,
``running_bot`` and ``query`` then use. Modules opt in to both backends with ``E2E_BACKENDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO, Any

import asyncpg

from bot import Projectionist, open_configured_database
from settings import Settings
from tests.conftest import REPO_ROOT
from tests.fakediscord import FakeDiscord
from tests.fakediscord.testing import FAST_GUILD_READY_TIMEOUT

# On PostgreSQL each process is its own lease owner, so a bot restarted after a SIGKILL waits for its
# predecessor's leases (outbox rows, feeds, reminders) to expire: the smallest timeout keeps those tests short.
PG_LEASE_TIMEOUT = 5.0
# the PostgreSQL database of the running test, set by the e2e_backend fixture
_database_url: str | None = None


def use_database_url(url: str | None) -> None:
    """Point the harness at a PostgreSQL database (``None``: back to a SQLite file in the test's folder)."""
    global _database_url
    _database_url = url


def database(tmp_path: Path) -> str:
    """The test's database: its PostgreSQL URL, or the SQLite file the harness puts in ``tmp_path``."""
    return _database_url or str(tmp_path / "bot.sqlite3")


async def query(target: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``?`` placeholders) on ``target`` (a :func:`database`), committed; return its rows. What
    tests read, or change behind the bot's back, on either backend; one short connection per call."""
    if target.startswith(("postgresql://", "postgres://")):
        numbers = itertools.count(1)
        conn = await asyncpg.connect(target)
        try:
            rows = await conn.fetch(re.sub(r"\?", lambda _: f"${next(numbers)}", sql), *params)
        finally:
            await conn.close()
        return [tuple(r) for r in rows]
    with contextlib.closing(sqlite3.connect(target)) as conn, conn:
        return conn.execute(sql, tuple(params)).fetchall()


def e2e_settings(fake: FakeDiscord, tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    """Settings pointing at ``fake``, with a database in ``tmp_path`` and section overrides."""
    base = Settings()
    discord_settings = dataclasses.replace(
        base.discord, api_base=fake.api_base, gateway_url=fake.gateway_url, dev_guild_id=fake.guild_id
    )
    changes: dict[str, Any] = {
        "discord": discord_settings,
        "storage": dataclasses.replace(
            base.storage,
            path=str(tmp_path / "bot.sqlite3"),
            url=_database_url or "",
            pool_size=4,
            lease_timeout=PG_LEASE_TIMEOUT if _database_url else base.storage.lease_timeout,
        ),
    }
    for name, values in sections.items():
        changes[name] = dataclasses.replace(getattr(base, name), **values)
    return dataclasses.replace(base, **changes)


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, settings: Settings, *, token: str | None = None, timeout: float = 10.0
) -> AsyncIterator[Projectionist]:
    """Start the bot, wait until it is ready and its commands are synced, stop it cleanly afterwards."""
    async with await open_configured_database(settings) as db:
        bot = Projectionist(settings, db, guild_ready_timeout=FAST_GUILD_READY_TIMEOUT)
        async with bot:
            await bot.login(token or fake.token)
            task = asyncio.create_task(bot.connect(reconnect=True), name="e2e-bot")
            try:
                await asyncio.wait_for(bot.wait_until_ready(), timeout)
                yield bot
            finally:
                await bot.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout)


def write_config(fake: FakeDiscord, tmp_path: Path, extra: str = "") -> Path:
    """A config.toml pointing a ``bot.py run`` process at ``fake``, with its database in ``tmp_path``."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        f"dev_guild_id = {fake.guild_id}\n"
        f'[storage]\npath = "{tmp_path / "bot.sqlite3"}"\n'
        + (
            f'url = "{_database_url}"\npool_size = 4\nlease_timeout = "{PG_LEASE_TIMEOUT:g}s"\n'
            if _database_url
            else ""
        )
        + extra
    )
    return config


# ``python -c`` then bot.py as __main__ (runpy): the class attribute is set before the cog reads it. Spawned
# feed-parse workers import bot.py as __mp_main__, exactly as when bot.py is run directly.
_TICK_LAUNCHER = """
import runpy, sys
sys.path.insert(0, {root!r})
from services.watchparties._service import WatchPartyService
WatchPartyService.reminder_tick = {tick!r}
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


async def bot_process(
    config: Path,
    token: str,
    *args: str,
    command: str = "run",
    capture: bool = True,
    stderr: int | IO[bytes] | None = None,
    cwd: Path | None = None,
    reminder_tick: float | None = None,
) -> asyncio.subprocess.Process:
    """Start ``python bot.py COMMAND --config CONFIG ARGS...`` with ``token`` as its only DISCORD_TOKEN: the
    one launcher of the real bot process (e2e tests, the crash soak). Output is piped with ``capture``,
    else dropped; ``stderr`` sends the log elsewhere (a file kept across restarts). ``reminder_tick`` lowers
    the watch-party reminder loop's period (30 s in production) in that process, as in-process tests do."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["DISCORD_TOKEN"] = token
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    launch = [str(REPO_ROOT / "bot.py")]
    if reminder_tick is not None:
        launch = ["-c", _TICK_LAUNCHER.format(root=str(REPO_ROOT), tick=float(reminder_tick)), launch[0]]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *launch,
        command,
        "--config",
        str(config),
        *args,
        env=env,
        cwd=cwd,
        stdout=output,
        stderr=output if stderr is None else stderr,
    )
