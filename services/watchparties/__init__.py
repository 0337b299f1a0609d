"""Watch parties: scheduling, RSVPs with a waitlist, reminders that fire exactly once, .ics and the spoiler shield.

The public surface is what ``__all__`` lists; the underscore modules are private, one responsibility each:

* ``_service``: :class:`WatchPartyService`, the façade the bot and the cog hold (wiring, delegation);
* ``_context``: what every step shares (database, outbox, clock, Discord port, party lookups, time parsing);
* ``_input``: checks and parsers for what organisers type; ``_models``: value types, limits, outbox kinds;
* ``_port``: the :class:`WatchPartyDiscord` protocol the cog implements, so this package never imports discord
  and runs in tests against an in-process recorder;
* ``_schedule``, ``_rsvp``, ``_edit``, ``_cancel``: the commands; the pure diff of an edit and the texts
  members are told live in :mod:`domain.watchparty`;
* ``_events``: the Discord scheduled event; ``_render``: announcement re-renders and notices;
* ``_reminders``: the reminder engine; ``_shield``: the spoiler shield for feed posts; ``_ics``: calendars;
  ``_read``: read-only queries (details, upcoming list, autocomplete, status line).

Exactly-once reminders: every job (``before:<offset>``, ``start``, ``discussion``, ``spoiler_end``) is a row in
``reminders`` with its due time in UTC epoch seconds, written in the same transaction as the party. The loop
calls :meth:`WatchPartyService.run_due`; each due row is classified with
:func:`domain.reminders.classify_due`: overdue by at most the grace window -> its messages are rendered and
put in the outbox of :mod:`services.delivery` in the transaction that marks the job fired (they expire at the
end of the grace window); overdue by more (the bot was down) -> recorded as *missed* and never sent. The
delivery module sends every message of this package (announcements, reminders, edit/cancel notices, waitlist
promotions, the discussion opener) exactly once. DST cannot move anything: due times are computed once from
the resolved start instant.
"""

from services.watchparties._input import describe_offsets, parse_offsets
from services.watchparties._models import (
    CHOICE_LABELS,
    MAX_THREAD_ATTEMPTS,
    PRODID,
    CancelResult,
    EditRequest,
    EditResult,
    EventSpec,
    PartyView,
    RsvpResult,
    RunReport,
    ScheduleRequest,
    ScheduleResult,
)
from services.watchparties._port import WatchPartyDiscord
from services.watchparties._service import WatchPartyService
from services.watchparties._shield import Shield, film_matcher

__all__ = [
    "CHOICE_LABELS",
    "MAX_THREAD_ATTEMPTS",
    "PRODID",
    "CancelResult",
    "EditRequest",
    "EditResult",
    "EventSpec",
    "PartyView",
    "RsvpResult",
    "RunReport",
    "ScheduleRequest",
    "ScheduleResult",
    "Shield",
    "WatchPartyDiscord",
    "WatchPartyService",
    "describe_offsets",
    "film_matcher",
    "parse_offsets",
]
