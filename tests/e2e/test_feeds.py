"""Feeds end to end: the real bot, the fake Discord and a loopback feed server."""

from __future__ import annotations

import asyncio
import random
import signal
import time
from pathlib import Path

from bot import open_configured_database
from domain.models import NewEntry
from services.delivery import Payload
from storage import feeds as repo
from storage import outbox
from tests.e2e.harness import bot_process, e2e_settings, running_bot, write_config
from tests.fakediscord import FakeDiscord
from tests.fakediscord.messages import create_message
from tests.feedserver import FeedEntry, FeedServer, make_entries

# The storage-facing flows also run on PostgreSQL (tests/e2e/conftest.py); CI installs its binaries.
E2E_BACKENDS = ("sqlite", "postgresql")

FAST_FEEDS = {"interval": 1.0, "min_interval": 1.0, "allow_private_addresses": True, "parse_workers": 1}


def news(n: int) -> FeedEntry:
    return FeedEntry(
        guid=f"urn:e2e:{n}",
        title=f"Festival news {n} @everyone",
        link=f"https://films.example/news/{n}",
        summary=f"<p>The jury announced prize {n}. Critics||cheered|| loudly.</p>",
    )


def titles(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [m["embeds"][0]["title"] for m in fake.messages(channel_id) if m.get("embeds")]


async def test_moderator_adds_a_feed_and_new_items_post_once(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(5), title="Film Daily")
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            ix = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.moderator
            )
            await ix.wait_for_output(timeout=15)
            assert ix.ephemeral and "Film Daily" in ix.text and "5 items" in ix.text
            server.add_entry("/rss", news(1))
            await fake.wait_for(lambda: titles(fake, fake.news_channel_id), timeout=15)
            await asyncio.sleep(2.5)  # a few more cycles: still exactly one post
            posted = fake.messages(fake.news_channel_id)
            assert len(posted) == 1
            message = posted[0]
            assert "@everyone" not in message["embeds"][0]["title"].replace("@\u200beveryone", "")
            assert message["mentions"] == [] and not message.get("mention_everyone")
            assert message["nonce"]
            listing = await fake.slash("feed list", user=fake.moderator)
            await listing.wait_for_output()
            assert "Film Daily" in listing.text and "active" in listing.text
        assert fake.unknown_requests == []


async def test_plain_member_cannot_add_and_bad_input_is_refused(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(2))
        server.raw("/page", b"<html><body>Not a feed</body></html>", content_type="text/html")
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            ix = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.member
            )
            await ix.wait_for_output()
            assert ix.ephemeral and "Manage Server" in ix.text
            html = await fake.slash(
                "feed add", {"url": server.url("/page"), "channel": fake.news_channel_id}, user=fake.moderator
            )
            await html.wait_for_output(timeout=15)
            assert html.ephemeral and "couldn't add that feed" in html.text and "HTML" in html.text
            ro = await fake.slash(
                "feed add",
                {"url": server.url("/rss"), "channel": fake.readonly_channel_id},
                user=fake.moderator,
            )
            await ro.wait_for_output()
            assert ro.ephemeral and "Send Messages" in ro.text
            bad = await fake.slash("feed remove", {"feed": 999}, user=fake.moderator)
            await bad.wait_for_output()
            assert "No feed subscription with id 999" in bad.text


async def test_feed_test_shows_the_post_and_privately_why_it_looks_so(tmp_path: Path) -> None:
    violent = FeedEntry(
        guid="urn:e2e:violent",
        title="Night Shift @everyone",
        link="https://films.example/night-shift",
        summary="<p>A man is stabbed to death in the opening scene, and a dog is kicked to death later. "
        "The film follows a night nurse through one long shift in a hospital about to close.</p>",
    )
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", [violent], title="Film Daily")
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            added = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.moderator
            )
            await added.wait_for_output(timeout=15)
            ix = await fake.slash("feed test", {"feed": 1}, user=fake.moderator)
            post = await ix.wait_for_followup(timeout=15)
            note = await ix.wait_for_followup(timeout=15, count=2)
            assert post["flags"] & 64 and note["flags"] & 64  # both private
            assert post["embeds"][0]["title"].startswith("Night Shift")
            assert "CW:" in post["content"] and "violence" in post["content"]
            assert "**violence**: “A man is stabbed”" in note["content"]
            assert "**animal harm**: “a dog is kicked”" in note["content"]
            assert "content warnings checked" in note["content"]
            assert note["mentions"] == [] and not note.get("mention_everyone")
            assert fake.messages(fake.news_channel_id) == []  # nothing posted


async def test_channel_refusing_posts_pauses_only_that_subscription(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(2))
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings) as bot:
            for channel in (fake.news_channel_id, fake.text_channel_id):
                ix = await fake.slash(
                    "feed add", {"url": server.url("/rss"), "channel": channel}, user=fake.moderator
                )
                await ix.wait_for_output(timeout=15)
            fake.fail_next("POST", rf"/channels/{fake.news_channel_id}/messages", 403, count=50)
            server.add_entry("/rss", news(1))
            await fake.wait_for(lambda: titles(fake, fake.text_channel_id), timeout=15)
            # the refused channel's post comes first in the outbox, so it is marked by now
            views = await bot.services.feeds.subscriptions(fake.guild_id, fake.news_channel_id)
            assert views[0].subscription.status == "broken"
            listing = await fake.slash("feed list", user=fake.moderator)
            await listing.wait_for_output()
            assert "stopped" in listing.text and "403" in listing.text


async def test_post_already_in_the_channel_after_the_nonce_expired_is_not_posted_again(
    tmp_path: Path,
) -> None:
    """The bot was killed after Discord created a post but before it was marked delivered, and came back
    ten minutes later (Discord no longer de-duplicates the nonce): it finds its post and sends nothing."""
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        payload = {
            "embeds": [
                {"title": "Festival news 1", "url": "https://films.example/news/1", "description": "Prizes."}
            ]
        }
        now = int(time.time())
        async with await open_configured_database(settings) as db, db.transaction() as conn:
            feed_id = await repo.create_feed(
                conn,
                "https://films.example/rss",
                title="Film Daily",
                etag=None,
                last_modified=None,
                next_poll_at=now + 86_400,  # not polled during the test: only the outbox matters
                now=now - 3_600,
            )
            sub_id = await repo.add_subscription(
                conn,
                feed_id=feed_id,
                guild_id=fake.guild_id,
                channel_id=fake.news_channel_id,
                name="Film Daily",
                created_by=fake.moderator.id,
                now=now - 3_600,
            )
            [(entry_id, _)] = await repo.insert_entries(
                conn,
                feed_id,
                [NewEntry("urn:e2e:1", "Festival news 1", "https://films.example/news/1", None)],
                now - 600,
            )
            await outbox.enqueue(
                conn,
                kind="feed_post",
                owner_id=sub_id,
                part=str(entry_id),
                channel_id=fake.news_channel_id,
                payload=Payload(embeds=tuple(payload["embeds"])).to_json(),
                now=now - 600,
                sending_at=now - 600,
            )
        # what Discord created before the crash (its nonce long forgotten)
        posted = create_message(fake, fake.news_channel_id, fake.bot_user_id, dict(payload))
        async with running_bot(fake, settings) as bot:

            async def delivered() -> bool:
                return await outbox.count(bot.services.feeds.db, "delivered", kind="feed_post") == 1

            deadline = time.monotonic() + 15
            while not await delivered():
                assert time.monotonic() < deadline, "the outbox row was never marked delivered"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # a cycle more: still nothing posted
            message_id = await bot.services.feeds.db.scalar("SELECT message_id FROM outbox")
        assert message_id == posted.id
        assert [m["id"] for m in fake.messages(fake.news_channel_id)] == [str(posted.id)]
        assert fake.find_requests("POST", rf"/channels/{fake.news_channel_id}/messages$") == []
        assert fake.find_requests("GET", rf"/channels/{fake.news_channel_id}/messages$")


def _config(fake: FakeDiscord, tmp_path: Path) -> Path:
    return write_config(
        fake,
        tmp_path,
        '[feeds]\ninterval = "1s"\nmin_interval = "1s"\nallow_private_addresses = true\nparse_workers = 1\n'
        "posts_per_channel_per_cycle = 3\n"
        '[logging]\nlevel = "WARNING"\n',
    )


async def _start(config: Path) -> asyncio.subprocess.Process:
    return await bot_process(config, FakeDiscord().token, capture=False)


async def test_killed_mid_cycle_posts_every_item_exactly_once(tmp_path: Path) -> None:
    """SIGKILL the bot process at random moments while items arrive; nothing is lost or doubled."""
    rng = random.Random(7)
    async with FeedServer() as server, FakeDiscord() as fake:
        # History big enough that even if every kill lands before a poll, the 16 new items stay under the
        # flood breaker's ratio (which would rightly hold them for a moderator instead of posting them).
        server.set_feed("/rss", make_entries(20))
        config = _config(fake, tmp_path)
        proc = await _start(config)
        try:
            await fake.wait_for(lambda: fake.commands(guild_id=fake.guild_id), timeout=30)
            await fake.wait_until_ready(timeout=30)
            ix = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.moderator
            )
            await ix.wait_for_output(timeout=20)
            published = 0
            for _ in range(4):
                for _ in range(4):
                    published += 1
                    server.add_entry("/rss", news(published))
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
                connected = fake.identify_count
                proc = await _start(config)
                # kill the next one while it runs, not while it is still importing
                await fake.wait_for(lambda n=connected: fake.identify_count > n, timeout=30)
            expected = [f"Festival news {n} @\u200beveryone" for n in range(1, published + 1)]

            def all_posted() -> bool:
                return len(titles(fake, fake.news_channel_id)) >= published

            await fake.wait_for(all_posted, timeout=60)
            await asyncio.sleep(2)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
        got = titles(fake, fake.news_channel_id)
        assert sorted(got) == sorted(expected), got
        assert len(got) == len(set(got)) == published
