"""The digest's outputs are unchanged from the recorded golden hashes (see ``golden.py`` for what is covered).

Speed work on the text stages, the summary and the render must not move a single character of a post, a
summary, a warning's evidence or a spoiler reason; this compares every item against the fixture recorded
before that work.
"""

from __future__ import annotations

import json

import pytest

from tests.domain.digest import golden


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(golden.FIXTURE.read_text())
    return data


def _differences(expected: dict[str, dict[str, str]], actual: dict[str, dict[str, str]]) -> list[str]:
    return [
        f"{key}: {part} changed"
        for key, parts in actual.items()
        for part, value in parts.items()
        if expected.get(key, {}).get(part) != value
    ]


def test_benchmark_articles_digest_as_recorded(recorded: dict[str, dict[str, str]]) -> None:
    actual = dict(golden.bench_items())
    assert len(actual) == golden.BENCH_ARTICLES
    assert _differences(recorded, actual) == []


def test_real_feed_items_digest_as_recorded(recorded: dict[str, dict[str, str]]) -> None:
    if not golden.CORPUS.is_dir():
        pytest.skip(f"real-feed corpus not found at {golden.CORPUS}")
    actual = dict(golden.real_items())
    # Every recorded real item is still produced (a feed file that stopped parsing would drop out silently).
    assert sorted(actual) == sorted(k for k in recorded if k.startswith(("real/", "page/")))
    assert _differences(recorded, actual) == []


def test_fuzzed_markup_converts_and_summarises_as_recorded(recorded: dict[str, dict[str, str]]) -> None:
    actual = dict(golden.fuzz_items())
    assert len(actual) == golden.FUZZ_ITEMS
    assert _differences(recorded, actual) == []
