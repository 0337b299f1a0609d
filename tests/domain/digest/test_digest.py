"""The whole pipeline: one article in, one Discord post out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import Article, DigestOptions, digest_entry
from domain.digest.digest import FORCED_REASON, SHIELD_FAILED_REASON
from domain.digest.models import CATEGORY_LABELS, DEFAULT_SPOILER_CATEGORIES, effective_spoiler_categories
from tests.domain.digest.test_render import assert_discord_safe

FIXTURE = Path(__file__).parent / "fixtures" / "red_rooms_interview.html"
RED_ROOMS = Article(
    title="‘Red Rooms’ director Pascal Plante: ‘The horror is in what you don’t see’",
    url="https://www.example-news.com/entertainment/movies/red-rooms-interview",
    html=FIXTURE.read_text(encoding="utf-8"),
    source="The Example News",
    image_url="https://static.example-news.com/red-rooms-still-1.jpg",
)
QUIET = Article(
    title="Paddington returns",
    html="<p>The bear is back in a gentle comedy. Families will love it. The marmalade jokes land.</p>"
    "<p>Hugh Bonneville returns as Mr. Brown. The film opens on Friday.</p>",
    image_url="https://img.example.com/p.jpg",
)


def test_feature_article_end_to_end() -> None:
    digest = digest_entry(RED_ROOMS)
    assert digest.summary.startswith("Pascal Plante’s Red Rooms is the rare horror film")
    assert digest.summary.count(". ") >= 1 and len(digest.summary) <= 600
    for furniture in ("Photo Credit", "ALSO READ", "#", "Published", "pascal plante interview", "Smile 2"):
        assert furniture not in digest.summary
    categories = {w.category for w in digest.warnings}
    assert {"violence", "torture"} <= categories
    assert "snuff films" in next(w for w in digest.warnings if w.category == "violence").evidence
    assert digest.payload["content"].startswith("⚠️ **CW:** violence, torture")
    # Torture is one of the categories whose summary and image are hidden by default.
    assert "content warning: torture" in digest.spoiler_reasons
    assert "thumbnail" not in digest.payload["embeds"][0]
    assert_discord_safe(digest.payload, spoiler=True)
    shown = digest_entry(RED_ROOMS, DigestOptions(spoiler_categories=frozenset()))
    assert shown.spoiler is False and shown.spoiler_reasons == ()
    assert shown.payload["embeds"][0]["thumbnail"]["url"] == RED_ROOMS.image_url
    assert_discord_safe(shown.payload, spoiler=False)


def test_a_quiet_article_has_no_warnings_and_no_content_line() -> None:
    digest = digest_entry(QUIET)
    assert digest.warnings == () and "content" not in digest.payload and not digest.spoiler


def test_shown_categories_filter_the_labels() -> None:
    digest = digest_entry(RED_ROOMS, DigestOptions(shown_categories=frozenset({"torture"})))
    assert [w.category for w in digest.warnings] == ["torture"]
    assert digest.payload["content"] == "⚠️ **CW:** torture"


def test_spoiler_categories_hide_the_summary_and_the_image() -> None:
    digest = digest_entry(RED_ROOMS, DigestOptions(spoiler_categories=frozenset({"torture"})))
    assert digest.spoiler and digest.spoiler_reasons == ("content warning: torture",)
    embed = digest.payload["embeds"][0]
    assert embed["description"] == f"||{embed['description'][2:-2]}||" and "thumbnail" not in embed
    assert_discord_safe(digest.payload, spoiler=True)


GORY = Article(
    title="Night of the Butcher review",
    url="https://films.example/butcher",
    image_url="https://img.example.com/butcher.jpg",
    html="<p>The slasher does not look away. A victim is disembowelled in close-up and the camera lingers on "
    "the entrails spilling across the floor. Few horror films this year are as gory.</p>",
)


def test_a_gore_warning_hides_the_summary_and_the_image_by_default() -> None:
    digest = digest_entry(GORY)
    embed = digest.payload["embeds"][0]
    assert "gore" in digest.payload["content"]  # the label stays visible
    assert embed["description"].startswith("||") and embed["description"].endswith("||")
    assert "entrails" in embed["description"]
    assert "thumbnail" not in embed and "image" not in embed
    assert embed["title"] == GORY.title  # the title is not the gory part
    assert_discord_safe(digest.payload, spoiler=True)


@pytest.mark.parametrize("category", sorted(DEFAULT_SPOILER_CATEGORIES))
def test_every_default_category_spoilers_unless_the_server_opted_out(category: str) -> None:
    options = DigestOptions(custom_terms={category: ["marmalade"]})
    digest = digest_entry(QUIET, options)
    assert digest.spoiler_reasons == (f"content warning: {CATEGORY_LABELS[category]}",)
    opted_out = dataclasses.replace(options, spoiler_categories=DEFAULT_SPOILER_CATEGORIES - {category})
    shown = digest_entry(QUIET, opted_out)
    assert not shown.spoiler and shown.payload["embeds"][0]["thumbnail"]["url"] == QUIET.image_url
    assert "||" not in shown.payload["embeds"][0]["description"]


def test_a_server_that_opted_out_sees_the_gory_summary() -> None:
    digest = digest_entry(GORY, DigestOptions(spoiler_categories=frozenset()))
    embed = digest.payload["embeds"][0]
    assert "gore" in digest.payload["content"] and not digest.spoiler
    assert not embed["description"].startswith("||") and "entrails" in embed["description"]
    assert embed["thumbnail"]["url"] == GORY.image_url


def test_effective_spoiler_categories() -> None:
    assert effective_spoiler_categories() == DEFAULT_SPOILER_CATEGORIES
    assert effective_spoiler_categories(chosen_off={"gore"}) == DEFAULT_SPOILER_CATEGORIES - {"gore"}
    assert "violence" in effective_spoiler_categories(chosen_on={"violence"})
    # A hidden label drops the default, never an explicit choice.
    assert "gore" not in effective_spoiler_categories(hidden={"gore"})
    assert "gore" in effective_spoiler_categories(chosen_on={"gore"}, hidden={"gore"})


def test_a_hidden_category_still_spoilers_when_asked_to() -> None:
    options = DigestOptions(shown_categories=frozenset(), spoiler_categories=frozenset({"violence"}))
    digest = digest_entry(RED_ROOMS, options)
    assert digest.warnings == () and digest.spoiler


def test_force_spoiler_and_spoiler_wording_and_feed_tags() -> None:
    assert digest_entry(QUIET, DigestOptions(force_spoiler=True)).spoiler_reasons == (FORCED_REASON,)
    explained = Article(title="Nosferatu ending explained", html="<p>Who survives the night? We explain.</p>")
    assert digest_entry(explained).spoiler_reasons == ("ending explained", "reveals who dies")
    tagged = Article(title="Review", html="<p>Fine.</p>", categories=("Reviews", "Spoilers"))
    assert digest_entry(tagged).spoiler_reasons == ("tagged “Spoilers”",)


def test_spoiler_shield_reasons_are_kept_and_shown() -> None:
    calls: list[tuple[str, str]] = []

    def shield(title: str, text: str) -> list[str]:
        calls.append((title, text))
        return ["on the club's schedule: Paddington on 5 Dec", "  "]

    digest = digest_entry(QUIET, shield=shield)
    assert calls and calls[0][0] == "Paddington returns" and "gentle comedy" in calls[0][1]
    assert digest.spoiler_reasons == ("on the club's schedule: Paddington on 5 Dec",)
    assert "Paddington on 5 Dec" in digest.payload["content"]
    assert "thumbnail" not in digest.payload["embeds"][0]


def test_a_failing_shield_fails_closed() -> None:
    def shield(title: str, text: str) -> list[str]:
        raise RuntimeError("calendar unavailable")

    assert digest_entry(QUIET, shield=shield).spoiler_reasons == (SHIELD_FAILED_REASON,)


def test_custom_terms_reach_detection() -> None:
    digest = digest_entry(QUIET, DigestOptions(custom_terms={"animal-harm": ["marmalade"]}))
    assert [(w.category, w.evidence) for w in digest.warnings] == [("animal-harm", ("marmalade",))]


class TestOptions:
    @pytest.mark.parametrize("sentences", [1, 5])
    def test_sentences_range(self, sentences: int) -> None:
        with pytest.raises(ValueError, match="sentences"):
            DigestOptions(sentences=sentences)

    @pytest.mark.parametrize("max_chars", [10, 5000])
    def test_summary_length_range(self, max_chars: int) -> None:
        with pytest.raises(ValueError, match="max_summary_chars"):
            DigestOptions(max_summary_chars=max_chars)

    def test_settings_from_storage_are_frozen(self) -> None:
        options = DigestOptions(
            shown_categories=["gore"],  # type: ignore[arg-type]
            spoiler_categories={"gore"},  # type: ignore[arg-type]
            custom_terms={"gore": ["entrails", " "], "hate": "slurx", "drugs": []},  # type: ignore[dict-item]
        )
        assert options.shown_categories == frozenset({"gore"})
        assert options.spoiler_categories == frozenset({"gore"})
        assert dict(options.custom_terms) == {"gore": ("entrails",), "hate": ("slurx",)}
        with pytest.raises(TypeError):
            options.custom_terms["x"] = ("y",)  # type: ignore[index]

    def test_summary_options_are_used(self) -> None:
        digest = digest_entry(RED_ROOMS, DigestOptions(sentences=2, max_summary_chars=200))
        assert len(digest.summary) <= 200


sprinkles = st.sampled_from(
    ["||", "@everyone", "@here", "<@123>", "<#9>", "</c:1>", "<p>", "</p>", "<br>", "<script>x</script>",
     "&amp;",
     "&lt;b&gt;", "*", "_", "`", "# ", "> ", "\n", "The killer stalks. ", "Spoilers ahead. ", "[a](b)"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    title=st.lists(st.one_of(st.text(max_size=20), sprinkles), max_size=15).map("".join),
    html=st.lists(st.one_of(st.text(max_size=60), sprinkles), max_size=60).map("".join),
    spoiler_categories=st.sets(st.sampled_from(["violence", "gore"])),
)
def test_any_article_yields_a_safe_post(title: str, html: str, spoiler_categories: set[str]) -> None:
    options = DigestOptions(spoiler_categories=frozenset(spoiler_categories))
    digest = digest_entry(Article(title=title, html=html, image_url="https://i/x.jpg"), options)
    assert_discord_safe(digest.payload, spoiler=digest.spoiler)
    assert len(digest.summary) <= options.max_summary_chars
