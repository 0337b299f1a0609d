"""Rendering of polls and results for Discord: escaping and the chart/verdict texts."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from cogs.polls import DiscordPolls, Polls, _posted, outcome_text, poll_embed, results_embed
from domain.models import Poll
from domain.polls import Vote
from services.polls import PollService
from tests.markup import live_mentions, live_spoiler_bars


def make_poll(**changes: object) -> Poll:
    values: dict[str, object] = {
        "id": 7,
        "guild_id": 1,
        "channel_id": 10,
        "message_id": 500,
        "created_by": 5,
        "kind": "poll",
        "question": "Best @everyone ||film||?",
        "options": ("Alien <@123>", "*Heat*", "Up"),
        "mode": "single",
        "max_choices": None,
        "status": "open",
        "created_at": 1_800_000_000,
        "closes_at": 1_800_003_600,
        "closed_at": None,
        "close_reason": None,
        "closed_by": None,
        "winner": None,
        "reactions_stale": False,
        "announced": False,
        "announce_attempts": 0,
        "result_message_id": None,
    }
    values.update(changes)
    return Poll(**values)  # type: ignore[arg-type]


def test_poll_embed_escapes_markdown_spoilers_and_mentions() -> None:
    question = "@everyone ||x|| **y** <@123456789012345678> <@&123456789012345678>"
    text = poll_embed(make_poll(question=question)).description or ""
    assert "@\u200beveryone" in text and "\\|\\|x\\|\\|" in text and "\\*\\*y\\*\\*" in text
    assert "<@123456789012345678>" not in text and "<@&123456789012345678>" not in text


def test_poll_embed_has_options_deadline_and_id() -> None:
    embed = poll_embed(make_poll())
    assert embed.footer.text is not None and embed.footer.text.startswith("Poll #7")
    description = embed.description or ""
    assert "1️⃣ Alien" in description and "\\*Heat\\*" in description and "<t:1800003600:R>" in description
    assert "@\u200beveryone" in description and "\\|\\|film\\|\\|" in description


def test_tie_winner_and_nobody() -> None:
    poll = make_poll(status="closed", close_reason="deadline")
    tie = PollService._compute(poll, [Vote(1, 0, 1), Vote(2, 1, 2)])
    chart, verdict = outcome_text(tie)
    assert verdict.startswith("🤝 Tie between") and "50% (1)" in chart
    win = PollService._compute(poll, [Vote(1, 2, 1)])
    assert outcome_text(win)[1] == "🏆 Winner: 3️⃣ **Up**"
    assert outcome_text(win, final=False)[1].startswith("Leading")
    assert outcome_text(PollService._compute(poll, []))[1] == "Nobody voted."
    embed = results_embed(win, final=True)
    assert any(f.value == "at its deadline" for f in embed.fields)


def test_ranked_results_show_rounds() -> None:
    poll = make_poll(mode="ranked", kind="pick", status="closed", close_reason="closed", closed_by=5)
    votes = [
        Vote(1, 0, 1),
        Vote(1, 1, 2),
        Vote(2, 1, 3),
        Vote(3, 2, 4),
        Vote(4, 2, 5),
        Vote(5, 0, 6),
        Vote(6, 0, 7),
        Vote(2, 0, 8),
    ]
    outcome = PollService._compute(poll, votes)
    chart, verdict = outcome_text(outcome)
    assert "Round 1" in chart and "Round 2" in chart and "Winner" in verdict


def test_stale_reactions_note() -> None:
    outcome = PollService._compute(make_poll(reactions_stale=True), [Vote(1, 0, 1)])
    embed = results_embed(outcome, final=False)
    assert any("latest vote counted" in str(f.value) for f in embed.fields)


def test_poll_embed_defuses_short_id_mentions_and_tokens() -> None:
    # (the cog's own escaper left ">" live: "\\<@\u200b123>"; the one escaper escapes both brackets)
    question = "@everyone ||x|| **y** <@123> <#5> <t:1:R>"
    text = (poll_embed(make_poll(question=question)).description or "").split("\n")[0]
    assert "<@" not in text.replace("\\<@", "") and "\\<@\u200b123\\>" in text
    assert "\\<#5\\>" in text and "\\<t:1:R\\>" in text and "@\u200beveryone" in text
    assert live_mentions(text) == [] and live_spoiler_bars(text) == 0


def test_results_chart_defuses_option_mentions() -> None:
    poll = make_poll(options=("<@123>", "@here", "Up"), status="closed", close_reason="deadline")
    chart, verdict = outcome_text(PollService._compute(poll, [Vote(1, 0, 1)]))
    assert "<@123>" not in chart.replace("\\<@\u200b123\\>", "") and "@\u200bhere" in chart
    assert "\u200b\u200b" not in chart  # escaped once, not twice
    assert "<@123>" not in verdict.replace("\\<@\u200b123\\>", "") and "\\<@\u200b123\\>" in verdict


class _FailingService:
    async def reaction_added(self, *args: object) -> str:
        raise RuntimeError("database is locked")

    async def reaction_removed(self, *args: object) -> str:
        raise RuntimeError("database is locked")

    async def reactions_cleared(self, *args: object) -> int:
        raise RuntimeError("database is locked")


async def test_reaction_listeners_log_instead_of_raising(caplog: pytest.LogCaptureFixture) -> None:
    bot = SimpleNamespace(services=SimpleNamespace(polls=_FailingService()))
    cog = Polls(bot)  # type: ignore[arg-type]
    emoji = SimpleNamespace(id=None, name="1️⃣")
    payload = SimpleNamespace(guild_id=1, channel_id=10, message_id=500, user_id=42, emoji=emoji, member=None)
    with caplog.at_level(logging.ERROR, logger="cogs.polls"):
        await cog.on_raw_reaction_add(payload)  # type: ignore[arg-type]
        await cog.on_raw_reaction_remove(payload)  # type: ignore[arg-type]
        await cog.on_raw_reaction_clear(payload)  # type: ignore[arg-type]
        await cog.on_raw_reaction_clear_emoji(payload)  # type: ignore[arg-type]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 4 and all("message 500" in m for m in messages)
    assert "user 42" in messages[0] and "user 42" in messages[1]


def test_stale_reactions_note_for_a_capped_multi_poll() -> None:
    poll = make_poll(reactions_stale=True, mode="multi", max_choices=2)
    embed = results_embed(PollService._compute(poll, [Vote(1, 0, 1)]), final=False)
    assert any("first 2 choices counted" in str(f.value) for f in embed.fields)


def test_poll_payload_is_the_poll_embed_for_the_outbox_and_pings_nobody() -> None:
    """The poll message is stored in the outbox: exactly the embed the poll shows, no content, no pings, and
    it can be matched in the channel after a crash (title and description round-trip)."""
    poll = make_poll(status="pending", message_id=None)
    payload = DiscordPolls(SimpleNamespace()).poll_payload(poll)  # type: ignore[arg-type]
    assert payload.content == "" and payload.mention_users == () and payload.buttons == ()
    (embed,) = payload.embeds
    assert embed == poll_embed(poll).to_dict()
    assert [m for m in live_mentions(embed["description"]) if not m.startswith("<t:")] == []
    assert "@\u200beveryone" in embed["description"] and "Closes" in embed["description"]
    assert payload.matches("", [embed])


def test_the_reply_says_when_the_poll_message_is_still_queued() -> None:
    assert _posted(make_poll(), "Poll #7") == "Poll #7 is up in <#10>"
    queued = _posted(make_poll(status="pending", message_id=None), "Poll #7")
    assert queued == "Discord didn't answer yet: Poll #7 will appear in <#10> as soon as it does"
