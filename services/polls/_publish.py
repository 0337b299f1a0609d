"""The poll message itself, sent by :mod:`services.delivery` like every other bot-initiated message.

``create`` and ``pick`` enqueue the rendered poll message in the transaction that inserts the 'pending' poll,
then ask for one attempt at once (:meth:`Delivery.send_now`) so the member sees it immediately. The outbox
row's ``on_delivered`` stores the message id and opens the poll in the transaction that marks it delivered;
a refused, vanished or expired message discards the poll (its nominations go back to the round). A message
that could not go out yet (Discord slow or down, the process killed mid-send) stays queued: the deadline
loop sends it, first looking in the channel once the nonce window has passed, so it appears exactly once.

The option reactions are seeded after delivery (idempotent PUTs); if the process dies before they are all
there, the restart resync sees that the bot's own reactions are incomplete and adds them.
"""

from __future__ import annotations

import itertools
import logging

from domain.errors import UserError
from domain.models import Poll, PollStatus
from services.polls._models import POLL_MESSAGE
from services.polls._port import PollDiscord
from services.polls._votes import PollVotes
from storage import polls as repo
from storage.db import Connection
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)


class PollPublishing(PollVotes):
    async def _enqueue_poll_message(self, conn: Connection, port: PollDiscord, poll_id: int) -> int:
        """Render the pending poll (pure) and queue its message, in the creating transaction."""
        poll = await repo.get_poll(conn, poll_id)
        assert poll is not None
        payload = port.poll_payload(poll)
        # SQLite hands a discarded poll's id to the next poll; its finished outbox row still holds the plain
        # (kind, owner) key, so a later incarnation takes the next free part.
        for incarnation in itertools.count():
            row_id = await self.delivery.enqueue(
                conn,
                kind=POLL_MESSAGE,
                owner_id=poll_id,
                part=str(incarnation) if incarnation else "",
                channel_id=poll.channel_id,
                payload=payload,
                expires_at=poll.closes_at,  # not posted after its own deadline: discarded instead
            )
            if row_id is not None:
                return row_id
        raise AssertionError("unreachable")

    async def _publish(self, poll_id: int, channel_id: int, row_id: int) -> Poll:
        """Send the queued poll message now. Returns the open poll, or the still pending one when Discord
        did not answer (the deadline loop retries); raises UserError when the poll was discarded."""
        result = await self.delivery.send_now(row_id)
        poll = await repo.get_poll(self.db, poll_id)
        if poll is not None and poll.status == PollStatus.OPEN:
            if poll.id in self._activated:  # else a delivery run got there first and seeds it
                await self._seed(poll)
            return poll
        if poll is not None and result.state == "pending":
            log.warning(
                "poll %s: its message is not posted yet (%s); it will be retried", poll_id, result.error
            )
            return poll
        if result.state in ("gone", "refused"):
            raise UserError(
                f"I can't post in <#{channel_id}> ({result.error or result.state}). Check that I can view the "
                "channel, send messages, embed links and add reactions there."
            )
        raise UserError(
            f"Posting the poll in <#{channel_id}> failed ({result.error or result.state}); nothing was created. "
            "Please try again."
        )

    async def _message_delivered(self, conn: Connection, row: OutboxRow, message_id: int) -> None:
        await repo.activate_poll(conn, row.owner_id, message_id)
        self._activated.add(row.owner_id)

    async def _message_failed(self, conn: Connection, row: OutboxRow, state: str, error: str) -> bool:
        log.warning(
            "poll %s: its message can't be posted in channel %s (%s: %s); the poll is discarded",
            row.owner_id,
            row.channel_id,
            state,
            error,
        )
        await repo.discard_pending_poll(conn, row.owner_id)
        return False

    async def _seed(self, poll: Poll) -> None:
        """A delivered poll starts counting votes, then gets its option reactions."""
        self._activated.discard(poll.id)
        self._remember(poll)  # open before seeding: members may react the moment the message appears
        try:
            await self._port().add_reactions(poll)
        except Exception as exc:  # the poll works anyway: members can add the number reactions themselves
            log.warning("poll %s: could not add the option reactions: %r", poll.id, exc)

    async def _seed_delivered(self) -> None:
        """Polls whose message a delivery run just posted."""
        while self._activated:
            poll = await repo.get_poll(self.db, self._activated.pop())
            if poll is not None and poll.status == PollStatus.OPEN:
                await self._seed(poll)
