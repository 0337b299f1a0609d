"""The facts the digest's fast paths rely on, and each fast path against the plain code it replaced.

``test_golden.py`` pins the outputs on real and generated articles; these tests pin the reasoning, so a
change to a rule (a new caption word, a new hint) that would make a shortcut wrong fails here by name.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import clean_text, summarize
from domain.digest import render as render_module
from domain.digest import summary as summary_module
from domain.digest import text as text_module

ALL_CHARACTERS = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]


def test_every_whitespace_character_but_the_space_is_unprintable() -> None:
    # clean_text and _collapse_spaces prove "only spaces and newlines" with str.isprintable.
    assert [c for c in ALL_CHARACTERS if c.isspace() and c != " " and c.isprintable()] == []


def test_every_invisible_character_is_unprintable() -> None:
    # _strip_invisible skips its regex when the text is printable.
    invisible = [c for c in ALL_CHARACTERS if text_module._INVISIBLE.match(c)]
    assert invisible and all(not c.isprintable() for c in invisible)


def test_the_break_markers_are_not_whitespace_and_not_printable() -> None:
    for mark in (text_module._LINE_MARK, text_module._PARA_MARK):
        assert not mark.isspace() and not mark.isprintable()
        assert text_module._INVISIBLE.match(mark)  # so no input can smuggle one in


def test_the_url_check_is_the_character_test_it_replaced() -> None:
    unsafe = render_module._UNSAFE_URL_CHARACTER
    wrong = [
        c
        for c in ALL_CHARACTERS
        if (unsafe.search(c) is not None) != (c.isspace() or c in '<>"\\|^`{}' or ord(c) < 32)
    ]
    assert wrong == []


# --------------------------------------------------------------------------------------------------
# clean_text: one rule for lines that start with an article, gated hints


def _lines_starting_with_an_article() -> list[str]:
    continuations = [
        *sorted(text_module._DROP_LINE_FIRST_WORDS),
        "still from 'Red Rooms'",
        "promotional still from the film",
        "scene from the trailer went viral, and the studio said so.",
        "screen grab from the stream",
        "poster of the film",
        "new image from Alien",
        "first-look photo from Dune",
        "restoration was made from the negative.",
        "ad",
        "advertisement",
        "source",
        "d",
        "",
    ]
    out = []
    for article in ("A", "a", "An", "THE", "The", "the"):
        for separator in (" ", ": ", "- ", ", ", "| ", ". "):
            for rest in continuations:
                for tail in ("", " credit: AP", " | Photo Credit: Netflix", " of the year.", ":"):
                    out.append(f"{article}{separator}{rest}{tail}")
    return out


def test_only_the_caption_rule_can_drop_a_line_that_starts_with_an_article() -> None:
    checked = 0
    for line in _lines_starting_with_an_article():
        space = line.find(" ")
        first = (line if space < 0 else line[:space]).lower().rstrip(":|,.-–—")
        if first not in text_module._ARTICLES:
            continue
        checked += 1
        assert bool(text_module._DROP_LINE.match(line)) == bool(text_module._CAPTION.match(line)), line
    assert checked > 1000
    assert text_module._CAPTION in text_module._DROP_LINE_PREFIXES


def test_every_hint_is_searched_once_behind_a_gate_it_contains() -> None:
    hints = [
        h for rules in (text_module._DROP_LINE_HINTED, text_module._TAILS) for rule in rules for h in rule[0]
    ]
    gated = [h for group in text_module._HINT_GATES.values() for h in group]
    assert sorted(gated) == sorted(set(hints))
    assert all(gate in hint for gate, group in text_module._HINT_GATES.items() for hint in group)


def _clean_text_before(text: str) -> str:
    """clean_text as it was before the fast paths: every hint searched, every line collapsed."""
    if not text:
        return ""
    text = text_module._strip_invisible(text)
    lowered = text.lower()
    drop_hinted = [r for r in text_module._DROP_LINE_HINTED if any(h in lowered for h in r[0])]
    tails = [r for r in text_module._TAILS if any(h in lowered for h in r[0])]
    seen: set[str] = set()
    paragraphs: list[str] = []
    for paragraph in text.replace("\r", "").split("\n\n"):
        kept: list[str] = []
        for raw in paragraph.split("\n"):
            line = " ".join(raw.split())
            if line:
                first = line.split(" ", 1)[0].lower().rstrip(":|,.-–—")
                if (not line[0].isalnum() or first in text_module._DROP_LINE_FIRST_WORDS) and (
                    text_module._DROP_LINE.match(line)
                ):
                    line = ""
                else:
                    line = text_module._clean_line(line, drop_hinted, tails)
            if not line:
                continue
            key = line.casefold()
            if key in seen and len(line) < 400:
                continue
            seen.add(key)
            kept.append(line)
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)


_PIECES = st.sampled_from(
    [
        "The",
        "A",
        "still from",
        "Red Rooms",
        "Photo Credit: AP",
        "Read more »",
        "read",
        "ALSO READ:",
        "(photo: AP)",
        "[…]",
        "[Read more]",
        "|",
        "Share this",
        "#Horror #Film",
        "newsletter",
        "sign up",
        "inbox",
        "All rights reserved",
        "The post X appeared first on Y.",
        "By Jane Doe",
        "HINDI NEWS",
        "a, b, c, d, e",
        "Σ",
        "ΟΔΟΣ",
        "İ",
        ".",
        "?",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\xa0",
        "\r",
        "\u2028",
        "\u200b",
        "\x01",
        "\x02",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map(" ".join), st.lists(_PIECES, max_size=40).map("".join))
def test_clean_text_gives_what_it_gave_before_the_fast_paths(spaced: str, packed: str) -> None:
    for text in (spaced, packed):
        assert clean_text(text) == _clean_text_before(text)


def _render_marks_before(text: str) -> str:
    paragraphs: list[str] = []
    for paragraph in text.split(text_module._PARA_MARK):
        lines = [" ".join(line.split()) for line in paragraph.split(text_module._LINE_MARK)]
        kept = "\n".join(line for line in lines if line)
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Σ.\n\t\r\xa0\u2003\x01\x02\x0b\u200b")), max_size=60))
def test_rendering_the_marks_collapses_whitespace_as_before(text: str) -> None:
    assert text_module._render_marks(text) == _render_marks_before(text)


# --------------------------------------------------------------------------------------------------
# summarize: stems memoised per raw token, pruned MMR


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aΣσςİIKkß \t\n\xa0'’.-\u0301\u00ad")), max_size=40))
def test_lower_casing_token_by_token_gives_the_tokens_of_the_lower_cased_text(text: str) -> None:
    assert [token.lower() for token in text.split()] == text.lower().split()


def _select_before(
    prose: list[str], bags: list[set[str]], scores: list[float], sentences: int, max_chars: int
) -> list[int]:
    lam = summary_module._MMR_LAMBDA
    chosen: list[int] = []
    used = 0
    candidates = set(range(len(prose)))
    while len(chosen) < sentences and candidates:
        best, best_value = -1, -math.inf
        for i in candidates:
            if used + len(prose[i]) + (1 if chosen else 0) > max_chars:
                continue
            redundancy = max((summary_module._overlap(bags[i], bags[j]) for j in chosen), default=0.0)
            value = lam * scores[i] - (1 - lam) * redundancy
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += len(prose[best]) + (1 if len(chosen) > 1 else 0)
        candidates.discard(best)
    return chosen


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 300),
            st.sets(st.sampled_from("abcdefgh"), max_size=6),
            st.sampled_from([0.0, 0.25, 0.5, 0.5, 0.75, 1.0, 1.3]),  # repeats: ties must go the same way
        ),
        min_size=1,
        max_size=summary_module.MAX_CANDIDATES,
    ),
    st.integers(1, 5),
    st.integers(50, 900),
)
def test_the_pruned_selection_picks_what_the_full_one_picked(
    sentences: list[tuple[int, set[str], float]], count: int, max_chars: int
) -> None:
    prose = ["x" * length for length, _, _ in sentences]
    bags = [bag for _, bag, _ in sentences]
    scores = [score for _, _, score in sentences]
    assert summary_module._select(prose, bags, scores, count, max_chars) == _select_before(
        prose, bags, scores, count, max_chars
    )


def _term_counts_before(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token, n in Counter(text.lower().split()).items():
        word = token.strip(summary_module._PUNCTUATION)
        ok = len(word) > 1 and word[0].isalpha() and word not in summary_module._STOPWORDS
        stem = summary_module._stem(word) if ok else ""
        if stem:
            counts[stem] = counts.get(stem, 0) + n
    return counts


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["Films", "FILM'S", "Stories", "the", "ΟΔΟΣ", "İstanbul", "K", "a.", "killers"]))
)
def test_term_counts_are_the_counts_of_the_lower_cased_text(words: list[str]) -> None:
    text = " ".join(words)
    assert summary_module._term_counts(text) == _term_counts_before(text)


def test_a_cleared_stem_memo_does_not_change_a_summary() -> None:
    text = " ".join(
        f"Sentence number {i} talks about the killers and the films of the festival at length."
        for i in range(12)
    )
    expected = summarize(text, "Killers at the festival")
    summary_module._STEMS.clear()
    bags = [summary_module._bag(s.split()) for s in ("Killers, films!", "the festival")]
    assert bags == [{"killer", "film"}, {"festival"}]
    assert summarize(text, "Killers at the festival") == expected


@pytest.mark.parametrize(
    "sentence", ["One two three four.", "One two three four”)", "One two three four", "Short."]
)
def test_prose_needs_four_words_and_an_ending_or_ten_words(sentence: str) -> None:
    words = len(sentence.split())
    expected = words >= 4 and (re.search(r"[.!?…][\"'”’)\]]*$", sentence) is not None or words >= 10)
    assert summary_module._is_prose(sentence, words) == expected


def test_a_tie_between_sentences_of_different_scores_goes_to_the_earlier_one() -> None:
    # 0.7 * 1.0 - 0.3 * 0.5 == 0.7 * 0.7857142857142857 exactly: the second round ties sentence 2
    # (better score, half redundant with the first pick) with sentence 1 (no redundancy), and the full
    # selection, which scans in sentence order, keeps sentence 1.
    bags = [{"a", "b", "c", "d"}, {"z"}, {"a"}]
    scores = [2.0, 0.7857142857142857, 1.0]
    lam = summary_module._MMR_LAMBDA
    assert lam * scores[2] - (1 - lam) * 0.5 == lam * scores[1]
    assert _select_before(["x"] * 3, bags, scores, 2, 600) == [0, 1]
    assert summary_module._select(["x"] * 3, bags, scores, 2, 600) == [0, 1]


def test_a_caption_of_exactly_the_longest_length_is_dropped_whatever_follows_it() -> None:
    # The caption rule looks at most 200 characters past "still from": a space left at the end of the line
    # would push it over, so a line is only taken as it is when it has none.
    caption = "A still from " + "x" * 199
    for text in (
        f"{caption} \nNext line here.",
        f"{caption}\nNext line here.",
        f" {caption}\nNext line here.",
    ):
        assert clean_text(text) == "Next line here." == _clean_text_before(text)


_HINT_PIECES = st.sampled_from(
    [
        *(h for group in text_module._HINT_GATES.values() for h in group),
        "read",
        "rea",
        "d more",
        "also ",
        "keep ",
        "(",
        "[",
        "photo",
        " ",
        "x",
        "already",
        "thread",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_HINT_PIECES, max_size=30).map("".join))
def test_the_gated_hint_search_finds_exactly_the_hints_in_the_text(lowered: str) -> None:
    every = {h for group in text_module._HINT_GATES.values() for h in group}
    assert text_module._present_hints(lowered) == {h for h in every if h in lowered}
