"""Items that need more than a summary: Letterboxd diary entries, TV episodes, untitled entries and
descriptions that only restate the title (issue 12, item 8). Entries come from real feed layouts."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import Article, article_from_entry, digest_entry, render_payload, summarize, text_article
from domain.digest.models import Letterboxd
from domain.digest.render import stars
from domain.digest.summary import restates_title
from tests.domain.digest.test_render import assert_discord_safe
from tests.test_preview_realfeeds import payload_problems

LETTERBOXD = """<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:letterboxd="https://letterboxd.com" version="2.0">
<channel><title>Letterboxd - Zac Colley</title><link>https://letterboxd.com/zaccolley/</link>
<item>
  <title>Con Air, 1997 - ★★★½ (contains spoilers)</title>
  <link>https://letterboxd.com/zaccolley/film/con-air/</link>
  <guid isPermaLink="false">letterboxd-review-105691230</guid>
  <pubDate>Tue, 19 May 2020 09:34:56 +1200</pubDate>
  <letterboxd:watchedDate>2020-05-17</letterboxd:watchedDate>
  <letterboxd:rewatch>Yes</letterboxd:rewatch>
  <letterboxd:filmTitle>Con Air</letterboxd:filmTitle>
  <letterboxd:filmYear>1997</letterboxd:filmYear>
  <letterboxd:memberRating>3.5</letterboxd:memberRating>
  <letterboxd:memberLike>Yes</letterboxd:memberLike>
  <description><![CDATA[<p><img src="https://a.ltrbxd.com/resized/film-poster/con-air.jpg?k=4701de9753"/></p> <p><em>This review may contain spoilers.</em></p> <p>glad to see diabetic representation, sweaty and not doing much for the whole film</p>]]></description>
</item>
<item>
  <title>The Sheep Detectives, 2026 - ★★★</title>
  <link>https://letterboxd.com/sdiamond/film/the-sheep-detectives/</link>
  <guid isPermaLink="false">letterboxd-watch-1431013820</guid>
  <pubDate>Mon, 03 Aug 2026 10:00:00 +1200</pubDate>
  <letterboxd:watchedDate>2026-08-03</letterboxd:watchedDate>
  <letterboxd:rewatch>No</letterboxd:rewatch>
  <letterboxd:filmTitle>The Sheep Detectives</letterboxd:filmTitle>
  <letterboxd:filmYear>2026</letterboxd:filmYear>
  <letterboxd:memberRating>3.0</letterboxd:memberRating>
  <letterboxd:memberLike>No</letterboxd:memberLike>
  <description><![CDATA[<p><img src="https://a.ltrbxd.com/resized/film-poster/sheep.jpg?v=c7b622176e"/></p> <p>Watched on Monday August 3, 2026.</p>]]></description>
</item>
<item>
  <title>TIFF 2016</title>
  <link>https://letterboxd.com/zaccolley/list/tiff-2016/</link>
  <guid isPermaLink="false">letterboxd-list-1139344</guid>
  <description><![CDATA[<p>TIFF is very nice</p> <ol> <li> <a href="https://letterboxd.com/film/moonlight-2016/">Moonlight</a> </li> </ol>]]></description>
</item>
</channel></rss>"""

OLD_LETTERBOXD = """<?xml version='1.0' encoding='utf-8'?>
<rss version="2.0" xmlns:letterboxd="http://letterboxd.com"><channel><title>Letterboxd - Zac Colley</title>
<item>
  <title>Sausage Party, 2016 - ★ (contains spoilers)</title>
  <link>https://letterboxd.com/zaccolley/film/sausage-party/</link>
  <guid isPermaLink="false">letterboxd-review-16423369</guid>
  <letterboxd:watchedDate>2016-09-03</letterboxd:watchedDate>
  <description><![CDATA[ <p><img src="https://a.ltrbxd.com/resized/sm/upload/h4.jpg?k=6dff82ac2b"/></p> <p><em>This review may contain spoilers.</em></p> <p>piece of junk</p> ]]></description>
</item>
<item>
  <title>Steve Jobs, 2015</title>
  <link>https://letterboxd.com/zaccolley/film/steve-jobs/</link>
  <guid isPermaLink="false">letterboxd-watch-17153978</guid>
  <letterboxd:watchedDate>2016-10-09</letterboxd:watchedDate>
  <description><![CDATA[ <p><img src="https://a.ltrbxd.com/resized/sm/upload/ql.jpg?k=ab7aba0910"/></p> <p>Watched on Sunday October 9, 2016.</p> ]]></description>
</item>
</channel></rss>"""


def entries(xml: str) -> tuple[list[Any], str]:
    parsed = feedparser.parse(io.BytesIO(xml.encode("utf-8")))  # bytes, never a str (it would be opened)
    return list(parsed.entries), parsed.feed.get("title", "")


# --- Letterboxd -----------------------------------------------------------------------------------------


def test_a_letterboxd_review_is_parsed_into_its_fields() -> None:
    items, feed_title = entries(LETTERBOXD)
    con_air = article_from_entry(items[0], feed_title)
    assert con_air.letterboxd == Letterboxd(
        film_title="Con Air",
        film_year=1997,
        rating=3.5,
        rewatch=True,
        liked=True,
        watched=date(2020, 5, 17),
        spoilers=True,
    )
    assert con_air.image_url == "https://a.ltrbxd.com/resized/film-poster/con-air.jpg?k=4701de9753"
    assert "may contain spoilers" not in con_air.html  # the notice is a flag, not review text
    assert article_from_entry(items[2], feed_title).letterboxd is None  # a list is not a diary entry


def test_a_letterboxd_review_renders_as_a_diary_entry() -> None:
    items, feed_title = entries(LETTERBOXD)
    digest = digest_entry(article_from_entry(items[0], feed_title))
    embed = digest.payload["embeds"][0]
    assert (
        embed["title"] == "Con Air (1997)"
        and embed["url"] == "https://letterboxd.com/zaccolley/film/con-air/"
    )
    rating, review = embed["description"].split("\n\n")
    assert rating == "★★★½ · ♥ liked · ↻ rewatch"
    # Letterboxd's own mark hides the review and the poster; the rating stays visible.
    assert review.startswith("||glad to see diabetic representation") and review.endswith("||")
    assert "thumbnail" not in embed and "marked as containing spoilers" in digest.spoiler_reasons
    assert {"name": "Watched", "value": "17 May 2020", "inline": True} in embed["fields"]


def test_a_diary_entry_without_a_review_has_no_boilerplate_summary() -> None:
    items, feed_title = entries(LETTERBOXD)
    digest = digest_entry(article_from_entry(items[1], feed_title))
    embed = digest.payload["embeds"][0]
    assert digest.summary == "" and "Watched on" not in embed["description"]
    assert embed["description"] == "★★★"  # not liked, not a rewatch: no markers
    assert embed["title"] == "The Sheep Detectives (2026)"
    assert embed["thumbnail"]["url"] == "https://a.ltrbxd.com/resized/film-poster/sheep.jpg?v=c7b622176e"
    assert_discord_safe(digest.payload, spoiler=False)


def test_an_old_format_letterboxd_feed_degrades_gracefully() -> None:
    items, feed_title = entries(OLD_LETTERBOXD)
    sausage, jobs = (article_from_entry(e, feed_title) for e in items)
    assert sausage.letterboxd == Letterboxd(
        "Sausage Party", 2016, 1.0, None, None, date(2016, 9, 3), spoilers=True
    )
    digest = digest_entry(sausage)
    embed = digest.payload["embeds"][0]
    assert embed["title"] == "Sausage Party (2016)" and embed["description"] == "★\n\n||piece of junk||"
    assert jobs.letterboxd == Letterboxd("Steve Jobs", 2015, None, None, None, date(2016, 10, 9))
    quiet = digest_entry(jobs).payload["embeds"][0]
    assert quiet["title"] == "Steve Jobs (2015)" and "description" not in quiet and "thumbnail" in quiet


@pytest.mark.parametrize(
    ("rating", "shown"), [(0.5, "½"), (1.0, "★"), (3.5, "★★★½"), (5.0, "★★★★★"), (7.0, "★★★★★")]
)
def test_stars(rating: float, shown: str) -> None:
    assert stars(rating) == shown


@pytest.mark.parametrize("rating", ["", "abc", "0", "5.5", "3.3", "-1", "nan"])
def test_a_broken_rating_is_no_rating(rating: str) -> None:
    items, feed_title = entries(
        LETTERBOXD.replace("<letterboxd:memberRating>3.5", f"<letterboxd:memberRating>{rating}")
    )
    got = article_from_entry(items[0], feed_title).letterboxd
    # The title still says ★★★½: a broken element falls back to it.
    assert got is not None and got.rating == 3.5


def test_a_warning_hides_the_poster_of_a_diary_entry() -> None:
    diary = Article(
        title="Salò, 1975 - ★★★",
        url="https://letterboxd.com/x/film/salo/",
        html="<p>The torture scenes in the final act are unbearable to watch.</p>",
        image_url="https://a.ltrbxd.com/poster.jpg",
        letterboxd=Letterboxd("Salò, or the 120 Days of Sodom", 1975, 3.0),
    )
    digest = digest_entry(diary)
    embed = digest.payload["embeds"][0]
    assert "torture" in digest.payload["content"] and "thumbnail" not in embed
    assert embed["description"].startswith("★★★\n\n||")


# --- TV episodes -----------------------------------------------------------------------------------------


def calendar_entry(title: str, category: str = "tv") -> dict[str, Any]:
    return {
        "title": title,
        "link": "https://www.tvmaze.com/shows/50415/lioness",
        "summary": "tomorrow — Sunday, August 23, 2026 — Paramount+",
        "tags": [{"term": category}],
    }


def test_an_episode_title_in_a_release_calendar_is_hidden() -> None:
    article = article_from_entry(calendar_entry("[TV] Lioness — S03E04 — Murder Hornets"), "Watchfeed")
    assert article.title == "[TV] Lioness — S03E04" and article.episode_title == "Murder Hornets"
    digest = digest_entry(article)
    embed = digest.payload["embeds"][0]
    assert "episode title" in digest.spoiler_reasons and "episode title" in digest.payload["content"]
    assert "Hornets" not in embed["title"]
    assert embed["description"].startswith("||Episode: Murder Hornets\n")
    assert_discord_safe(digest.payload, spoiler=True)


@pytest.mark.parametrize(
    ("title", "category", "name"),
    [
        ("[TV] Lanterns — S01E02 — Trust Fall", "tv", "Trust Fall"),
        ("[ANIME] Frieren — Episode 12: The Hero's Grave", "anime", "The Hero's Grave"),
        ("Severance 2x10 - Cold Harbor", "tv", "Cold Harbor"),
        ("The Bear S03E01: Tomorrow", "news", "Tomorrow"),  # SxxEyy is a TV episode in any feed
        ("[TV] Lanterns — S01E03 — TBA", "tv", None),
        ("[TV] Neagley — S01E01 — Episode 1", "tv", None),
        ("[ANIME] Blue Box Season 2 — Episode 10", "anime", None),
        ("Episode 5 - The Reckoning", "movie", None),  # not a TV item: a film's title
        ("[FILM] Dune: Part Three — Theatrical release", "movie", None),
    ],
)
def test_which_titles_name_an_episode(title: str, category: str, name: str | None) -> None:
    assert article_from_entry(calendar_entry(title, category)).episode_title == name


def test_render_hides_an_episode_name_even_without_a_reason_from_the_caller() -> None:
    payload = render_payload(Article(title="[TV] Silo — S03E10", episode_title="Troy"), "in 3 days")
    assert payload["embeds"][0]["description"] == "||Episode: Troy\nin 3 days||"
    assert "episode title" in payload["content"]


# --- Summaries that say something -----------------------------------------------------------------------


def test_a_description_that_is_the_title_and_a_url_is_no_summary() -> None:
    entry = {
        "title": "F1 The Movie",
        "link": "https://tv.apple.com/us/movie/f1-the-movie/umc.cmc.3t6dvnnr87zwd4wmvpdx5came",
        "summary": '<p>F1 The Movie: <a href="https://tv.apple.com/us/movie/f1-the-movie/umc.cmc.3t6">'
        "https://tv.apple.com/us/movie/f1-the-movie/umc.cmc.3t6</a></p>"
        '<p><img src=" https://is1-ssl.mzstatic.com/image/thumb/x/670x377.jpg" alt="F1 The Movie"></p>',
    }
    digest = digest_entry(article_from_entry(entry, "Apple Trailers"))
    embed = digest.payload["embeds"][0]
    assert digest.summary == "" and "description" not in embed
    assert embed["title"] == "F1 The Movie" and "thumbnail" in embed


@pytest.mark.parametrize(
    ("text", "title", "empty"),
    [
        ("Smurfs: https://tv.apple.com/us/movie/smurfs/umc.cmc.680", "Smurfs", True),
        ("Lilo & Stitch", "Lilo &amp; Stitch", True),
        ("https://example.com/a", "", True),
        ("", "Anything", True),
        ("Smurfs returns to cinemas in July.", "Smurfs", False),
        ("Watch the trailer: https://example.com/t", "Smurfs", False),
        ("A quiet film about grief.", "", False),
    ],
)
def test_restates_title(text: str, title: str, empty: bool) -> None:
    assert restates_title(text, title) is empty
    assert (summarize(text, title) == "") is empty


NPR_ENTRY = {
    "title": "\n",
    "link": "https://www.npr.org/2021/12/16/1064951660/a-review-of-spider-man-no-way-home-with-as-few-spoilers",
    "summary": "Marvel's latest superhero film, <em>Spider-Man: No Way Home</em> finds its hero battling foes he "
    "thought he'd already vanquished.",
}


def test_an_untitled_entry_takes_its_links_slug_spelled_as_the_text_spells_it() -> None:
    article = article_from_entry(NPR_ENTRY, "Movies : NPR")
    assert article.title == "A review of Spider-Man: No Way Home with as few spoilers"
    digest = digest_entry(article)
    assert digest.payload["embeds"][0]["title"] == "A review of Spider-Man: No Way Home with as few spoilers"
    assert digest.summary.startswith("Marvel's latest superhero film")


def test_an_untitled_entry_without_a_slug_takes_its_first_sentence() -> None:
    entry = {**NPR_ENTRY, "link": "https://www.npr.org/templates/story/story.php?storyId=1045"}
    article = article_from_entry(entry)
    assert article.title.startswith("Marvel's latest superhero film, Spider-Man: No Way Home finds")
    assert len(article.title) <= 150


def test_untitled_article_only_when_there_is_nothing_to_call_it() -> None:
    article = article_from_entry({"title": " ", "link": "https://example.com/2021/12/16/1064951660"})
    assert article.title == ""
    assert digest_entry(article).payload["embeds"][0]["title"] == "Untitled article"


def test_a_local_article_without_a_headline_takes_its_first_sentence() -> None:
    article = text_article("The projector broke twice. Nobody minded: the film was that good.")
    assert article.title == "The projector broke twice."


hostile = st.text(alphabet=st.sampled_from(list("ab |*_~`>#@\n\\<:★½")), max_size=300)


@settings(max_examples=150, deadline=None)
@given(
    film=hostile,
    episode=st.one_of(st.none(), hostile),
    summary=st.one_of(hostile, st.builds(lambda s: s * 40, hostile)),
    rating=st.one_of(st.none(), st.sampled_from([0.5, 2.0, 4.5, 5.0])),
    spoiler=st.booleans(),
)
def test_diary_entries_and_episodes_always_fit_and_stay_hidden(
    film: str, episode: str | None, summary: str, rating: float | None, spoiler: bool
) -> None:
    article = Article(
        title=film,
        image_url="https://img.example.com/p.jpg",
        letterboxd=Letterboxd(film, 2020, rating, True, True, spoilers=spoiler),
        episode_title=episode,
    )
    payload = render_payload(article, summary)
    assert not payload_problems(payload), payload
    description = payload["embeds"][0].get("description", "")
    head, _, hidden = description.partition("\n\n")  # liked and rewatch: there is always a head line
    assert "♥ liked · ↻ rewatch" in head
    if (spoiler or (episode and episode.strip())) and hidden:
        assert hidden.startswith("||") and hidden.endswith("||") and "||" not in hidden[2:-2]
