"""Discord adapters. Each module listed here is a discord.py extension loaded by ``setup_hook``."""

EXTENSIONS: tuple[str, ...] = (
    "cogs.club",
    "cogs.feeds",
    "cogs.watchparty",
    "cogs.polls",
)
