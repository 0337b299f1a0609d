"""Log records as one JSON object per line (``[logging] format = "json"``), for journald, Loki and the like.

Each line carries ``ts`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger``, ``message`` and, when the
record concerns them, ids as integers: ``guild_id``, ``channel_id``, ``user_id``, ``feed_id``,
``subscription_id``, ``outbox_id``, ``poll_id``, ``party_id``, ``reminder_id``, ``event_id``,
``message_id``, ``interaction_id``. An exception is one ``exc`` string field, so a traceback never breaks
the one-object-per-line rule.

Ids come from three places, the later winning:

1. the message text: the project's convention is to name ids in messages ("feed 12: fetch failed",
   "poll 3 in guild 42 ..."), so the first ``<noun> <number>`` of each kind is picked up without touching
   any log call;
2. :func:`set_log_context`, a context variable, set when a slash command starts so that every record
   logged while handling it carries its guild, channel, user and interaction;
3. ``extra={"guild_id": ...}`` on the log call itself.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

#: The id fields a JSON line may carry, in output order.
ID_FIELDS = (
    "guild_id",
    "channel_id",
    "user_id",
    "feed_id",
    "subscription_id",
    "outbox_id",
    "poll_id",
    "party_id",
    "reminder_id",
    "event_id",
    "message_id",
    "interaction_id",
)

# Words used before an id in the project's log messages, and the field each one fills.
_NOUNS = {
    "guild": "guild_id",
    "channel": "channel_id",
    "user": "user_id",
    "member": "user_id",
    "feed": "feed_id",
    "subscription": "subscription_id",
    "outbox": "outbox_id",
    "post": "outbox_id",
    "poll": "poll_id",
    "film pick": "poll_id",
    "watch party": "party_id",
    "party": "party_id",
    "reminder": "reminder_id",
    "event": "event_id",
    "message": "message_id",
    "announcement": "message_id",
    "interaction": "interaction_id",
}
_ID_IN_TEXT = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _NOUNS), key=len, reverse=True)) + r")\s+#?(\d+)\b",
    re.IGNORECASE,
)

_context: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("log_ids", default=None)


def set_log_context(**ids: int | None) -> None:
    """Attach ids (``guild_id=...``) to every record logged from here to the end of the current task and
    in the tasks it starts (each asyncio task has its own copy of the context, so this cannot leak into
    another interaction's records)."""
    current = dict(_context.get() or {})
    current.update({k: int(v) for k, v in ids.items() if v is not None})
    _context.set(current)


def ids_in_text(text: str) -> dict[str, int]:
    """The first id of each kind named in ``text`` ("feed 12 ... channel 34" -> feed_id, channel_id)."""
    found: dict[str, int] = {}
    for match in _ID_IN_TEXT.finditer(text):
        field = _NOUNS[match.group(1).lower()]
        found.setdefault(field, int(match.group(2)))
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per record; see the module docstring for the fields."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        ids = ids_in_text(message)
        ids.update(_context.get() or {})
        for name in ID_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                ids[name] = value
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        out.update((name, ids[name]) for name in ID_FIELDS if name in ids)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)
