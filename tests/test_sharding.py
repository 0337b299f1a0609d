"""bot.py picks the client from [discord] shard_count / shard_ids and [storage] url."""

from __future__ import annotations

import dataclasses

from bot import Projectionist, ShardedProjectionist, build_bot
from settings import Settings
from storage.db import Database

ON_SHARD_1 = 1 << 22
ON_SHARD_0 = 2 << 22


def with_(settings: Settings, **discord: object) -> Settings:
    return dataclasses.replace(settings, discord=dataclasses.replace(settings.discord, **discord))


async def test_sqlite_default_is_one_unsharded_client() -> None:
    async with await Database.open(":memory:") as db:
        bot = build_bot(Settings(), db)
        assert type(bot) is Projectionist
        assert bot.services.polls.owns_guild(ON_SHARD_0) and bot.services.polls.owns_guild(ON_SHARD_1)


async def test_a_shard_range_connects_only_its_shards_and_resyncs_only_its_servers() -> None:
    settings = dataclasses.replace(
        Settings(), storage=dataclasses.replace(Settings().storage, url="postgresql://db/x")
    )
    async with await Database.open(":memory:") as db:
        bot = build_bot(with_(settings, shard_count=2, shard_ids=(1,)), db)
        assert isinstance(bot, ShardedProjectionist)
        assert bot.shard_count == 2 and bot.shard_ids == [1]
        assert bot.services.polls.owns_guild(ON_SHARD_1) and not bot.services.polls.owns_guild(ON_SHARD_0)
        # PostgreSQL without a count: Discord's recommendation, every shard in this process
        every = build_bot(settings, db)
        assert (
            isinstance(every, ShardedProjectionist) and every.shard_count is None and every.shard_ids is None
        )
