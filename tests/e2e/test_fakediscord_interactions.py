"""App commands, components and modals through the fake, answered by a real discord.py bot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import FakeDiscord
from tests.fakediscord.testing import running_client
from tests.helpers.bots import make_bot


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"vote:(?P<film>\d+)"):
    def __init__(self, film: int) -> None:
        super().__init__(discord.ui.Button(label="Vote", custom_id=f"vote:{film}"))
        self.film = film

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["film"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"voted for film {self.film}", ephemeral=True)


class RsvpView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Going", custom_id="rsvp:going")
    async def going(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} is going", view=self)


class SuggestModal(discord.ui.Modal, title="Suggest a film"):
    film: discord.ui.TextInput = discord.ui.TextInput(label="Film", custom_id="film")
    why: discord.ui.TextInput = discord.ui.TextInput(label="Why", custom_id="why", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"suggested {self.film.value} because {self.why.value}")


FILMS = ["Alien", "Aliens", "Amelie", "Brazil", "Casablanca"]


async def add_views(bot: commands.Bot) -> None:
    bot.add_view(RsvpView())
    bot.add_dynamic_items(VoteButton)


def club_bot(guild_id: int) -> commands.Bot:
    """The /club commands of a film club, answered in every way an interaction can be."""
    bot = make_bot(guild_id=guild_id, messages=False, setup=add_views)
    club = app_commands.Group(name="club", description="Film club commands")

    @club.command(name="status", description="Show club status")
    async def status(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Club is open", ephemeral=True)

    @club.command(name="slow", description="Deferred answer")
    async def slow(interaction: discord.Interaction, film: str) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.01)
        await interaction.followup.send(embed=discord.Embed(title=film, description="Tonight at 8"))
        await interaction.followup.send("and one more thing", ephemeral=True)

    @club.command(name="poll", description="Post a vote button")
    async def poll(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(VoteButton(42))
        await interaction.response.send_message("Vote!", view=view)

    @club.command(name="rsvp", description="Post an RSVP message")
    async def rsvp(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("RSVP here", view=RsvpView())

    @club.command(name="suggest", description="Suggest a film")
    async def suggest(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(SuggestModal())

    @club.command(name="remind", description="Remind someone")
    @app_commands.describe(who="who", where="channel", times="how often", role="role to ping")
    async def remind(
        interaction: discord.Interaction,
        who: discord.Member,
        where: discord.TextChannel,
        times: int,
        role: discord.Role | None = None,
    ) -> None:
        perms = interaction.permissions.manage_events
        await interaction.response.send_message(
            f"{who.name} in #{where.name} x{times} role={role.name if role else None} manage_events={perms}"
        )

    @club.command(name="watch", description="Pick a film")
    async def watch(interaction: discord.Interaction, film: str) -> None:
        await interaction.response.send_message(f"watching {film}")

    @watch.autocomplete("film")
    async def watch_film(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FILMS if f.lower().startswith(current.lower())]

    @club.command(name="late", description="Answers too late")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            bot.late_error = exc  # type: ignore[attr-defined]

    bot.tree.add_command(club)
    return bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


async def test_sync_is_recorded_with_ids(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        [club] = fake.commands(fake.guild_id)
        assert club["name"] == "club" and club["guild_id"] == str(fake.guild_id)
        assert {o["name"] for o in club["options"]} >= {"status", "slow", "poll", "remind", "watch"}
        assert fake.commands() == []
        assert fake.find_requests(
            "PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$"
        )


async def test_slash_answered_ephemeral(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        record = await fake.slash("club status", user=fake.member)
        response = await record.response()
        assert response["type"] == 4
        assert record.ephemeral and record.content == "Club is open"
        assert fake.messages(fake.text_channel_id) == []  # ephemeral answers are not in the channel


async def test_unsynced_command_is_a_test_error(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        with pytest.raises(LookupError, match="has not been synced"):
            await fake.slash("nope", user=fake.member)


async def test_deferred_then_followups(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        record = await fake.slash("club slow", {"film": "Brazil"}, user=fake.member)
        assert (await record.response())["type"] == 5
        output = await record.wait_for_output()
        # the first follow-up replaces the "thinking" placeholder and stays public
        assert output["embeds"][0]["title"] == "Brazil"
        assert not record.ephemeral and not record.loading
        second = await record.wait_for_followup(count=2)
        assert second["content"] == "and one more thing" and second["flags"] & 64
        [public] = fake.messages(fake.text_channel_id)
        assert public["id"] == output["id"] and public["interaction_metadata"]["user"]["id"] == str(
            fake.member.id
        )
        assert "Tonight at 8" in record.text


async def test_options_are_resolved(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        record = await fake.slash(
            "club remind",
            {
                "who": fake.moderator,
                "where": fake.news_channel_id,
                "times": 3,
                "role": fake.organiser_role_id,
            },
            user=fake.organiser,
        )
        await record.wait_for_output()
        assert record.content == "mod-maria in #film-news x3 role=Organiser manage_events=True"
        with pytest.raises(ValueError, match="required option"):
            await fake.slash("club remind", {"who": fake.moderator}, user=fake.member)


async def test_dynamic_item_button(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        posted = await fake.slash("club poll", user=fake.moderator)
        message = await posted.wait_for_output()
        press = await fake.press_button(int(message["id"]), "vote:42", user=fake.member)
        await press.wait_for_output()
        assert press.content == "voted for film 42" and press.ephemeral


async def test_persistent_view_button_updates_message(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        posted = await fake.slash("club rsvp", user=fake.moderator)
        message = await posted.wait_for_output()
        press = await fake.press_button(int(message["id"]), "rsvp:going", user=fake.members[0])
        assert (await press.response())["type"] == 7
        assert fake.message(int(message["id"]))["content"] == "alice is going"  # type: ignore[index]
        with pytest.raises(LookupError):
            await fake.press_button(int(message["id"]), "missing", user=fake.member)


async def test_autocomplete_returns_choices(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        choices = await fake.autocomplete("club watch", {"film": "al"}, focused="film", user=fake.member)
        assert [c["value"] for c in choices] == ["Alien", "Aliens"]


async def test_modal_round_trip(fake: FakeDiscord) -> None:
    async with running_client(fake, club_bot(fake.guild_id)):
        opened = await fake.slash("club suggest", user=fake.member)
        assert (await opened.response())["type"] == 9
        assert opened.modal is not None and opened.modal["title"] == "Suggest a film"
        submitted = await fake.submit_modal(
            opened.modal["custom_id"], {"film": "Alien", "why": "space"}, user=fake.member
        )
        await submitted.wait_for_output()
        assert submitted.content == "suggested Alien because space"


async def test_late_response_is_unknown_interaction() -> None:
    async with (
        FakeDiscord(interaction_deadline=0.1) as fake,
        running_client(fake, club_bot(fake.guild_id)) as bot,
    ):
        record = await fake.slash("club late", user=fake.member)
        await fake.wait_for(lambda: hasattr(bot, "late_error"), what="NotFound in the bot")
        assert bot.late_error.code == 10062  # type: ignore[attr-defined]
        assert not record.responded
