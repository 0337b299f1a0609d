"""DigestService: a server's content-warning choices become digest options (defaults vs explicit)."""

from __future__ import annotations

from domain.digest.models import DEFAULT_SPOILER_CATEGORIES
from services.digest import DigestService
from settings import DigestSettings
from storage import warnings
from storage.db import Database


async def test_a_new_server_gets_the_default_spoiler_categories(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    options = await service.options_for(1)
    assert options.spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_explicit_choices_replace_the_default_per_category(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", spoiler=False)
    await service.update_warnings(1, "violence", spoiler=True)
    options = await service.options_for(1)
    assert options.spoiler_categories == (DEFAULT_SPOILER_CATEGORIES - {"gore"}) | {"violence"}
    stored = await warnings.get(db, 1)
    assert stored.unspoilered_categories == {"gore"} and stored.spoiler_categories == {"violence"}
    # Changing it back is an explicit choice too, and another server is untouched.
    await service.update_warnings(1, "gore", spoiler=True)
    assert "gore" in (await service.options_for(1)).spoiler_categories
    assert (await warnings.get(db, 1)).unspoilered_categories == frozenset()
    assert (await service.options_for(2)).spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_other_changes_do_not_turn_a_default_into_a_choice(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", add_term="eyeball scene")
    stored = await warnings.get(db, 1)
    assert stored.spoiler_categories == frozenset() and stored.unspoilered_categories == frozenset()
    assert (await service.options_for(1)).spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_a_hidden_label_drops_the_default_but_not_an_explicit_choice(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", shown=False)
    await service.update_warnings(1, "torture", shown=False, spoiler=True)
    options = await service.options_for(1)
    assert "gore" not in options.spoiler_categories and "torture" in options.spoiler_categories
