from __future__ import annotations

import pytest

from domain.titles import TitleError, TitleMatcher, is_short_title, mentions_film, normalise_title, title_key


@pytest.mark.parametrize(
    ("title", "normalised"),
    [
        ("Amélie", "amelie"),
        ("The Substance", "substance"),
        ("THE SUBSTANCE", "substance"),
        ("The", "the"),  # nothing else to keep
        ("A Ghost Story", "a ghost story"),  # only "The" is dropped
        ("Schindler's List", "schindlers list"),
        ("Schindler’s List", "schindlers list"),
        ("Spider-Man: No Way Home", "spider man no way home"),
        ("Fast & Furious", "fast and furious"),
        ("  Nosferatu!!  ", "nosferatu"),
        ("Øresund Ærø", "oresund aero"),
        ("Straße", "strasse"),
        ("Tár", "tar"),
        ("2001: A Space Odyssey", "2001 a space odyssey"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("千と千尋の神隠し", "千と千尋の神隠し"),
        ("!!!", ""),
    ],
)
def test_normalise_title(title: str, normalised: str) -> None:
    assert normalise_title(title) == normalised


def test_title_key() -> None:
    assert title_key("The Amélie", 2001) == title_key("amelie", 2001)
    assert title_key("Alien", 1979) != title_key("Alien", 2025)


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Up", True),
        ("Her", True),
        ("It", True),
        ("Us", True),
        ("Nope", True),
        ("Amélie", True),
        ("Parasite", True),  # 8 letters
        ("The Substance", True),  # everyday word
        ("Inside Out", True),  # everyday words
        ("Past Lives", True),
        ("Nosferatu", False),  # 9 letters, not an everyday word
        ("Oppenheimer", False),
        ("The Brutalist", False),
        ("Anatomy of a Fall", False),
        ("Everything Everywhere All at Once", False),  # five words: specific enough
        ("千と千尋の神隠し", False),
    ],
)
def test_is_short_title(title: str, short: bool) -> None:
    assert is_short_title(title) is short


MENTIONS = [
    # (title, year, text, expected)
    # -- the spec's cases
    ("Up", 2009, "Pixar's Up returns to cinemas", True),
    ("Up", 2009, "prices went up", False),
    ("Nosferatu", 2024, "NOSFERATU", True),
    ("Nosferatu", 2024, "Nosferatu's ending explained", True),
    ("The Substance", 2024, "Substance review: Demi Moore is fearless", True),  # decided: yes
    ("Amélie", 2001, "I loved Amelie", True),
    ("Amélie", 2001, "Amelie returns to cinemas", True),
    # -- strong titles: any word-bounded mention
    ("Nosferatu", 2024, "nosferatu", True),
    ("Nosferatu", 2024, "a Nosferatu-inspired look", True),
    ("Nosferatu", 2024, "Nosferatus everywhere", False),
    ("Nosferatu", 2024, "anosferatu", False),
    ("Oppenheimer", 2023, "oppenheimer's bomb", True),
    ("Schindler's List", 1993, "Schindlers List", True),
    ("Schindler's List", 1993, "schindler’s list", True),
    ("Star Wars: Episode IV", 1977, "Star Wars - Episode IV screening", True),
    ("Fast & Furious", 2009, "Fast and Furious 10 trailer", True),
    ("Fast and Furious", 2009, "fast & furious", True),
    ("Spider-Man", 2002, "Spider Man returns", True),
    ("The Brutalist", 2024, "Brutalist wins big", True),
    ("The Brutalist", 2024, "brutalist architecture", True),  # a real word, but long: accepted risk
    ("千と千尋の神隠し", 2001, "映画千と千尋の神隠しを見た", True),
    # -- short titles: the year right next to it
    ("Up", 2009, "Up (2009) gets a 4K release", True),
    ("Her", 2013, "her (2013) is on tv tonight", True),
    ("Up", 2009, "2009's Up still holds up", True),
    ("Up", 2009, "the song went up the charts in 2009", False),  # lowercase, year not adjacent
    ("Up", 2009, "Up is back for its 2009 anniversary", True),  # capitalised, year nearby
    # -- quoted or italicised
    ("Her", 2013, "'Her'", True),
    ("Up", 2009, "“Up” is a masterpiece", True),
    ("Up", 2009, "we watched *Up* tonight", True),
    ("Her", 2013, "the line 'her' in the song", True),  # quoted: counts even lowercase
    # -- capitalised with a film word nearby
    ("Up", 2009, "Pixar Announces Up Sequel", True),
    ("Her", 2013, "Review: Her is a tender film", True),
    ("It", 2017, "It (2017) sequel confirmed", True),
    # -- capitalised after a capitalised possessive
    ("Her", 2013, "Spike Jonze's Her", True),
    ("It", 2017, "Stephen King's It", True),
    ("Up", 2009, "Pixar's Up Returns To Cinemas", True),
    # -- capitalised mid-sentence in prose
    ("Her", 2013, "I loved Spike Jonze's Her", True),
    ("Her", 2013, "Joaquin Phoenix in Her was great", True),
    ("Up", 2009, "I rewatched Up last night", True),
    ("It", 2017, "I saw It twice", True),
    ("Don", 2006, "I loved Don last night", True),
    # -- ordinary words: no
    ("Her", 2013, "she gave her a call", False),
    ("Her", 2013, "Her Majesty arrives", False),  # sentence start
    ("Her", 2013, "Her", False),
    ("Up", 2009, "Prices Go Up as Inflation Bites", False),  # Title Case headline
    ("Up", 2009, "PRICES GO UP", False),
    ("Up", 2009, "Up next: the weather", False),
    ("Up", 2009, "ups and downs", False),
    ("Up", 2009, "what's up with that", False),
    ("It", 2017, "It is raining", False),
    ("It", 2017, "it was fine", False),
    ("It", 2017, "IT department", False),
    ("Us", 2019, "join us tonight", False),
    ("Nope", 2022, "nope, not today", False),
    ("Don", 2006, "don't do it", False),
    ("The Substance", 2024, "substance abuse warning", False),
    ("The Substance", 2024, "controlled substance laws", False),
    ("Amélie", 2001, "amelie", False),
    ("Inside Out", 2015, "turn the bag inside out", False),
    ("Inside Out", 2015, "Inside Out 2 trailer", True),
    # -- no year known: other signals still work
    ("Her", None, "Spike Jonze's Her", True),
    ("Her", None, "Her (2013)", False),
]


@pytest.mark.parametrize(("title", "year", "text", "expected"), MENTIONS)
def test_mentions_film(title: str, year: int | None, text: str, expected: bool) -> None:
    assert mentions_film(text, title, year) is expected
    assert TitleMatcher(title, year).matches(text) is expected


def test_search_returns_span_in_original_text() -> None:
    text = "Great news: NOSFERATU’s restoration"
    span = TitleMatcher("Nosferatu").search(text)
    assert span is not None
    assert text[span[0] : span[1]].startswith("NOSFERATU")


def test_span_is_found_in_accented_text() -> None:
    text = "Review — “Amélie” (2001)"
    span = TitleMatcher("Amelie", 2001).search(text)
    assert span is not None
    assert text[span[0] : span[1]] == "Amélie"


def test_matcher_is_reusable_and_hashable() -> None:
    matcher = TitleMatcher("The Substance", 2024)
    assert matcher.normalised == "substance"
    assert matcher.short is True
    assert matcher == TitleMatcher("The Substance", 2024)
    assert len({matcher, TitleMatcher("The Substance", 2024)}) == 1
    assert [matcher.matches(t) for t in ("I loved The Substance", "substance", "")] == [True, False, False]


def test_untitled_refused() -> None:
    with pytest.raises(TitleError):
        TitleMatcher("?!")
