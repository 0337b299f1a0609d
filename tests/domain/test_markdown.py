"""The one escaper: hostile titles, notes and feed text come out literal, checked by an independent reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.markdown import ZWSP, escape_markdown, utf16_len
from tests.markup import live_markup, live_mentions, live_spoiler_bars, live_view, masked_links, pings

HOSTILE = [
    "@everyone || Heat",
    "@here",
    "@everyone@here",
    "<@123>",
    "<@!123>",
    "<@&45>",
    "<@12345678901234567>",
    "<#6>",
    "</watchparty schedule:123456789>",
    "</poll:1>",
    "<t:1700000000:R>",
    "<:blob:123>",
    "||spoiler",
    "spoiler||",
    "|||triple|||",
    "[click](https://evil.example)",
    "[click]( <https://evil.example> )",
    "![img](https://evil.example/x.png)",
    "# Heading",
    "## Heading",
    "### Heading",
    "-# subtext",
    "> quote",
    ">>> block quote",
    "- item",
    "+ item",
    "* item",
    "  - indented item",
    "1. first",
    "42. answer",
    "```py\nprint('x')\n```",
    "`code`",
    "**bold** __under__ ~~strike~~ *it* _it_",
    "back\\slash||",
    "trailing backslash\\",
    "\\@everyone",
    "\\<@123>",
    "line\n# heading\n> quote\n- list\n@here",
    "crlf\r\n# heading\r> quote",
    "sep\u2028# heading\u2029> quote",
    "ctrl\x00\x1b[31m\x7f",
    "@\u200beveryone",
    "Léa Seydoux — 2024 🎬",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_literally(text: str) -> None:
    escaped = escape_markdown(text)
    assert live_markup(escaped) == [], escaped
    assert live_spoiler_bars(escaped) == 0 and masked_links(escaped) == []
    # nothing is lost: what Discord shows is the original text (bar the zero-width spaces and normalised
    # line breaks/control characters)
    shown = escaped.replace(ZWSP, "")
    for escape in ("\\\\", *(f"\\{c}" for c in "*_~`|[]<>#-+.")):
        shown = shown.replace(escape, escape[1])
    if "\r" not in text and "\u2028" not in text and "\x00" not in text:
        assert shown == text.replace(ZWSP, "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold* _it_ ~~gone~~ `code`", "\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\`"),
        ("||secret||", "\\|\\|secret\\|\\|"),
        ("back\\slash||", "back\\\\slash\\|\\|"),
        ("# Heading", "\\# Heading"),
        ("-# subtext", "\\-# subtext"),
        ("> quote", "\\> quote"),
        ("- item\n+ item", "\\- item\n\\+ item"),
        ("1. first", "1\\. first"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
        ("<@123> <@&45> <#6> </cmd:1>", "\\<@\u200b123\\> \\<@\u200b&45\\> \\<#6\\> \\</cmd:1\\>"),
        ("Léa Seydoux — 2024", "Léa Seydoux — 2024"),
        # (moved here from the polls, reminders and digest tests, which pinned the same escaper)
        ("[Free Nitro](https://evil.example)", "\\[Free Nitro\\](https://evil.example)"),
        ("<@&1> <#2> <t:1:R>", "\\<@\u200b&1\\> \\<#2\\> \\<t:1:R\\>"),
        ("`code` ~~s~~ > q \\", "\\`code\\` \\~\\~s\\~\\~ \\> q \\\\"),
        ("Amélie", "Amélie"),
    ],
)
def test_escape_markdown_exact(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_defuses_mentions_on_one_line(text: str) -> None:
    escaped = escape_markdown(text, plain=True)
    assert live_mentions(escaped) == [] and "\n" not in escaped
    assert "\\" not in escaped.replace("\\", "", text.count("\\"))  # no backslashes added: they would show


@pytest.mark.parametrize("limit", [1, 2, 5, 10, 17, 30])
@pytest.mark.parametrize("text", ["**Heat** @everyone || <@123>", "\\\\\\\\\\\\\\\\", "#" * 40, "🎬*" * 20])
def test_limit_cuts_the_source_not_the_escape(text: str, limit: int) -> None:
    escaped = escape_markdown(text, limit=limit)
    assert utf16_len(escaped) <= limit  # Discord's worst-case measure: an emoji takes two units
    # a dangling "\" would escape whatever the caller writes next (e.g. the closing "**")
    assert live_markup(escaped + "**") == ["live '*'"] or len(escaped) < 2
    if utf16_len(escape_markdown(text)) > limit and limit > 1:
        assert escaped.endswith("…")


def test_limit_keeps_short_text_whole() -> None:
    assert escape_markdown("Alien", limit=5) == "Alien"
    assert escape_markdown("Aliens", limit=5) == "Alie…"
    assert escape_markdown("🎬🎬🎬", limit=5) == "🎬🎬…"  # 2 + 2 + 1 units


@given(st.text(alphabet=st.sampled_from(list("@everyonhr<>#!&/:0123|[]()*_~`\\-+. \n>abc")), max_size=60))
def test_no_input_renders_anything_live(text: str) -> None:
    escaped = escape_markdown(text)
    assert live_markup(escaped) == [], escaped
    # embedded in a template it cannot reach the markup around it
    wrapped = f"**{escaped}** ||{escaped}||"
    assert live_view(wrapped).count("**") == 2 and live_spoiler_bars(wrapped) == 2
    assert pings(escape_markdown(text, plain=True)) == []
