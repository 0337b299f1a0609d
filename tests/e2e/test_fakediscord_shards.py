"""The fake's gateway routes like Discord's: each guild's events go to the shard that owns it,
``(guild_id >> 22) % shard_count``, and READY/GUILD_CREATE carry only that shard's guilds."""

from __future__ import annotations

import asyncio
import contextlib

import discord
from discord.ext import commands

from bot import point_client_at
from tests.fakediscord import FakeDiscord
from tests.fakediscord.testing import FAST_GUILD_READY_TIMEOUT


def sharded(shard_id: int, seen: list[tuple[int, int | None]]) -> commands.AutoShardedBot:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    bot = commands.AutoShardedBot(
        command_prefix="!",
        intents=intents,
        shard_count=2,
        shard_ids=[shard_id],
        guild_ready_timeout=FAST_GUILD_READY_TIMEOUT,
    )

    async def on_raw_reaction_add(event: discord.RawReactionActionEvent) -> None:
        seen.append((shard_id, event.guild_id))

    bot.add_listener(on_raw_reaction_add)
    return bot


async def test_each_guild_reaches_only_the_shard_that_owns_it() -> None:
    seen: list[tuple[int, int | None]] = []
    async with FakeDiscord() as fake:
        owner = {
            fake.guild_id: (fake.guild_id >> 22) % 2,
            fake.other_guild_id: (fake.other_guild_id >> 22) % 2,
        }
        assert sorted(owner.values()) == [0, 1], "the seeded guilds sit on different shards of 2"
        bots = [sharded(i, seen) for i in (0, 1)]
        tasks = []
        try:
            for bot in bots:
                point_client_at(bot, fake.api_base, fake.gateway_url)
                await bot.login(fake.token)
                tasks.append(asyncio.create_task(bot.connect(reconnect=False)))
            await asyncio.wait_for(asyncio.gather(*(b.wait_until_ready() for b in bots)), 10)
            assert sorted(tuple(i["shard"]) for i in fake.gateway.identifies) == [(0, 2), (1, 2)]
            for guild_id, shard in owner.items():
                assert bots[shard].get_guild(guild_id) is not None
                assert bots[1 - shard].get_guild(guild_id) is None
            for guild_id in owner:
                await fake.dispatch(
                    "MESSAGE_REACTION_ADD",
                    {
                        "guild_id": str(guild_id),
                        "channel_id": str(guild_id + 1),
                        "message_id": str(guild_id + 2),
                        "user_id": str(fake.member.id),
                        "emoji": {"id": None, "name": "👍"},
                        "type": 0,
                        "burst": False,
                    },
                )
            await fake.wait_for(lambda: len(seen) == 2, what="both interactions")
            assert sorted(seen) == sorted((shard, guild_id) for guild_id, shard in owner.items())
        finally:
            for bot in bots:
                await bot.close()
            for task in tasks:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(task, 5)
