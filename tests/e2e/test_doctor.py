"""``bot.py doctor`` against the fake Discord: permissions from roles and overwrites, feeds, stuck posts."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from domain.models import NewEntry
from settings import Settings
from storage import feeds as repo
from storage import outbox
from storage.db import Database
from tests.e2e.harness import bot_process, e2e_settings, running_bot, write_config
from tests.fakediscord import ChannelType, FakeDiscord, Perm


async def doctor(config: Path, token: str, *args: str) -> tuple[int, str, str]:
    proc = await bot_process(config, token, *args, command="doctor")
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def subscribe(settings: Settings, guild_id: int, channel_id: int, name: str) -> int:
    now = int(time.time())
    async with await Database.open(settings.storage.path) as db, db.transaction() as conn:
        feed_id = await repo.create_feed(
            conn,
            f"https://example.org/{name}.xml",
            title=name,
            etag=None,
            last_modified=None,
            next_poll_at=now + 900,
            now=now,
        )
        await repo.add_subscription(
            conn, feed_id=feed_id, guild_id=guild_id, channel_id=channel_id, name=name, created_by=1, now=now
        )
    return feed_id


async def test_all_fine_then_a_missing_send_messages_in_a_feed_channel(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        async with running_bot(fake, settings):
            pass  # syncs the commands to the dev guild and creates the database
        await subscribe(settings, fake.guild_id, fake.news_channel_id, "reviews")
        config = write_config(fake, tmp_path)

        code, out, err = await doctor(config, fake.token)
        assert code == 0, out + err
        assert "PROBLEM" not in out and "everything looks fine" in out
        assert "commands in sync" in out and "#film-news" in out and "feeds: all needed permissions" in out

        # a category's overwrites reach a channel only as the copy Discord makes when syncing it: a deny
        # on the category alone changes nothing in the channel (the fake posts there just the same)
        fake.set_permission_overwrite(fake.category_id, fake.bot_role_id, deny=int(Perm.SEND_MESSAGES))
        code, out, _ = await doctor(config, fake.token)
        assert code == 0, out

        # a moderator denies the bot Send Messages in the feed's channel, through a member overwrite
        fake.set_permission_overwrite(fake.news_channel_id, fake.bot_user_id, deny=int(Perm.SEND_MESSAGES))
        code, out, _ = await doctor(config, fake.token)
        assert code == 1
        problem = next(line for line in out.splitlines() if line.startswith("PROBLEM"))
        assert "#film-news" in problem and "missing Send Messages" in out and "reviews" in out

        # the same through a role: the overwrite is on the bot's role, the member overwrite is gone
        fake.set_permission_overwrite(fake.news_channel_id, fake.bot_user_id)
        fake.set_permission_overwrite(fake.news_channel_id, fake.bot_role_id, deny=int(Perm.EMBED_LINKS))
        code, out, _ = await doctor(config, fake.token, "--json")
        assert code == 1
        report = json.loads(out)
        assert report["status"] == "attention"
        [channel] = [f for f in report["findings"] if f["channel_id"] == fake.news_channel_id]
        assert channel["status"] == "problem" and "missing Embed Links" in channel["detail"]
        assert "Send Messages" not in channel["detail"]


async def test_failing_feed_stuck_posts_and_unsynced_commands(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        feed_id = await subscribe(settings, fake.guild_id, fake.news_channel_id, "festival")
        now = int(time.time())
        async with await Database.open(settings.storage.path) as db, db.transaction() as conn:
            await repo.record_failure(conn, feed_id, now=now, next_poll_at=now + 60, error="HTTP 503")
            [(entry_id, _)] = await repo.insert_entries(
                conn,
                feed_id,
                [NewEntry(key="k1", title="T", link="https://example.org/1", published_at=None)],
                now,
            )
            [sub] = await repo.subscriptions_for_feed(conn, feed_id)
            await outbox.enqueue(
                conn,
                kind="feed_post",
                owner_id=sub.id,
                part=str(entry_id),
                channel_id=fake.news_channel_id,
                payload="{}",
                now=now - 7200,
            )
        code, out, _ = await doctor(write_config(fake, tmp_path), fake.token, "--json")
        assert code == 1
        findings = json.loads(out)["findings"]
        by_check = {f["check"]: f for f in findings if f["status"] == "problem"}
        assert "festival" in by_check["feed"]["detail"] and "HTTP 503" in by_check["feed"]["detail"]
        assert "1 post(s) not delivered" in by_check["outbox"]["detail"]
        assert "/club is not registered" in by_check["commands"]["detail"]


async def test_refused_token_and_unreachable_discord(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        config = write_config(fake, tmp_path)
        code, out, _ = await doctor(config, "not-the-token")
        assert code == 1 and "refused the token" in out
    code, out, err = await doctor(config, fake.token)  # the fake is gone: nothing listens any more
    assert code == 1 and "cannot reach" in out and "Traceback" not in err


async def test_a_feed_in_a_thread_is_judged_by_its_parents_overwrites(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        async with running_bot(fake, settings):
            pass
        thread = fake.add_channel("festival-live", ChannelType.PUBLIC_THREAD, parent_id=fake.news_channel_id)
        thread.owner_id = fake.moderator.id
        await subscribe(settings, fake.guild_id, thread.id, "live")
        config = write_config(fake, tmp_path)
        # threads are not in the server's channel list: fetched on their own, judged by the parent's overwrites
        code, out, _ = await doctor(config, fake.token)
        assert code == 0, out
        assert "#festival-live" in out
        fake.set_permission_overwrite(
            fake.news_channel_id, fake.bot_role_id, deny=int(Perm.SEND_MESSAGES_IN_THREADS)
        )
        code, out, _ = await doctor(config, fake.token)
        assert code == 1 and "missing Send Messages In Threads" in out
        assert "Send Messages," not in out  # the thread does not need plain Send Messages
