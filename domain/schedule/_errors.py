"""Errors a user can cause while typing a time, zone or duration: ``str(exc)`` is the reply."""

from __future__ import annotations

from domain.errors import UserError


class ScheduleError(UserError, ValueError):
    """A time, zone or duration a user typed that cannot be used; ``str(exc)`` is the reply."""


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
