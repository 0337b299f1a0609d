"""Trade and headline idioms ("murdered the box office", "a killer lineup", "shot to fame") warn about nothing."""

from __future__ import annotations

import pytest

from domain.digest import detect_spoilers, detect_warnings
from tests.domain.digest.cw_idioms import IDIOMS


def test_the_idiom_list_is_big_and_has_no_repeats() -> None:
    assert len(IDIOMS) >= 100
    assert len(set(IDIOMS)) == len(IDIOMS)


@pytest.mark.parametrize("sentence", IDIOMS)
def test_idioms_stay_clean(sentence: str) -> None:
    assert detect_warnings("", sentence) == ()
    assert detect_warnings(sentence, "") == ()  # as a headline too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The gunman murdered the box office clerk and fled.", "violence"),  # the clerk, not the grosses
        ("The sequel opens with a massacre of villagers.", "violence"),
        ("He was shot in the arm during the raid.", "violence"),
    ],
)
def test_literal_uses_next_to_the_idioms_still_warn(text: str, expected: str) -> None:
    assert expected in {w.category for w in detect_warnings("", text)}


def test_idioms_are_no_spoilers() -> None:
    assert detect_spoilers("The sequel killed off the competition this weekend", "") == ()
