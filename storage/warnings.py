"""Repository for per-server content-warning settings (/club warnings)."""

from __future__ import annotations

import json
import time

import aiosqlite

from domain.models import WarningSettings
from storage._rows import row_to
from storage.db import Database


async def get(db: Database, guild_id: int) -> WarningSettings:
    row = await db.fetchone("SELECT * FROM guild_warning_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return WarningSettings(guild_id)
    return row_to(
        WarningSettings,
        row,
        hidden_categories=frozenset(json.loads(row["hidden_categories"])),
        spoiler_categories=frozenset(json.loads(row["spoiler_categories"])),
        custom_terms={k: tuple(v) for k, v in json.loads(row["custom_terms"]).items()},
    )


async def put(conn: aiosqlite.Connection, settings: WarningSettings) -> None:
    await conn.execute(
        "INSERT INTO guild_warning_settings (guild_id, hidden_categories, spoiler_categories, custom_terms, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "hidden_categories = excluded.hidden_categories, spoiler_categories = excluded.spoiler_categories, "
        "custom_terms = excluded.custom_terms, updated_at = excluded.updated_at",
        (
            settings.guild_id,
            json.dumps(sorted(settings.hidden_categories)),
            json.dumps(sorted(settings.spoiler_categories)),
            json.dumps({k: list(v) for k, v in sorted(settings.custom_terms.items()) if v}),
            int(time.time()),
        ),
    )
