"""Every file of the real-feeds corpus previews without error, and every payload fits Discord's limits.

The corpus (``shared/corpus/realfeeds``: real Letterboxd, trade, horror-site, release-calendar and Czech
feeds, see its SOURCES.md) lives next to the repository and is never copied into it; the test skips, with
the path it looked for, when it is absent. It runs the code behind ``bot.py preview FILE --json``
in-process (one interpreter for ~1,100 items) and checks the payloads against limits written out here,
not imported from the renderer, so a wrong constant there cannot pass its own test.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from services.preview import run_preview
from settings import parse_settings
from tests.helpers.corpus import shared_corpus

REALFEEDS = shared_corpus("realfeeds")
FILES = sorted(p for p in REALFEEDS.rglob("*") if p.is_file()) if REALFEEDS.is_dir() else []
needs_corpus = pytest.mark.skipif(not FILES, reason=f"real-feeds corpus not found at {REALFEEDS}")
# The held-out snapshots of the real-writing evaluation live in the repository, so they always run.
LIBRARY_DIR = Path(__file__).parent / "domain" / "digest" / "realfeeds" / "library"
LIBRARY = sorted(LIBRARY_DIR.glob("*.xml"))

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
CONTENT, TITLE, DESCRIPTION, FIELD_NAME, FIELD_VALUE, FOOTER, AUTHOR, TOTAL, FIELDS = (
    2000, 256, 4096, 256, 1024, 2048, 256, 6000, 25,
)  # fmt: skip
URL_KEYS = (("url",), ("thumbnail", "url"), ("image", "url"), ("author", "url"), ("author", "icon_url"))


def _valid_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def payload_problems(payload: dict[str, Any]) -> list[str]:
    """Every way ``payload`` breaks a Discord limit (empty when it is fine)."""
    problems: list[str] = []
    content = payload.get("content")
    if content is not None and not 0 < len(content) <= CONTENT:
        problems.append(f"content length {len(content)}")
    if payload.get("allowed_mentions") != {"parse": []}:
        problems.append("allowed_mentions would ping")
    embeds = payload.get("embeds", [])
    if not content and not embeds:
        problems.append("empty message")
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        sizes = {
            "title": (len(embed.get("title", "")), TITLE),
            "description": (len(embed.get("description", "")), DESCRIPTION),
            "footer": (len(embed.get("footer", {}).get("text", "")), FOOTER),
            "author": (len(embed.get("author", {}).get("name", "")), AUTHOR),
        }
        fields = embed.get("fields", [])
        if len(fields) > FIELDS:
            problems.append(f"{len(fields)} fields")
        for i, field in enumerate(fields):
            sizes[f"field {i} name"] = (len(field.get("name", "")), FIELD_NAME)
            sizes[f"field {i} value"] = (len(field.get("value", "")), FIELD_VALUE)
            if not field.get("name") or not field.get("value"):
                problems.append(f"field {i} is empty")
        problems += [f"{key} length {n} > {limit}" for key, (n, limit) in sizes.items() if n > limit]
        total += sum(n for n, _ in sizes.values())
        if "title" in embed and not embed["title"]:
            problems.append("empty title")
        for path in URL_KEYS:
            value: Any = embed
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None and not _valid_url(value):
                problems.append(f"{'.'.join(path)} is not a valid URL: {value!r}")
        description = embed.get("description", "")
        if description.count("||") % 2:
            problems.append("unbalanced spoiler tags")
        if description.startswith("||") and ("thumbnail" in embed or "image" in embed):
            problems.append("spoilered summary with a visible image")
    if total > TOTAL:
        problems.append(f"embed total {total} > {TOTAL}")
    return problems


# The largest summaries a server can configure: escaping can double them, and they must still fit.
LONGEST = "[digest]\nsummary_sentences = 4\nmax_summary_chars = 2000\n"


def preview(path: Path, config: str = "") -> list[dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    code = run_preview(parse_settings(config), str(path), as_json=True, limit=None, out=out, err=err)
    assert code == 0, f"{path.name}: exit {code}: {err.getvalue()}"
    assert err.getvalue() == "", err.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()]


@needs_corpus
@pytest.mark.parametrize("config", ["", LONGEST], ids=["default", "longest-summaries"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REALFEEDS)))
def test_every_real_feed_previews_within_discords_limits(path: Path, config: str) -> None:
    check_previews(path, config)


@pytest.mark.parametrize("config", ["", LONGEST], ids=["default", "longest-summaries"])
@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_library_snapshot_previews_within_discords_limits(path: Path, config: str) -> None:
    check_previews(path, config)


def test_the_library_is_there() -> None:
    assert len(LIBRARY) >= 30, LIBRARY_DIR


def check_previews(path: Path, config: str) -> None:
    items = preview(path, config)
    assert items, f"{path.name}: nothing to preview"
    for item in items:
        problems = payload_problems(item["payload"])
        assert not problems, f"{path.name}: {item['title']!r}: {problems}"
        embed = item["payload"]["embeds"][0]
        if item["spoiler"]:  # a spoiler or a default-hidden warning: no picture under the label
            assert "thumbnail" not in embed and "image" not in embed, item["title"]
            if item["summary"]:
                assert "||" in embed["description"], item["title"]
        assert item["payload"]["embeds"][0]["title"] != "Untitled article" or not item["url"], item


@needs_corpus
def test_apple_tv_descriptions_that_are_only_a_url_give_no_summary() -> None:
    items = preview(REALFEEDS / "21-apple-tv-trailers.xml")
    assert len(items) >= 30
    for item in items:
        embed = item["payload"]["embeds"][0]
        assert item["summary"] == "" and "description" not in embed, item["title"]
        assert "thumbnail" in embed  # the trailer still shows its still


@needs_corpus
def test_the_untitled_npr_item_is_named_after_its_film() -> None:
    items = preview(REALFEEDS / "07-npr-movies.xml")
    titles = [i["payload"]["embeds"][0]["title"] for i in items]
    assert "Untitled article" not in titles
    spider = next(i for i in items if "1064951660" in (i["url"] or ""))
    assert "Spider-Man: No Way Home" in spider["title"]
    assert spider["summary"].startswith("Marvel's latest superhero film")


@needs_corpus
def test_letterboxd_feeds_render_as_diary_entries() -> None:
    items = preview(REALFEEDS / "01-letterboxd-zaccolley.xml")
    con_air = next(i for i in items if "/film/con-air/" in i["url"])
    embed = con_air["payload"]["embeds"][0]
    assert embed["title"] == "Con Air (1997)" and embed["description"].startswith("★★★½\n\n||")
    assert "thumbnail" not in embed and con_air["spoiler"]
    crip = next(i for i in items if "crip-camp" in i["url"])["payload"]["embeds"][0]
    assert crip["description"].startswith("★★★★ · ↻ rewatch\n\n") and "ltrbxd.com" in crip["thumbnail"]["url"]
    for name in ("02-letterboxd-aron.xml", "05-letterboxd-sdiamond.xml", "18-letterboxd-sparklebeard.xml"):
        for item in preview(REALFEEDS / name):
            embed = item["payload"]["embeds"][0]
            assert "Watched on" not in embed.get("description", ""), item["title"]
            if "/film/" in item["url"]:
                assert re.search(r" \(\d{4}\)$", embed["title"]), embed["title"]
    liked = [
        i
        for i in preview(REALFEEDS / "18-letterboxd-sparklebeard.xml")
        if "♥ liked" in json.dumps(i, ensure_ascii=False)
    ]
    assert liked
    old = preview(REALFEEDS / "24-letterboxd-zaccolley-2016.xml")
    assert {i["payload"]["embeds"][0]["title"] for i in old} >= {"Steve Jobs (2015)", "Sausage Party (2016)"}


@needs_corpus
def test_episode_titles_in_the_release_calendar_are_hidden() -> None:
    items = preview(REALFEEDS / "15-watchfeed-tmdb-tvmaze-releases.xml")
    hornets = next(i for i in items if "S03E04" in i["title"] and "Lioness" in i["title"])
    embed = hornets["payload"]["embeds"][0]
    assert "Hornets" not in embed["title"] and "episode title" in hornets["spoiler_reasons"]
    assert embed["description"].startswith("||Episode: Murder Hornets")
    for item in items:
        assert "Murder Hornets" not in item["payload"]["embeds"][0]["title"]


@pytest.mark.parametrize(
    ("embed", "problem"),
    [
        ({"title": "x" * 257}, "title length 257"),
        ({"title": "t", "description": "d" * 4097}, "description length 4097"),
        ({"title": "t", "fields": [{"name": "n", "value": "v" * 1025}]}, "field 0 value length 1025"),
        ({"title": "t", "fields": [{"name": "n", "value": "v"}] * 26}, "26 fields"),
        ({"title": "t", "description": "d" * 4000, "footer": {"text": "f" * 2048}}, "embed total 6049"),
        ({"title": "t", "thumbnail": {"url": "javascript:alert(1)"}}, "thumbnail.url is not a valid URL"),
        ({"title": "t", "url": " https://x.example"}, "url is not a valid URL"),
        ({"title": "t", "description": "||open"}, "unbalanced spoiler tags"),
        (
            {"title": "t", "description": "||s||", "thumbnail": {"url": "https://x.example/i.jpg"}},
            "visible image",
        ),
    ],
)
def test_the_limit_check_catches_what_discord_refuses(embed: dict[str, Any], problem: str) -> None:
    problems = payload_problems({"embeds": [embed], "allowed_mentions": {"parse": []}})
    assert any(problem in p for p in problems), problems
