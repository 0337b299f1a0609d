"""The watch-party announcement as Discord receives it: embed limits, buttons, escaping."""

from __future__ import annotations

import dataclasses
from typing import Any

import discord

from cogs.watchparty import RsvpButton, announcement_embed, rsvp_view
from domain.models import Party
from services.watchparties import PartyView

START = 1_800_000_000


def make_view(**changes: Any) -> PartyView:
    party = Party(
        id=7,
        guild_id=1,
        film="*batteries* not included @everyone",
        start_at=START,
        duration=9000,
        timezone="Europe/London",
        voice_channel_id=None,
        location="#general",
        notes="Bring **snacks** <@&123456789012345678>",
        capacity=None,
        reminder_offsets=(86_400, 3_600, 0),
        announce_channel_id=10,
        announce_message_id=500,
        event_id=None,
        thread_id=None,
        status="scheduled",
        cancel_reason=None,
        sequence=0,
        created_by=5,
        created_at=START - 86_400,
        updated_at=START - 86_400,
    )
    party = dataclasses.replace(party, **{k: v for k, v in changes.items() if hasattr(party, k)})
    view = PartyView(party=party, going=(), waitlist=(), maybe=(), declined=(), ended=False)
    return dataclasses.replace(view, **{k: v for k, v in changes.items() if hasattr(view, k)})


def embed_dict(view: PartyView) -> dict[str, Any]:
    return announcement_embed(view, "#general").to_dict()  # type: ignore[return-value]


def test_embed_shows_times_counts_attendees_and_id() -> None:
    view = make_view(capacity=2, going=(11, 12), waitlist=(13,), maybe=(14, 15), declined=(16,))
    data = embed_dict(view)
    # the title used discord.py's escape_markdown, which left "@everyone" live; the one escaper defuses it
    assert data["title"] == "\\*batteries\\* not included @\u200beveryone"
    assert f"<t:{START}:F>" in data["description"] and f"<t:{START}:R>" in data["description"]
    assert (
        "Bring \\*\\*snacks\\*\\*" in data["description"]
        and "<@&123456789012345678>" not in data["description"]
    )
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert fields["✅ Going (2/2)"] == "<@11> <@12>"
    assert fields["⏳ Waitlist (1)"] == "<@13>"
    assert fields["🤔 Maybe"] == "2" and fields["❌ Can't go"] == "1"
    assert "#7" in data["footer"]["text"]


def test_a_thousand_attendees_fit_discord_limits() -> None:
    going = tuple(range(10**17, 10**17 + 1000))
    data = embed_dict(make_view(going=going))
    [value] = [f["value"] for f in data["fields"] if f["name"].startswith("✅ Going (1000)")]
    shown, hidden = value.split(" …+")
    assert len(value) <= 1024 and len(shown.split()) + int(hidden) == 1000
    assert len(discord.Embed.from_dict(data)) <= 6000


def test_buttons_carry_the_party_id_and_vanish_when_over_or_cancelled() -> None:
    buttons = rsvp_view(make_view(going=(1, 2), waitlist=(3,), maybe=(4,)))
    assert buttons is not None
    items = [item for item in buttons.children if isinstance(item, RsvpButton)]
    assert [(i.item.custom_id, i.item.label) for i in items] == [
        ("projectionist:rsvp:7:going", "Going (3)"),
        ("projectionist:rsvp:7:maybe", "Maybe (1)"),
        ("projectionist:rsvp:7:no", "Can't go (0)"),
    ]
    assert rsvp_view(make_view(ended=True)) is None
    assert rsvp_view(make_view(status="cancelled")) is None
    cancelled = embed_dict(make_view(status="cancelled", cancel_reason="projector broke"))
    assert cancelled["title"].startswith("Cancelled:") and "projector broke" in cancelled["description"]
    finished = embed_dict(make_view(ended=True, thread_id=900))
    assert "Finished" in finished["description"] and "<#900>" in finished["description"]
