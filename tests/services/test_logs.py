"""JSON log lines: one object per line, ids from the message, the context and ``extra=``."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from services.logs import JsonFormatter, ids_in_text, set_log_context


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("projectionist.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("feed 12 (https://x): fetch failed: timeout", {"feed_id": 12}),
        (
            "poll 3 in guild 42 closed (deadline, by 7): winner 1",
            {"poll_id": 3, "guild_id": 42},
        ),
        (
            "watch party 9: announcement 555 in channel 66 can't be edited",
            {"party_id": 9, "message_id": 555, "channel_id": 66},
        ),
        (
            "reminder 4 (start) of watch party 2 sent to channel 8",
            {"reminder_id": 4, "party_id": 2, "channel_id": 8},
        ),
        ("outbox 5 to channel 6 failed (attempt 2): boom", {"outbox_id": 5, "channel_id": 6}),
        ("guild 1: channel 2 and channel 3", {"guild_id": 1, "channel_id": 2}),
        ("nothing here, 12 items", {}),
    ],
)
def test_ids_in_text(text: str, ids: dict[str, int]) -> None:
    assert ids_in_text(text) == ids


async def test_one_object_per_line_with_ids_and_exception(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture
    logger.info("feed %s: %d new entries", 7, 3)

    async def interaction() -> None:  # as the command tree does, in the interaction's own task
        set_log_context(guild_id=100, interaction_id=200)
        logger.warning("poll %s: something", 5, extra={"channel_id": 300})

    await asyncio.create_task(interaction())
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        logger.exception("feed %s: unexpected", 8, extra={"feed_id": 9})
    first, second, third = lines(stream)
    assert first["message"] == "feed 7: 3 new entries" and first["feed_id"] == 7
    assert first["level"] == "INFO" and first["logger"] == "projectionist.test_logs"
    assert str(first["ts"]).endswith("+00:00")
    assert second == {
        **{k: second[k] for k in ("ts", "level", "logger", "message")},
        "guild_id": 100,
        "channel_id": 300,
        "poll_id": 5,
        "interaction_id": 200,
    }
    # extra= wins over the id in the text; the traceback is one field, the record one line
    assert third["feed_id"] == 9 and "ValueError: line one" in str(third["exc"])
    assert len(stream.getvalue().splitlines()) == 3


async def test_context_stays_in_its_task(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture

    async def interaction() -> None:
        set_log_context(guild_id=1)

    await asyncio.create_task(interaction())
    logger.info("plain")
    assert "guild_id" not in lines(stream)[0]
