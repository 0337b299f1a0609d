"""The Discord side of the poll service, implemented by the polls cog (and in-process recorders in tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from domain.models import Poll
from services.delivery import Payload

if TYPE_CHECKING:
    from services.polls._models import Outcome


class PollDiscord(Protocol):
    """Rendering is pure (payloads are stored in the outbox inside a transaction); the poll message and the
    results message are sent by :mod:`services.delivery`, never through this port."""

    def poll_payload(self, poll: Poll) -> Payload:
        """Render the poll message itself (its embed), for the outbox."""
        ...

    async def add_reactions(self, poll: Poll) -> None:
        """Seed the option reactions (1️⃣..) on the poll message, in order (idempotent PUTs)."""
        ...

    async def remove_reaction(self, channel_id: int, message_id: int, emoji: str, user_id: int) -> bool:
        """Remove a member's reaction; False when the bot may not (no Manage Messages)."""
        ...

    async def fetch_reactions(self, channel_id: int, message_id: int) -> Mapping[str, Sequence[int]]:
        """``{emoji: user ids}`` of the message, the bot's own included (other bots left out); DeliveryGone if
        it was deleted."""
        ...

    def results_payload(self, outcome: Outcome) -> Payload:
        """Render the final results message, for the outbox."""
        ...

    async def show_closed(self, poll: Poll) -> None:
        """Best effort: re-render the poll message itself as closed."""
        ...
