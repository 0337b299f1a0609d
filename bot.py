"""Projectionist: command line and startup.

``python bot.py [run] [--config PATH]`` starts the bot; see ``python bot.py --help`` for the rest.
Startup follows discord.py's advanced_startup example: settings -> logging -> ``async with`` the HTTP
session and the database -> ``bot.start(token)``; resources are handed to the bot through its constructor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
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
from services.health import probe
from services.logs import JsonFormatter, set_log_context
from services.sdnotify import SystemdNotifier
from services.startup import NETWORK_ERRORS, TokenRefused, describe_network_error, wait_for_discord
from settings import ConfigError, LoggingSettings, Settings, describe, load_settings, redact_password
from storage.db import Database, DatabaseError, PostgresDatabase, open_database, postgres_schema_version
from storage.migrate import PG_MIGRATIONS_DIR, SchemaTooNewError, latest_version

log = logging.getLogger("projectionist")

EXIT_USAGE = 2
# A network that is down or Discord answering 5xx: worth waiting out, never a reason to crash.
_RETRYABLE: tuple[type[Exception], ...] = (*NETWORK_ERRORS, discord.DiscordServerError)
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

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        # Runs in the interaction's own task: every record logged while the command runs (and in tasks it
        # starts) carries these ids in JSON logs.
        set_log_context(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
            interaction_id=interaction.id,
        )
        return True

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
        *,
        on_login: Callable[[], None] | None = None,
        guild_ready_timeout: float = 2.0,
        **shard_options: Any,
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
            **shard_options,
        )
        self.settings = settings
        self.db = db
        self.services = Services.build(settings, db)
        self._on_login = on_login
        self.setup_started = False
        self.services.health.latency = lambda: self.latency
        point_client_at(self, settings.discord.api_base, settings.discord.gateway_url)

    async def setup_hook(self) -> None:
        from cogs import EXTENSIONS

        self.setup_started = True
        if self._on_login is not None:  # the token is good: Discord answered /users/@me
            self._on_login()
        from cogs._delivery import DiscordDelivery

        # every message the bot sends on its own goes through this one port (services.delivery)
        self.services.delivery.attach(DiscordDelivery(self))
        await self.services.start()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except _RETRYABLE as exc:
                # the commands Discord already has keep working; `bot.py doctor` shows any difference
                log.warning(
                    "could not sync commands to dev guild %s: %s", guild_id, describe_network_error(exc)
                )
            else:
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


class ShardedProjectionist(Projectionist, commands.AutoShardedBot):
    """The bot connecting several gateway shards, or a subset of them (``[discord] shard_ids``).

    discord.py routes each guild to shard ``(guild_id >> 22) % shard_count``; a process only receives the
    interactions and reactions of the guilds on its own shards. Everything it sends goes over REST, which needs
    no shard, so background work is shared between processes through leases in the database.
    """


def build_bot(settings: Settings, db: Database, **options: Any) -> Projectionist:
    """One shard in one process (the SQLite default) is the plain client; anything else is sharded."""
    count, ids = settings.discord.shard_count, settings.discord.shard_ids
    if count is None and not settings.storage.url:
        count = 1  # SQLite serves one process: no need to ask Discord for a recommendation
    if count == 1 and ids is None:
        return Projectionist(settings, db, **options)
    log.info("connecting shards %s of %s", list(ids) if ids is not None else "all", count or "recommended")
    bot = ShardedProjectionist(
        settings, db, shard_count=count, shard_ids=list(ids) if ids is not None else None, **options
    )
    if ids is not None and count is not None:
        mine, total = frozenset(ids), count
        bot.services.polls.owns_guild = lambda guild_id: (guild_id >> 22) % total in mine
    return bot


async def open_configured_database(settings: Settings) -> Database:
    """The database ``[storage]`` names (PostgreSQL at ``url``, else the SQLite file at ``path``), migrated."""
    storage = settings.storage
    return await open_database(
        storage.url,
        storage.path,
        busy_timeout=storage.busy_timeout,
        pool_size=storage.pool_size,
        lease_timeout=storage.lease_timeout,
    )


class _OneLineReconnect(logging.Filter):
    """discord.py logs every failed gateway (re)connect with a full traceback; keep it to one line.

    The reason (and the gateway address) is what a volunteer needs; a network being down is not a bug.
    """

    def __init__(self, gateway_url: str) -> None:
        super().__init__()
        self.gateway_url = gateway_url

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            exc = record.exc_info[1]
            reason = describe_network_error(exc) if exc is not None else "unknown"
            record.msg = f"gateway {self.gateway_url} unreachable: {reason}; {record.msg}"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(config: LoggingSettings, gateway_url: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if config.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s"))
    logging.basicConfig(
        level=getattr(logging, config.level.upper(), logging.INFO), handlers=[handler], force=True
    )
    logging.getLogger("discord.gateway").setLevel(max(logging.getLogger().level, logging.INFO))
    if gateway_url is not None:
        logging.getLogger("discord.client").addFilter(_OneLineReconnect(gateway_url))


def _fail(message: str) -> int:
    print(f"projectionist: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(path: str | None) -> Settings:
    return load_settings(Path(path) if path else None)


def _token_refused(settings: Settings, detail: str = "401 Unauthorized") -> int:
    return _fail(
        f"Discord refused the token in ${settings.discord.token_env} ({detail}); "
        f"create a new one as described in {README_TOKEN_SECTION}"
    )


async def _start(settings: Settings, token: str) -> int:
    """Wait for Discord, open the database, log in and stay connected until a signal asks to stop.

    A missing network (boot before the network is up, DNS down) is waited out with one log line per
    attempt; only a refused token ends the run early (exit 2).
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    bot: Projectionist | None = None
    stopping: list[asyncio.Task[None]] = []

    def request_stop(signame: str) -> None:
        log.info("received %s", signame)
        stop.set()
        if bot is not None and not stopping:
            stopping.append(asyncio.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, request_stop, sig.name)

    async def reachable(session: aiohttp.ClientSession) -> bool:
        """Wait for Discord (False: asked to stop meanwhile). Raises TokenRefused."""
        waiting = asyncio.create_task(wait_for_discord(session, settings.discord.api_base, token))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({waiting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (waiting, stopped):
            task.cancel()
        await asyncio.gather(waiting, stopped, return_exceptions=True)
        if waiting in done:
            waiting.result()
            return True
        return False

    async with aiohttp.ClientSession() as http_session:
        try:
            if not await reachable(http_session):
                return 0
        except TokenRefused:
            return _token_refused(settings)
        try:
            database = await open_configured_database(settings)
        except Exception as exc:
            # An unreachable server or a refused login is one line for the operator, not a traceback.
            if not settings.storage.url or not isinstance(exc, (OSError, *DatabaseError)):
                raise
            return _fail(f"cannot open the database {redact_password(settings.storage.url)}: {exc}")
        async with database as db:
            bot = build_bot(settings, db)
            notifier = SystemdNotifier.from_env()
            watchdog = asyncio.create_task(notifier.run(lambda: _healthy(bot)), name="sd-notify")
            try:
                async with bot:
                    code = await _login_and_connect(bot, settings, token, reachable, http_session)
                    if code is not None:
                        return code
            finally:
                notifier.stopping()
                watchdog.cancel()
                await asyncio.gather(watchdog, return_exceptions=True)
                if stopping:
                    await stopping[0]
    log.info("stopped cleanly")
    return 0


async def _healthy(bot: Projectionist) -> bool:
    """What systemd's watchdog is fed from: READY seen, the gateway socket open (every shard's, for a sharded
    bot), and the verdict /healthz gives (database reachable, no background loop stuck). A bot that lost its
    gateway or whose loops stopped stops feeding it, and systemd restarts it after WatchdogSec."""
    if isinstance(bot, commands.AutoShardedBot):
        shards = bot.shards.values()
        connected = bool(shards) and not any(s.is_closed() for s in shards)
    else:
        connected = bot.ws is not None and bot.ws.open
    if not (bot.is_ready() and not bot.is_closed() and connected):
        return False
    healthy, _ = await probe(bot.services.health, bot.services.db)
    return healthy


async def _login_and_connect(
    bot: Projectionist,
    settings: Settings,
    token: str,
    reachable: Callable[[aiohttp.ClientSession], Any],
    http_session: aiohttp.ClientSession,
) -> int | None:
    """Log in (waiting again if the network drops between the probe and the login) and run the gateway.

    Returns an exit code when the run must end early, None after a normal close.
    """
    while True:
        try:
            await bot.login(token)
            break
        except discord.LoginFailure:
            return _token_refused(settings)
        except _RETRYABLE as exc:
            if bot.setup_started:  # half set up: a clean restart (systemd) is safer than a second setup
                log.error("lost Discord during startup: %s; exiting", describe_network_error(exc))
                return 1
            await bot.http.close()  # discord.py opens a fresh session on each login attempt
            log.warning("lost Discord at %s: %s", settings.discord.api_base, describe_network_error(exc))
            try:
                if not await reachable(http_session):
                    return 0
            except TokenRefused:
                return _token_refused(settings)
    try:
        await bot.connect()
    except discord.PrivilegedIntentsRequired:
        return _fail("Discord refused the gateway intents; see `bot.py doctor` and the README")
    except discord.ConnectionClosed as exc:
        if exc.code == 4004:  # authentication failed on the gateway
            return _token_refused(settings, "gateway close code 4004")
        raise
    return None


def _token(settings: Settings) -> str:
    """The bot token from the environment variable the config names ("" when unset)."""
    return os.environ.get(settings.discord.token_env, "").strip()


def _settings_and_token(args: argparse.Namespace) -> tuple[Settings, str] | int:
    """The settings and the token for a command that talks to Discord, or the exit status of a one-line
    error (a config error, or no token)."""
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
    return settings, token


def cmd_run(args: argparse.Namespace) -> int:
    loaded = _settings_and_token(args)
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    http = settings.http
    if settings.storage.url and http.listen and not os.environ.get(http.calendar_key_env or "", "").strip():
        # No key file sits next to a server database, and every process must derive the same calendar links.
        return _fail(
            f"[storage] url is set: give every process the same calendar key in ${http.calendar_key_env} "
            "(for example the output of `openssl rand -base64 32`)"
        )
    configure_logging(settings.logging, settings.discord.gateway_url)
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
    if settings.storage.url:
        return _fail("backup copies the SQLite file; with [storage] url set, back up PostgreSQL with pg_dump")
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


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply pending migrations and exit (``run`` does the same at start; this lets an upgrade be checked
    and backed up around the schema change, or run by a unit before the bot starts)."""
    try:
        settings = _load(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    if settings.storage.url:
        return _migrate_postgres(settings.storage.url)
    path = Path(settings.storage.path)
    existed = path.exists()
    before = 0
    if existed:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                before = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            return _fail(f"cannot read {path}: {exc}")

    async def apply() -> None:
        async with await Database.open(path, busy_timeout=settings.storage.busy_timeout):
            pass  # opening migrates

    try:
        asyncio.run(apply())
    except SchemaTooNewError as exc:
        return _fail(str(exc))
    except sqlite3.Error as exc:
        return _fail(f"migrating {path} failed (nothing was changed by the failed step): {exc}")
    latest = latest_version()
    if not existed:
        print(f"created {path} at schema version {latest}")
    elif before == latest:
        print(f"{path} is already at schema version {latest}; nothing to do")
    else:
        print(f"migrated {path} from schema version {before} to {latest}")
    return 0


def _migrate_postgres(url: str) -> int:
    shown = redact_password(url)

    async def apply() -> tuple[int, int]:
        before = await postgres_schema_version(url)
        async with await PostgresDatabase.open_url(url, pool_size=1):
            pass  # opening migrates
        return before, latest_version(PG_MIGRATIONS_DIR)

    try:
        before, latest = asyncio.run(apply())
    except SchemaTooNewError as exc:
        return _fail(str(exc))
    except Exception as exc:
        if not isinstance(exc, (OSError, *DatabaseError)):
            raise
        return _fail(f"migrating {shown} failed (nothing was changed by the failed step): {exc}")
    if before == latest:
        print(f"{shown} is already at schema version {latest}; nothing to do")
    else:
        print(f"migrated {shown} from schema version {before} to {latest}")
    return 0


def cmd_migrate_data(args: argparse.Namespace) -> int:
    """Copy a SQLite club database into an empty PostgreSQL database (README: moving a club to PostgreSQL)."""
    from storage.copy import CopyError, copy_sqlite_to_postgres

    if not args.source.startswith("sqlite:"):
        return _fail("--from must be sqlite:PATH (the SQLite file to copy)")
    if not args.target.startswith(("postgresql://", "postgres://")):
        return _fail("--to must be a postgresql:// URL (an empty database)")
    source = Path(args.source.removeprefix("sqlite:"))
    shown = redact_password(args.target)
    if not source.is_file():
        return _fail(f"no SQLite database at {source}")
    try:
        copied = asyncio.run(copy_sqlite_to_postgres(source, args.target))
    except CopyError as exc:
        return _fail(str(exc))
    except Exception as exc:
        if not isinstance(exc, (OSError, *DatabaseError)):
            raise
        return _fail(f"copying {source} to {shown} failed (nothing was committed): {exc}")
    for table in copied:
        print(f"{table.table}: {table.rows} rows, checksum {table.checksum[:16]} verified")
    total = sum(t.rows for t in copied)
    print(f"copied {total} rows in {len(copied)} tables from {source} to {shown}")
    return 0


async def _registered_commands(settings: Settings) -> tuple[list[dict[str, Any]], discord.Intents]:
    """The commands this version registers (as discord.py sends them to Discord) and the bot's intents.

    The cogs are loaded into a bot that never connects, backed by a throwaway in-memory database.
    """
    from cogs import EXTENSIONS

    async with await Database.open(":memory:") as db:
        bot = Projectionist(settings, db)
        async with bot:
            for extension in EXTENSIONS:
                await bot.load_extension(extension)
            payloads = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
        return payloads, bot.intents


def cmd_doctor(args: argparse.Namespace) -> int:
    from domain.doctor import exit_status, render_table, to_json
    from services.doctor import DoctorRequest, run_doctor

    loaded = _settings_and_token(args)
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    # Only warnings reach stderr: stdout is the report (or the JSON document with --json).
    configure_logging(dataclasses.replace(settings.logging, level="WARNING"))
    logging.getLogger("discord").setLevel(logging.ERROR)  # its voice-support warnings are noise here

    async def check() -> list[Any]:
        commands, intents = await _registered_commands(settings)
        request = DoctorRequest(
            api_base=settings.discord.api_base,
            token=token,
            dev_guild_id=settings.discord.dev_guild_id,
            database_path=settings.storage.url or settings.storage.path,
            local_commands=commands,
            intents=intents.value,
            intent_names=[name for name, enabled in intents if enabled],
        )
        async with aiohttp.ClientSession() as session:
            return await run_doctor(request, session)

    findings = asyncio.run(check())
    print(to_json(findings) if args.json else render_table(findings))
    return exit_status(findings)


def cmd_sync(args: argparse.Namespace) -> int:
    loaded = _settings_and_token(args)
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    configure_logging(settings.logging)

    async def sync() -> int:
        async with await open_configured_database(settings) as db:
            bot = Projectionist(settings, db)
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
    doctor = with_config(
        sub.add_parser("doctor", help="check the token, commands, permissions, feeds and stuck posts")
    )
    doctor.add_argument("--json", action="store_true", help="print the findings as one JSON document")
    doctor.set_defaults(func=cmd_doctor)
    with_config(
        sub.add_parser("migrate", help="apply pending database migrations and exit (run does this at start)")
    ).set_defaults(func=cmd_migrate)
    copy = sub.add_parser(
        "migrate-data", help="copy a SQLite database into an empty PostgreSQL database, verified per table"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="sqlite:PATH")
    copy.add_argument("--to", dest="target", required=True, metavar="postgresql://USER@HOST:PORT/DBNAME")
    copy.set_defaults(func=cmd_migrate_data)
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
