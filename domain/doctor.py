"""``bot.py doctor``'s verdicts: what each feature needs, how findings are judged, shown and turned into
an exit status. Pure: the Discord and database look-ups live in ``services.doctor``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain.permissions import Permission, missing, permission_name

P = Permission


class Status(enum.StrEnum):
    OK = "ok"
    NOTE = "note"  # worth knowing, nothing is broken (exit status stays 0)
    PROBLEM = "problem"  # needs attention (exit status 1)


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # token | application | intents | gateway | commands | server | channel | feed | outbox | database
    status: Status
    detail: str
    where: str = ""
    guild_id: int | None = None
    channel_id: int | None = None


#: Channel permissions each feature cannot work without. In a thread, Send Messages In Threads stands in
#: for Send Messages. Read Message History: a delayed retry looks for the earlier post before re-sending.
FEATURE_NEEDS: Mapping[str, tuple[Permission, ...]] = {
    "feeds": (P.VIEW_CHANNEL, P.SEND_MESSAGES, P.EMBED_LINKS, P.READ_MESSAGE_HISTORY),
    "notices": (P.VIEW_CHANNEL, P.SEND_MESSAGES),
    "announcements": (
        P.VIEW_CHANNEL,
        P.SEND_MESSAGES,
        P.EMBED_LINKS,
        P.READ_MESSAGE_HISTORY,
        P.CREATE_PUBLIC_THREADS,
        P.SEND_MESSAGES_IN_THREADS,
    ),
    "polls": (P.VIEW_CHANNEL, P.SEND_MESSAGES, P.EMBED_LINKS, P.ADD_REACTIONS, P.READ_MESSAGE_HISTORY),
}
#: Permissions a feature does without, less well (a note, not a problem).
FEATURE_WANTS: Mapping[str, tuple[tuple[Permission, str], ...]] = {
    "polls": ((P.MANAGE_MESSAGES, "a replaced single-choice vote's reaction stays visible"),),
}
#: Server-wide: watch parties create Discord events.
GUILD_WANTS: tuple[tuple[Permission, str], ...] = (
    (P.MANAGE_EVENTS, "watch parties get no Discord event (announcements and RSVPs still work)"),
)

#: Privileged gateway intent bits and the application flags that enable them (full or "limited").
PRIVILEGED_INTENTS: Mapping[str, tuple[int, int]] = {
    "members": (1 << 1, (1 << 14) | (1 << 15)),
    "presences": (1 << 8, (1 << 12) | (1 << 13)),
    "message_content": (1 << 15, (1 << 18) | (1 << 19)),
}


def needs_in(feature: str, *, is_thread: bool) -> tuple[Permission, ...]:
    needed = FEATURE_NEEDS[feature]
    if is_thread:
        needed = tuple(P.SEND_MESSAGES_IN_THREADS if p == P.SEND_MESSAGES else p for p in needed)
        needed = tuple(dict.fromkeys(p for p in needed if p != P.CREATE_PUBLIC_THREADS))
    return needed


def channel_verdicts(
    features: Mapping[str, Sequence[str]],
    perms: int,
    *,
    is_thread: bool,
    where: str,
    guild_id: int,
    channel_id: int,
) -> list[Finding]:
    """One finding per feature using the channel (``features``: feature -> labels of what uses it)."""
    out: list[Finding] = []
    for feature, labels in features.items():
        users = ", ".join(labels)
        lacking = missing(needs_in(feature, is_thread=is_thread), perms)
        if lacking:
            names = ", ".join(permission_name(p) for p in lacking)
            out.append(
                Finding(
                    "channel",
                    Status.PROBLEM,
                    f"{feature}: missing {names} (used by {users})",
                    where,
                    guild_id,
                    channel_id,
                )
            )
            continue
        notes = [
            f"{permission_name(p)} missing: {why}"
            for p, why in FEATURE_WANTS.get(feature, ())
            if not perms & p
        ]
        status = Status.NOTE if notes else Status.OK
        detail = (
            f"{feature}: " + ("; ".join(notes) if notes else "all needed permissions") + f" (used by {users})"
        )
        out.append(Finding("channel", status, detail, where, guild_id, channel_id))
    return out


def guild_verdict(base: int, where: str, guild_id: int) -> Finding:
    notes = [f"{permission_name(p)} missing: {why}" for p, why in GUILD_WANTS if not base & p]
    if notes:
        return Finding("server", Status.NOTE, "; ".join(notes), where, guild_id)
    return Finding("server", Status.OK, "server-wide permissions fine", where, guild_id)


def intents_verdict(intents: int, names: Iterable[str], application_flags: int) -> Finding:
    """The bot's intents against what the application may use (privileged ones need the portal switch)."""
    wanted = [name for name, (bit, _) in PRIVILEGED_INTENTS.items() if intents & bit]
    off = [name for name in wanted if not application_flags & PRIVILEGED_INTENTS[name][1]]
    listed = ", ".join(names)
    if off:
        return Finding(
            "intents",
            Status.PROBLEM,
            f"privileged intents {', '.join(off)} are not enabled for the application "
            "(Developer Portal > Bot > Privileged Gateway Intents)",
        )
    privileged = f"privileged: {', '.join(wanted)} (enabled)" if wanted else "none privileged"
    return Finding("intents", Status.OK, f"{listed} ({privileged})")


# -- commands ---------------------------------------------------------------------------------------

_OPTION_KEYS = ("min_value", "max_value", "min_length", "max_length")


def _option(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": raw.get("type"),
        "name": raw.get("name"),
        "description": raw.get("description", ""),
        "required": bool(raw.get("required", False)),
        "autocomplete": bool(raw.get("autocomplete", False)),
        "choices": [(c.get("name"), c.get("value")) for c in raw.get("choices") or []],
        "channel_types": sorted(raw.get("channel_types") or []),
        "options": [_option(o) for o in raw.get("options") or []],
        **{k: raw.get(k) for k in _OPTION_KEYS},
    }


def normalize_command(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a command that users see or that gate it; Discord adds ids, versions and defaults."""
    perms = raw.get("default_member_permissions")
    return {
        "type": raw.get("type", 1),
        "name": raw.get("name"),
        "description": raw.get("description", ""),
        "default_member_permissions": None if perms is None else str(perms),
        "nsfw": bool(raw.get("nsfw", False)),
        "options": [_option(o) for o in raw.get("options") or []],
    }


def command_differences(local: Sequence[Mapping[str, Any]], remote: Sequence[Mapping[str, Any]]) -> list[str]:
    """What differs between the commands this version registers and those Discord has (empty: in sync)."""
    mine = {(c.get("type", 1), c["name"]): normalize_command(c) for c in local}
    theirs = {(c.get("type", 1), c["name"]): normalize_command(c) for c in remote}
    out = [
        f"/{name} is not registered" for key, name in sorted((k, k[1]) for k in mine.keys() - theirs.keys())
    ]
    out += [
        f"/{name} is registered but no longer exists"
        for key, name in sorted((k, k[1]) for k in theirs.keys() - mine.keys())
    ]
    out += [
        f"/{key[1]} is outdated" for key in sorted(mine.keys() & theirs.keys()) if mine[key] != theirs[key]
    ]
    return out


def commands_verdict(
    local: Sequence[Mapping[str, Any]], remote: Sequence[Mapping[str, Any]], scope: str, fix: str
) -> Finding:
    diff = command_differences(local, remote)
    if not diff:
        return Finding("commands", Status.OK, f"{len(local)} commands in sync ({scope})")
    shown = "; ".join(diff[:5]) + (f"; and {len(diff) - 5} more" if len(diff) > 5 else "")
    return Finding("commands", Status.PROBLEM, f"{scope}: {shown}. {fix}")


# -- output -----------------------------------------------------------------------------------------


def exit_status(findings: Iterable[Finding]) -> int:
    """0 when nothing needs attention, 1 otherwise (2, config errors, is decided before any check runs)."""
    return 1 if any(f.status is Status.PROBLEM for f in findings) else 0


_MARK = {Status.OK: "ok", Status.NOTE: "note", Status.PROBLEM: "PROBLEM"}


def render_table(findings: Sequence[Finding], *, width: int = 110) -> str:
    """A plain-text table (status, check, where, detail); long details wrap under the detail column."""
    import textwrap

    rows = [(_MARK[f.status], f.check, f.where or "-", f.detail) for f in findings]
    heads = ("STATUS", "CHECK", "WHERE", "DETAIL")
    w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(heads[:3])]
    w[2] = min(w[2], 40)
    indent = sum(w) + 6
    detail_width = max(30, width - indent)
    lines = ["  ".join(h.ljust(w[i]) if i < 3 else h for i, h in enumerate(heads)).rstrip()]
    for status, check, where, detail in rows:
        wrapped = textwrap.wrap(detail, detail_width) or [""]
        where_cut = where if len(where) <= w[2] else where[: w[2] - 1] + "…"
        lines.append(f"{status.ljust(w[0])}  {check.ljust(w[1])}  {where_cut.ljust(w[2])}  {wrapped[0]}")
        lines.extend(" " * indent + more for more in wrapped[1:])
    problems = sum(f.status is Status.PROBLEM for f in findings)
    notes = sum(f.status is Status.NOTE for f in findings)
    lines.append("")
    lines.append(
        f"{problems} problem{'s' * (problems != 1)}, {notes} note{'s' * (notes != 1)}"
        + (": everything looks fine." if not problems else ": see PROBLEM lines above.")
    )
    return "\n".join(lines)


def to_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {
            "status": "attention" if exit_status(findings) else "ok",
            "findings": [{**asdict(f), "status": f.status.value} for f in findings],
        },
        indent=2,
    )
