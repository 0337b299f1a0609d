"""Two bot processes, shards 0 and 1 of 2, on one PostgreSQL database against the fake Discord.

Each server's interactions and reactions reach the process that owns its shard; feed polling and posting are
shared through leases; one process is SIGKILLed mid-cycle and the survivor takes its work over after the
lease timeout, with every item posted exactly once and the watch-party reminders of both servers (one on
the killed shard), due just after the kill, fired once each, by the survivor.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from domain.polls import NUMBER_EMOJI
from tests.e2e.harness import bot_process
from tests.fakediscord import FakeDiscord
from tests.feedserver import FeedEntry, FeedServer, make_entries

LEASE_TIMEOUT = 5  # seconds: the smallest the settings accept, so the takeover test stays short
INTERVAL = 1
REMINDER_TICK = 1  # the reminder loop's period in the bot processes (30 s in production)
# What the survivor needs on top of lease_timeout + one poll interval to finish the work it took over (fetch,
# parse, post; claim and post a reminder) on a machine shared with other test runs.
WORK_SLACK = 15


def config(fake: FakeDiscord, tmp_path: Path, url: str, shard: int) -> Path:
    path = tmp_path / f"shard{shard}.toml"
    path.write_text(
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        f"dev_guild_id = {fake.guild_id}\nshard_count = 2\nshard_ids = [{shard}]\n"
        f'[storage]\nurl = "{url}"\npool_size = 4\nlease_timeout = "{LEASE_TIMEOUT}s"\n'
        f'[feeds]\ninterval = "{INTERVAL}s"\nmin_interval = "{INTERVAL}s"\nallow_private_addresses = true\n'
        "parse_workers = 1\nposts_per_channel_per_cycle = 5\n"
        '[polls]\ncreate_cooldown = "0s"\n'
        '[watchparty]\nreminders = ["0s"]\n'
        '[logging]\nlevel = "WARNING"\n'
    )
    return path


def item(feed: str, n: int) -> FeedEntry:
    return FeedEntry(
        guid=f"urn:{feed}:{n}", title=f"{feed} news {n}", link=f"https://films.example/{feed}/{n}"
    )


def posted_at(message: dict[str, Any]) -> float:
    """When the fake Discord accepted ``message`` (wall clock, as the bots' lease and reminder times)."""
    return datetime.fromisoformat(message["timestamp"]).timestamp()


def starting_now(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel_id) if "is starting now" in (m.get("content") or "")]


def titles(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [
        m["embeds"][0]["title"]
        for m in fake.messages(channel_id)
        if m.get("embeds") and " news " in m["embeds"][0].get("title", "")
    ]


async def lease_holders(url: str, kind: str) -> dict[int, int]:
    """Live leases of ``kind`` per holding process id (an owner is ``host:pid:random``)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT owner FROM leases WHERE kind = $1 AND expires_at > $2", kind, int(time.time())
        )
    finally:
        await conn.close()
    return dict(Counter(int(r["owner"].split(":")[1]) for r in rows))


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_two_shards_share_the_work_and_a_survivor_takes_over(
    tmp_path: Path, pg_server: Any, record_property: Any
) -> None:
    rng = random.Random(15)
    url = pg_server.create_database(migrated=False)  # both processes migrate it at once: one does
    async with FeedServer() as server, FakeDiscord() as fake:
        home, other = fake.guild_id, fake.other_guild_id
        assert ((home >> 22) % 2, (other >> 22) % 2) == (0, 1)
        channels = {"home": fake.news_channel_id, "other": fake.other_channel_id}
        for feed in channels:
            server.set_feed(f"/{feed}", make_entries(20, prefix=feed))
        procs = [
            await bot_process(
                config(fake, tmp_path, url, s), fake.token, capture=False, reminder_tick=REMINDER_TICK
            )
            for s in (0, 1)
        ]
        try:
            await fake.wait_for(lambda: len(fake.gateway.live_sessions) == 2, timeout=60, what="two shards")
            await fake.wait_for(lambda: fake.commands(guild_id=home), timeout=30, what="commands synced")
            assert sorted(tuple(i["shard"]) for i in fake.gateway.identifies) == [(0, 2), (1, 2)]
            # what `bot.py sync` does: the commands become global, so the other server has them too
            fake.world.global_commands = list(fake.commands(guild_id=home))

            # A watch party in each server (one per shard) whose "starting now" reminder falls due a moment
            # after the kill below, whichever process it hits. Scheduled first: the start, to the minute, is
            # 1-2 min away.
            party_channels = {home: fake.text_channel_id, other: channels["other"]}
            starts: dict[int, int] = {}
            for guild, organiser in ((home, fake.organiser), (other, fake.world.other_owner)):
                ix = await fake.slash(
                    "watchparty schedule",
                    {"film": "Alien", "when": "in 2 minutes"},
                    user=organiser,
                    guild_id=guild,
                    channel_id=party_channels[guild] if guild == other else None,
                )
                await ix.wait_for_output(timeout=30)
                announced = [
                    m for m in fake.messages(party_channels[guild]) if m.get("embeds") and "<t:" in str(m)
                ]
                assert announced, ix.text
                starts[guild] = int(re.findall(r"<t:(\d+):", str(announced[-1]["embeds"]))[0])

            # each server's commands are answered (by the process owning its shard: the other never hears them)
            for feed, guild, user in (
                ("home", home, fake.moderator),
                ("other", other, fake.world.other_owner),
            ):
                ix = await fake.slash(
                    "feed add",
                    {"url": server.url(f"/{feed}"), "channel": channels[feed]},
                    user=user,
                    guild_id=guild,
                    channel_id=channels[feed] if guild == other else None,
                )
                await ix.wait_for_output(timeout=30)
                assert "20 items" in ix.text, ix.text

            # votes on both shards' polls count
            polls = {}
            for guild, channel, voter in (
                (home, fake.text_channel_id, fake.member),
                (other, channels["other"], fake.other_member),
            ):
                creator = fake.member if guild == home else fake.other_member
                ix = await fake.slash(
                    "poll create",
                    {"question": "Tonight?", "options": "Alien; Heat"},
                    user=creator,
                    guild_id=guild,
                    channel_id=channel,
                )
                await ix.wait_for_output(timeout=30)
                posted = [
                    m for m in fake.messages(channel) if m.get("embeds") and "Poll" in m["embeds"][0]["title"]
                ]
                polls[guild] = int(posted[-1]["id"])
                await fake.react(channel, polls[guild], NUMBER_EMOJI[1], user=voter)

            published = {"home": 0, "other": 0}

            def publish(count: int) -> None:
                for feed in channels:
                    for _ in range(count):
                        published[feed] += 1
                        server.add_entry(f"/{feed}", item(feed, published[feed]))

            def all_posted() -> bool:
                return all(len(titles(fake, channels[f])) >= published[f] for f in channels)

            publish(3)
            await fake.wait_for(all_posted, timeout=30, what="the first items")
            # Mid-cycle: new items arrive, and a process dies at a random moment of the next cycles: the one
            # holding feed leases (a feed stays with the process that renews its lease each cycle), so the
            # survivor can only take that feed over once the lease expires. The kill lands ~2 s before the
            # first reminder is due, so the dead process never claims a reminder.
            lead = min(starts.values()) - time.time() - 2
            assert lead > 2, f"setup took too long: a reminder is due {lead + 2:.0f}s from now"
            await asyncio.sleep(lead - 1.5)
            publish(3)
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            feed_leases = await lease_holders(url, "feed")
            victim = max((0, 1), key=lambda i: feed_leases.get(procs[i].pid, 0))
            assert feed_leases.get(procs[victim].pid), feed_leases
            assert not any(starting_now(fake, c) for c in party_channels.values()), "a reminder fired early"
            procs[victim].send_signal(signal.SIGKILL)
            await procs[victim].wait()
            killed_at = time.time()
            publish(3)
            record_property("killed_shard", victim)
            record_property("dead_process_feed_leases", feed_leases[procs[victim].pid])
            bound = LEASE_TIMEOUT + INTERVAL + WORK_SLACK
            await fake.wait_for(all_posted, timeout=bound + 60, what="the survivor posting")
            for guild, channel in party_channels.items():
                await fake.wait_for(
                    lambda c=channel: starting_now(fake, c),
                    timeout=max(0, starts[guild] - time.time()) + bound + 60,
                    what=f"the reminder in {guild}",
                )
            feeds_done = max(
                posted_at(m)
                for c in channels.values()
                for m in fake.messages(c)
                if m.get("embeds") and " news " in m["embeds"][0].get("title", "")
            )
            takeover = {"feeds_and_outbox": feeds_done - killed_at}
            for guild, channel in party_channels.items():
                shard = (guild >> 22) % 2
                takeover[f"reminder_shard{shard}"] = posted_at(starting_now(fake, channel)[0]) - max(
                    killed_at, starts[guild]
                )
            record_property("takeover_seconds", {k: round(v, 1) for k, v in takeover.items()})
            await asyncio.sleep(2 * INTERVAL + REMINDER_TICK + 1)  # a few more cycles: nothing more appears
        finally:
            for proc in procs:
                await stop(proc)
        for feed, channel in channels.items():
            got = titles(fake, channel)
            assert sorted(got) == sorted(f"{feed} news {n}" for n in range(1, published[feed] + 1)), (
                feed,
                got,
            )
        # One sender per message: a nonce is POSTed twice only for the one send the killed process had in
        # flight (each process sends one message at a time), which Discord's nonce memory de-duplicates.
        nonces = Counter(
            (r.json or {}).get("nonce") for r in fake.find_requests("POST", r"/channels/\d+/messages$")
        )
        assert len([n for n in nonces if n]) >= sum(published.values())  # every post carried its nonce
        repeats = {n: c for n, c in nonces.items() if n and c > 1}
        assert sum(c - 1 for c in repeats.values()) <= 1, repeats
        # Every reminder fired once, the one on the killed shard's server included (by the survivor).
        for channel in party_channels.values():
            assert len(starting_now(fake, channel)) == 1, fake.messages(channel)
        reminder_posts = [
            r
            for r in fake.find_requests("POST", r"/channels/\d+/messages$")
            if "is starting now" in ((r.json or {}).get("content") or "")
        ]
        assert len({(r.json or {}).get("nonce") for r in reminder_posts}) == 2, reminder_posts
        # The survivor took over the dead process's feeds and outbox (the items published around the kill,
        # some of them fetched or queued by the dead one) and fired the reminder due on its shard within
        # lease_timeout + one poll interval of the kill, plus the time to do that work.
        for kind, seconds in takeover.items():
            assert 0 <= seconds <= LEASE_TIMEOUT + INTERVAL + WORK_SLACK, (kind, takeover)
        conn = await asyncpg.connect(url)
        try:
            votes = {
                r["poll_id"]: r["n"]
                for r in await conn.fetch(
                    "SELECT p.message_id, COUNT(v.id) AS n, p.id AS poll_id FROM polls p LEFT JOIN votes v "
                    "ON v.poll_id = p.id GROUP BY p.id, p.message_id"
                )
            }
        finally:
            await conn.close()
        assert sorted(votes.values()) == [1, 1], votes


async def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        path = tmp_path / "down.toml"
        path.write_text(
            f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
            '[storage]\nurl = "postgresql://bot:s3cret@127.0.0.1:1/club"\n'
        )
        proc = await bot_process(path, fake.token)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert proc.returncode == 2, text
    assert "cannot open the database postgresql://bot:***@127.0.0.1:1/club" in text
    assert "Traceback" not in text and "s3cret" not in text
