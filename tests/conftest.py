"""Shared fixtures: real SQLite databases in temporary folders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from storage.db import Database, PostgresDatabase
from tests.pg import INSTALL_HINT, PgServer, find_bindir

REPO_ROOT = Path(__file__).resolve().parent.parent

# Hypothesis fails any example slower than 200 ms by default: a wall-clock assert that breaks on a busy
# machine (it did, under load, in test_feedrules). No test asserts on speed, so no deadline anywhere.
settings.register_profile("projectionist", deadline=None)
settings.load_profile("projectionist")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (the crash soak)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow soak test: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.sqlite3")
    try:
        yield database
    finally:
        await database.close()


# -- PostgreSQL ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the whole session; skips when the binaries are not installed."""
    if find_bindir() is None:
        pytest.skip(INSTALL_HINT)
    server = PgServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database on each backend: tests/storage and tests/services use it as ``db``."""
    database: Database
    if request.param == "sqlite":
        database = await Database.open(tmp_path / "test.sqlite3")
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        database = await PostgresDatabase.open_url(server.create_database(), pool_size=4)
    try:
        yield database
    finally:
        await database.close()
