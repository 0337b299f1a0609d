"""Hostile titles end to end: what users type comes back literal in every reply and post, never live.

A film titled ``@everyone || Heat`` used to come back from /watchparty schedule as a live ``@everyone`` and a
stray ``||`` (the cogs had their own, weaker escapers). The checks use an independent reader of Discord's
markdown (:mod:`tests.markup`), on every text field of every message the bot produced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.e2e.harness import e2e_settings, running_bot
from tests.fakediscord import FakeDiscord
from tests.feedserver import FeedServer, make_entries
from tests.markup import live_mentions, live_spoiler_bars, masked_links

FILM = "@everyone || Heat"
NOTES = "Bring snacks <@123> <@&45> [free tickets](https://evil.example) ||ending|| # no"
PLACE = "@here </watchparty cancel:1> [map](https://evil.example)"


def texts(message: Mapping[str, Any]) -> Iterable[str]:
    yield message.get("content") or ""
    for embed in message.get("embeds") or []:
        yield str(embed.get("title") or "")
        yield str(embed.get("description") or "")
        for f in embed.get("fields") or []:
            yield str(f.get("name") or "")
            yield str(f.get("value") or "")
        yield str((embed.get("footer") or {}).get("text") or "")


def problems(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    found = []
    for message in messages:
        for text in texts(message):
            # the bot's own member mentions are fine; those typed by users (ids 123, 45, 1) are not
            bad = [
                m for m in live_mentions(text) if m.startswith("@") or re.search(r"[@&!:/](123|45|1)>$", m)
            ]
            bad += [f"link to {u}" for u in masked_links(text) if "evil" in u]
            if live_spoiler_bars(text) % 2:
                bad.append("unbalanced ||")
            found += [f"{b} in {text!r}" for b in bad]
    return found


async def run(fake: FakeDiscord, name: str, options: dict[str, Any], user: Any) -> list[dict[str, Any]]:
    ix = await fake.slash(name, options, user=user)
    await ix.wait_for_output(timeout=15)
    assert ix.messages, f"/{name} answered nothing"
    return list(ix.messages)


async def test_hostile_film_titles_come_back_literal_in_replies_and_posts(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)):
        org, member = fake.organiser, fake.member
        replies: dict[str, list[dict[str, Any]]] = {}
        replies["watchparty schedule"] = await run(
            fake,
            "watchparty schedule",
            {"film": FILM, "when": "in 3 days at 8pm", "notes": NOTES, "location": PLACE},
            org,
        )
        assert "Heat" in fake.messages(fake.text_channel_id)[-1]["embeds"][0]["title"]
        replies["watchparty list"] = await run(fake, "watchparty list", {}, member)
        replies["watchparty info"] = await run(fake, "watchparty info", {"id": 1}, member)
        [announcement] = [m for m in fake.messages(fake.text_channel_id) if m.get("components")]
        press = await fake.press_button(int(announcement["id"]), "projectionist:rsvp:1:going", user=member)
        replies["rsvp"] = [(await press.response())["data"]]
        replies["watchparty edit"] = await run(
            fake, "watchparty edit", {"id": 1, "film": f"{FILM} 2", "notes": NOTES}, org
        )
        replies["watchparty cancel"] = await run(fake, "watchparty cancel", {"id": 1, "reason": NOTES}, org)
        replies["poll create"] = await run(
            fake,
            "poll create",
            {"question": f"{FILM}?", "options": f"{FILM}; [x](https://evil.example)"},
            member,
        )
        replies["poll list"] = await run(fake, "poll list", {}, member)
        replies["film nominate"] = await run(fake, "film nominate", {"title": FILM, "note": NOTES}, member)
        replies["film nominate again"] = await run(fake, "film nominate", {"title": FILM}, org)
        replies["film nominations"] = await run(fake, "film nominations", {}, member)
        replies["film withdraw"] = await run(fake, "film withdraw", {"id": 1}, member)

        found = {name: problems(messages) for name, messages in replies.items()}
        failing = " / ".join(name for name, bad in found.items() if bad)
        assert not failing, f"{failing}: {found}"
        # the posts in the channel (announcement, edit/cancel notices, poll) are literal too
        assert problems(fake.messages(fake.text_channel_id)) == []
        shown = "\n".join(t for messages in replies.values() for m in messages for t in texts(m))
        assert "@\u200beveryone \\|\\| Heat" in shown  # the title is still there, shown as typed


async def test_hostile_feed_titles_and_filters_come_back_literal(tmp_path: Path) -> None:
    """A feed's own title is feed text: /feed add, list, filter and pause show it escaped (the list's field
    names used it raw); a filter with a backtick cannot close a code span (it is no longer shown in one)."""
    feeds = {"interval": 1.0, "min_interval": 1.0, "allow_private_addresses": True, "parse_workers": 1}
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(2), title=f"{FILM} <@123> [x](https://evil.example)")
        async with running_bot(fake, e2e_settings(fake, tmp_path, feeds=feeds)):
            mod = fake.moderator
            replies: dict[str, list[dict[str, Any]]] = {}
            replies["feed add"] = await run(
                fake, "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, mod
            )
            replies["feed filter"] = await run(
                fake, "feed filter", {"feed": 1, "include": "heat, `@everyone` ||x"}, mod
            )
            replies["feed list"] = await run(fake, "feed list", {}, mod)
            replies["feed pause"] = await run(fake, "feed pause", {"feed": 1}, mod)
            found = {name: problems(messages) for name, messages in replies.items()}
            failing = " / ".join(name for name, bad in found.items() if bad)
            assert not failing, f"{failing}: {found}"
            listing = "\n".join(t for m in replies["feed list"] for t in texts(m))
            assert "@\u200beveryone \\|\\| Heat" in listing and "\\`@\u200beveryone\\`" in listing
