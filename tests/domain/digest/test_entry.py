"""Building articles from feedparser entries of every shape, and from local files."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import Article, article_from_entry, digest_entry, text_article

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Film News</title><link>https://example.com</link>
<item>
  <title>&lt;em&gt;Red Rooms&lt;/em&gt; &amp;amp; the horror of watching</title>
  <link>https://example.com/red-rooms</link>
  <guid isPermaLink="false">id-1</guid>
  <pubDate>Mon, 25 Nov 2024 16:41:00 +0530</pubDate>
  <description><![CDATA[<p>Teaser.</p>]]></description>
  <content:encoded><![CDATA[<p>The full article, which is longer than the teaser.</p><img src="https://img.example.com/inline.jpg">]]></content:encoded>
  <media:thumbnail url="https://img.example.com/thumb.jpg"/>
  <category>Horror</category><category>horror</category><category>Interviews</category>
</item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Films</title>
<entry><title type="html">Dune &amp;ndash; Part Two</title><id>tag:example.com,2024:1</id>
<link rel="alternate" type="text/html" href="https://example.com/dune"/>
<link rel="enclosure" type="image/jpeg" href="https://img.example.com/dune.jpg"/>
<updated>2024-03-01T10:00:00Z</updated>
<summary type="text">Plain text summary
with a line break.</summary></entry></feed>"""


def first_entry(xml: str) -> tuple[Any, str]:
    parsed = feedparser.parse(xml, sanitize_html=False)
    return parsed.entries[0], parsed.feed.get("title")


def test_rss_entry() -> None:
    entry, feed_title = first_entry(RSS)
    article = article_from_entry(entry, feed_title)
    assert article.title == "Red Rooms & the horror of watching"
    assert article.url == "https://example.com/red-rooms"
    assert article.published == datetime(2024, 11, 25, 11, 11, tzinfo=UTC)
    assert "full article" in article.html
    assert article.source == "Film News"
    assert article.image_url == "https://img.example.com/thumb.jpg"
    assert article.categories == ("Horror", "Interviews")


def test_atom_entry() -> None:
    entry, _ = first_entry(ATOM)
    article = article_from_entry(entry, None)
    assert article.title == "Dune – Part Two"
    assert article.url == "https://example.com/dune"
    assert article.published == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert article.image_url == "https://img.example.com/dune.jpg"
    assert article.source == "example.com"  # no feed title given: fall back to the link's host
    assert "line break" in article.html


@pytest.mark.parametrize(
    ("entry", "check"),
    [
        ({}, lambda a: a == Article(title="")),
        ({"title": None, "link": 5, "content": None}, lambda a: a.title == "" and a.url is None),
        ({"title": b"bytes title"}, lambda a: a.title == "bytes title"),
        ({"content": "just a string"}, lambda a: a.html == "just a string"),
        (
            {"content": [None, {"value": 3}, {"value": "<p>ok</p>", "type": "text/html"}]},
            lambda a: a.html == "<p>ok</p>",
        ),
        (
            {"content": [{"value": "a < b\nnext", "type": "text/plain"}]},
            lambda a: a.html == "a &lt; b<br>next",
        ),
        ({"summary_detail": {"value": "<p>from detail</p>"}}, lambda a: a.html == "<p>from detail</p>"),
        (
            {"links": "not a list", "id": "https://example.com/permalink"},
            lambda a: a.url == "https://example.com/permalink",
        ),
        (
            {"links": [{"rel": "alternate", "href": "https://example.com/x"}]},
            lambda a: a.url == "https://example.com/x",
        ),
        ({"link": "javascript:alert(1)"}, lambda a: a.url is None),
        ({"published_parsed": (2024, 13, 40, 0, 0, 0)}, lambda a: a.published is None),
        (
            {"published_parsed": "garbage", "updated_parsed": time.gmtime(0)},
            lambda a: a.published == datetime(1970, 1, 1, tzinfo=UTC),
        ),
        (
            {"published": "2024-11-25T16:41:00+05:30"},
            lambda a: a.published == datetime(2024, 11, 25, 11, 11, tzinfo=UTC),
        ),
        (
            {"published": "Mon, 25 Nov 2024 16:41:00 GMT"},
            lambda a: a.published == datetime(2024, 11, 25, 16, 41, tzinfo=UTC),
        ),
        ({"published": "not a date"}, lambda a: a.published is None),
        (
            {"published_parsed": datetime(2024, 1, 1)},
            lambda a: a.published == datetime(2024, 1, 1, tzinfo=UTC),
        ),
        (
            {
                "media_thumbnail": [{"url": "javascript:x"}],
                "media_content": [{"url": "https://i/x.png", "medium": "image"}],
            },
            lambda a: a.image_url == "https://i/x.png",
        ),
        ({"media_content": [{"url": "https://v/x.mp4", "type": "video/mp4"}]}, lambda a: a.image_url is None),
        (
            {
                "enclosures": [
                    {"type": "audio/mpeg", "href": "https://a/x.mp3"},
                    {"type": "image/png", "href": "https://i/y.png"},
                ]
            },
            lambda a: a.image_url == "https://i/y.png",
        ),
        (
            {"links": [{"rel": "enclosure", "type": "image/jpeg", "href": "https://i/z.jpg"}]},
            lambda a: a.image_url == "https://i/z.jpg",
        ),
        ({"image": {"href": "https://i/logo.png"}}, lambda a: a.image_url == "https://i/logo.png"),
        (
            {
                "summary": '<img src="https://feeds.feedburner.com/~r/x" width="1" height="1"><img src="https://i/real.jpg">'
            },
            lambda a: a.image_url == "https://i/real.jpg",
        ),
        (
            # Entry HTML keeps relative URLs (the parser does not rewrite them): resolved against the article.
            {"link": "https://films.example/news/42", "summary": '<img src="/img/still.jpg">'},
            lambda a: a.image_url == "https://films.example/img/still.jpg",
        ),
        (
            {"link": "https://films.example/news/42", "summary": '<img src="//cdn.example/a.jpg">'},
            lambda a: a.image_url == "https://cdn.example/a.jpg",
        ),
        ({"summary": '<img src="/img/still.jpg">'}, lambda a: a.image_url is None),
        (
            {"link": "https://films.example/news/42", "summary": '<img src="javascript:alert(1)">'},
            lambda a: a.image_url is None,
        ),
        (
            {"tags": [{"term": "Horror"}, {"term": " horror "}, {"label": "Drama"}, None, {"term": 4}]},
            lambda a: a.categories == ("Horror", "Drama"),
        ),
        ({"source": {"title": "Upstream Feed"}}, lambda a: a.source == "Upstream Feed"),
    ],
)
def test_odd_entries(entry: dict[str, Any], check: Any) -> None:
    assert check(article_from_entry(entry))


def test_not_even_a_mapping() -> None:
    assert article_from_entry(None) == Article(title="")  # type: ignore[arg-type]


json_like = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=40),
        st.binary(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(
            st.sampled_from(["url", "href", "value", "type", "rel", "term", "label", "title", "medium"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
ENTRY_KEYS = [
    "title", "title_detail", "link", "links", "id", "published", "published_parsed", "updated",
    "updated_parsed", "created_parsed", "content", "summary", "summary_detail", "description",
    "media_thumbnail", "media_content",
    "enclosures", "image", "tags", "source",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ENTRY_KEYS), json_like, max_size=8),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_any_entry_shape_never_raises(entry: dict[str, Any], feed_title: str | None) -> None:
    article = article_from_entry(entry, feed_title)
    assert isinstance(article, Article) and isinstance(article.title, str)
    assert article.published is None or article.published.tzinfo is not None
    digest_entry(article)  # and whatever came out of it can be digested


def test_text_article_from_html_uses_its_title() -> None:
    page = "<html><head><title>Local &amp; Proud</title></head><body><p>Body text.</p><img src='https://i/a.jpg'></body></html>"
    article = text_article(page)
    assert article.title == "Local & Proud" and article.image_url == "https://i/a.jpg"


def test_text_article_from_plain_text_takes_a_headline() -> None:
    article = text_article("A Headline\n\nFirst paragraph.\nSecond line.")
    assert article.title == "A Headline"
    assert digest_entry(article).summary == "First paragraph. Second line."


def test_text_article_keeps_a_sentence_as_body_and_accepts_a_title() -> None:
    article = text_article("This is a sentence.\n\nAnd another.", title="Given")
    assert article.title == "Given" and "This is a sentence." in article.html
