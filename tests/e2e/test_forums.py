"""Forum posts, threads under posts and publishing, end to end: the real bot, the fake Discord, a feed server."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from tests.e2e.harness import bot_process, database, e2e_settings, query, running_bot, write_config
from tests.fakediscord import FakeDiscord
from tests.fakediscord.state import ChannelType, FakeChannel, Perm, StoredMessage
from tests.feedserver import FeedEntry, FeedServer, make_entries

# The storage-facing flows also run on PostgreSQL (tests/e2e/conftest.py); CI installs its binaries.
E2E_BACKENDS = ("sqlite", "postgresql")

FAST_FEEDS = {"interval": 1.0, "min_interval": 1.0, "allow_private_addresses": True, "parse_workers": 1}
FORUM_TAGS = ["🩸 Gore", "cw: violence", "Spoilers", "News", "Reviews"]

PLAIN = FeedEntry(
    guid="urn:e2e:plain",
    title="Festival line-up announced",
    link="https://films.example/news/lineup",
    summary="<p>The festival announced its line-up today. Critics cheered the choices loudly.</p>",
)
VIOLENT = FeedEntry(
    guid="urn:e2e:violent",
    title="A tense thriller reviewed",
    link="https://films.example/news/thriller",
    summary="<p>The thriller is full of brutal violence and a long shootout. Critics admired its pace.</p>",
)
SPOILER = FeedEntry(
    guid="urn:e2e:spoiler",
    title="Heat ending explained: who dies at the airport",
    link="https://films.example/news/heat",
    summary="<p>In the ending, the detective kills the thief at the airport. The twist ending surprised many.</p>",
)


def posts_in(fake: FakeDiscord, forum_id: int) -> list[FakeChannel]:
    guild = fake.world.guilds[fake.guild_id]
    return sorted(
        (c for c in guild.channels.values() if c.is_thread and c.parent_id == forum_id), key=lambda c: c.id
    )


def tag_names(forum: FakeChannel, post: FakeChannel) -> list[str]:
    names = {int(t["id"]): t["name"] for t in forum.available_tags}
    return [names[t] for t in post.applied_tags]


async def outbox_states(db: str, kind: str) -> list[str]:
    return [r[0] for r in await query(db, "SELECT state FROM outbox WHERE kind = ?", (kind,))]


async def add_feed(fake: FakeDiscord, url: str, channel: int, **extra: Any) -> str:
    ix = await fake.slash("feed add", {"url": url, "channel": channel, **extra}, user=fake.moderator)
    await ix.wait_for_output(timeout=15)
    return ix.text


async def test_a_feed_into_a_forum_opens_one_tagged_post_per_item_and_spoilers_stay_out_of_names(
    tmp_path: Path,
) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(5), title="Film Daily")
        forum = fake.add_forum("film-talk", FORUM_TAGS)
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            text = await add_feed(fake, server.url("/rss"), forum.id)
            assert "Film Daily" in text and "5 items" in text, text
            for entry in (PLAIN, VIOLENT, SPOILER):
                server.add_entry("/rss", entry)
            await fake.wait_for(lambda: len(posts_in(fake, forum.id)) >= 3, timeout=20)
            await asyncio.sleep(2.5)  # a few more cycles: still one post per item
            posts = posts_in(fake, forum.id)
            assert len(posts) == 3
            by_name = {p.name: p for p in posts}
            assert tag_names(forum, by_name["Festival line-up announced"]) == ["News"]
            assert tag_names(forum, by_name["A tense thriller reviewed"]) == ["cw: violence", "News"]
            (spoiled,) = [p for p in posts if p.name.startswith("Spoilers")]
            assert spoiled.name == "Spoilers — Film Daily article"
            assert "Heat" not in spoiled.name and "airport" not in spoiled.name
            assert tag_names(forum, spoiled) == ["Spoilers", "News"]
            for post in posts:  # each post's first message is the digest, with the post's own id
                (first,) = fake.messages(post.id)
                assert int(first["id"]) == post.id and first["author"]["id"] == str(fake.bot_user_id)
                assert first["embeds"] and first["mentions"] == []
            assert "Heat ending explained" in fake.messages(spoiled.id)[0]["embeds"][0]["title"]
            shown = await fake.slash("feed tags", {"feed": 1}, user=fake.moderator)
            await shown.wait_for_output(timeout=15)
            listing = shown.text
            assert "Gore → 🩸 Gore" in listing and "Violence → cw: violence" in listing
            assert "Hate/bigotry → —" in listing and "Every post → News" in listing
        assert fake.unknown_requests == []


async def test_feed_tags_creates_the_missing_tags_only_on_request(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(2), title="Film Daily")
        forum = fake.add_forum("film-talk", ["Gore"])
        fake.set_permission_overwrite(forum.id, fake.bot_user_id, allow=int(Perm.MANAGE_CHANNELS))
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            await add_feed(fake, server.url("/rss"), forum.id)
            shown = await fake.slash("feed tags", {"feed": 1}, user=fake.moderator)
            await shown.wait_for_output(timeout=15)
            assert [t["name"] for t in forum.available_tags] == ["Gore"]  # never by itself
            made = await fake.slash("feed tags", {"feed": 1, "create": True}, user=fake.moderator)
            await made.wait_for_output(timeout=15)
            names = [t["name"] for t in fake.world.channel(forum.id).available_tags]  # type: ignore[union-attr]
            assert names[0] == "Gore" and "Violence" in names and "Spoilers" in names
            assert len(names) == len(set(names)) <= 20


async def test_feed_add_names_the_missing_permission_and_refuses_a_forum_it_cannot_tag(
    tmp_path: Path,
) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(2), title="Film Daily")
        closed = fake.add_forum("closed-forum", FORUM_TAGS)
        fake.set_permission_overwrite(closed.id, fake.bot_user_id, deny=int(Perm.SEND_MESSAGES))
        strict = fake.add_forum("strict-forum", ["Gore", "Spoilers"], require_tag=True)
        fine = fake.add_forum("tagged-forum", ["Gore", "News"], require_tag=True)
        fake.set_permission_overwrite(
            fake.news_channel_id, fake.bot_user_id, deny=int(Perm.CREATE_PUBLIC_THREADS)
        )
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            text = await add_feed(fake, server.url("/rss"), closed.id)
            assert "missing the" in text and "Create Posts" in text, text
            text = await add_feed(fake, server.url("/rss"), strict.id)
            assert "requires a tag on every post" in text and "News" in text, text
            text = await add_feed(fake, server.url("/rss"), fine.id)
            assert "Subscribed" in text, text
            await add_feed(fake, server.url("/rss"), fake.news_channel_id)
            ix = await fake.slash("feed threads", {"feed": 2, "enabled": True}, user=fake.moderator)
            await ix.wait_for_output(timeout=15)
            assert "missing the Create Public Threads permission" in ix.text, ix.text
            ix = await fake.slash("feed publish", {"feed": 2, "enabled": True}, user=fake.moderator)
            await ix.wait_for_output(timeout=15)
            assert "announcement channel" in ix.text, ix.text


async def test_threads_under_text_posts_and_publishing_happen_once_per_item(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(5), title="Film Daily")
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings):
            await add_feed(fake, server.url("/rss"), fake.news_channel_id)
            await add_feed(fake, server.url("/rss"), fake.announce_channel_id)
            ix = await fake.slash(
                "feed threads", {"feed": 1, "enabled": True, "archive_after": 10080}, user=fake.moderator
            )
            await ix.wait_for_output(timeout=15)
            assert "1 week" in ix.text, ix.text
            ix = await fake.slash("feed publish", {"feed": 2, "enabled": True}, user=fake.moderator)
            await ix.wait_for_output(timeout=15)
            assert "published" in ix.text, ix.text
            server.add_entry("/rss", PLAIN)
            server.add_entry("/rss", SPOILER)
            await fake.wait_for(lambda: len(posts_in(fake, fake.news_channel_id)) >= 2, timeout=20)
            await fake.wait_for(
                lambda: (
                    all(m["flags"] & 1 for m in fake.messages(fake.announce_channel_id))
                    and len(fake.messages(fake.announce_channel_id)) == 2
                ),
                timeout=20,
            )
            await asyncio.sleep(2.5)
            threads = posts_in(fake, fake.news_channel_id)
            messages = fake.messages(fake.news_channel_id)
            assert len(threads) == len(messages) == 2
            assert {t.id for t in threads} == {int(m["id"]) for m in messages}  # one under each post
            assert sorted(t.name for t in threads) == [
                "Festival line-up announced",
                "Spoilers — Film Daily article",
            ]
            assert all(t.auto_archive_duration == 10080 for t in threads)
            assert posts_in(fake, fake.announce_channel_id) == []  # no threads there
            crossposts = fake.find_requests("POST", r"/messages/\d+/crosspost$")
            assert len(crossposts) == 2
        assert fake.unknown_requests == []


async def test_a_deleted_forum_pauses_its_feed_like_a_deleted_channel(tmp_path: Path) -> None:
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(5), title="Film Daily")
        forum = fake.add_forum("film-talk", FORUM_TAGS)
        settings = e2e_settings(fake, tmp_path, feeds=FAST_FEEDS)
        async with running_bot(fake, settings) as bot:
            await add_feed(fake, server.url("/rss"), forum.id)
            del fake.world.guilds[fake.guild_id].channels[forum.id]
            await fake.dispatch(
                "CHANNEL_DELETE",
                {"id": str(forum.id), "type": ChannelType.FORUM, "guild_id": str(fake.guild_id)},
            )
            server.add_entry("/rss", PLAIN)

            async def broken() -> bool:
                (view,) = await bot.services.feeds.subscriptions(fake.guild_id)
                return view.subscription.status == "broken"

            for _ in range(150):
                if await broken():
                    break
                await asyncio.sleep(0.1)
            assert await broken()


async def test_killed_as_discord_stores_the_forum_post_then_restarted_past_the_nonce_window_posts_once(
    tmp_path: Path,
) -> None:
    """SIGKILL at the instant the fake Discord stores the forum post (the reply never reaches the bot), and a
    restart after the nonce window: the bot finds its post among the forum's active threads."""
    async with FeedServer() as server, FakeDiscord() as fake:
        server.set_feed("/rss", make_entries(20), title="Film Daily")
        forum = fake.add_forum("film-talk", FORUM_TAGS)
        config = write_config(
            fake,
            tmp_path,
            '[feeds]\ninterval = "1s"\nmin_interval = "1s"\nallow_private_addresses = true\nparse_workers = 1\n'
            '[logging]\nlevel = "WARNING"\n',
        )
        config.write_text(config.read_text().replace("[discord]\n", '[discord]\nnonce_window = "1s"\n', 1))
        proc = await bot_process(config, fake.token, capture=False)
        try:
            await fake.wait_for(lambda: fake.commands(guild_id=fake.guild_id), timeout=30)
            await fake.wait_until_ready(timeout=30)
            await add_feed(fake, server.url("/rss"), forum.id)

            def kill_on_post(message: StoredMessage) -> None:
                channel = fake.world.channel(message.channel_id)
                if channel is not None and channel.parent_id == forum.id:
                    fake.on_message_stored = None
                    proc.send_signal(signal.SIGKILL)

            fake.on_message_stored = kill_on_post
            server.add_entry("/rss", VIOLENT)
            await asyncio.wait_for(proc.wait(), 30)
            assert len(posts_in(fake, forum.id)) == 1
            db = database(tmp_path)
            assert await outbox_states(db, "feed_post") == ["pending"]
            await asyncio.sleep(1.5)  # past the nonce window (a forum post has no nonce anyway)
            proc = await bot_process(config, fake.token, capture=False)

            async def delivered() -> bool:
                return await outbox_states(db, "feed_post") == ["delivered"]

            await fake.wait_for(delivered, timeout=30)
            await asyncio.sleep(3)  # more cycles: still one post
            (post,) = posts_in(fake, forum.id)
            assert len(fake.messages(post.id)) == 1
            [(message_id,)] = await query(db, "SELECT message_id FROM outbox WHERE kind = 'feed_post'")
            assert message_id == post.id
            assert fake.find_requests("GET", rf"/guilds/{fake.guild_id}/threads/active$")
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
