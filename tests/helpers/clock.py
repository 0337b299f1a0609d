"""The one fake clock. Services take ``clock: Callable[[], float]`` (epoch seconds); tests move it."""

from __future__ import annotations

import time
from collections.abc import Callable

#: A fixed moment far from any DST edge or epoch boundary (2027-01-15 08:00 UTC).
START = 1_800_000_000.0


class FakeClock:
    """``clock()`` is ``base + offset``: ``base`` is a fixed moment, or the real clock for
    :meth:`following_real_time` (end-to-end tests, where the fake Discord's nonces and event checks stay on real
    time while the service under test is moved forward). ``now`` reads and sets the time; ``advance`` and
    ``set`` are the same moves spelled as a test reads best."""

    def __init__(self, now: float = START, *, base: Callable[[], float] | None = None) -> None:
        self._base = base
        self._now = float(now)  # the time itself when there is no base (exact: no float drift on set)
        self.offset = 0.0  # the shift applied to ``base``

    @classmethod
    def following_real_time(cls) -> FakeClock:
        return cls(base=time.time)

    def __call__(self) -> float:
        return self._now if self._base is None else self._base() + self.offset

    @property
    def now(self) -> float:
        return self()

    @now.setter
    def now(self, moment: float) -> None:
        if self._base is None:
            self._now = float(moment)
        else:
            self.offset = float(moment) - self._base()

    def set(self, moment: float) -> None:
        self.now = moment

    def advance(self, seconds: float) -> None:
        if self._base is None:
            self._now += seconds
        else:
            self.offset += seconds
