"""Channel, message, reaction, thread, event and fault-injection behaviour of the fake, via real discord.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.fakediscord import FakeDiscord, Perm
from tests.fakediscord.testing import running_client
from tests.helpers.bots import make_bot


@pytest.fixture
async def env() -> AsyncIterator[tuple[FakeDiscord, commands.Bot]]:
    async with FakeDiscord() as fake, running_client(fake, make_bot()) as bot:
        yield fake, bot


def text_channel(bot: commands.Bot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_send_edit_delete_dispatches_and_stores(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    edits: list[str] = []

    async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
        edits.append(payload.data["content"])

    bot.add_listener(on_raw_message_edit)
    message = await channel.send(
        "Tonight: Alien", embed=discord.Embed(title="Alien", url="https://example.com")
    )
    assert fake.messages(channel.id)[0]["content"] == "Tonight: Alien"
    assert fake.dispatched_events("MESSAGE_CREATE")[0]["id"] == str(message.id)
    await message.edit(content="Tonight: Aliens")
    await fake.wait_for(lambda: edits == ["Tonight: Aliens"], what="MESSAGE_UPDATE")
    assert fake.messages(channel.id)[0]["edited_timestamp"] is not None
    fetched = await channel.fetch_message(message.id)
    assert fetched.content == "Tonight: Aliens" and fetched.embeds[0].title == "Alien"
    await message.delete()
    assert fake.messages(channel.id) == [] and fake.deleted_message_ids == [message.id]
    with pytest.raises(discord.NotFound) as err:
        await channel.fetch_message(message.id)
    assert err.value.code == 10008


async def test_nonce_with_enforce_creates_one_message(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    first = await channel.send("poll: what do we watch?", nonce="poll-1")
    second = await channel.send("poll: what do we watch?", nonce="poll-1")
    assert first.id == second.id
    assert len(fake.messages(channel.id)) == 1
    assert fake.find_requests("POST", r"/messages$")[0].json["enforce_nonce"] is True
    third = await channel.send("poll: what do we watch?", nonce="poll-2")
    assert third.id != first.id


async def test_429_is_retried_then_succeeds(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    fake.fail_next("POST", rf"^/channels/{channel.id}/messages$", 429, count=2, retry_after=0.05)
    message = await channel.send("eventually")
    posts = fake.find_requests("POST", rf"^/channels/{channel.id}/messages$")
    assert [r.status for r in posts] == [429, 429, 200]
    assert [m["id"] for m in fake.messages(channel.id)] == [str(message.id)]


async def test_injected_500_is_retried_and_404_surfaces(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    fake.fail_next(
        "GET", rf"^/channels/{channel.id}$", 404, body={"message": "Unknown Channel", "code": 10003}
    )
    with pytest.raises(discord.NotFound) as err:
        await bot.fetch_channel(channel.id)
    assert err.value.code == 10003
    assert (await bot.fetch_channel(channel.id)).id == channel.id


async def test_permissions_and_unknowns(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    with pytest.raises(discord.Forbidden) as err:
        await text_channel(bot, fake.readonly_channel_id).send("nope")
    assert err.value.code == 50013
    with pytest.raises(discord.Forbidden) as err:
        await text_channel(bot, fake.private_channel_id).send("nope")
    assert err.value.code == 50001
    with pytest.raises(discord.NotFound) as missing:
        await bot.http.send_message(424242, params=discord.http.handle_message_parameters(content="x"))
    assert missing.value.code == 10003
    # Overwrites can change at runtime; the bot sees CHANNEL_UPDATE and the REST check follows.
    fake.set_permission_overwrite(fake.readonly_channel_id, fake.bot_user_id, allow=int(Perm.SEND_MESSAGES))
    readonly = text_channel(bot, fake.readonly_channel_id)
    await fake.wait_for(
        lambda: readonly.permissions_for(readonly.guild.me).send_messages, what="CHANNEL_UPDATE"
    )
    await readonly.send("now allowed")
    assert fake.unknown_requests == []


async def test_validation_errors_look_like_discord(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    with pytest.raises(discord.HTTPException) as err:
        await channel.send("x" * 2001)
    assert err.value.status == 400 and err.value.code == 50035
    assert "content" in err.value.text
    with pytest.raises(discord.HTTPException) as err:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert err.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await channel.send(embeds=[discord.Embed(description="d" * 4000) for _ in range(2)])
    assert fake.messages(channel.id) == []


async def test_multipart_upload_is_stored(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    message = await channel.send(
        "poster", file=discord.File(io.BytesIO(b"\x89PNG fake"), filename="poster.png")
    )
    [stored] = fake.messages(channel.id)
    [attachment] = stored["attachments"]
    assert attachment["filename"] == "poster.png" and attachment["content_type"] == "image/png"
    assert fake.attachment_data(attachment) == b"\x89PNG fake"
    assert await message.attachments[0].read() == b"\x89PNG fake"


async def test_reactions_both_ways(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    adds: list[discord.RawReactionActionEvent] = []
    removes: list[discord.RawReactionActionEvent] = []

    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        adds.append(payload)

    async def on_raw_reaction_remove(payload: discord.RawReactionActionEvent) -> None:
        removes.append(payload)

    bot.add_listener(on_raw_reaction_add)
    bot.add_listener(on_raw_reaction_remove)
    message = await channel.send("React with your pick")
    await message.add_reaction("👍")
    await fake.react(channel.id, message.id, "👍", user=fake.member)
    await fake.react(channel.id, message.id, "👎", user=fake.moderator)
    await fake.wait_for(lambda: len(adds) == 3, what="three reaction adds")
    assert [a.user_id for a in adds] == [fake.bot_user_id, fake.member.id, fake.moderator.id]
    assert adds[1].member is not None and adds[1].member.id == fake.member.id
    assert adds[1].guild_id == fake.guild_id and str(adds[1].emoji) == "👍"
    await fake.unreact(channel.id, message.id, "👎", user=fake.moderator)
    await fake.wait_for(lambda: len(removes) == 1, what="reaction remove")
    # Changes while the bot is offline produce no events but are visible through REST.
    fake.add_reaction_silently(channel.id, message.id, "👍", user=fake.members[0])
    fetched = await channel.fetch_message(message.id)
    [thumbs] = fetched.reactions
    assert thumbs.count == 3 and thumbs.me
    users = [u.id async for u in thumbs.users(limit=2)]  # pages come sorted by user id
    assert sorted(users) == sorted([fake.bot_user_id, fake.member.id, fake.members[0].id])[:2]
    await message.remove_reaction("👍", discord.Object(fake.member.id))
    assert fake.reactions(message.id) == {"👍": [fake.bot_user_id, fake.members[0].id]}
    with pytest.raises(discord.HTTPException) as err:
        await message.add_reaction("thumbsup")
    assert err.value.code == 10014
    assert len(adds) == 3


async def test_threads_and_history(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    sent = [await channel.send(f"message {i}") for i in range(5)]
    thread = await sent[0].create_thread(name="Alien watch party")
    await fake.wait_for(lambda: channel.guild.get_thread(thread.id) is not None, what="THREAD_CREATE")
    assert fake.threads[0]["name"] == "Alien watch party" and thread.id == sent[0].id
    await thread.send("in the thread")
    assert fake.messages(thread.id)[0]["content"] == "in the thread"
    newest_first = [m.id async for m in channel.history(limit=3)]
    assert newest_first == [m.id for m in reversed(sent[-3:])]
    oldest_first = [m.id async for m in channel.history(limit=None, after=sent[1], oldest_first=True)]
    assert oldest_first == [m.id for m in sent[2:]]


async def test_scheduled_events(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    start = discord.utils.utcnow() + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Alien (1979)",
        start_time=start,
        end_time=start + dt.timedelta(hours=2),
        entity_type=discord.EntityType.external,
        location="Screen 1",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    [stored] = fake.scheduled_events()
    assert stored["name"] == "Alien (1979)" and stored["entity_metadata"] == {"location": "Screen 1"}
    await fake.wait_for(lambda: guild.get_scheduled_event(event.id) is not None, what="event in cache")
    await event.edit(name="Aliens (1986)")
    await fake.wait_for(lambda: guild.get_scheduled_event(event.id).name == "Aliens (1986)", what="update")  # type: ignore[union-attr]
    with pytest.raises(discord.HTTPException) as err:
        await guild.create_scheduled_event(
            name="Past",
            start_time=discord.utils.utcnow() - dt.timedelta(days=1),
            channel=guild.voice_channels[0],
        )
    assert err.value.code == 50035
    other = bot.get_guild(fake.other_guild_id)
    assert other is not None
    with pytest.raises(discord.NotFound):
        await other.fetch_scheduled_event(event.id)
    await event.delete()
    await fake.wait_for(lambda: guild.get_scheduled_event(event.id) is None, what="delete")
    assert fake.scheduled_events() == []


async def test_unknown_routes_are_recorded(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, _ = env
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with session.get(f"{fake.api_base}/not/a/route", headers=headers) as resp:
            assert resp.status == 404 and await resp.json() == {"message": "404: Not Found", "code": 0}
        async with session.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bot wrong"}) as resp:
            assert resp.status == 401
            assert "X-RateLimit-Bucket" in resp.headers
    assert [r.path for r in fake.unknown_requests] == ["/not/a/route"]


async def test_many_sends_do_not_stall(env: tuple[FakeDiscord, commands.Bot]) -> None:
    fake, bot = env
    channel = text_channel(bot, fake.text_channel_id)
    await asyncio.gather(*(channel.send(f"n{i}") for i in range(20)))
    assert len(fake.messages(channel.id)) == 20


async def test_rate_limit_headers_are_honoured_without_429s() -> None:
    async with FakeDiscord(rate_limit=(2, 0.2)) as fake, running_client(fake, make_bot()) as bot:
        channel = text_channel(bot, fake.text_channel_id)
        for i in range(5):
            await channel.send(f"m{i}")
        posts = fake.find_requests("POST", r"/messages$")
        assert [r.status for r in posts] == [200] * 5  # discord.py waited for the bucket to reset itself
        assert posts[-1].time - posts[0].time >= 0.2


def test_world_can_be_changed_before_start() -> None:
    fake = FakeDiscord()
    extra = fake.add_channel("screenings")
    newcomer = fake.add_member("newcomer")
    assert fake.channel(extra.id) is extra
    assert fake.world.get_member(fake.guild_id, newcomer.id) is newcomer
    assert fake.world.permissions_for(fake.guild_id, fake.moderator.id) & Perm.MANAGE_GUILD
    assert not fake.world.permissions_for(fake.guild_id, fake.member.id) & Perm.MANAGE_EVENTS


async def test_events_deleted_or_cancelled_by_a_user_are_dispatched(
    env: tuple[FakeDiscord, commands.Bot],
) -> None:
    fake, bot = env
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    seen: list[tuple[str, int, discord.EventStatus]] = []

    async def on_scheduled_event_update(
        before: discord.ScheduledEvent, after: discord.ScheduledEvent
    ) -> None:
        seen.append(("update", after.id, after.status))

    async def on_scheduled_event_delete(event: discord.ScheduledEvent) -> None:
        seen.append(("delete", event.id, event.status))

    bot.add_listener(on_scheduled_event_update)
    bot.add_listener(on_scheduled_event_delete)
    start = discord.utils.utcnow() + dt.timedelta(days=1)
    events = [
        await guild.create_scheduled_event(
            name=name,
            start_time=start,
            end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Screen 1",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        for name in ("Alien", "Aliens")
    ]
    await fake.wait_for(lambda: all(guild.get_scheduled_event(e.id) for e in events), what="events cached")
    await fake.set_scheduled_event_status(events[0].id, 4)
    await fake.delete_scheduled_event(events[1].id)
    await fake.wait_for(lambda: len(seen) == 2, what="both events")
    assert seen == [
        ("update", events[0].id, discord.EventStatus.cancelled),
        ("delete", events[1].id, discord.EventStatus.scheduled),
    ]
    assert [e["status"] for e in fake.scheduled_events()] == [4]
