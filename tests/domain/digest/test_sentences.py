"""Sentence splitting for film journalism."""

from __future__ import annotations

import pytest

from domain.digest import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in St. Louis. They talked.",
            ["Mr. Smith met Dr. Jones in St. Louis.", "They talked."],
        ),
        ("It is Godzilla vs. Kong. Again.", ["It is Godzilla vs. Kong.", "Again."]),
        (
            "J. R. R. Tolkien wrote it. Jackson filmed it.",
            ["J. R. R. Tolkien wrote it.", "Jackson filmed it."],
        ),
        ("J.R.R. Tolkien wrote it.", ["J.R.R. Tolkien wrote it."]),
        (
            "Guillermo del Toro's film won. It deserved to.",
            ["Guillermo del Toro's film won.", "It deserved to."],
        ),
        ("'It's over.' he said. Then he left.", ["'It's over.' he said.", "Then he left."]),
        ("He said, “It’s over.” Then he left.", ["He said, “It’s over.”", "Then he left."]),
        ("'Why?' she asked. Nobody knew.", ["'Why?' she asked.", "Nobody knew."]),
        ("He paused... Then he left.", ["He paused...", "Then he left."]),
        ("Wait… what happened?", ["Wait… what happened?"]),
        ("It made $2.5 million. It cost 1.2 billion.", ["It made $2.5 million.", "It cost 1.2 billion."]),
        ("It opens Jan. 5 in the U.S. box office.", ["It opens Jan. 5 in the U.S. box office."]),
        ("It opened in the U.S. The reviews were kind.", ["It opened in the U.S.", "The reviews were kind."]),
        ("It is No. 1 again. Critics agree.", ["It is No. 1 again.", "Critics agree."]),
        (
            "Léa Seydoux stars. Bong Joon-ho directs. Élodie Gariépy too.",
            ["Léa Seydoux stars.", "Bong Joon-ho directs.", "Élodie Gariépy too."],
        ),
        ("It starts at 8 p.m. ET on Friday. Be early.", ["It starts at 8 p.m. ET on Friday.", "Be early."]),
        ("M. Night Shyamalan returns!", ["M. Night Shyamalan returns!"]),
        ("What a film! Truly.", ["What a film!", "Truly."]),
        (
            "Headline without a stop\nThe body begins here.",
            ["Headline without a stop", "The body begins here."],
        ),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
