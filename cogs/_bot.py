"""The bot as cogs see it.

Cogs need the bot's services and settings, typed. Importing ``bot.ClubBot`` for that would make
``cogs`` depend on ``bot.py`` (which imports the cogs), so the attributes are declared here and
``bot.ClubBot`` subclasses this class: the dependency points one way, ``bot.py -> cogs``.
"""

from __future__ import annotations

from discord.ext import commands

from services.container import Services
from settings import Settings


class ClubBot(commands.Bot):
    services: Services
    settings: Settings
