"""Repository for per-server content-warning settings (/club warnings).

``spoiler_categories`` holds the server's *explicit* spoiler choices as a JSON object, category id to
bool, so that "never chose" (the default applies) and "chose to show the summary" stay distinguishable.
Rows written before that held a JSON list of the categories a server chose to spoiler; a list still reads
as those explicit "yes" choices, so existing servers keep them without a migration. (An older
Projectionist reading the object sees its keys as a list and spoilers them all: it fails closed.)
"""

from __future__ import annotations

import json
import time

import aiosqlite

from domain.models import WarningSettings
from storage._rows import row_to
from storage.db import Database


def _spoiler_choices(raw: str) -> tuple[frozenset[str], frozenset[str]]:
    value = json.loads(raw)
    if isinstance(value, dict):
        return (
            frozenset(str(k) for k, v in value.items() if v),
            frozenset(str(k) for k, v in value.items() if not v),
        )
    return frozenset(str(v) for v in value), frozenset()


async def get(db: Database, guild_id: int) -> WarningSettings:
    row = await db.fetchone("SELECT * FROM guild_warning_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return WarningSettings(guild_id)
    spoilered, unspoilered = _spoiler_choices(row["spoiler_categories"])
    return row_to(
        WarningSettings,
        row,
        hidden_categories=frozenset(json.loads(row["hidden_categories"])),
        spoiler_categories=spoilered,
        custom_terms={k: tuple(v) for k, v in json.loads(row["custom_terms"]).items()},
        unspoilered_categories=unspoilered - spoilered,
    )


async def put(conn: aiosqlite.Connection, settings: WarningSettings) -> None:
    choices = {c: False for c in settings.unspoilered_categories}
    choices.update({c: True for c in settings.spoiler_categories})
    await conn.execute(
        "INSERT INTO guild_warning_settings (guild_id, hidden_categories, spoiler_categories, custom_terms, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "hidden_categories = excluded.hidden_categories, spoiler_categories = excluded.spoiler_categories, "
        "custom_terms = excluded.custom_terms, updated_at = excluded.updated_at",
        (
            settings.guild_id,
            json.dumps(sorted(settings.hidden_categories)),
            json.dumps(dict(sorted(choices.items()))),
            json.dumps({k: list(v) for k, v in sorted(settings.custom_terms.items()) if v}),
            int(time.time()),
        ),
    )
