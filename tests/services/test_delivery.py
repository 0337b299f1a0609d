"""The delivery engine on its own: a real SQLite file, a fake clock and an in-process channel that
de-duplicates nonces the way Discord does (for ``window`` seconds). Feature-level crash tests live with each
service (feeds, polls, watch parties)."""

from __future__ import annotations

import asyncio

import aiosqlite
import pytest

from services.delivery import (
    Button,
    Delivery,
    DeliveryGone,
    DeliveryRefused,
    DeliveryTransient,
    KindHandler,
    Payload,
    ThreadSpec,
    nonce_of,
)
from storage import outbox
from storage.db import Database
from storage.outbox import OutboxRow
from tests.helpers.clock import FakeClock
from tests.helpers.ports import Crash, FakeDeliveryPort

CHANNEL = 10


def engine(db: Database, clock: FakeClock, port: FakeDeliveryPort, **kw: float) -> Delivery:
    delivery = Delivery(db, clock=clock, nonce_window=kw.pop("nonce_window", 120), **kw)  # type: ignore[arg-type]
    delivery.attach(port)
    return delivery


async def put(delivery: Delivery, payload: Payload, *, part: str = "", **kw: object) -> int:
    async with delivery.db.transaction() as conn:
        row_id = await delivery.enqueue(
            conn,
            kind="test",
            owner_id=1,
            part=part,
            channel_id=CHANNEL,
            payload=payload,
            **kw,  # type: ignore[arg-type]
        )
    assert row_id is not None
    return row_id


def test_payload_round_trips_and_matches_on_what_discord_returns_unchanged() -> None:
    payload = Payload(
        content="hi <@5>",
        embeds=({"title": "Results", "description": "x", "color": 1},),
        buttons=(Button("projectionist:rsvp:1:going", "Going", "success", "✅"),),
        mention_users=(5,),
        reply_to=77,
    )
    assert Payload.from_json(payload.to_json()) == payload
    assert payload.matches("hi <@5>", [{"title": "Results", "description": "x", "color": 2, "type": "rich"}])
    assert not payload.matches("hi <@5>", [{"title": "Results", "description": "y"}])
    assert not payload.matches("hi", [{"title": "Results", "description": "x"}])


def test_thread_and_target_payloads_round_trip() -> None:
    post = Payload(
        content="⚠️ CW: gore",
        embeds=({"title": "T"},),
        thread=ThreadSpec("Spoilers — Film Daily article", (("Spoilers", "Spoiler"), ("gore", "gore")), None),
    )
    follow_up = Payload(thread=ThreadSpec("A title", (), 10080), target=99)
    crosspost = Payload(target=99, crosspost=True)
    for payload in (post, follow_up, crosspost):
        assert Payload.from_json(payload.to_json()) == payload
    assert "thread" not in Payload(content="a").to_json()  # older rows and plain messages are unchanged


async def test_a_forum_post_has_no_nonce_so_every_retry_looks_first(db: Database) -> None:
    """Discord de-duplicates no forum post: a retry even seconds later looks in the forum before sending."""
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    await put(delivery, Payload(content="a", thread=ThreadSpec("A title")))
    port.crash_after_send = 1
    with pytest.raises(Crash):
        await delivery.run()
    first = int(clock.now)
    clock.now += 5  # well inside the nonce window
    port.forget_nonces()  # as if there were no nonce at all
    report = await engine(db, clock, port).run()
    assert len(port.messages) == 1 and port.find_calls == [(CHANNEL, first)] and report.found == 1


async def test_acting_on_a_message_is_not_looked_for(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    await put(delivery, Payload(target=5, crosspost=True))
    port.errors.append(DeliveryTransient("503"))
    await delivery.run()
    clock.now += 600
    await delivery.run()
    assert port.find_calls == [] and len(port.messages) == 1


async def test_enqueue_is_idempotent_per_kind_owner_and_part(db: Database) -> None:
    delivery = engine(db, FakeClock(), FakeDeliveryPort())
    await put(delivery, Payload(content="a"))
    async with db.transaction() as conn:
        again = await delivery.enqueue(
            conn, kind="test", owner_id=1, channel_id=CHANNEL, payload=Payload("b")
        )
    assert again is None and await outbox.count(db, "pending") == 1


async def test_enqueue_rolls_back_with_the_callers_transaction(db: Database) -> None:
    delivery = engine(db, FakeClock(), FakeDeliveryPort())
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await delivery.enqueue(conn, kind="test", owner_id=1, channel_id=CHANNEL, payload=Payload("a"))
            raise RuntimeError("the change itself failed")
    assert await outbox.count(db, "pending") == 0


async def test_the_first_attempt_is_recorded_before_the_send(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    row_id = await put(delivery, Payload(content="a"))
    port.crash_after_send = 1
    with pytest.raises(Crash):
        await delivery.run()
    row = await outbox.get(db, row_id)
    assert row is not None and (row.state, row.sending_at) == ("pending", int(clock.now))


@pytest.mark.parametrize("later", [30, 600])
async def test_a_crash_after_discord_stored_it_never_duplicates(db: Database, later: int) -> None:
    """Within the nonce window the nonce de-duplicates; after it the channel is searched first."""
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    row_id = await put(delivery, Payload(content="a"))
    port.crash_after_send = 1
    with pytest.raises(Crash):
        await delivery.run()
    first = int(clock.now)
    clock.now += later
    if later > 120:
        port.forget_nonces()
    restarted = engine(db, clock, port)
    report = await restarted.run()
    assert len(port.messages) == 1
    assert port.find_calls == ([] if later <= 120 else [(CHANNEL, first)])
    assert (report.delivered, report.found) == ((1, 0) if later <= 120 else (0, 1))
    row = await outbox.get(db, row_id)
    assert row is not None and (row.state, row.message_id) == ("delivered", port.messages[0][0])


async def test_the_window_is_the_setting_not_a_constant(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port, nonce_window=5)
    await put(delivery, Payload(content="a"))
    port.crash_after_send = 1
    with pytest.raises(Crash):
        await delivery.run()
    clock.now += 6
    port.forget_nonces()
    await engine(db, clock, port, nonce_window=5).run()
    assert len(port.messages) == 1 and len(port.find_calls) == 1


async def test_transient_failures_back_off_then_give_up(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    failed: list[str] = []

    async def on_failed(conn: aiosqlite.Connection, row: OutboxRow, state: str, error: str) -> bool:
        failed.append(state)
        return False

    delivery = engine(db, clock, port, backoff_base=10, backoff_max=40)
    delivery.max_attempts = 4
    delivery.register("test", KindHandler(on_failed=on_failed))
    row_id = await put(delivery, Payload(content="a"))
    port.errors = [ConnectionResetError("503")] * 4
    delays = []
    for _ in range(4):
        await delivery.run()
        row = await outbox.get(db, row_id)
        assert row is not None
        delays.append(row.next_attempt_at - int(clock.now))
        assert (await delivery.run()).retried == 0  # not due yet: nothing is attempted
        clock.now = max(clock.now, row.next_attempt_at)
    row = await outbox.get(db, row_id)
    assert row is not None and row.state == "failed" and row.attempts == 4
    assert delays[:3] == [10, 20, 40] and failed == ["failed"] and port.messages == []


async def test_gone_and_refused_run_the_kinds_callback_in_the_finishing_transaction(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    seen: list[tuple[str, int]] = []

    async def on_failed(conn: aiosqlite.Connection, row: OutboxRow, state: str, error: str) -> bool:
        await conn.execute("CREATE TABLE IF NOT EXISTS marks (state TEXT)")
        await conn.execute("INSERT INTO marks VALUES (?)", (state,))
        seen.append((state, row.owner_id))
        return state == "refused"  # refused: keep it pending (e.g. until a moderator fixes a permission)

    delivery = engine(db, clock, port)
    delivery.register("test", KindHandler(on_failed=on_failed))
    gone = await put(delivery, Payload(content="a"), part="1")
    refused = await put(delivery, Payload(content="b"), part="2")
    port.errors = [DeliveryGone("404"), DeliveryRefused("403")]
    await delivery.run()
    await delivery.run()
    assert seen == [("gone", 1), ("refused", 1)]
    states = [(await outbox.get(db, r)) for r in (gone, refused)]
    assert [s.state for s in states if s] == ["gone", "pending"]
    assert await db.scalar("SELECT COUNT(*) FROM marks") == 2


async def test_a_refused_channel_is_not_hammered_in_the_same_run(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    for n in range(3):
        await put(delivery, Payload(content=str(n)), part=str(n))
    port.errors = [DeliveryRefused("403")]
    report = await delivery.run()
    assert report.failed == 1 and port.messages == []  # the other two wait for the next run


async def test_delivered_callback_commits_with_the_row(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()

    async def on_delivered(conn: aiosqlite.Connection, row: OutboxRow, message_id: int) -> None:
        await conn.execute("CREATE TABLE IF NOT EXISTS results (message_id INTEGER)")
        await conn.execute("INSERT INTO results VALUES (?)", (message_id,))

    delivery = engine(db, clock, port)
    delivery.register("test", KindHandler(on_delivered=on_delivered))
    await put(delivery, Payload(content="a"))
    await delivery.run()
    await delivery.run()
    assert await db.scalar("SELECT message_id FROM results") == port.messages[0][0]
    assert await db.scalar("SELECT COUNT(*) FROM results") == 1


async def test_expired_messages_are_not_sent(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    row_id = await put(delivery, Payload(content="late"), expires_at=int(clock.now) + 60)
    clock.now += 61
    await delivery.run()
    row = await outbox.get(db, row_id)
    assert row is not None and row.state == "expired" and port.messages == []


async def test_concurrent_runs_send_each_message_once(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    await put(delivery, Payload(content="a"))
    port.gate = asyncio.Event()
    runs = [asyncio.create_task(delivery.run()) for _ in range(3)]
    await asyncio.sleep(0.05)
    port.gate.set()
    await asyncio.gather(*runs)
    await delivery.run()
    assert len(port.messages) == 1 and len(port.nonces) == 1


async def test_carried_over_nonce_and_first_attempt_are_used(db: Database) -> None:
    """A reminder whose send began before the outbox existed keeps its nonce and its first attempt."""
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    row_id = await put(delivery, Payload(content="a"), nonce="wpr7.0", first_attempt_at=int(clock.now) - 500)
    row = await outbox.get(db, row_id)
    assert row is not None and nonce_of(row) == "wpr7.0"
    await delivery.run()
    assert port.find_calls == [(CHANNEL, int(clock.now) - 500)] and list(port.nonces) == ["wpr7.0"]


async def test_send_now_while_a_run_is_sending_the_row_answers_with_its_outcome(db: Database) -> None:
    clock, port = FakeClock(), FakeDeliveryPort()
    delivery = engine(db, clock, port)
    row_id = await put(delivery, Payload(content="announcement"))
    port.gate = asyncio.Event()
    run = asyncio.create_task(delivery.run())
    await asyncio.sleep(0.05)  # the run is inside send()
    now = asyncio.create_task(delivery.send_now(row_id))
    await asyncio.sleep(0.05)
    port.gate.set()
    await run
    result = await now
    assert (result.state, result.message_id) == ("delivered", port.messages[0][0])
    assert len(port.messages) == 1
