"""Error replies quote what the user typed literally: a hostile time, zone, duration, reminder list or poll
option comes back in the ephemeral error as text, never as a live mention, spoiler bar or masked link.

The parsers keep the typed text beside the message (``domain.errors.UserError``) and the cogs' one error path
escapes it; this drives real slash commands through the fake Discord and reads the replies with the
independent markup reader in :mod:`tests.markup`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import e2e_settings, running_bot
from tests.fakediscord import FakeDiscord
from tests.markup import live_spoiler_bars, masked_links, pings

HOSTILE = "@everyone ||x <@123> [a](http://x)"
SHORT = "@here ||x <@123>"  # for options Discord limits to 20 characters


def problems(text: str) -> list[str]:
    found = [f"ping {p}" for p in pings(text)]
    found += [f"link to {u}" for u in masked_links(text)]
    if live_spoiler_bars(text):
        found.append(f"{live_spoiler_bars(text)} live ||")
    return found


async def test_error_replies_quote_hostile_input_literally(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)):
        org, mod, member = fake.organiser, fake.moderator, fake.member
        cases: list[tuple[str, dict[str, Any], Any, str]] = [
            ("watchparty schedule", {"film": "Heat", "when": HOSTILE}, org, "as a time"),
            ("watchparty schedule", {"film": "Heat", "when": f"friday {HOSTILE}"}, org, "as a time"),
            ("watchparty schedule", {"film": "Heat", "when": "friday 8pm", "timezone": HOSTILE}, org, "zone"),
            (
                "watchparty schedule",
                {"film": "Heat", "when": "friday 8pm", "duration": SHORT},
                org,
                "runtime",
            ),
            (
                "watchparty schedule",
                {"film": "Heat", "when": "friday 8pm", "reminders": HOSTILE},
                org,
                "duration",
            ),
            ("watchparty timezone", {"zone": HOSTILE}, member, "zone"),
            ("club settings", {"timezone": HOSTILE}, mod, "zone"),
            ("poll create", {"question": "Which?", "options": f"{HOSTILE}; {HOSTILE}"}, member, "twice"),
            (
                "poll create",
                {"question": "Which?", "options": "Heat; Up", "duration": SHORT},
                member,
                "duration",
            ),
        ]
        found: list[str] = []
        for name, options, user, topic in cases:
            ix = await fake.slash(name, options, user=user)
            await ix.wait_for_output(timeout=15)
            text = ix.text
            assert ix.ephemeral and topic in text and "@" in text, (name, options, text)
            found += [f"/{name} {options}: {p} in {text!r}" for p in problems(text)]
        assert found == []
