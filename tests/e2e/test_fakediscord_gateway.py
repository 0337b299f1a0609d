"""The fake's gateway against a real discord.py client: READY/GUILD_CREATE, chunking, RESUME, auth, framing."""

from __future__ import annotations

import asyncio
import json
import time
import zlib

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.testing import running_client
from tests.helpers.bots import make_bot


async def test_ready_with_guild_cached_quickly() -> None:
    started = time.monotonic()
    async with FakeDiscord() as fake, running_client(fake, make_bot()) as bot:
        elapsed = time.monotonic() - started
        assert elapsed < 1.0
        assert bot.user is not None and bot.user.id == fake.bot_user_id
        assert bot.application_id == fake.application_id
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None and guild.name == "Projectionist Test Club"
        assert {c.id for c in guild.channels} >= {
            fake.text_channel_id,
            fake.news_channel_id,
            fake.announce_channel_id,
            fake.readonly_channel_id,
            fake.voice_channel_id,
            fake.stage_channel_id,
        }
        assert isinstance(guild.get_channel(fake.announce_channel_id), discord.TextChannel)
        assert guild.get_channel(fake.announce_channel_id).is_news()  # type: ignore[union-attr]
        assert isinstance(guild.get_channel(fake.stage_channel_id), discord.StageChannel)
        roles = {r.name: r for r in guild.roles}
        assert roles["Moderator"].permissions.manage_guild and roles["Moderator"].permissions.manage_events
        assert (
            roles["Organiser"].permissions.manage_events and not roles["Organiser"].permissions.manage_guild
        )
        assert guild.default_role.id == fake.guild_id
        # Without GUILD_PRESENCES Discord only puts the bot's own member in GUILD_CREATE.
        assert guild.me is not None and guild.me.id == fake.bot_user_id
        readonly = guild.get_channel(fake.readonly_channel_id)
        assert readonly is not None and not readonly.permissions_for(guild.me).send_messages
        general = guild.get_channel(fake.text_channel_id)
        assert general is not None and general.permissions_for(guild.me).send_messages
        assert bot.get_guild(fake.other_guild_id) is not None
        assert fake.gateway.identifies[0]["intents"] == bot.intents.value
        assert fake.unknown_requests == []


async def test_members_intent_chunks_every_member() -> None:
    async with FakeDiscord() as fake, running_client(fake, make_bot(members=True)) as bot:
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None
        await fake.wait_for(lambda: guild.chunked, what="guild chunked")
        assert guild.get_member(fake.moderator.id) is not None
        assert guild.get_member(fake.moderator.id).guild_permissions.manage_guild  # type: ignore[union-attr]
        assert len(guild.members) == len(fake.world.guilds[fake.guild_id].members)
        assert len(fake.members) >= 5
        assert fake.gateway.member_requests


async def test_drop_gateway_resumes_and_replays_missed_events() -> None:
    async with FakeDiscord() as fake, running_client(fake, make_bot()) as bot:
        seen: list[int] = []
        resumed = asyncio.Event()

        async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
            seen.append(payload.user_id)

        async def on_resumed() -> None:
            resumed.set()

        bot.add_listener(on_raw_reaction_add)
        bot.add_listener(on_resumed)
        channel = bot.get_channel(fake.text_channel_id)
        assert isinstance(channel, discord.TextChannel)
        message = await channel.send("vote here")

        assert await fake.drop_gateway() == 1
        # Sent while the client is disconnected: must be buffered and replayed on RESUME.
        await fake.react(channel.id, message.id, "🎬", user=fake.member)
        await asyncio.wait_for(resumed.wait(), 5)
        await fake.wait_for(lambda: fake.member.id in seen, what="replayed reaction")
        assert fake.resume_count == 1
        assert fake.identify_count == 1
        # The connection is usable afterwards.
        await fake.react(channel.id, message.id, "🍿", user=fake.moderator)
        await fake.wait_for(lambda: fake.moderator.id in seen, what="live reaction after resume")


async def test_resumable_invalid_session_makes_client_resume() -> None:
    async with FakeDiscord() as fake, running_client(fake, make_bot()):
        await fake.invalidate_session(resumable=True)
        await fake.wait_for(lambda: fake.resume_count == 1 and fake.gateway.connected, what="resume")
        assert fake.identify_count == 1


async def test_resume_with_unknown_session_gets_op_9() -> None:
    # (discord.py sleeps 5 s before re-identifying, so the non-resumable path is checked on a raw socket.)
    async with (
        FakeDiscord() as fake,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        await ws.receive(timeout=2)
        await ws.send_json({"op": 6, "d": {"token": fake.token, "session_id": "nope", "seq": 3}})
        invalid = json.loads((await ws.receive(timeout=2)).data)
        assert invalid == {"op": 9, "d": False, "s": None, "t": None}


async def test_bad_token_is_login_failure() -> None:
    async with FakeDiscord() as fake:
        with pytest.raises(discord.LoginFailure):
            async with running_client(fake, make_bot(), token="not-the-token"):
                pass
        assert fake.find_requests("GET", "^/users/@me$")[0].status == 401


async def test_gateway_identify_with_bad_token_closes_4004_and_plain_text_frames() -> None:
    async with (
        FakeDiscord() as fake,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive(timeout=2)
        assert hello.type is aiohttp.WSMsgType.TEXT
        assert json.loads(hello.data) == {
            "op": 10,
            "d": {"heartbeat_interval": 41250},
            "s": None,
            "t": None,
        }
        await ws.send_json({"op": 1, "d": None})
        ack = await ws.receive(timeout=2)
        assert json.loads(ack.data)["op"] == 11
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        closed = await ws.receive(timeout=2)
        assert closed.type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4004 or closed.data == 4004


async def test_zstd_stream_request_gets_plain_text_frames() -> None:
    # discord.py asks for zstd-stream when a zstd module exists; it also accepts uncompressed text frames.
    async with (
        FakeDiscord() as fake,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json&compress=zstd-stream") as ws,
    ):
        hello = await ws.receive(timeout=2)
        assert hello.type is aiohttp.WSMsgType.TEXT and json.loads(hello.data)["op"] == 10


async def test_zlib_stream_frames_and_custom_heartbeat() -> None:
    async with FakeDiscord(heartbeat_interval=5000) as fake, aiohttp.ClientSession() as session:
        url = f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with session.ws_connect(url) as ws:
            inflator = zlib.decompressobj()

            async def receive() -> dict[str, object]:
                msg = await ws.receive(timeout=2)
                assert msg.type is aiohttp.WSMsgType.BINARY
                assert msg.data.endswith(b"\x00\x00\xff\xff")
                return json.loads(inflator.decompress(msg.data))

            assert (await receive())["d"] == {"heartbeat_interval": 5000}
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}})
            ready = await receive()
            assert ready["t"] == "READY" and ready["s"] == 1
            first = await receive()
            assert first["t"] == "GUILD_CREATE" and first["s"] == 2


async def _contents_seen(fake: FakeDiscord, *, message_content: bool) -> list[str]:
    got: list[str] = []
    bot = make_bot(message_content=message_content)

    async def on_message(message: discord.Message) -> None:
        got.append(message.content)

    bot.add_listener(on_message)
    async with running_client(fake, bot):
        await fake.post_message(fake.text_channel_id, "Alien (1979) tonight?", user=fake.member)
        await fake.wait_for(lambda: bool(got), what="on_message")
    return got


async def test_message_content_intent_is_enforced() -> None:
    async with FakeDiscord() as fake:
        assert await _contents_seen(fake, message_content=False) == [""]
        assert await _contents_seen(fake, message_content=True) == ["Alien (1979) tonight?"]


async def test_heartbeat_latency_is_measured_from_its_own_beat() -> None:
    """An instant ACK can reach discord.py's loop before its keep-alive thread has recorded the send time, so the
    latency is measured from the previous beat (with Discord's 41.25 s interval: "Can't keep up, ... 41.3s
    behind"). The fake acknowledges after a little network time, as Discord does."""
    async with FakeDiscord(heartbeat_interval=150) as fake, running_client(fake, make_bot()) as bot:
        latencies: list[float] = []

        def sample() -> bool:
            latencies.append(bot.latency)
            return fake.gateway.heartbeats >= 40

        await fake.wait_for(sample, timeout=20)
    assert max(latencies) < 0.12, sorted(latencies)[-5:]
