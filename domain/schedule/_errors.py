"""Errors a user can cause while typing a time, zone or duration.

Each quotes the typed text as a field of :class:`domain.errors.UserError`, never inside the template: a
Discord reply renders it through the one escaper (``cogs._ui.user_message``), a terminal (settings errors,
``bot.py check-config``) shows it as typed with ``str(exc)``.
"""

from __future__ import annotations

from domain.errors import UserError


class ScheduleError(UserError, ValueError):
    """A time, zone or duration a user typed that cannot be used (see the module docstring for wording)."""


class UnparseableTimeError(ScheduleError):
    """The text is not a time we can read."""


class PastTimeError(ScheduleError):
    """The time is now or in the past."""


class TooFarAheadError(ScheduleError):
    """The time is further ahead than allowed."""


class NonexistentTimeError(ScheduleError):
    """The wall time falls in a daylight-saving gap."""


class TimezoneError(ScheduleError):
    """Not a time zone we know."""


class DurationError(ScheduleError):
    """A duration that cannot be read or is out of bounds."""
