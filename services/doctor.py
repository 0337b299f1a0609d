"""``bot.py doctor``: look at Discord (REST only, no gateway session) and the database, and say what is
wrong in words a volunteer can act on.

The Discord side uses plain aiohttp against ``[discord] api_base`` (so tests point it at the fake Discord)
and never writes. Permissions are computed from the roles, the bot's member and each channel's overwrites
(``domain.permissions``); verdicts and output are in ``domain.doctor``. The database is opened read-only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from domain.doctor import Finding, Status, channel_verdicts, commands_verdict, guild_verdict, intents_verdict
from domain.permissions import Member, Overwrite, base_permissions, channel_permissions
from services.startup import NETWORK_ERRORS, describe_network_error
from storage import diagnostics
from storage.db import display_url
from storage.migrate import latest_version

log = logging.getLogger(__name__)

#: A post still waiting after this long is reported.
STUCK_AFTER = 3600
_THREAD_TYPES = {10, 11, 12}


@dataclass(frozen=True, slots=True)
class DoctorRequest:
    api_base: str
    token: str
    dev_guild_id: int | None
    database_path: str
    #: the commands this version registers, as discord.py sends them to Discord
    local_commands: Sequence[Mapping[str, Any]]
    intents: int
    intent_names: Sequence[str]
    now: float = field(default_factory=time.time)


class DiscordUnavailable(Exception):
    """Discord stopped answering (network error or 5xx); the message says why."""


class _Rest:
    """GET-only REST client: Authorization header, 429s waited out (briefly), errors as statuses."""

    def __init__(self, session: aiohttp.ClientSession, api_base: str, token: str) -> None:
        self.session = session
        self.base = api_base.rstrip("/")
        self.headers = {"Authorization": f"Bot {token}", "User-Agent": "Projectionist doctor"}

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        timeout = aiohttp.ClientTimeout(total=30, connect=10)
        for _ in range(5):
            try:
                async with self.session.get(
                    self.base + path, headers=self.headers, params=params, timeout=timeout
                ) as resp:
                    body = await resp.json(content_type=None) if resp.content_length != 0 else None
                    if resp.status == 429:
                        wait = float((body or {}).get("retry_after", 1.0))
                        await asyncio.sleep(min(wait, 10.0))
                        continue
                    if resp.status >= 500:
                        raise DiscordUnavailable(f"{self.base}{path} answered HTTP {resp.status}")
                    return resp.status, body
            except NETWORK_ERRORS as exc:
                raise DiscordUnavailable(f"cannot reach {self.base}: {describe_network_error(exc)}") from exc
        raise DiscordUnavailable(f"{self.base}{path}: still rate limited after 5 tries")


@dataclass(slots=True)
class _Guild:
    id: int
    name: str
    base: int
    member: Member
    channels: dict[int, dict[str, Any]]


async def run_doctor(request: DoctorRequest, session: aiohttp.ClientSession) -> list[Finding]:
    """Every check, in the order a volunteer would fix things: token, application, commands, servers,
    channels, feeds, stuck posts."""
    findings: list[Finding] = []
    guilds: dict[int, _Guild] | None = None
    try:
        guilds = await _discord_checks(request, _Rest(session, request.api_base, request.token), findings)
    except DiscordUnavailable as exc:
        findings.append(Finding("discord", Status.PROBLEM, str(exc)))
    findings.extend(await _database_checks(request, guilds, session))
    return findings


async def _discord_checks(
    request: DoctorRequest, rest: _Rest, findings: list[Finding]
) -> dict[int, _Guild] | None:
    status, me = await rest.get("/users/@me")
    if status == 401:
        findings.append(Finding("token", Status.PROBLEM, "Discord refused the token (401): create a new one"))
        return None
    if status != 200:
        findings.append(Finding("token", Status.PROBLEM, f"GET /users/@me answered {status}: {_message(me)}"))
        return None
    bot_id = int(me["id"])
    findings.append(Finding("token", Status.OK, f"accepted: logged in as {me.get('username')} (id {bot_id})"))

    status, app = await rest.get("/oauth2/applications/@me")
    if status != 200:
        findings.append(Finding("application", Status.PROBLEM, f"cannot read the application ({status})"))
        return await _guilds(rest, bot_id, findings)
    if app.get("interactions_endpoint_url"):
        findings.append(
            Finding(
                "application",
                Status.PROBLEM,
                "an Interactions Endpoint URL is set in the Developer Portal: Discord sends slash commands "
                "there instead of to the bot; clear it",
            )
        )
    findings.append(intents_verdict(request.intents, request.intent_names, int(app.get("flags") or 0)))
    await _gateway_check(rest, findings)
    await _commands_check(request, rest, int(app["id"]), findings)
    return await _guilds(rest, bot_id, findings)


async def _gateway_check(rest: _Rest, findings: list[Finding]) -> None:
    status, gateway = await rest.get("/gateway/bot")
    if status != 200:
        findings.append(
            Finding("gateway", Status.PROBLEM, f"GET /gateway/bot answered {status}: {_message(gateway)}")
        )
        return
    limit = gateway.get("session_start_limit") or {}
    remaining = limit.get("remaining")
    if remaining == 0:
        hours = int(limit.get("reset_after", 0)) / 3_600_000
        findings.append(
            Finding(
                "gateway",
                Status.PROBLEM,
                f"no gateway session starts left (restart loop?); they come back in {hours:.1f} h",
            )
        )
    else:
        findings.append(
            Finding("gateway", Status.OK, f"{gateway.get('url')} ({remaining} session starts left today)")
        )


async def _commands_check(request: DoctorRequest, rest: _Rest, app_id: int, findings: list[Finding]) -> None:
    if request.dev_guild_id:
        path = f"/applications/{app_id}/guilds/{request.dev_guild_id}/commands"
        scope = f"dev guild {request.dev_guild_id}"
        fix = "They are synced when the bot starts."
    else:
        path = f"/applications/{app_id}/commands"
        scope = "global"
        fix = "Run `python bot.py sync` (global commands can take up to an hour to appear)."
    status, remote = await rest.get(path)
    if status != 200:
        findings.append(
            Finding(
                "commands", Status.PROBLEM, f"cannot list the {scope} commands ({status}: {_message(remote)})"
            )
        )
        return
    findings.append(commands_verdict(request.local_commands, remote, scope, fix))


async def _guilds(rest: _Rest, bot_id: int, findings: list[Finding]) -> dict[int, _Guild]:
    listed: list[dict[str, Any]] = []
    after = "0"
    while True:
        status, page = await rest.get("/users/@me/guilds", limit="200", after=after)
        if status != 200 or not page:
            break
        listed.extend(page)
        if len(page) < 200:
            break
        after = str(page[-1]["id"])
    if not listed:
        findings.append(
            Finding("server", Status.NOTE, "the bot is in no server yet (invite it with the README's link)")
        )
    guilds: dict[int, _Guild] = {}
    for entry in listed:
        guild_id = int(entry["id"])
        where = str(entry.get("name") or guild_id)
        guild = await _load_guild(rest, guild_id, bot_id, where, findings)
        if guild is not None:
            guilds[guild_id] = guild
            findings.append(guild_verdict(guild.base, where, guild_id))
    return guilds


async def _load_guild(
    rest: _Rest, guild_id: int, bot_id: int, where: str, findings: list[Finding]
) -> _Guild | None:
    status, guild = await rest.get(f"/guilds/{guild_id}")
    status_m, member = await rest.get(f"/guilds/{guild_id}/members/{bot_id}")
    status_c, channels = await rest.get(f"/guilds/{guild_id}/channels")
    if status != 200 or status_m != 200 or status_c != 200:
        findings.append(
            Finding(
                "server",
                Status.PROBLEM,
                f"cannot read the server ({status}/{status_m}/{status_c})",
                where,
                guild_id,
            )
        )
        return None
    roles = {int(r["id"]): int(r["permissions"]) for r in guild.get("roles", [])}
    timeout = member.get("communication_disabled_until")
    me = Member(bot_id, frozenset(int(r) for r in member.get("roles", [])), timed_out=_in_future(timeout))
    base = base_permissions(guild_id, int(guild["owner_id"]), roles, me)
    if me.timed_out:
        findings.append(
            Finding("server", Status.PROBLEM, f"the bot is timed out until {timeout}", where, guild_id)
        )
    return _Guild(guild_id, where, base, me, {int(c["id"]): c for c in channels})


async def _database_checks(
    request: DoctorRequest, guilds: dict[int, _Guild] | None, session: aiohttp.ClientSession
) -> list[Finding]:
    is_url = "://" in request.database_path  # PostgreSQL ([storage] url): shown without user or password
    path = display_url(request.database_path) if is_url else Path(request.database_path)
    if not is_url and not await asyncio.to_thread(Path(path).exists):
        return [
            Finding("database", Status.NOTE, f"no database at {path} yet (created when the bot first starts)")
        ]
    try:
        async with diagnostics.read_only(request.database_path) as db:
            version = await diagnostics.schema_version(db)
            latest = latest_version()
            if version != latest:
                advice = (
                    "run `python bot.py migrate`"
                    if version < latest
                    else "this Projectionist is older than the database"
                )
                return [
                    Finding(
                        "database",
                        Status.PROBLEM,
                        f"{path} is at schema version {version} of {latest}: {advice}",
                    )
                ]
            out = [Finding("database", Status.OK, f"{path} (schema version {version})")]
            now = int(request.now)
            uses = await diagnostics.channels_in_use(db, now)
            if guilds is not None:
                rest = _Rest(session, request.api_base, request.token)
                try:
                    out += await _channel_checks(uses, guilds, rest)
                except DiscordUnavailable as exc:
                    out.append(Finding("discord", Status.PROBLEM, str(exc)))
            out += _feed_findings(await diagnostics.feed_troubles(db), guilds or {})
            out += _stuck_findings(await diagnostics.stuck_outbox(db, now - STUCK_AFTER), guilds or {}, now)
            return out
    except diagnostics.Unreadable as exc:
        return [Finding("database", Status.PROBLEM, f"cannot read {path}: {exc}")]


async def _channel_checks(
    uses: Sequence[diagnostics.ChannelUse], guilds: Mapping[int, _Guild], rest: _Rest
) -> list[Finding]:
    by_channel: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for use in uses:
        by_channel[(use.guild_id, use.channel_id)][use.feature].append(use.label)
    out: list[Finding] = []
    for (guild_id, channel_id), features in by_channel.items():
        guild = guilds.get(guild_id)
        if guild is None:
            what = ", ".join(f"{f} ({', '.join(labels)})" for f, labels in features.items())
            out.append(
                Finding(
                    "server",
                    Status.PROBLEM,
                    f"the bot is not in server {guild_id}, which still has {what}",
                    str(guild_id),
                    guild_id,
                    channel_id,
                )
            )
            continue
        channel = guild.channels.get(channel_id)
        is_thread = False
        if channel is None:  # a thread, or gone
            status, channel = await rest.get(f"/channels/{channel_id}")
            if status != 200:
                reason = "was deleted" if status == 404 else f"cannot be seen by the bot ({status})"
                used = "; ".join(f"{f}: {', '.join(labels)}" for f, labels in features.items())
                out.append(
                    Finding(
                        "channel",
                        Status.PROBLEM,
                        f"channel {channel_id} {reason} (used by {used})",
                        f"{guild.name} › {channel_id}",
                        guild_id,
                        channel_id,
                    )
                )
                continue
            is_thread = int(channel.get("type", 0)) in _THREAD_TYPES
        where = f"{guild.name} › #{channel.get('name', channel_id)}"
        source = guild.channels.get(int(channel.get("parent_id") or 0), channel) if is_thread else channel
        overwrites = [Overwrite.from_payload(o) for o in source.get("permission_overwrites") or []]
        perms = channel_permissions(guild.base, guild_id, guild.member, overwrites)
        out += channel_verdicts(
            features, perms, is_thread=is_thread, where=where, guild_id=guild_id, channel_id=channel_id
        )
    return out


def _feed_findings(
    troubles: Sequence[diagnostics.FeedTrouble], guilds: Mapping[int, _Guild]
) -> list[Finding]:
    out: list[Finding] = []
    for t in troubles:
        where = _where(guilds, t.guild_id, t.channel_id)
        if t.subscription_status == "broken":
            detail = f"feed {t.name!r} (#{t.subscription_id}) stopped: Discord refused the channel ({t.reason}); fix the channel, then /feed resume"
        elif t.feed_status == "paused":
            detail = f"feed {t.name!r} (#{t.subscription_id}) is paused: {t.reason or 'no reason recorded'} ({t.url})"
        else:
            since = f" since {_utc(t.failing_since)}" if t.failing_since else ""
            detail = f"feed {t.name!r} (#{t.subscription_id}) failing{since}, {t.consecutive_failures} times in a row: {t.reason} ({t.url})"
        out.append(Finding("feed", Status.PROBLEM, detail, where, t.guild_id, t.channel_id))
    if not troubles:
        out.append(Finding("feed", Status.OK, "no feed paused or failing"))
    return out


def _stuck_findings(
    posts: Sequence[diagnostics.StuckPost], guilds: Mapping[int, _Guild], now: int
) -> list[Finding]:
    grouped: dict[tuple[int | None, int, str], list[diagnostics.StuckPost]] = defaultdict(list)
    for post in posts:
        grouped[(post.guild_id, post.channel_id, post.state)].append(post)
    out: list[Finding] = []
    for (guild_id, channel_id, state), group in grouped.items():
        oldest = min(p.created_at for p in group)
        hours = (now - oldest) / 3600
        why = (
            "held for a moderator (flood breaker: answer the buttons in the notices channel)"
            if state == "held"
            else "not delivered"
        )
        last = next((p.last_error for p in group if p.last_error), None)
        detail = f"{len(group)} post(s) {why}, oldest queued {hours:.1f} h ago" + (
            f"; last error: {last}" if last else ""
        )
        out.append(
            Finding(
                "outbox", Status.PROBLEM, detail, _where(guilds, guild_id, channel_id), guild_id, channel_id
            )
        )
    if not posts:
        out.append(Finding("outbox", Status.OK, "no post waiting longer than an hour"))
    return out


def _where(guilds: Mapping[int, _Guild], guild_id: int | None, channel_id: int) -> str:
    guild = guilds.get(guild_id) if guild_id is not None else None
    if guild is None:
        return f"{guild_id} › {channel_id}"
    channel = guild.channels.get(channel_id)
    return f"{guild.name} › #{channel['name']}" if channel else f"{guild.name} › {channel_id}"


def _message(body: Any) -> str:
    return str(body.get("message")) if isinstance(body, dict) and "message" in body else str(body)[:200]


def _in_future(iso: str | None) -> bool:
    if not iso:
        return False
    try:
        return datetime.fromisoformat(iso) > datetime.now(UTC)
    except ValueError:
        return False


def _utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
