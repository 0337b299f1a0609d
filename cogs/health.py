"""Feeds the process's health state (``/healthz``, ``/readyz``) and the interaction metrics from Discord
events; it has no commands. The services cannot watch the gateway themselves (they never import discord)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs._bot import ClubBot
from services import metrics
from services.health import HealthState


class Health(commands.Cog):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    @property
    def health(self) -> HealthState:
        return self.bot.services.health

    async def cog_load(self) -> None:
        self.health.latency = lambda: self.bot.latency
        if self.bot.is_ready():  # reloaded while connected: READY will not come again
            self.health.gateway_up()
            self.health.guilds_ready = True

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # discord.py dispatches READY after the first GUILD_CREATEs are in (or guild_ready_timeout passed).
        self.health.gateway_up()
        self.health.guilds_ready = True

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        self.health.gateway_up()

    @commands.Cog.listener()
    async def on_disconnect(self) -> None:
        self.health.gateway_down()

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command | app_commands.ContextMenu
    ) -> None:
        metrics.INTERACTIONS.labels(command=command.qualified_name).inc()


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Health(bot))
