"""A protocol-level Discord double for end-to-end tests of discord.py bots (REST + gateway on 127.0.0.1).

Quick start::

    from tests.fakediscord import FakeDiscord
    from tests.fakediscord.testing import FAST_GUILD_READY_TIMEOUT, running_client

    async def test_status() -> None:
        bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=FAST_GUILD_READY_TIMEOUT)
        ...  # add commands; sync them to discord.Object(fake.guild_id) in setup_hook
        async with FakeDiscord() as fake, running_client(fake, bot):
            record = await fake.slash("club status", user=fake.member)
            await record.wait_for_output()
            assert record.ephemeral and "open" in record.text
            assert fake.unknown_requests == []

``running_client`` calls ``bot.point_client_at``, logs in with ``fake.token``, connects, waits for READY
and for every guild to be cached, and closes the client at the end. Without it::

    point_client_at(bot, fake.api_base, fake.gateway_url)
    await bot.login(fake.token)
    task = asyncio.create_task(bot.connect())
    await bot.wait_until_ready()

What behaves like Discord (so bugs show up here rather than in production):

* Intents: events are only sent for the intents IDENTIFY asked for; MESSAGE_CREATE/UPDATE content, embeds,
  attachments and components are blanked without MESSAGE_CONTENT (unless the bot wrote or is mentioned);
  GUILD_CREATE carries only the bot's own member unless GUILD_PRESENCES is on (discord.py then chunks
  with REQUEST_GUILD_MEMBERS when the members intent is on, which the fake answers).
* Permissions: Discord's algorithm (roles, @everyone/role/member overwrites, implicit denies); sending
  where the bot lacks SEND_MESSAGES -> 403/50013, cannot see the channel -> 403/50001.
* Interactions: 3 s to send the initial response (``interaction_deadline``), a second response is
  40060, the first follow-up after a "thinking" defer replaces the placeholder and keeps the defer's
  visibility, ephemeral messages are never in channel history nor dispatched.
* Validation: content/embed/component/command limits -> 400/50035 with Discord's nested ``errors``;
  unknown emoji (``"thumbsup"``) -> 10014; empty message -> 50006; ``nonce`` + ``enforce_nonce`` dedupe.
"""

from __future__ import annotations

from .interactions import InteractionRecord, message_text
from .server import FakeDiscord, RecordedRequest
from .state import ChannelType, FakeChannel, FakeMember, FakeRole, Intents, Overwrite, Perm

__all__ = [
    "ChannelType",
    "FakeChannel",
    "FakeDiscord",
    "FakeMember",
    "FakeRole",
    "Intents",
    "InteractionRecord",
    "Overwrite",
    "Perm",
    "RecordedRequest",
    "message_text",
]
