"""Every test here that takes ``db`` runs on both backends: SQLite and a real PostgreSQL (tests/pg.py)."""

from __future__ import annotations

import pytest

from storage.db import Database


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db
