"""The one bare discord.py bot for the fake-Discord self-tests (``tests/e2e/test_fakediscord_*.py``).

The product bot is launched by ``tests/e2e/harness.py`` (``running_bot``); this one has no cogs, so a test
sees the fake's behaviour through discord.py itself. Tests add their own commands, views and listeners to
the returned bot before connecting it with ``tests.fakediscord.testing.running_client``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

from tests.fakediscord.testing import FAST_GUILD_READY_TIMEOUT


def make_bot(
    *,
    guild_id: int | None = None,
    messages: bool = True,
    events: bool = True,
    members: bool = False,
    message_content: bool = False,
    setup: Callable[[commands.Bot], Awaitable[None]] | None = None,
) -> commands.Bot:
    """A bot with the guild and reaction intents plus the ones asked for. With ``guild_id`` its setup hook
    runs ``setup(bot)`` and then syncs the app commands to that guild (copied from the global tree)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.guild_messages = messages
    intents.guild_scheduled_events = events
    intents.members = members
    intents.message_content = message_content
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=FAST_GUILD_READY_TIMEOUT)

    async def setup_hook() -> None:
        if setup is not None:
            await setup(bot)
        if guild_id is not None:
            guild = discord.Object(guild_id)
            bot.tree.copy_global_to(guild=guild)
            await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot
