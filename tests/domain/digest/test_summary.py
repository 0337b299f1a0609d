"""Extractive summaries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import split_sentences, summarize

ARTICLE = (
    "Robert Eggers' Nosferatu opens in cinemas on Christmas Day after a year of anticipation. "
    "The gothic remake stars Lily-Rose Depp as Ellen Hutter and Bill Skarsgård as Count Orlok. "
    "Eggers first staged the story as a school play in New Hampshire when he was seventeen. "
    "He says the vampire is a figure of disease and desire rather than romance. "
    "The production built a Transylvanian village on a backlot in Prague. "
    "Costume designer Linda Muir made the count's clothes from period fabric. "
    "Early reviews have praised Depp's physical performance in the possession scenes. "
    "The score is by Robin Carolan, who also scored The Northman. "
    "Focus Features will release the film in IMAX in selected cities. "
    "Nosferatu runs two hours and twelve minutes."
)


def test_picks_the_requested_number_of_sentences_in_original_order() -> None:
    for count in (2, 3, 4):
        summary = summarize(ARTICLE, "Nosferatu opens on Christmas Day", count, 2000)
        picked = split_sentences(summary)
        assert len(picked) == count
        positions = [ARTICLE.index(s) for s in picked]
        assert positions == sorted(positions)


def test_lede_is_favoured_and_title_words_boost() -> None:
    summary = summarize(ARTICLE, "Nosferatu opens on Christmas Day", 2, 600)
    assert summary.startswith("Robert Eggers' Nosferatu opens in cinemas on Christmas Day")
    assert "Robin Carolan" in summarize(ARTICLE, "Robin Carolan scores Nosferatu", 2, 600)


@pytest.mark.parametrize("max_chars", [80, 150, 250, 600])
def test_respects_the_budget_and_never_cuts_a_word(max_chars: int) -> None:
    summary = summarize(ARTICLE, "", 3, max_chars)
    assert 0 < len(summary) <= max_chars
    for word in summary.rstrip("…").split():
        assert word in ARTICLE.split()


def test_a_short_teaser_is_used_as_it_is() -> None:
    teaser = "A new trailer for Nosferatu is here. It is terrifying."
    assert summarize(teaser, "", 3, 600) == teaser


def test_a_long_teaser_is_cut_on_a_word_boundary() -> None:
    teaser = "A very long teaser sentence " * 10 + "ends here."
    summary = summarize(teaser, "", 3, 100)
    assert len(summary) <= 100 and summary.endswith("…")
    assert summary[:-1].rstrip() == summary[:-1] and teaser.startswith(summary[:-1])


def test_fragments_and_empty_text() -> None:
    assert summarize("", "", 3, 600) == ""
    assert summarize("Nosferatu\nTrailer", "", 3, 600) == "Nosferatu Trailer"


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=3000), st.integers(min_value=2, max_value=4), st.integers(min_value=80, max_value=2000)
)
def test_any_text_fits_the_budget(text: str, count: int, max_chars: int) -> None:
    assert len(summarize(text, "", count, max_chars)) <= max_chars
