"""The state every part of the poll service shares: wiring, the clock, and the open polls held in memory."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from domain.models import Poll
from services.delivery import Delivery
from services.polls._models import PENDING_GRACE, POLL_MESSAGE, Live, ResyncReport, live_of
from services.polls._port import PollDiscord
from settings import PollSettings
from storage import polls as repo
from storage.db import Database

log = logging.getLogger(__name__)


class PollCore:
    def __init__(
        self,
        db: Database,
        settings: PollSettings,
        *,
        clock: Callable[[], float] = time.time,
        delivery: Delivery | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        # Shared with the other services in the bot (Services.build); a service built alone gets its own.
        self.delivery = delivery or Delivery(db, clock=clock)
        self.port: PollDiscord | None = None
        self.bot_user_id: int | None = None
        self._open: dict[int, Live] = {}  # message id -> open poll
        self._stale: set[int] = set()  # polls already flagged reactions_stale
        self._gate = asyncio.Event()
        self._gate.set()
        self._closed_unshown: set[int] = set()  # closed polls whose own message still says "open"
        self._activated: set[int] = set()  # polls whose message was delivered: to remember and seed
        self._resync_lock = asyncio.Lock()
        self._due_lock = asyncio.Lock()
        #: Which servers' reactions reach this process (bot.py sets it when the process owns only some gateway
        #: shards): resync reconciles only those, never a poll whose live votes another process records.
        self.owns_guild: Callable[[int], bool] = lambda _guild_id: True
        self.last_resync: ResyncReport | None = None

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, port: PollDiscord, bot_user_id: int | None, delivery: Any = None) -> None:
        """``delivery``: the delivery port, when this service's delivery is not attached elsewhere (tests)."""
        self.port = port
        if delivery is not None:
            self.delivery.attach(delivery)
        self.bot_user_id = bot_user_id

    def detach(self) -> None:
        self.port = None

    def _now(self) -> int:
        return int(self.clock())

    def _port(self) -> PollDiscord:
        if self.port is None:
            raise RuntimeError("the poll service has no Discord adapter attached")
        return self.port

    async def start(self) -> None:
        """Remove polls a crash left half-created, and load the open polls for the vote path.

        A 'pending' poll whose message is queued in the outbox is not half-created: the delivery run posts it
        (or finds it already in the channel). Only pending polls with nothing queued (left by a version that
        posted the message directly) are removed.
        """
        stale = await repo.stale_pending_polls(self.db, self._now() - PENDING_GRACE, queued_kind=POLL_MESSAGE)
        for poll_id in stale:
            async with self.db.transaction() as conn:
                await repo.discard_pending_poll(conn, poll_id)
            log.warning("poll %s: removed, its message was never confirmed (crash while posting)", poll_id)
        self._open.clear()
        for poll in await repo.open_polls(self.db):
            self._remember(poll)
            if poll.reactions_stale:
                self._stale.add(poll.id)
        log.info("polls: %d open, %d half-created removed", len(self._open), len(stale))

    def _remember(self, poll: Poll) -> None:
        live = live_of(poll)
        if live is not None:
            self._open[live.message_id] = live

    def _forget(self, poll: Poll) -> None:
        if poll.message_id is not None:
            self._open.pop(poll.message_id, None)

    def hold_events(self) -> None:
        """Make reaction events wait until the next :meth:`resync_all` has finished."""
        self._gate.clear()

    @property
    def events_held(self) -> bool:
        return not self._gate.is_set()
