"""/club status figures on both backends."""

from __future__ import annotations

from services.club import ClubService
from storage.db import Database


async def test_status_reports_the_database_size_on_either_backend(any_db: Database) -> None:
    report = await ClubService(any_db).status(1)
    assert report.database_bytes > 0  # SQLite: the file (+ WAL); PostgreSQL: pg_database_size
