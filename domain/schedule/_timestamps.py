"""Discord's ``<t:epoch:style>`` timestamp markup."""

from __future__ import annotations

from typing import Final

from domain.schedule._common import TimestampStyle

_TIMESTAMP_STYLES: Final = frozenset({"t", "T", "d", "D", "f", "F", "R"})


def discord_timestamp(epoch: int, style: TimestampStyle = "F") -> str:
    """Discord's ``<t:epoch:style>`` markup, shown in each reader's own time zone.

    Styles: ``t`` 20:00, ``T`` 20:00:00, ``d`` 27/11/2026, ``D`` 27 November 2026, ``f`` date and time,
    ``F`` with weekday, ``R`` relative ("in 2 days").
    """
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise TypeError(f"epoch must be an int, got {type(epoch).__name__}")
    if style not in _TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    return f"<t:{epoch}:{style}>"
