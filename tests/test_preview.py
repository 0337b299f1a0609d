"""``python bot.py preview``: run as a user would, on files and on a loopback feed URL."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.feedserver import FeedEntry, FeedServer, make_entries, render_rss
from tests.test_cli import run_cli

KEYS = {
    "title",
    "url",
    "published",
    "summary",
    "warnings",
    "spoiler",
    "spoiler_reasons",
    "language",
    "warnings_checked",
    "payload",
    "forum_name",
    "forum_tags",
}


def write_feed(path: Path) -> None:
    entries = make_entries(4)
    entries.insert(
        0,
        FeedEntry(
            guid="urn:x:twist",
            title="Ending explained: who dies in the finale @everyone",
            link="https://films.example/twist",
            summary="<p>The killer is revealed in a blood splattering finale. The twist changes everything.</p>",
        ),
    )
    path.write_bytes(render_rss("Film Daily", entries))


def test_json_lines_newest_first_with_limit(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    write_feed(feed)
    result = run_cli("preview", str(feed), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(items) == 5 and all(set(i) == KEYS for i in items)
    # published dates: newest first
    stamps = [i["published"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    twist = next(i for i in items if "Ending explained" in i["title"])
    assert twist["title"].endswith("@everyone")  # plain text, unescaped
    assert twist["spoiler"] and twist["spoiler_reasons"]
    assert {w["category"] for w in twist["warnings"]} >= {"gore"}
    assert twist["payload"]["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in json.dumps(twist["payload"]["embeds"]).replace("@\\u200beveryone", "")
    # what a forum would get: a name that does not spoil, "Spoilers" and the warnings as wanted tags
    assert twist["forum_name"] == "Spoilers — Film Daily article"
    assert twist["forum_tags"][0] == ["Spoilers", "Spoiler"] and ["gore", "gore"] in twist["forum_tags"]
    plain = next(i for i in items if not i["spoiler"])
    assert plain["forum_name"] == plain["title"][:100] and plain["forum_tags"][-1][:2] == [
        "Film Daily",
        "News",
    ]
    limited = run_cli("preview", str(feed), "--json", "--limit", "2", cwd=tmp_path)
    assert len(limited.stdout.splitlines()) == 2


CZECH_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Filmy</title><link>https://filmy.example/</link><description>x</description>
<language>cs-CZ</language>
<item><title>Vzpoura</title><link>https://filmy.example/1</link><guid>urn:cs:1</guid>
<pubDate>Sat, 06 Dec 2025 10:00:00 GMT</pubDate>
<description>Cole Reed v minulosti sloužil u speciálních jednotek a později u londýnské policie. Když je jeho
miliardářský zaměstnavatel zavražděn přímo před jeho očima a z činu se pokusí obvinit jeho, Cole je nucen
dát se na útěk.</description></item>
<item><title>Baramulla</title><link>https://filmy.example/2</link><guid>urn:cs:2</guid>
<pubDate>Fri, 05 Dec 2025 10:00:00 GMT</pubDate><description>Žánry: Horor</description></item>
<item><title>Un empresario es asesinado</title><link>https://filmy.example/3</link><guid>urn:cs:3</guid>
<pubDate>Thu, 04 Dec 2025 10:00:00 GMT</pubDate>
<description>Un empresario es asesinado en su despacho y su secretaria se convierte en la principal
sospechosa de la policía.</description></item>
<item><title>x</title><link>https://filmy.example/4</link><guid>urn:cs:4</guid>
<pubDate>Wed, 03 Dec 2025 10:00:00 GMT</pubDate><description>★★★½</description></item>
</channel></rss>"""


def test_json_language_and_warnings_checked(tmp_path: Path) -> None:
    feed = tmp_path / "cs.xml"
    feed.write_text(CZECH_FEED, encoding="utf-8")
    result = run_cli("preview", str(feed), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = {i["title"]: i for i in map(json.loads, result.stdout.splitlines())}
    assert all(set(i) == KEYS for i in items.values())
    vzpoura = items["Vzpoura"]
    assert (vzpoura["language"], vzpoura["warnings_checked"], vzpoura["warnings"]) == ("cs", False, [])
    assert "content warnings: not checked for Czech" in vzpoura["payload"]["content"]
    # Too short to detect: the feed's <language> decides; too short to matter: no note.
    baramulla = items["Baramulla"]
    assert (baramulla["language"], baramulla["warnings_checked"]) == ("cs", False)
    assert "content" not in baramulla["payload"]
    spanish = items["Un empresario es asesinado"]
    assert (spanish["language"], spanish["warnings_checked"]) == ("es", True)
    assert [w["category"] for w in spanish["warnings"]] == ["violence"]
    text = run_cli("preview", str(feed), cwd=tmp_path)
    assert "content warnings not checked (language: cs)" in text.stdout


def test_json_language_is_null_when_unknown(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        render_rss(
            "Film Daily",
            [FeedEntry(guid="urn:x:1", title="Tenet", link="https://f.example/1", summary="★★★½")],
        )
    )
    result = run_cli("preview", str(feed), "--json", cwd=tmp_path)
    (item,) = map(json.loads, result.stdout.splitlines())
    assert item["language"] is None and item["warnings_checked"] is False


def test_text_output_and_single_html_article(tmp_path: Path) -> None:
    article = tmp_path / "article.html"
    article.write_text(
        "<html><head><title>Red Rooms review</title><script>alert(1)</script></head><body>"
        "<p>Pascal Plante's thriller follows a model obsessed with a trial. It never shows the murders.</p>"
        "<p>Photo Credit: Somebody</p></body></html>"
    )
    result = run_cli("preview", str(article), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[1] Red Rooms review" in result.stdout
    assert "alert" not in result.stdout and "Photo Credit" not in result.stdout


def test_bad_input_is_a_clear_error_exit_2(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_text("")
    cases = [
        (["preview", "missing.xml"], "no such file"),
        (["preview", "blob.bin"], "binary"),
        (["preview", "empty.txt"], "empty"),
        (["preview", "ftp://example.com/feed"], "only http and https"),
        (["preview", "http://127.0.0.1:9/feed"], "not allowed"),
        (["preview", "http://10.0.0.1/feed"], "not allowed"),
        (["preview", "empty.txt", "--limit", "0"], "at least 1"),
    ]
    for args, message in cases:
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


async def test_preview_of_a_feed_url_uses_the_guarded_fetcher(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[feeds]\nallow_private_addresses = true\n")
    async with FeedServer() as server:
        server.set_feed("/rss", make_entries(3))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(REPO_ROOT / "bot.py"),
            "preview",
            server.url("/rss"),
            "--json",
            "--config",
            str(config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert [json.loads(line)["title"] for line in out.decode().splitlines()] == [
        "Entry 3",
        "Entry 2",
        "Entry 1",
    ]
