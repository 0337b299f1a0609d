"""The one row -> model mapper (storage/_rows.py) and the models' typed columns."""

from __future__ import annotations

import dataclasses
import enum
import sqlite3
import typing

import pytest

from domain import models
from domain.models import (
    Party,
    PartyStatus,
    Poll,
    PollKind,
    PollMode,
    PollStatus,
    Subscription,
    WarningSettings,
)
from storage._rows import row_to


def _row(sql: str, *params: object) -> sqlite3.Row:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    row: sqlite3.Row = conn.execute(sql, params).fetchone()
    return row


POLL_SQL = (
    "SELECT 1 AS id, 2 AS guild_id, 3 AS channel_id, NULL AS message_id, 4 AS created_by, 'pick' AS kind, "
    "'Which?' AS question, '[\"Alien\", \"Heat\"]' AS options, 'ranked' AS mode, NULL AS max_choices, "
    "'open' AS status, 10 AS created_at, 20 AS closes_at, NULL AS closed_at, NULL AS close_reason, "
    "NULL AS closed_by, NULL AS winner, 1 AS reactions_stale, 0 AS announced, 0 AS announce_attempts, "
    "NULL AS result_message_id"
)


def test_enums_bools_and_json_tuples_follow_the_annotations() -> None:
    poll = row_to(Poll, _row(POLL_SQL))
    assert poll.kind is PollKind.PICK and poll.mode is PollMode.RANKED and poll.status is PollStatus.OPEN
    assert poll.options == ("Alien", "Heat") and poll.reactions_stale is True and poll.announced is False
    assert poll.message_id is None and poll.is_open and poll.n_options == 2


def test_a_prefix_reads_aliased_columns_of_a_join() -> None:
    sub = row_to(
        Subscription,
        _row(
            "SELECT 1 AS s_id, 2 AS s_feed_id, 3 AS s_guild_id, 4 AS s_channel_id, 'News' AS s_name, "
            "NULL AS s_include_filter, NULL AS s_exclude_filter, 1 AS s_force_spoiler, 'broken' AS s_status, "
            "'gone' AS s_status_reason, 5 AS s_created_at, 99 AS id"
        ),
        "s_",
    )
    assert (sub.id, sub.status, sub.force_spoiler) == (1, models.SubscriptionStatus.BROKEN, True)


def test_defaults_fill_missing_columns_and_overrides_win() -> None:
    settings = row_to(WarningSettings, _row("SELECT 7 AS guild_id"), custom_terms={"x": ("y",)})
    assert settings == WarningSettings(7, custom_terms={"x": ("y",)})


def test_a_missing_required_column_or_an_unknown_enum_value_is_an_error() -> None:
    with pytest.raises(KeyError, match=r"Poll\.result_message_id"):
        row_to(Poll, _row(POLL_SQL.replace(", NULL AS result_message_id", "")))
    with pytest.raises(ValueError, match="'sideways'"):
        row_to(Poll, _row(POLL_SQL.replace("'ranked' AS mode", "'sideways' AS mode")))


def test_reminder_offsets_come_back_as_ints() -> None:
    columns = {f.name: "NULL" for f in dataclasses.fields(Party)}
    columns.update(
        id="1", guild_id="1", film="'Up'", start_at="0", duration="1", timezone="'UTC'", status="'cancelled'",
        reminder_offsets="'[3600, 0]'", announce_channel_id="1", sequence="0", created_by="1",
        created_at="0", updated_at="0",
    )  # fmt: skip
    party = row_to(Party, _row("SELECT " + ", ".join(f"{v} AS {k}" for k, v in columns.items())))
    assert party.reminder_offsets == (3600, 0) and party.status is PartyStatus.CANCELLED and party.cancelled


STATUS_LIKE = ("status", "state", "kind", "mode", "choice")


@pytest.mark.parametrize(
    "model", [m for m in vars(models).values() if isinstance(m, type) and dataclasses.is_dataclass(m)]
)
def test_status_like_columns_are_enums_whose_values_are_the_stored_strings(model: type) -> None:
    hints = typing.get_type_hints(model)
    for field in dataclasses.fields(model):
        if field.name in STATUS_LIKE:
            hint = hints[field.name]
            assert isinstance(hint, type) and issubclass(hint, enum.StrEnum), f"{model.__name__}.{field.name}"
    assert dataclasses.fields(model) and model.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert hasattr(model, "__slots__")
