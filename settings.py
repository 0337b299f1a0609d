"""Typed, frozen settings read from a TOML file.

Every key has a default (``config.example.toml`` mirrors them and a test keeps the two in step), so a club
can start with no file at all. Errors name the file, the key and the reason, because a config mistake
found at 3 a.m. by someone who did not write the file should be fixable from the message alone. The bot
token is never read from the file, only from the environment variable named by ``discord.token_env``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
import urllib.parse
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.schedule import DurationError, format_compact_duration, parse_compact_duration

DEFAULT_CONFIG_NAME = "config.toml"


def _format_duration(seconds: float) -> str:
    return format_compact_duration(int(seconds))


class ConfigError(Exception):
    """A config problem, with the file and key it concerns.

    ``errors`` lists every problem found in the file (``[self]`` for a single one): a volunteer fixing a
    config should see all of its mistakes at once, not one per restart. With several problems, ``key`` is
    None and the message has one line per problem.
    """

    def __init__(self, path: str | Path | None, key: str | None, reason: str) -> None:
        self.path = str(path) if path is not None else "<defaults>"
        self.key = key
        self.reason = reason
        self.errors: list[ConfigError] = [self]
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {reason}")

    @classmethod
    def combine(cls, path: str | Path | None, errors: list[ConfigError]) -> ConfigError:
        """One error for ``errors``: the error itself when there is one, else a summary listing them all."""
        if len(errors) == 1:
            return errors[0]
        combined = cls(path, None, f"{len(errors)} problems")
        combined.errors = list(errors)
        lines = [f"{combined.path}: {len(errors)} problems:"] + [f"  {e}" for e in errors]
        combined.args = ("\n".join(lines),)
        return combined


def _duration(default: str, *, minimum: float = 0.0) -> Any:
    """A duration field: written as ``"15m"`` in TOML, held as seconds (float)."""
    return field(default=float(parse_compact_duration(default)), metadata={"duration": True, "min": minimum})


def _durations(*defaults: str) -> Any:
    values = tuple(float(parse_compact_duration(d)) for d in defaults)
    return field(default=values, metadata={"duration": True, "min": 0.0})


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    token_env: str = "DISCORD_TOKEN"
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    # Discord de-duplicates a re-sent nonce only for a few minutes: within this time after a message's first
    # send attempt a retry trusts the nonce, after it the retry looks in the channel first (services.delivery).
    nonce_window: float = _duration("2m", minimum=1)
    dev_guild_id: int | None = None
    # Gateway shards in all (None: Discord's recommendation, or 1 under SQLite) and the ones THIS process
    # connects (None: all of them). Interactions and reactions of a server reach the process owning its shard.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class StorageSettings:
    path: str = "projectionist.sqlite3"
    busy_timeout: float = _duration("5s")
    # "postgresql://user@host:port/dbname" selects PostgreSQL (credentials may come from PG* variables or
    # .pgpass); empty keeps the SQLite file at `path`.
    url: str = ""
    # Connections each process keeps to PostgreSQL.
    pool_size: int = 10
    # How long background work a process claimed (a feed's fetch, a message's send) stays its own; a process
    # that dies leaves its work to the others after this.
    lease_timeout: float = _duration("60s", minimum=5)


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = "INFO"
    # "text" (one readable line per record) or "json" (one JSON object per line, for log collectors)
    format: str = "text"


@dataclass(frozen=True, slots=True)
class FeedSettings:
    interval: float = _duration("15m", minimum=1)
    min_interval: float = _duration("5m", minimum=1)
    max_backoff: float = _duration("6h", minimum=1)
    timeout: float = _duration("30s", minimum=1)
    connect_timeout: float = _duration("10s", minimum=1)
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    per_host_concurrency: int = 2
    concurrency: int = 16
    allow_private_addresses: bool = False
    posts_per_channel_per_cycle: int = 5
    warn_after_failures: int = 3
    pause_after: float = _duration("1d", minimum=1)
    probe_interval: float = _duration("1d", minimum=1)
    flood_ratio: float = 0.8
    parse_workers: int = 2
    parse_timeout: float = _duration("20s", minimum=1)
    parse_memory_mb: int = 512
    user_agent: str = (
        "Projectionist/0.1 (+https://github.com/projectionist/projectionist; Discord film-club bot)"
    )


@dataclass(frozen=True, slots=True)
class DigestSettings:
    summary_sentences: int = 3
    max_summary_chars: int = 600
    fetch_full_article: bool = False


@dataclass(frozen=True, slots=True)
class WatchPartySettings:
    default_timezone: str = "UTC"
    default_duration: float = _duration("2h30m", minimum=60)
    reminders: tuple[float, ...] = _durations("24h", "1h", "0s")
    grace: float = _duration("10m")
    spoiler_window: float = _duration("24h")
    max_ahead: float = _duration("365d", minimum=60)


@dataclass(frozen=True, slots=True)
class PollSettings:
    default_duration: float = _duration("24h", minimum=60)
    create_cooldown: float = _duration("30s")
    nominations_per_member: int = 1


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """The optional HTTP server (health, metrics, the club calendar). Empty ``listen`` keeps it off."""

    listen: str = ""
    public_url: str = ""
    rate_per_minute: int = 60
    rate_burst: int = 30
    # The environment variable holding the key calendar links are derived from (see services/calendar.py);
    # unset or empty, the key lives in a file next to the database. An empty name: never read the environment.
    calendar_key_env: str = "PROJECTIONIST_CALENDAR_KEY"


@dataclass(frozen=True, slots=True)
class Settings:
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    watchparty: WatchPartySettings = field(default_factory=WatchPartySettings)
    polls: PollSettings = field(default_factory=PollSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    source: str | None = field(default=None, compare=False)


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOG_FORMATS = ("text", "json")
# Keys that used to exist: say why they went instead of a bare "unknown key" (the example file shipped them).
_REMOVED = {"discord.owner_ids": "it was never read (admin commands are gated by Discord permissions)"}


def _convert(path: str | Path | None, key: str, f: dataclasses.Field[Any], hint: Any, value: Any) -> Any:
    """Check and convert one TOML value to the field's type."""
    is_duration = f.metadata.get("duration", False)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)

    if origin in (types.UnionType, typing.Union) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return _convert(path, key, f, inner, value)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(path, key, f"expected a list, got {type(value).__name__}")
        return tuple(_convert(path, f"{key}[{i}]", f, args[0], v) for i, v in enumerate(value))
    if is_duration:
        try:
            seconds = float(parse_compact_duration(value))
        except DurationError as exc:
            raise ConfigError(path, key, str(exc)) from None
        minimum = f.metadata.get("min", 0.0)
        if seconds < minimum:
            raise ConfigError(path, key, f"must be at least {_format_duration(minimum)}")
        return seconds
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, key, f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, key, f"expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, key, f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(path, key, f"expected a string, got {value!r}")
        return value
    raise ConfigError(path, key, f"unsupported setting type {hint!r}")  # pragma: no cover - programming error


def _build(
    cls: type[Any], data: Mapping[str, Any], path: str | Path | None, prefix: str, errors: list[ConfigError]
) -> Any:
    """Build ``cls`` from ``data``; a bad value is recorded in ``errors`` and left at its default."""
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    for name in sorted(set(data) - set(known)):
        key = f"{prefix}{name}"
        if key in _REMOVED:
            errors.append(ConfigError(path, key, f"no longer a setting: {_REMOVED[key]}; delete the line"))
        else:
            errors.append(ConfigError(path, key, f"unknown key (known keys: {', '.join(sorted(known))})"))
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        f = known[name]
        hint = hints[name]
        try:
            if dataclasses.is_dataclass(hint):
                if not isinstance(value, dict):
                    raise ConfigError(path, f"{prefix}{name}", "expected a [section] table")
                kwargs[name] = _build(hint, value, path, f"{prefix}{name}.", errors)  # type: ignore[arg-type]
            else:
                kwargs[name] = _convert(path, f"{prefix}{name}", f, hint, value)
        except ConfigError as exc:
            errors.append(exc)
    return cls(**kwargs)


def _validate(settings: Settings, path: str | Path | None) -> list[ConfigError]:
    """Rules across keys and ranges; every broken rule is returned, not only the first."""
    errors: list[ConfigError] = []

    def bad(key: str, reason: str) -> None:
        errors.append(ConfigError(path, key, reason))

    if settings.logging.level.upper() not in _LOG_LEVELS:
        bad("logging.level", f"expected one of {', '.join(_LOG_LEVELS)}")
    if settings.logging.format not in _LOG_FORMATS:
        bad("logging.format", f"expected one of {', '.join(_LOG_FORMATS)}")
    if settings.feeds.interval < settings.feeds.min_interval:
        bad("feeds.interval", "must not be shorter than feeds.min_interval")
    try:
        zoneinfo.ZoneInfo(settings.watchparty.default_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad("watchparty.default_timezone", "not an IANA time zone name")
    if not 2 <= settings.digest.summary_sentences <= 4:
        bad("digest.summary_sentences", "must be between 2 and 4")
    if not 100 <= settings.digest.max_summary_chars <= 2000:
        bad("digest.max_summary_chars", "must be between 100 and 2000")
    for key in ("max_bytes", "max_redirects", "per_host_concurrency", "concurrency", "parse_workers"):
        if getattr(settings.feeds, key) < 1:
            bad(f"feeds.{key}", "must be at least 1")
    if not 0 < settings.feeds.flood_ratio <= 1:
        bad("feeds.flood_ratio", "must be above 0 and at most 1")
    for key in ("api_base", "gateway_url"):
        url = getattr(settings.discord, key)
        schemes = ("http://", "https://") if key == "api_base" else ("ws://", "wss://")
        if not url.startswith(schemes):
            bad(f"discord.{key}", f"must start with {' or '.join(schemes)}")
    _validate_http(settings.http, bad)
    _validate_scale(settings, bad)
    return errors


def _validate_scale(settings: Settings, bad: Callable[[str, str], None]) -> None:
    storage, discord = settings.storage, settings.discord
    if storage.url and not storage.url.startswith(("postgresql://", "postgres://")):
        bad("storage.url", "must start with postgresql:// (or be empty for the SQLite file at storage.path)")
    if storage.pool_size < 1:
        bad("storage.pool_size", "must be at least 1")
    if discord.shard_count is not None and discord.shard_count < 1:
        bad("discord.shard_count", "must be at least 1")
    if discord.shard_ids is not None:
        if discord.shard_count is None:
            bad("discord.shard_ids", "needs discord.shard_count (the shards of all processes together)")
        elif not discord.shard_ids or any(not 0 <= s < discord.shard_count for s in discord.shard_ids):
            bad("discord.shard_ids", f"each shard id must be from 0 to {discord.shard_count - 1}")
        elif not storage.url and set(discord.shard_ids) != set(range(discord.shard_count)):
            # Other processes would need the same database: only PostgreSQL is shared between processes.
            bad("discord.shard_ids", "SQLite serves one process, which must own every shard; set storage.url")


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` / ``"[::1]:8080"`` / ``":8080"`` (all interfaces) as (host, port); ValueError."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    return host or "0.0.0.0", int(port)


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _validate_http(http: HttpSettings, bad: Callable[[str, str], None]) -> None:
    if http.listen:
        try:
            split_listen(http.listen)
        except ValueError as exc:
            bad("http.listen", str(exc))
    if http.public_url and not http.public_url.startswith(("http://", "https://")):
        bad("http.public_url", "must start with http:// or https://")
    for key in ("rate_per_minute", "rate_burst"):
        if getattr(http, key) < 1:
            bad(f"http.{key}", "must be at least 1")
    if http.calendar_key_env and not _ENV_NAME.fullmatch(http.calendar_key_env):
        bad("http.calendar_key_env", "must be an environment variable name (letters, digits, _), or empty")


def parse_settings(text: str, path: str | Path | None = None) -> Settings:
    """Parse TOML text into settings; raises :class:`ConfigError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {exc}") from None
    errors: list[ConfigError] = []
    settings = _build(Settings, data, path, "", errors)
    settings = dataclasses.replace(settings, source=str(path) if path is not None else None)
    # A key that could not be read keeps its default; rules about it would only add confusing echoes.
    broken = {e.key for e in errors}
    errors += [e for e in _validate(settings, path) if e.key not in broken]
    if errors:
        raise ConfigError.combine(path, errors)
    return settings


def load_settings(path: str | Path | None = None) -> Settings:
    """Load ``path``; with no path, ``config.toml`` in the working folder if present, else the defaults."""
    if path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not default.exists():
            return Settings()
        path = default
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(path, None, f"cannot read the file: {reason}") from None
    return parse_settings(text, path)


def redact_password(url: str) -> str:
    """A database URL with its password (if any) replaced by ``***``: check-config and logs never show one."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def describe(settings: Settings) -> dict[str, dict[str, Any]]:
    """The effective settings as plain data (durations written back as strings) for ``check-config``."""
    out: dict[str, dict[str, Any]] = {}
    for section in dataclasses.fields(Settings):
        if section.name == "source":
            continue
        obj = getattr(settings, section.name)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.metadata.get("duration"):
                value = (
                    [_format_duration(v) for v in value]
                    if isinstance(value, tuple)
                    else _format_duration(value)
                )
            elif isinstance(value, tuple):
                value = list(value)
            elif section.name == "storage" and f.name == "url" and value:
                value = redact_password(value)
            values[f.name] = value
        out[section.name] = values
    return out
