"""Names of works are masked for the content-warning and spoiler detectors; what happens around them counts."""

from __future__ import annotations

import pytest

from domain.digest import Article, article_from_entry, detect_spoilers, detect_warnings, digest_entry
from domain.digest.digest import work_titles_of
from domain.digest.worktitles import MASK_CHAR, mask_titles, title_spans


def categories(title: str, text: str = "", titles: tuple[str, ...] = ()) -> set[str]:
    return {w.category for w in detect_warnings(title, text, work_titles=titles)}


def masked_words(text: str, titles: tuple[str, ...] = ()) -> list[str]:
    return [text[a:b] for a, b in title_spans(text, titles)]


class TestIssueExamples:
    def test_all_caps_titles_in_a_headline(self) -> None:
        assert (
            categories("David Dastmalchian Joins Technohorror KILL SCREEN From WOLF CREEK Director") == set()
        )

    def test_letterboxd_diary_headline_is_no_spoiler(self) -> None:
        assert detect_spoilers("John Dies at the End, 2012 - ★★", "Watched on Sunday.") == ()
        assert detect_spoilers("John Dies at the End", "", work_titles=("John Dies at the End",)) == ()

    def test_what_happens_around_a_title_still_counts(self) -> None:
        assert "violence" in categories("", "In 'Kill Screen', a man is shot dead by the police.")
        assert detect_spoilers("Ending explained: 'Kill Screen'", "") == ("ending explained",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Joins KILL SCREEN From WOLF CREEK Director", ["KILL SCREEN", "WOLF CREEK"]),
        ("In 'Civil War', Garland stages a road trip.", ["Civil War"]),
        ("The “Dog Day Afternoon” restoration.", ["Dog Day Afternoon"]),
        ("Uma Thurman stars in Kill Bill next year.", ["Kill Bill"]),
        ("She is the director of Wolf Creek and more.", ["Wolf Creek"]),
        ("The new horror film Kill Screen opens on Friday.", ["Kill Screen"]),
        ("A new thriller from the Wolf Creek director arrives.", ["Wolf Creek"]),
        ("John Dies at the End, 2012 - ★★", ["John Dies at the End"]),
    ],
)
def test_titles_found_by_typography_and_context(text: str, expected: list[str]) -> None:
    assert masked_words(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "“I knew from the beginning that I would never put a single frame of that on screen.”",
        "He said the sequel “kills it” on every level.",
        "CW: RAPE, and the boy is beaten.",
        "SPOILER ALERT: the captain survives.",
        "ALL CAPS REVIEW THE DOG DIES",
        "Actor Joins Horror Film About Murdered Children",
    ],
)
def test_speech_labels_and_shouting_are_not_titles(text: str) -> None:
    assert all(w not in ("RAPE", "SPOILER ALERT", "Murdered Children") for w in masked_words(text))
    if text.isupper() or text.istitle():
        assert title_spans(text) == []


def test_mask_keeps_length_and_makes_one_word() -> None:
    text = "The boy in 'Kill Screen' is beaten."
    masked = mask_titles(text)
    assert len(masked) == len(text)
    assert MASK_CHAR * len("Kill Screen") in masked


def test_known_titles_are_masked_and_short_ones_only_mid_sentence() -> None:
    assert masked_words("We loved The Killing of a Sacred Deer.", ("The Killing of a Sacred Deer",)) == [
        "The Killing of a Sacred Deer"
    ]
    assert masked_words("Her husband hits her. We saw Her again.", ("Her",)) == ["Her"]
    assert (
        categories("", "A rewatch of Hunting Dogs Die Young tonight.", ("Hunting Dogs Die Young",)) == set()
    )


def test_entry_keeps_italic_titles_and_letterboxd_film() -> None:
    entry = {
        "title": "Review",
        "summary": "<p>I rewatched <em>Dogs Die Twice</em> and <i>really</i> liked it. "
        "<em>This review may contain spoilers.</em></p>",
        "letterboxd_filmtitle": "John Dies at the End",
    }
    article = article_from_entry(entry)
    assert article.work_titles == ("John Dies at the End", "Dogs Die Twice")
    assert categories("Review", "Dogs Die Twice is my comfort film.", article.work_titles) == set()
    # Unknown, at the start of a sentence, a Title Case run is not known to be a name ...
    assert categories("Review", "Dogs Die Twice is my comfort film.") == {"animal-harm"}
    # ... but in the middle of a sentence of prose it is one (session 11: "coverage on Murder Made Fiction").
    assert categories("Review", "I rewatched Dogs Die Twice last night.") == set()


def test_digest_masks_italic_titles_and_the_clubs_schedule() -> None:
    class Shield:
        titles = ("Dogs Die Twice",)

        def __call__(self, title: str, text: str) -> list[str]:
            return []

    article = Article(title="Tonight", html="<p>Dogs Die Twice is up for a vote, then we eat.</p>")
    assert work_titles_of(article, Shield()) == ("Dogs Die Twice",)
    assert digest_entry(article).warnings != ()
    assert digest_entry(article, shield=Shield()).warnings == ()
    italic = Article(title="Tonight", html="<p>Members vote on <em>Dogs Die Twice</em>, then we eat.</p>")
    assert digest_entry(article_from_entry({"title": "Tonight", "summary": italic.html})).warnings == ()


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Memories of Murder: Trailer", ["Memories of Murder"]),
        ("How to Make Money Selling Drugs (2012 Documentary)", ["How to Make Money Selling Drugs"]),
        ("[TV] Lioness — S03E04 — Murder Hornets", ["Lioness", "Murder Hornets"]),
        ("Kill Screen - Official Red Band Trailer", ["Kill Screen"]),
        ("Blood Feast Review: A Grindhouse Remake Finds Its Feet", ["Blood Feast"]),
        ("Untitled Home Invasion Romance Review – Jason Biggs Debuts", ["Untitled Home Invasion Romance"]),
    ],
)
def test_labelled_headlines_name_a_work(headline: str, expected: list[str]) -> None:
    assert masked_words(headline) == expected
    assert categories(headline) == set()


def test_links_to_film_pages_name_films() -> None:
    entry = {
        "title": "A list",
        "summary": '<ul><li><a href="https://letterboxd.com/film/death-wish/">Death Wish</a></li>'
        '<li><a href="https://www.imdb.com/title/tt0086250/">Scarface</a></li>'
        '<li><a href="https://example.com/x">Not A Film</a></li></ul>',
    }
    assert article_from_entry(entry).work_titles == ("Death Wish", "Scarface")


def test_an_obituary_is_no_spoiler_but_a_reveal_is() -> None:
    assert detect_spoilers("", "A tribute to the R&B singer who died in 2005.") == ()
    assert detect_spoilers("", "The finale finally reveals who died in the fire.") == ("reveals who dies",)
    assert detect_spoilers("", "Find out who dies in the season finale.") != ()


def test_a_long_quote_in_a_headline_is_speech_not_a_title() -> None:
    headline = (
        "SZA Says It’s “Incredibly Dystopian” to Be Celebrating at the Grammys While "
        "“People Are Getting Snatched Up and Shot in the Face”"
    )
    assert categories(headline) == {"violence"}
    assert categories("Watch “The Hunt” Tonight") == set()


def test_the_clubs_shield_hands_its_titles_to_the_digest() -> None:
    from services.watchparties import Shield, film_matcher

    shield = Shield(((film_matcher("Dogs Die Twice (2024)"), "on the club's schedule: Dogs Die Twice"),))
    article = Article(title="Tonight", html="<p>Dogs Die Twice is up for a vote, then we eat.</p>")
    assert shield.titles == ("Dogs Die Twice",)
    digest = digest_entry(article, shield=shield)
    assert digest.warnings == ()
    assert digest.spoiler_reasons == ("on the club's schedule: Dogs Die Twice",)


def test_a_title_marked_once_is_a_title_wherever_it_recurs() -> None:
    # Session 11, library tuning third: the quoted headline title recurs unquoted after "movie I".
    headline = "First Look at Abigail Breslin in Lifetime Thriller ‘I Killed Him in My Sleep’"
    body = "Breslin stars in the Lifetime original movie I Killed Him in My Sleep, out in March."
    assert categories(headline, body) == set()
    # What the text says happens around the title still counts.
    assert categories(headline, body + " In it, a stalker murders two women.") == {"violence"}


def test_a_bracketed_headline_label_and_a_mid_sentence_name_are_not_evidence() -> None:
    headline = "HBO's 'The Staircase' Ends On An Ambiguous Note [Murder Made Fiction Podcast]"
    body = "Jenn and I are wrapping up our coverage of The Staircase on Murder Made Fiction."
    assert categories(headline, body) == set()
    # A sentence that starts with the word is not a name; words that are proper nouns by nature still count.
    assert categories("Review", "Murders pile up in this grim procedural.") == {"violence"}
    assert "hate" in categories(
        "Review", "The film shows a lynching under Jim Crow laws by the Ku Klux Klan."
    )


def test_bracketed_spoiler_and_warning_labels_still_count() -> None:
    assert detect_spoilers("The Substance Ending [Spoilers]", "") != ()
    assert detect_spoilers("Review [SPOILERS]", "") != ()
    assert "sexual-violence" in categories("Review [CW: Rape]")
    assert "self-harm" in categories("The Hunt [Trigger Warning: Suicide]")
