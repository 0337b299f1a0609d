"""Builds the services from settings and the shared resources, and starts/stops them together."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from services.club import ClubService
from settings import Settings
from storage.db import Database


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    club: ClubService

    @classmethod
    def build(cls, settings: Settings, db: Database, http_session: aiohttp.ClientSession) -> Services:
        return cls(settings=settings, db=db, club=ClubService(db))

    async def start(self) -> None:
        """Called from the bot's setup_hook before cogs load."""

    async def close(self) -> None:
        """Called on shutdown after the cogs' loops have stopped."""
