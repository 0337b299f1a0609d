"""The e2e backend: SQLite by default; modules listing ``E2E_BACKENDS`` run on each backend they name.

On PostgreSQL every test gets a fresh, migrated database of the session's throwaway server (tests/pg.py),
skipped with one line when the server binaries are not installed; the harness points the bot at it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import harness


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends = getattr(metafunc.module, "E2E_BACKENDS", None)
    if backends and "e2e_backend" in metafunc.fixturenames:
        metafunc.parametrize("e2e_backend", list(backends), indirect=True)


@pytest.fixture(autouse=True)
def e2e_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    backend: str = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        harness.use_database_url(server.create_database())
    try:
        yield backend
    finally:
        harness.use_database_url(None)
