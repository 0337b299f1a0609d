"""One lifecycle: every extension unloads and reloads (twice) on a connected bot without leaving anything
behind or doubling anything, and the bot still works afterwards."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord.ext import commands, tasks

from cogs import EXTENSIONS
from domain.polls import NUMBER_EMOJI
from tests.e2e.harness import e2e_settings, running_bot
from tests.fakediscord import FakeDiscord

LOOP_TASK_PREFIX = "discord-ext-tasks:"


@dataclass(frozen=True)
class Snapshot:
    cogs: tuple[str, ...]
    extensions: tuple[str, ...]
    commands: tuple[str, ...]
    dynamic_items: tuple[str, ...]
    persistent_views: tuple[str, ...]
    listeners: tuple[tuple[str, int], ...]
    loop_tasks: tuple[tuple[str, int], ...]
    adapters: tuple[tuple[str, bool], ...]


def _loops(cog: commands.Cog) -> list[tasks.Loop[Any]]:
    return [getattr(cog, name) for name, value in vars(type(cog)).items() if isinstance(value, tasks.Loop)]


def adapters(bot: Any) -> dict[str, object | None]:
    """The Discord adapter each service holds (None: detached)."""
    services = bot.services
    return {
        "feeds.notifier": services.feeds.notifier,
        "polls.port": services.polls.port,
        "watchparties.discord": services.watchparties.discord,
    }


def snapshot(bot: Any) -> Snapshot:
    store = bot._connection._view_store
    loop_tasks = Counter(
        t.get_name()
        for t in asyncio.all_tasks()
        if t.get_name().startswith(LOOP_TASK_PREFIX) and not t.done()
    )
    return Snapshot(
        cogs=tuple(sorted(bot.cogs)),
        extensions=tuple(sorted(bot.extensions)),
        commands=tuple(sorted(c.qualified_name for c in bot.tree.walk_commands())),
        dynamic_items=tuple(sorted(cls.__name__ for cls in store._dynamic_items.values())),
        persistent_views=tuple(sorted(type(v).__name__ for v in bot.persistent_views)),
        listeners=tuple(sorted((name, len(funcs)) for name, funcs in bot.extra_events.items() if funcs)),
        loop_tasks=tuple(sorted(loop_tasks.items())),
        adapters=tuple(sorted((name, value is not None) for name, value in adapters(bot).items())),
    )


async def _settled() -> None:
    # a cancelled tasks.Loop finishes its task on the next iterations of the event loop
    for _ in range(5):
        await asyncio.sleep(0)


async def test_every_extension_unloads_and_reloads_twice_cleanly(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        await _settled()
        loaded = snapshot(bot)
        # the baseline itself is what one load of each extension should give
        assert loaded.extensions == tuple(sorted(EXTENSIONS))
        assert {"FloodButton", "RsvpButton", "ScheduleButton"} <= set(loaded.dynamic_items)
        assert len(set(loaded.dynamic_items)) == len(loaded.dynamic_items)
        assert all(count == 1 for _, count in loaded.loop_tasks) and len(loaded.loop_tasks) == 3
        assert all(attached for _, attached in loaded.adapters)
        assert all(count == 1 for _, count in loaded.listeners), loaded.listeners

        for _ in range(2):
            old_cogs = dict(bot.cogs)
            old_loops = [loop for cog in old_cogs.values() for loop in _loops(cog)]
            for extension in EXTENSIONS:
                await bot.unload_extension(extension)
            await _settled()
            empty = snapshot(bot)
            assert empty.cogs == () and empty.extensions == ()
            assert empty.commands == () and empty.dynamic_items == () and empty.persistent_views == ()
            assert empty.listeners == () and empty.loop_tasks == ()
            assert not any(attached for _, attached in empty.adapters)
            # the delivery port belongs to the bot (setup_hook), not to a cog: outbox rows keep flowing
            assert bot.services.delivery.port is not None
            assert not any(loop.is_running() for loop in old_loops)

            for extension in EXTENSIONS:
                await bot.load_extension(extension)
            await _settled()
            assert snapshot(bot) == loaded
            # the services hold the new cogs' adapters, not the unloaded ones'
            held = adapters(bot)
            assert held["feeds.notifier"] is bot.cogs["Feeds"].notifier is not old_cogs["Feeds"].notifier
            assert held["polls.port"] is bot.cogs["Polls"].port is not old_cogs["Polls"].port
            assert held["watchparties.discord"] is bot.cogs["WatchParties"].port
            assert held["watchparties.discord"] is not old_cogs["WatchParties"].port

        await _still_works(bot, fake)
    assert fake.unknown_requests == []


async def _still_works(bot: Any, fake: FakeDiscord) -> None:
    """Commands, buttons (dynamic items) and reaction listeners answer, each exactly once."""
    status = await fake.slash("club status", user=fake.moderator)
    assert "embeds" in (await status.response())["data"]

    scheduled = await fake.slash(
        "watchparty schedule", {"film": "Alien", "when": "friday 8pm"}, user=fake.organiser
    )
    await scheduled.wait_for_output(timeout=15)
    assert "watch party #1" in scheduled.text, scheduled.text
    (announcement,) = [
        m
        for m in fake.messages(fake.text_channel_id)
        if m.get("components") and "rsvp" in str(m["components"])
    ]
    press = await fake.press_button(int(announcement["id"]), "projectionist:rsvp:1:going", user=fake.member)
    assert "going" in (await press.response())["data"]["content"].lower()
    view = (await bot.services.watchparties.upcoming(fake.guild_id))[0]
    assert view.going == (fake.member.id,)

    created = await fake.slash(
        "poll create", {"question": "Tonight?", "options": "Alien; Heat"}, user=fake.member
    )
    await created.wait_for_output(timeout=10)
    assert "Poll #1" in created.text, created.text
    (poll,) = [
        m for m in fake.messages(fake.text_channel_id) if m.get("embeds") and "Poll" in str(m["embeds"])
    ]
    await fake.react(fake.text_channel_id, int(poll["id"]), NUMBER_EMOJI[1], user=fake.member)

    async def counted() -> bool:
        outcome = await bot.services.polls.results(fake.guild_id, 1)
        return bool(outcome.tally.counts == (0, 1))

    await fake.wait_for(counted, timeout=10)
    # a doubled listener would have recorded the vote twice (or answered twice): still one voter, one vote
    outcome = await bot.services.polls.results(fake.guild_id, 1)
    assert outcome.tally.total_voters == 1 and outcome.tally.total_votes == 1
