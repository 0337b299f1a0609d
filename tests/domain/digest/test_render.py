"""The Discord payload: limits, escaping, mentions and spoilers, as table tests and property tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import Article, ContentWarning, render_payload
from domain.digest.render import embed_size

LIMITS = {"content": 2000, "title": 256, "description": 4096, "field name": 256, "field value": 1024}


def unescaped(text: str, char: str) -> list[int]:
    """Positions of ``char`` not preceded by an odd run of backslashes (i.e. live markdown)."""
    positions, backslashes = [], 0
    for index, c in enumerate(text):
        if c == char and backslashes % 2 == 0:
            positions.append(index)
        backslashes = backslashes + 1 if c == "\\" else 0
    return positions


def live_mentions(text: str) -> list[str]:
    found = re.findall(r"@(?:everyone|here)", text)
    for index in unescaped(text, "<"):
        if re.match(r"<(?:@!?|@&|#|/)[\w:-]*", text[index:]) and text[index + 1 : index + 2] != "\u200b":
            found.append(text[index : index + 12])
    return found


def markdown_texts(payload: dict[str, Any]) -> list[str]:
    embed = payload["embeds"][0]
    texts = [payload.get("content", ""), embed.get("title", ""), embed.get("description", "")]
    texts += [f["name"] for f in embed.get("fields", [])] + [f["value"] for f in embed.get("fields", [])]
    return texts


def assert_discord_safe(payload: dict[str, Any], *, spoiler: bool) -> None:
    assert payload["allowed_mentions"] == {"parse": []}
    assert len(payload["embeds"]) == 1
    embed = payload["embeds"][0]
    assert len(payload.get("content", "")) <= LIMITS["content"]
    assert "content" not in payload or payload["content"]
    assert 0 < len(embed["title"]) <= LIMITS["title"]
    assert len(embed.get("description", "")) <= LIMITS["description"]
    for field in embed.get("fields", []):
        assert len(field["name"]) <= LIMITS["field name"] and len(field["value"]) <= LIMITS["field value"]
    assert len(embed.get("footer", {}).get("text", "")) <= 2048
    assert len(embed.get("author", {}).get("name", "")) <= 256
    assert embed_size(embed) <= 6000
    for text in [*markdown_texts(payload), embed.get("footer", {}).get("text", "")]:
        assert not live_mentions(text), text
    for key in ("url",):
        if key in embed:
            assert embed[key].startswith(("http://", "https://"))
    description = embed.get("description")
    if spoiler:
        assert "thumbnail" not in embed and "image" not in embed
        if description is not None:
            # Exactly one spoiler span: opens at the start, closes at the end, nothing live inside.
            assert description.startswith("||") and description.endswith("||") and len(description) > 4
            assert unescaped(description[2:-2], "|") == []
    elif description is not None:
        assert unescaped(description, "|") == []
    assert unescaped(embed["title"], "|") == []


def article(**changes: Any) -> Article:
    base: dict[str, Any] = {
        "title": "Nosferatu review",
        "url": "https://example.com/nosferatu",
        "published": datetime(2024, 12, 5, 18, 0, tzinfo=UTC),
        "html": "",
        "source": "Film Site",
        "image_url": "https://img.example.com/n.jpg",
    }
    base.update(changes)
    return Article(**base)


def test_plain_post_layout() -> None:
    payload = render_payload(article(), "A restrained, frightening remake.")
    embed = payload["embeds"][0]
    assert "content" not in payload
    assert embed["title"] == "Nosferatu review"
    assert embed["url"] == "https://example.com/nosferatu"
    assert embed["description"] == "A restrained, frightening remake."
    assert embed["timestamp"] == "2024-12-05T18:00:00+00:00"
    assert embed["fields"] == [{"name": "Published", "value": "<t:1733421600:R>", "inline": True}]
    assert embed["footer"] == {"text": "Film Site"}
    assert embed["thumbnail"] == {"url": "https://img.example.com/n.jpg"}
    assert_discord_safe(payload, spoiler=False)


def test_warnings_and_spoilers_layout() -> None:
    warnings = [ContentWarning("violence", "violence", ("murder",)), ContentWarning("torture", "torture", ())]
    reasons = ("content warning: torture", "ending explained", "on the club's schedule: Nosferatu on 5 Dec")
    payload = render_payload(article(), "The count dies at dawn.", warnings, reasons)
    embed = payload["embeds"][0]
    assert payload["content"] == (
        "⚠️ **CW:** violence, torture\n"
        "🙈 **Spoilers:** ending explained; on the club's schedule: Nosferatu on 5 Dec"
    )
    assert embed["description"] == "||The count dies at dawn.||"
    assert "thumbnail" not in embed
    assert_discord_safe(payload, spoiler=True)


def test_spoilered_only_by_a_warning_says_so_once() -> None:
    payload = render_payload(
        article(), "Summary.", [ContentWarning("gore", "gore", ())], ("content warning: gore",)
    )
    assert payload["content"] == "⚠️ **CW:** gore"
    assert payload["embeds"][0]["description"] == "||Summary.||"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/x",
        "/relative/path",
        "https://",
        "https://exa mple.com",
        "x" * 3000,
        "",
    ],
)
def test_unsafe_urls_are_left_out(url: str) -> None:
    payload = render_payload(article(url=url, image_url=url), "Text.")
    assert "url" not in payload["embeds"][0] and "thumbnail" not in payload["embeds"][0]


def test_naive_and_non_utc_times_become_utc() -> None:
    plus_five = timezone(timedelta(hours=5, minutes=30))
    aware = render_payload(article(published=datetime(2024, 11, 25, 16, 41, tzinfo=plus_five)), "x")
    naive = render_payload(article(published=datetime(2024, 11, 25, 11, 11)), "x")
    assert aware["embeds"][0]["timestamp"] == naive["embeds"][0]["timestamp"] == "2024-11-25T11:11:00+00:00"


def test_long_and_hostile_fields_are_cut_and_defused() -> None:
    payload = render_payload(
        article(title="||@everyone|| " * 60, source="<@123> " * 400),
        "||x|| " * 2000,
        [ContentWarning("hate", "hate/bigotry", ())],
        ["@here " * 500, "<#1> " * 500],
    )
    assert_discord_safe(payload, spoiler=True)
    assert payload["embeds"][0]["title"].endswith("…")


def test_empty_title_and_summary() -> None:
    payload = render_payload(article(title="  ", published=None, source=None), "   ", (), ("forced",))
    embed = payload["embeds"][0]
    assert embed["title"] == "Untitled article" and "description" not in embed and "fields" not in embed
    assert_discord_safe(payload, spoiler=True)


nasty = st.one_of(
    st.text(),
    st.sampled_from(
        ["||", "@everyone", "@here", "<@123>", "<@&9>", "<#5>", "</cmd:1>", "\\", "`", "*", "# ", "\n"]
    ),
)
hostile_text = st.lists(nasty, max_size=40).map("".join)
long_text = st.builds(lambda s, n: s * n, hostile_text, st.integers(min_value=1, max_value=300))


@settings(max_examples=200, deadline=None)
@given(
    title=st.one_of(hostile_text, long_text),
    summary=st.one_of(hostile_text, long_text),
    source=st.one_of(st.none(), hostile_text, long_text),
    url=st.one_of(st.none(), hostile_text, st.just("https://example.com/a?b=1")),
    warnings=st.lists(st.sampled_from(["violence", "gore", "hate"]), unique=True),
    reasons=st.lists(st.one_of(hostile_text, long_text), max_size=8),
)
def test_any_input_yields_a_valid_safe_payload(
    title: str, summary: str, source: str | None, url: str | None, warnings: list[str], reasons: list[str]
) -> None:
    payload = render_payload(
        article(title=title, url=url, source=source),
        summary,
        [ContentWarning(w, w, ()) for w in warnings],
        reasons,
    )
    assert_discord_safe(payload, spoiler=bool(reasons))
