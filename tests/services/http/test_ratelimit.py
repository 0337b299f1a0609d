"""services.http.ratelimit: a token bucket per client address."""

from __future__ import annotations

import pytest

from services.http.ratelimit import RateLimiter
from tests.helpers.clock import FakeClock


def test_burst_then_refusal_with_the_wait_until_the_next_token() -> None:
    clock = FakeClock(1000.0)
    limiter = RateLimiter(rate=0.5, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(2.0)  # one token every 2 s
    clock.now += 1.0
    assert limiter.acquire("a") == pytest.approx(1.0)  # half a token so far
    clock.now += 1.0
    assert limiter.acquire("a") == 0.0


def test_addresses_have_their_own_buckets() -> None:
    limiter = RateLimiter(rate=1, burst=1, clock=FakeClock(1000.0))
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_refill_is_capped_at_the_burst() -> None:
    clock = FakeClock(1000.0)
    limiter = RateLimiter(rate=1, burst=2, clock=clock)
    limiter.acquire("a")
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(3)][2] > 0  # an hour of quiet still allows only 2 at once


def test_memory_is_bounded_forgetting_the_least_recently_seen() -> None:
    limiter = RateLimiter(rate=1, burst=1, clock=FakeClock(1000.0), max_addresses=2)
    limiter.acquire("a")
    limiter.acquire("b")
    limiter.acquire("a")  # refused, and now the most recent
    limiter.acquire("c")  # evicts b
    assert limiter.acquire("a") > 0  # remembered: still empty
    assert limiter.acquire("b") == 0.0  # forgotten: a fresh bucket


@pytest.mark.parametrize(("wait", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (59.5, "60")])
def test_retry_after_is_whole_seconds_rounded_up(wait: float, header: str) -> None:
    assert RateLimiter.retry_after(wait) == header


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate=0, burst=1)
    with pytest.raises(ValueError):
        RateLimiter(rate=1, burst=0)
