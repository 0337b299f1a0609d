"""A throwaway PostgreSQL server for the test session: initdb into a temp dir, its own port, stopped at exit.

Used by the ``pg_server`` fixture (tests/conftest.py) and by the two-process end-to-end test. When the tests
run as root, the server runs as an unprivileged user (PostgreSQL refuses root). Each test gets a fresh
database copied from a migrated template (``CREATE DATABASE ... TEMPLATE``), which takes milliseconds.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSTALL_HINT = (
    "PostgreSQL server binaries not found: install them (Debian/Ubuntu: apt-get install -y postgresql) "
    "to run the PostgreSQL half of the storage, service and scale-out tests"
)
TEMPLATE = "projectionist_template"
_USER = "pgtest"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout, or initdb on PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as when we are root (created on first use), else None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", _USER], check=True, capture_output=True)
    return _USER


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    user: str | None
    process: subprocess.Popen[bytes] | None = None
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    @classmethod
    def start(cls) -> PgServer:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(INSTALL_HINT)
        root = Path(tempfile.mkdtemp(prefix="projectionist-pg-"))
        server = cls(bindir, root, _free_port(), _run_as())
        if server.user:
            shutil.chown(root, server.user)
        data = root / "data"
        subprocess.run(
            server._cmd(
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ),
            check=True,
            capture_output=True,
        )
        # Durability is irrelevant for a throwaway cluster; fsync off keeps CREATE DATABASE fast on a busy disk.
        server.process = subprocess.Popen(
            server._cmd(
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-k",
                str(root),
                "-p",
                str(server.port),
                "-h",
                "127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ),
            stdout=subprocess.DEVNULL,
            stderr=open(root / "server.log", "wb"),  # noqa: SIM115 - the server keeps it for its lifetime
        )
        server._wait_ready()
        server.psql(f"CREATE DATABASE {TEMPLATE}")
        server._migrate_template()
        return server

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.root / 'server.log').read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                probe = subprocess.run(
                    [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                    capture_output=True,
                )
                if probe.returncode == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("postgres did not start within 60 s")

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url(dbname),
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def _migrate_template(self) -> None:
        import asyncio

        import asyncpg

        from storage.migrate import migrate_postgres

        async def go() -> None:
            conn = await asyncpg.connect(self.url(TEMPLATE))
            try:
                await migrate_postgres(conn)
            finally:
                await conn.close()

        # The fixture may be set up from inside a running event loop (an async test): migrate in a thread.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, go()).result()

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database (a copy of the migrated template, or empty); returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def _postmaster_pid(self) -> int | None:
        """The server's own pid: under ``runuser`` our child is runuser, which does not pass SIGINT on."""
        try:
            return int((self.root / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            pid = self._postmaster_pid() or self.process.pid
            # SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


async def reopen(db: Any) -> Any:
    """A new handle on the same database as the (closed) ``db``: what a restarted bot opens."""
    from storage.db import Database, PostgresDatabase

    if isinstance(db, PostgresDatabase):
        return await PostgresDatabase.open_url(db.url, pool_size=4)
    return await Database.open(db.path)
