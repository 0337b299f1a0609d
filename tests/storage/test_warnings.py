"""Per-server content-warning settings: "never chose" and "chose to show the summary" stay apart."""

from __future__ import annotations

import json

from storage import warnings
from storage.db import Database


async def test_a_server_that_never_chose_has_no_choices(db: Database) -> None:
    got = await warnings.get(db, 7)
    assert got == warnings.WarningSettings(7)
    assert got.spoiler_categories == frozenset() and got.unspoilered_categories == frozenset()


async def test_explicit_choices_both_ways_roundtrip(db: Database) -> None:
    settings = warnings.WarningSettings(
        7,
        hidden_categories=frozenset({"drugs"}),
        spoiler_categories=frozenset({"violence"}),
        custom_terms={"gore": ("eyeball scene",)},
        unspoilered_categories=frozenset({"gore"}),
    )
    async with db.transaction() as conn:
        await warnings.put(conn, settings)
    assert await warnings.get(db, 7) == settings
    raw = await db.fetchone("SELECT spoiler_categories FROM guild_warning_settings WHERE guild_id = 7")
    assert raw is not None and json.loads(raw["spoiler_categories"]) == {"gore": False, "violence": True}


async def test_rows_written_before_the_defaults_keep_their_explicit_choices(db: Database) -> None:
    # The earlier format: a JSON list of the categories a server chose to spoiler.
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO guild_warning_settings (guild_id, hidden_categories, spoiler_categories, "
            "custom_terms, updated_at) VALUES (8, '[\"hate\"]', '[\"violence\", \"gore\"]', '{}', 0)"
        )
    got = await warnings.get(db, 8)
    assert got.spoiler_categories == {"violence", "gore"}
    assert got.unspoilered_categories == frozenset() and got.hidden_categories == {"hate"}
