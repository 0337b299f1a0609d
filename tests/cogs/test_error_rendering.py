"""What a user typed comes back literal in error replies: every option that can echo text, hostile input.

The parsers keep the typed text beside the message (``domain.errors.UserError``); the cogs' one error path
(``cogs._ui.describe_app_command_error`` / ``user_message``) must pass it through the one escaper. Checked
with the independent reader of Discord's markup in :mod:`tests.markup`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import discord
import pytest
from discord import app_commands

from cogs._ui import describe_app_command_error, user_message
from domain.errors import UserError
from domain.polls import parse_options
from domain.schedule import parse_compact_duration, parse_duration, parse_when, validate_timezone
from services.watchparties import parse_offsets
from tests.markup import live_mentions, live_spoiler_bars, masked_links

HOSTILE = "@everyone ||x <@123> [a](http://x)"
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


@app_commands.command(name="probe", description="stands in for the command that failed")
async def probe(interaction: discord.Interaction) -> None:  # pragma: no cover - never invoked
    pass


# (the option a user typed into, how the bot parses it): each raises a UserError quoting the text
OPTIONS: dict[str, Callable[[], object]] = {
    "watchparty schedule/edit when": lambda: parse_when(HOSTILE, now=NOW, tz="UTC"),
    "watchparty schedule when (with a day)": lambda: parse_when(f"friday {HOSTILE}", now=NOW, tz="UTC"),
    "watchparty schedule/edit timezone, watchparty timezone, club settings timezone": lambda: (
        validate_timezone(HOSTILE)
    ),
    "watchparty schedule/edit duration": lambda: parse_duration(HOSTILE),
    "watchparty schedule reminders": lambda: parse_offsets(f"1h, {HOSTILE}"),
    "poll create / film pick duration": lambda: parse_compact_duration(HOSTILE),
    "poll create duration (after a valid part)": lambda: parse_compact_duration(f"1h {HOSTILE}"),
    "poll create options": lambda: parse_options(f"{HOSTILE}; {HOSTILE}"),
}


def assert_literal(reply: str) -> None:
    assert live_mentions(reply) == [], reply
    assert live_spoiler_bars(reply) == 0, reply
    assert masked_links(reply) == [], reply


@pytest.mark.parametrize("option", list(OPTIONS))
def test_error_replies_quote_typed_text_literally(option: str) -> None:
    with pytest.raises(UserError) as info:
        OPTIONS[option]()
    assert "everyone" in str(info.value), "the error should quote the text (else this case tests nothing)"
    reply = describe_app_command_error(app_commands.CommandInvokeError(probe, info.value))
    assert reply is not None
    assert_literal(reply)
    assert_literal(user_message(info.value))  # the buttons' and modals' own error replies


def test_a_value_a_transformer_refused_comes_back_literal() -> None:
    transformer = app_commands.transformers.RangeTransformer(
        discord.AppCommandOptionType.integer, min=1, max=5
    )
    error = app_commands.TransformerError(HOSTILE, discord.AppCommandOptionType.integer, transformer)
    reply = describe_app_command_error(error)
    assert reply is not None and "everyone" in reply
    assert_literal(reply)
