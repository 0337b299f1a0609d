"""Projectionist: command line and startup.

``python bot.py [run] [--config PATH]`` starts the bot; see ``python bot.py --help`` for the rest.
Startup follows discord.py's advanced_startup example: settings -> logging -> ``async with`` the HTTP
session and the database -> ``bot.start(token)``; resources are handed to the bot through its constructor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import discord
import discord.http
import yarl
from discord import app_commands
from discord.ext import commands

from cogs._bot import ClubBot
from cogs._ui import describe_app_command_error, reply
from services import metrics
from services.container import Services
from settings import ConfigError, Settings, describe, load_settings
from storage.db import Database
from storage.migrate import SchemaTooNewError

log = logging.getLogger("projectionist")

EXIT_USAGE = 2
README_TOKEN_SECTION = "README.md, section 'Create the Discord application'"


def point_client_at(client: discord.Client, api_base: str, gateway_url: str) -> None:
    """Make every REST call go through ``api_base`` and every gateway connection to ``gateway_url``.

    discord.py builds REST URLs from the class attribute ``Route.BASE`` (interaction callbacks and
    follow-up webhooks use the same ``Route``), so that is set process-wide. The gateway is harder: an
    unsharded client connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` and RESUMEs to the
    ``resume_gateway_url`` from READY, so the client's ``ws_connect`` is wrapped to rewrite any gateway URL
    to ``gateway_url`` while keeping its query (version, encoding, compression).
    """
    discord.http.Route.BASE = api_base.rstrip("/")
    target = yarl.URL(gateway_url)
    http = client.http
    original = http.ws_connect

    async def ws_connect(url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        wanted = target.with_query(yarl.URL(url).query)
        return await original(str(wanted), compress=compress)

    http.ws_connect = ws_connect  # type: ignore[method-assign]


class ProjectionistTree(app_commands.CommandTree["Projectionist"]):
    """One error handler for every app command (cogs raise, this answers)."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        message = describe_app_command_error(error)
        command = interaction.command.qualified_name if interaction.command else "?"
        metrics.interaction_failed(command, expected=message is not None)
        if message is None:
            log.error(
                "command /%s failed (guild %s, channel %s, user %s, interaction %s)",
                command,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                interaction.id,
                exc_info=error,
            )
            message = "Something went wrong on my side; it has been logged. Please try again later."
        try:
            await reply(interaction, message)
        except discord.HTTPException:
            log.warning(
                "could not tell user %s about an error in interaction %s", interaction.user.id, interaction.id
            )


class Projectionist(ClubBot):
    def __init__(
        self,
        settings: Settings,
        db: Database,
        http_session: aiohttp.ClientSession,
        *,
        on_login: Callable[[], None] | None = None,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_reactions = True
        intents.guild_scheduled_events = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=ProjectionistTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            max_messages=None,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.settings = settings
        self.db = db
        self.http_session = http_session
        self.services = Services.build(settings, db, http_session)
        self._on_login = on_login
        self.services.health.latency = lambda: self.latency
        point_client_at(self, settings.discord.api_base, settings.discord.gateway_url)

    async def setup_hook(self) -> None:
        from cogs import EXTENSIONS

        if self._on_login is not None:  # the token is good: Discord answered /users/@me
            self._on_login()
        await self.services.start()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to dev guild %s", len(synced), guild_id)
        self.services.health.commands_synced = True  # for /readyz (globally: done earlier by `bot.py sync`)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s (id %s) in %d guilds", self.user, self.user.id, len(self.guilds))
        # discord.py dispatches READY once the first GUILD_CREATEs are in (or guild_ready_timeout passed)
        self.services.health.guilds_ready = True
        self.services.health.gateway_up()

    # The gateway state for /healthz, pushed from here because services never import discord.
    async def on_resumed(self) -> None:
        self.services.health.gateway_up()

    async def on_disconnect(self) -> None:
        self.services.health.gateway_down()

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        metrics.INTERACTIONS.labels(command=command.qualified_name).inc()

    async def close(self) -> None:
        log.info("shutting down")
        await super().close()  # unloads extensions: cog_unload stops loops
        await self.services.close()


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.getLogger("discord.gateway").setLevel(max(logging.getLogger().level, logging.INFO))


def _fail(message: str) -> int:
    print(f"projectionist: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(path: str | None) -> Settings:
    return load_settings(Path(path) if path else None)


async def _start(settings: Settings, token: str) -> int:
    loop = asyncio.get_running_loop()
    async with (
        aiohttp.ClientSession() as http_session,
        await Database.open(settings.storage.path, busy_timeout=settings.storage.busy_timeout) as db,
    ):
        # Logging starts once the token is known good (setup_hook), so a bad token stays a single line.
        bot = Projectionist(
            settings, db, http_session, on_login=lambda: configure_logging(settings.logging.level)
        )
        stopping: list[asyncio.Task[None]] = []

        def request_stop(signame: str) -> None:
            log.info("received %s", signame)
            if not stopping:
                stopping.append(asyncio.create_task(bot.close()))

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
                loop.add_signal_handler(sig, request_stop, sig.name)
        try:
            async with bot:
                try:
                    await bot.login(token)
                except discord.LoginFailure:
                    return _fail(
                        f"Discord refused the token in ${settings.discord.token_env} (401 Unauthorized); "
                        f"create a new one as described in {README_TOKEN_SECTION}"
                    )
                await bot.connect()
        finally:
            if stopping:
                await stopping[0]
    log.info("stopped cleanly")
    return 0


def _token(settings: Settings) -> str:
    """The bot token from the environment variable the config names ("" when unset)."""
    return os.environ.get(settings.discord.token_env, "").strip()


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    token = _token(settings)
    if not token:
        return _fail(
            f"no bot token: set the environment variable {settings.discord.token_env} "
            f"(see {README_TOKEN_SECTION})"
        )
    try:
        return asyncio.run(_start(settings, token))
    except SchemaTooNewError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:  # pragma: no cover - the signal handler normally wins
        return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    effective = describe(settings)
    source = settings.source or "built-in defaults (no config.toml found)"
    token_set = bool(_token(settings))
    print(f"# configuration OK: {source}")
    print(f"# token: ${settings.discord.token_env} is {'set (hidden)' if token_set else 'NOT set'}")
    print(json.dumps(effective, indent=2))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    source = Path(settings.storage.path)
    dest = Path(args.path)
    if not source.exists():
        return _fail(f"no database at {source} (storage.path in {settings.source or 'defaults'})")
    if dest.exists():
        return _fail(f"{dest} already exists; choose a new file name")
    # The SQLite online backup API copies a consistent snapshot while the bot keeps writing (WAL mode).
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        dest.unlink(missing_ok=True)
        return _fail(f"backup failed: {exc}")
    print(f"backed up {source} to {dest} ({dest.stat().st_size} bytes)")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    token = _token(settings)
    if not token:
        return _fail(
            f"no bot token: set the environment variable {settings.discord.token_env} "
            f"(see {README_TOKEN_SECTION})"
        )
    configure_logging(settings.logging.level)

    async def sync() -> int:
        async with aiohttp.ClientSession() as http_session, await Database.open(settings.storage.path) as db:
            bot = Projectionist(settings, db, http_session)
            async with bot:
                try:
                    await bot.login(token)
                except discord.LoginFailure:
                    return _fail(f"Discord refused the token in ${settings.discord.token_env}")
                synced = await bot.tree.sync()
                print(f"synced {len(synced)} global commands (they may take a while to appear)")
        return 0

    return asyncio.run(sync())


def cmd_preview(args: argparse.Namespace) -> int:
    from services.preview import run_preview

    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    return run_preview(
        settings, args.source, as_json=args.json, limit=args.limit, out=sys.stdout, err=sys.stderr
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Projectionist, a Discord bot for film clubs."
    )
    sub = parser.add_subparsers(dest="command")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--config", metavar="PATH", help="TOML config file (default: ./config.toml if present)"
        )
        return p

    with_config(sub.add_parser("run", help="start the bot (default)")).set_defaults(func=cmd_run)
    with_config(
        sub.add_parser("check-config", help="validate the config and print the effective settings")
    ).set_defaults(func=cmd_check_config)
    backup = with_config(sub.add_parser("backup", help="copy the live database consistently to PATH"))
    backup.add_argument("path", metavar="PATH")
    backup.set_defaults(func=cmd_backup)
    with_config(
        sub.add_parser("sync", help="sync slash commands globally (may take up to an hour)")
    ).set_defaults(func=cmd_sync)
    preview = with_config(
        sub.add_parser("preview", help="print what the bot would post for a feed or article")
    )
    preview.add_argument("source", metavar="SOURCE", help="a feed URL or a local RSS/Atom/HTML/text file")
    preview.add_argument("--json", action="store_true", help="one JSON object per item")
    preview.add_argument("--limit", type=int, default=None, metavar="N", help="at most N items")
    preview.set_defaults(func=cmd_preview)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help")):
        words = ["run", *words]  # `run` is the default subcommand
    args: Any = build_parser().parse_args(words)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
