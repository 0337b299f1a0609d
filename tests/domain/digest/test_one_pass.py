"""The digest's one-pass scan gives exactly what the two public detectors give on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.digest import article_from_entry, clean_text, detect_spoilers, detect_warnings, html_to_text
from domain.digest.content_warnings import detect_warnings_and_spoilers
from services.feedparse import parse_bytes
from tests.domain.digest.cw_dataset import DEVELOPMENT
from tests.domain.digest.cw_heldout import HELD_OUT
from tests.domain.digest.cw_idioms import IDIOMS
from tests.helpers.corpus import shared_corpus

REPO_ROOT = Path(__file__).resolve().parents[3]
REALFEEDS = shared_corpus("realfeeds")

SPOILERY = (
    ("Ending explained: the twist", "Find out who dies in the season finale, and the post-credits scene."),
    ("Recap: S02E05", "Spoilers ahead. The killer is revealed; the hero's fate is sealed."),
    ("John Dies at the End, 2012 - ★★", "A killer twist, in the film Who Dies Next."),
    ("Review", "A spoiler-free review with no spoilers, and a killer performance."),
)


def _texts() -> list[tuple[str, str]]:
    texts = [("", c.text) for c in (*DEVELOPMENT, *HELD_OUT)] + [("", s) for s in IDIOMS] + list(SPOILERY)
    if REALFEEDS.is_dir():
        for path in sorted(REALFEEDS.glob("*.xml")):
            for entry in parse_bytes(path.read_bytes()).entries:
                article = article_from_entry(entry)
                texts.append((article.title, clean_text(html_to_text(article.html))))
    return texts


@pytest.mark.parametrize(("title", "text"), _texts())
def test_one_pass_equals_the_two_detectors(title: str, text: str) -> None:
    assert detect_warnings_and_spoilers(title, text) == (
        detect_warnings(title, text),
        detect_spoilers(title, text),
    )
