"""Entry identity, poll timing, server hints and moderator filters (pure)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import feedrules
from domain.feedrules import (
    DEFAULT_BACKOFF_CAP,
    MAX_HINT_SECONDS,
    compile_filter,
    entry_key,
    entry_timestamp,
    filter_text,
    jittered_interval,
    next_delay,
    normalise_url,
    parse_max_age,
    parse_retry_after,
    validate_regex,
)

# --------------------------------------------------------------------------------------------------
# Entry keys


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (" https://Films.Example.COM/reviews/metropolis/ ", "https://films.example.com/reviews/metropolis"),
        ("http://films.example.com/reviews/metropolis", "https://films.example.com/reviews/metropolis"),
        ("https://films.example.com:443/a#comments", "https://films.example.com/a"),
        (
            "https://films.example.com/a?utm_source=rss&utm_medium=feed&id=7",
            "https://films.example.com/a?id=7",
        ),
        ("https://films.example.com/a?fbclid=xyz&b=2&a=1", "https://films.example.com/a?b=2&a=1"),
        ("https://films.example.com", "https://films.example.com/"),
        ("https://films.example.com:8080/a/", "https://films.example.com:8080/a"),
        ("https://films.example.com/A/B", "https://films.example.com/A/B"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_entry_key_prefers_id_then_link_then_hash() -> None:
    assert (
        entry_key({"id": " tag:films.example,2024:42 ", "link": "https://x.example/"})
        == "id:tag:films.example,2024:42"
    )
    assert entry_key({"id": "https://Films.example/a/?utm_campaign=x"}) == "https://films.example/a"
    assert entry_key({"link": "https://films.example/a#top"}) == "https://films.example/a"
    hashed = entry_key({"title": "Metropolis", "published": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert hashed.startswith("sha256:") and len(hashed) == 7 + 64
    assert hashed == entry_key({"title": "  Metropolis ", "published": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert hashed != entry_key({"title": "Metropolis", "published": "Tue, 02 Jan 2024 00:00:00 GMT"})


def test_guid_and_link_share_a_namespace() -> None:
    # A feed that used guid == link and then dropped its guids keeps the same keys.
    assert entry_key({"id": "http://films.example/a", "link": "x"}) == entry_key(
        {"link": "https://films.example/a/"}
    )


def test_entry_key_edge_cases() -> None:
    assert entry_key({}) == entry_key({"summary": ""})
    assert entry_key({"summary": "a"}) != entry_key({"summary": "b"})
    assert entry_key({"id": 12345}) == "id:12345"
    long_id = "x" * 5000
    assert entry_key({"id": long_id}).startswith("sha256:")
    assert entry_key({"id": "   ", "link": "https://a.example/"}) == "https://a.example/"


@given(
    st.dictionaries(
        st.sampled_from(["id", "guid", "link", "title", "published", "updated", "summary"]),
        st.one_of(st.none(), st.text(max_size=300), st.integers()),
    )
)
def test_entry_key_never_fails_and_is_stable(entry: dict[str, object]) -> None:
    key = entry_key(entry)
    assert isinstance(key, str) and 0 < len(key) <= feedrules.MAX_KEY_LENGTH
    assert entry_key(dict(entry)) == key


def test_entry_timestamp() -> None:
    assert entry_timestamp({"published_parsed": (2024, 1, 1, 0, 0, 0, 0, 1, 0)}) == 1704067200
    assert entry_timestamp({"updated_parsed": time.gmtime(1704067200)}) == 1704067200
    assert entry_timestamp({"published_parsed": None, "updated_parsed": [2024, 1, 1, 0, 0, 1]}) == 1704067201
    assert entry_timestamp({"published_parsed": (1900, 1, 1, 0, 0, 0, 0, 1, 0)}) is None
    assert entry_timestamp({"published_parsed": "yesterday"}) is None
    assert entry_timestamp({}) is None


# --------------------------------------------------------------------------------------------------
# Timing


@given(
    failures=st.integers(0, 10_000),
    interval=st.floats(1, 48 * 3600),
    seed=st.integers(0, 2**32),
)
def test_next_delay_bounds(failures: int, interval: float, seed: int) -> None:
    delay = next_delay(failures, interval, rng=random.Random(seed))
    assert interval <= delay <= max(interval * 1.1, DEFAULT_BACKOFF_CAP)


def test_next_delay_grows_then_caps() -> None:
    rng = random.Random(7)
    means = [sum(next_delay(n, 300, rng=rng) for _ in range(200)) / 200 for n in range(12)]
    assert means[1] < means[3] < means[5] < means[7]
    assert DEFAULT_BACKOFF_CAP / 2 <= means[11] <= DEFAULT_BACKOFF_CAP
    # A configured interval longer than the cap is kept.
    assert next_delay(5, 12 * 3600, rng=rng) == 12 * 3600


def test_jittered_interval() -> None:
    rng = random.Random(1)
    values = [jittered_interval(600, rng) for _ in range(500)]
    assert all(600 <= value <= 660 for value in values)
    assert max(values) - min(values) > 30  # actually spread out
    with pytest.raises(ValueError):
        jittered_interval(0)


NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        (format_datetime(NOW + timedelta(minutes=5), usegmt=True), 300.0),
        (format_datetime(NOW - timedelta(minutes=5), usegmt=True), 0.0),
        ("99999999999", MAX_HINT_SECONDS),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("cache_control", "age", "expected"),
    [
        ("max-age=600", None, 600.0),
        ("public, max-age=600, must-revalidate", "100", 500.0),
        ('max-age="60"', None, 60.0),
        ("max-age=60", "600", 0.0),
        ("max-age=31536000", None, MAX_HINT_SECONDS),
        ("no-cache, max-age=600", None, None),
        ("no-store", None, None),
        ("s-maxage=600", None, None),
        ("private", None, None),
        (None, None, None),
    ],
)
def test_parse_max_age(cache_control: str | None, age: str | None, expected: float | None) -> None:
    assert parse_max_age(cache_control, age) == expected


# --------------------------------------------------------------------------------------------------
# Filters


def entry(title: str = "", summary: str = "", tags: tuple[str, ...] = ()) -> dict[str, object]:
    return {"title": title, "summary": summary, "tags": [{"term": tag} for tag in tags]}


def test_word_filters_are_whole_words_and_case_insensitive() -> None:
    rule = compile_filter("star wars, oscars, c++", None)
    assert rule.matches(entry("New STAR  Wars trailer"))
    assert rule.matches(entry(summary="<p>The <b>Oscars</b> shortlist</p>"))
    assert rule.matches(entry("Learning C++ for film tools"))
    assert not rule.matches(entry("Starwarsy fan edits"))
    assert not rule.matches(entry("The oscarsnub debate"))
    assert rule.matches(entry("Nothing here", tags=("Oscars",)))


def test_exclude_and_include_together() -> None:
    rule = compile_filter("review", "/spoil(er|s)/")
    assert rule.matches(entry("Review: Dune"))
    assert not rule.matches(entry("Review: Dune (spoilers)"))
    assert not rule.matches(entry("Dune box office"))
    assert compile_filter(None, None).matches(entry("anything"))
    assert compile_filter("  ", "").is_empty


def test_html_is_stripped_before_matching() -> None:
    rule = compile_filter("class", None)
    assert not rule.matches(entry(summary='<div class="x">Film news</div>'))
    assert "&" in filter_text(entry(summary="Fast &amp; Furious"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/(a+)+$/", "nested quantifiers"),
        ("/(.*)*/", "nested quantifiers"),
        ("/(?:x{2,}){3,}/", "nested quantifiers"),
        ("/(a|a)*b/", "overlapping alternatives"),
        ("/(foo|f.o)+/", "overlapping alternatives"),
        (r"/(a)\1/", "backreferences"),
        ("/(?P<w>a)(?P=w)/", "backreferences"),
        ("/(a)?(?(1)b|c)/", "backreferences"),
        ("/[unclosed/", "invalid regex: unterminated character set at position 0"),
        ("/a{2,1}/", "invalid regex"),
        ("/" + "a" * 201 + "/", "longer than 200"),
        ("//", "empty"),
        (",,", "no words"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="include filter: ") as info:
        compile_filter(value, None)
    assert message in str(info.value)
    with pytest.raises(ValueError, match="exclude filter: "):
        compile_filter(None, value)


@pytest.mark.parametrize("pattern", [r"(foo|bar)+", r"\bnoir\b", r"^review:", r"\d{4} remaster", r"(?:ab?)+"])
def test_reasonable_regexes_are_accepted(pattern: str) -> None:
    validate_regex(pattern)


def test_slow_regex_is_cut_off_and_counts_against_the_entry() -> None:
    # Passes the structural checks but is polynomial (cubic) on long runs of "a".
    slow = "/.*a.*a.*a.*b/"
    text = entry("a" * 5000)
    include = compile_filter(slow, None)
    assert not include.matches(text)
    assert include.timeouts == 1  # cut off by the regex timeout (which is what bounds the time)
    exclude = compile_filter(None, slow)
    assert not exclude.matches(text)  # a timeout excludes: better skip one item than post a filtered one


def test_a_filter_stops_searching_after_repeated_timeouts() -> None:
    rule = compile_filter(None, "/.*a.*a.*a.*b/")
    for _ in range(20):
        assert not rule.matches(entry("a" * 5000))
    # Each search of this text times out, so a count that stops at MAX_TIMEOUTS means it stopped searching.
    assert rule.timeouts == feedrules.MAX_TIMEOUTS


def test_matched_text_is_capped() -> None:
    long_summary = "x " * 20_000 + "needle"
    assert len(filter_text(entry(summary=long_summary))) <= feedrules.MATCH_TEXT_LIMIT
    assert not compile_filter("needle", None).matches(entry(summary=long_summary))


@given(st.text(max_size=2000), st.text(max_size=50))
def test_filters_never_raise_on_any_text(text: str, words: str) -> None:
    try:
        rule = compile_filter(words, None)
    except ValueError:
        return
    rule.matches({"title": text, "summary": text, "tags": [{"term": text}, "loose"], "categories": [text]})
