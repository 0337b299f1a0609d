"""``/feed list``'s description of a subscription (issue 13: an unchanged feed reads "not modified")."""

from __future__ import annotations

import dataclasses

from cogs.feeds import describe_subscription
from domain.models import Feed, FeedStatus, Subscription, SubscriptionStatus, SubscriptionView

SUB = Subscription(1, 1, 5, 10, "Film Daily", None, None, False, SubscriptionStatus.ACTIVE, None, 1_000)
FEED = Feed(
    1, "https://films.example/rss", "Film Daily", None, None, FeedStatus.ACTIVE, None, 9_000, 5_000, 5_000,
    None, None, 0, None, False, body_hash="ab", last_changed_at=5_000,
)  # fmt: skip


def test_a_feed_whose_last_poll_changed_it_reads_as_a_plain_success() -> None:
    text = describe_subscription(SubscriptionView(SUB, FEED))
    assert "Last success: <t:5000:R>\n" in text and "not modified" not in text


def test_a_feed_polled_since_without_a_change_reads_not_modified() -> None:
    feed = dataclasses.replace(FEED, last_polled_at=8_000, last_success_at=8_000, last_changed_at=5_000)
    text = describe_subscription(SubscriptionView(SUB, feed))
    assert "Last success: <t:8000:R> (not modified since <t:5000:R>)" in text
