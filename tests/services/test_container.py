"""The services container is the one place services start and stop."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from services.container import Services
from settings import Settings
from storage.db import Database

# handed in by bot.py, which opens and closes them around the whole run
SHARED = {"settings", "db"}


def _lifecycle(obj: object, name: str) -> Any | None:
    """``obj.name`` if it is a lifecycle hook: a method callable with no arguments (``PollService.close``
    closes one poll and takes ids, so it is a command, not a hook)."""
    method = getattr(obj, name, None)
    if method is None or not callable(method):
        return None
    required = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return None if required else method


async def test_start_and_close_reach_every_service_with_a_hook(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.build(Settings(), db)
    called: list[str] = []
    expected: set[str] = set()
    for field in dataclasses.fields(services):
        if field.name in SHARED:
            continue
        service = getattr(services, field.name)
        for hook in ("start", "close"):
            original = _lifecycle(service, hook)
            if original is None:
                continue
            expected.add(f"{field.name}.{hook}")

            def spy(*args: Any, _name: str = f"{field.name}.{hook}", _original: Any = original) -> Any:
                called.append(_name)
                return _original(*args)

            monkeypatch.setattr(service, hook, spy)
    assert {"polls.start", "watchparties.start", "fetcher.close", "parser.close"} <= expected
    await services.start()
    started = set(called)
    await services.close()
    assert started == {name for name in expected if name.endswith(".start")}
    assert set(called) == expected
