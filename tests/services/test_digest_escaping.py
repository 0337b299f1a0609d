"""The digest service's settings commands: what a moderator typed comes back literal in its errors."""

from __future__ import annotations

import pytest

from domain.errors import UserError
from domain.markdown import escape_markdown
from services.digest import DigestService
from settings import DigestSettings
from storage.db import Database
from tests.markup import live_spoiler_bars, pings

HOSTILE = "@everyone ||x <@123>"


@pytest.mark.parametrize(
    "change",
    [{"category": HOSTILE}, {"category": "violence", "remove_term": HOSTILE}],
)
async def test_errors_show_typed_text_literally(db: Database, change: dict[str, str]) -> None:
    service = DigestService(db, DigestSettings())
    change = dict(change)  # the parameter is shared by the SQLite and PostgreSQL runs: do not consume it
    category = change.pop("category")
    with pytest.raises(UserError) as info:
        await service.update_warnings(1, category, **change)  # type: ignore[arg-type]
    message = info.value.render(escape_markdown)  # the reply's wording (cogs._ui.user_message)
    assert "everyone" in message and pings(message) == [] and live_spoiler_bars(message) == 0
    assert HOSTILE in str(info.value)  # the plain wording (logs, terminal) keeps the text as typed
