"""Every document of feedparser's own test corpus goes through parse -> entries -> entry key unharmed.

The corpus (~2,100 small, often deliberately broken files) lives in the shared folder next to the
repository and is never copied into it. Parsing runs in-process and sequentially (``parse_bytes`` with
``sanitize_html=False``, as in production): the point is the code path, not the pool.

A refusal (``FeedParseError``: not a feed, invalid XML) is a handled outcome; only other exceptions fail.
If the digest package is present, every entry also goes through it and its payload must be JSON.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from domain.feedrules import compile_filter, entry_key, entry_timestamp
from services.feedparse import FeedParseError, parse_bytes
from tests.helpers.corpus import shared_corpus

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_corpus("feedparser-tests")


def corpus_directories() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted({path.parent for path in CORPUS.rglob("*.xml")})


def _digest_api() -> tuple[Any, Any] | str:
    """The digest's (article_from_entry, digest_entry), or why they are not usable yet."""
    try:
        digest = importlib.import_module("domain.digest")
    except ImportError as exc:
        return f"domain.digest is not importable ({exc})"
    article_from_entry = getattr(digest, "article_from_entry", None)
    digest_entry = getattr(digest, "digest_entry", None)
    if article_from_entry is None or digest_entry is None:
        return "domain.digest has no article_from_entry/digest_entry yet"
    return article_from_entry, digest_entry


def _run_directory(directory: Path) -> tuple[Counter[str], list[str], list[tuple[Any, str | None]]]:
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    entries: list[tuple[Any, str | None]] = []
    keyword_filter = compile_filter("film, news", "/spoil(er|s)?/")
    for path in sorted(directory.glob("*.xml")):
        name = str(path.relative_to(CORPUS))
        try:
            parsed = parse_bytes(path.read_bytes(), url=f"http://corpus.example/{name}")
        except FeedParseError as exc:
            outcomes[exc.kind] += 1
            continue
        except Exception as exc:
            failures.append(f"{name}: parse raised {type(exc).__name__}: {exc}")
            continue
        outcomes["bozo" if parsed.bozo else "ok"] += 1
        for entry in parsed.entries:
            try:
                key = entry_key(entry)
                assert isinstance(key, str) and key
                entry_timestamp(entry)
                keyword_filter.matches(entry)
                json.dumps(entry)
            except Exception as exc:
                failures.append(f"{name}: entry handling raised {type(exc).__name__}: {exc}")
                continue
            entries.append((entry, parsed.title))
    return outcomes, failures, entries


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("directory", corpus_directories(), ids=lambda path: str(path.relative_to(CORPUS)))
def test_corpus_directory(directory: Path) -> None:
    outcomes, failures, entries = _run_directory(directory)
    assert not failures, "\n".join(failures[:20])
    assert sum(outcomes.values()) > 0

    api = _digest_api()
    if isinstance(api, str):
        pytest.skip(f"parse/key checks passed; digest part skipped: {api}")
    article_from_entry, digest_entry = api
    digest_failures = []
    for entry, feed_title in entries:
        try:
            payload = digest_entry(article_from_entry(entry, feed_title)).payload
            json.dumps(payload)
        except Exception as exc:
            digest_failures.append(f"{entry.get('id') or entry.get('link')}: {type(exc).__name__}: {exc}")
    assert not digest_failures, "\n".join(digest_failures[:20])


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_is_where_we_expect() -> None:
    files = list(CORPUS.rglob("*.xml"))
    assert len(files) > 2000
    # Never copied into the repository.
    assert not any(REPO_ROOT in path.resolve().parents for path in files)


def test_corpus_sample_parses_in_process() -> None:
    """A smoke test: a corpus sample parses in-process, failing only with FeedParseError. Speed is for
    ``benchmarks/`` (no test asserts on wall-clock time)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    sample = sorted(CORPUS.rglob("*.xml"))[:200]
    for path in sample:
        with contextlib.suppress(FeedParseError):
            parse_bytes(path.read_bytes())
