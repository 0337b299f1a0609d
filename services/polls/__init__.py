"""Reaction polls and the film-pick flow: votes that are durable before they count, honest results.

Public API for callers other than the cog (e.g. ``benchmarks/votes.py``)
------------------------------------------------------------------------
::

    service = PollService(db, PollSettings(), clock=time.time)
    service.attach(port, bot_user_id=BOT)     # port: a PollDiscord (an in-process recorder in tests)
    await service.start()                     # drops half-created polls, loads the open polls
    poll = await service.create(CreateRequest(guild_id=1, channel_id=10, user_id=5,
                                              question="Tonight?", options="Alien; Heat; Up"))
    # the poll message went out through services.delivery (kind "poll_message"); poll.message_id is set
    await service.reaction_added(guild_id, channel_id, poll.message_id, user_id, "1️⃣")
    await service.reaction_removed(guild_id, channel_id, poll.message_id, user_id, "1️⃣")
    outcome = await service.results(guild_id, poll.id)
    await service.run_due()                   # the deadline loop body: closes due polls, posts results

``reaction_added`` returns ``"recorded"``, ``"replaced"`` (single choice), ``"duplicate"``, ``"refused"`` (over
``max_choices``), ``"closed"`` or ``"ignored"`` (not a poll, the bot itself, another emoji);
``reaction_removed`` returns ``"withdrawn"``, ``"none"`` or ``"ignored"``. The service knows the polls created
through it and those loaded by ``start()``: call ``start()`` again after writing polls behind its back.

The vote path
-------------
The service keeps the open polls it knows (loaded by :meth:`PollService.start`, added by ``create``/``pick``,
dropped on close) in memory keyed by message id, so a reaction on any other message costs no database
access. Each reaction on a poll writes in exactly **one** transaction:

* the common case (a member's first vote, or a multi/ranked vote within ``max_choices``) is a single guarded
  INSERT run with :meth:`Database.write`, which SQLite makes atomic and durable by itself (one round trip to
  the database thread): the poll must be open, the (member, option) pair new and the member under the cap
  (single choice: no vote yet), and ``seq`` is the poll's next number;
* if that INSERT changes nothing, one ``db.transaction()`` does the rest: a single-choice replacement
  (``DELETE ... RETURNING`` the previous option, INSERT the new one), or reads the member's votes and lets
  :func:`domain.polls.apply_add` say why not (closed poll, replayed event, over the cap);
* withdrawing is one guarded DELETE.

A vote counts only once it is committed (results are always computed from SQLite), and
``UNIQUE (poll_id, user_id, option)`` makes a replayed event a no-op. Side effects on Discord (removing a
replaced or over-the-cap reaction) happen after the commit; if Discord refuses (no Manage Messages) the poll
is flagged and its results say that the latest vote counted. On a shared dev VM this replays about 2,500 to
3,000 mixed events per second, awaited one at a time, against a file-backed WAL database.

Posting the poll
----------------
The poll message is a delivery kind like every other bot-initiated message (see ``_publish.py``): queued in
the transaction that inserts the poll, sent at once with :meth:`Delivery.send_now`, its ``on_delivered``
storing the message id and opening the poll; the option reactions are seeded afterwards, and a restart resync
finishes a poll whose reactions are incomplete. A crash as Discord stores the message leaves it queued: the
deadline loop finds it in the channel (after the nonce window) instead of posting it twice.

Restart resync
--------------
:meth:`PollService.hold_events` closes a gate that every reaction event waits at; :meth:`resync_all` fetches
each open poll's reactions, reconciles the stored votes with them (:func:`plan_resync`: votes recovered this
way get seqs after every vote recorded live, so they rank after live ones), closes polls whose message was
deleted with what was stored, re-adds missing option reactions, and reopens the gate. The cog holds events from ``cog_load`` and resyncs on
ready, so no live event is applied before the reconciliation it might conflict with.

Closing
-------
A poll closes at its stored deadline (:meth:`run_due`, also after a restart) or by its creator or a
moderator. Closing is a single UPDATE guarded by ``status = 'open'`` (exactly once); for a film pick the
round's nominations are archived in the same transaction. The results message is rendered by the port
(pure, no I/O) and enqueued in the outbox of :mod:`services.delivery` in that same transaction, so "closed"
and "results pending" commit together; the delivery module sends it exactly once (nonce ``pollclose<id>``,
first attempt recorded, a late retry looks in the channel first, backoff for about half an hour) and sets
``announced`` (with the results message id) in the transaction that marks it delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.delivery import Delivery, KindHandler
from services.polls._models import POLL_MESSAGE, POLL_RESULTS, CreateRequest, Outcome
from services.polls._pick import PollPicking
from services.polls._port import PollDiscord
from services.polls._resync import plan_resync
from settings import PollSettings
from storage.db import Database

__all__ = ["CreateRequest", "Outcome", "PollDiscord", "PollService", "plan_resync"]


class PollService(PollPicking):
    """The one public class. Each layer below lives in its own module, one responsibility each:
    ``_core`` (wiring, open polls in memory) < ``_read`` < ``_votes`` < ``_publish`` (the poll message)
    < ``_close`` (deadlines, results) < ``_resync`` < ``_create`` < ``_pick`` (nominations, the film pick)."""

    def __init__(
        self,
        db: Database,
        settings: PollSettings,
        *,
        clock: Callable[[], float] = time.time,
        delivery: Delivery | None = None,
    ) -> None:
        super().__init__(db, settings, clock=clock, delivery=delivery)
        self.delivery.register(
            POLL_MESSAGE, KindHandler(on_delivered=self._message_delivered, on_failed=self._message_failed)
        )
        self.delivery.register(
            POLL_RESULTS, KindHandler(on_delivered=self._results_delivered, on_failed=self._results_failed)
        )
