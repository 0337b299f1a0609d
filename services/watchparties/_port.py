"""The Discord side of watch parties, implemented by the watch-party cog (tests use an in-process recorder)."""

from __future__ import annotations

from typing import Protocol

from services.delivery import Payload
from services.watchparties._models import EventSpec, PartyView


class WatchPartyDiscord(Protocol):
    """The Discord side effects, implemented by the cog. Raise DeliveryRefused (403) / DeliveryGone (404).

    Messages themselves go through :mod:`services.delivery`; this port only renders the announcement.
    """

    async def channel_label(self, channel_id: int) -> str:
        """``#name`` of a channel, for places and calendar locations."""
        ...

    def announcement_payload(self, view: PartyView) -> Payload:
        """Render the announcement with RSVP buttons (pure: it is stored in the outbox in the transaction that
        stores the party)."""
        ...

    async def edit_announcement(self, view: PartyView) -> None:
        """Re-render the announcement (counts, attendees, edits, cancelled, finished)."""
        ...

    async def create_event(self, spec: EventSpec) -> int:
        """Create the scheduled event; return its id."""
        ...

    async def edit_event(self, event_id: int, spec: EventSpec) -> None: ...

    async def cancel_event(self, guild_id: int, event_id: int) -> None: ...

    async def open_thread(self, channel_id: int, message_id: int | None, name: str) -> int:
        """Open a public thread on ``message_id`` (or in the channel if the message is gone); return its id."""
        ...
