"""Two processes on one PostgreSQL database share background work: each message is sent by one of them, and
a dead process's claim is taken over after the lease timeout (then the nonce-window rule applies)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from services.delivery import Delivery, Payload
from storage import leases, outbox
from storage.db import PostgresDatabase


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class CountingChannel:
    """A port that does NOT de-duplicate nonces: a message sent twice shows up twice."""

    def __init__(self, sends: Counter[str]) -> None:
        self.sends = sends

    async def send(self, channel_id: int, payload: Payload, nonce: str) -> int:
        await asyncio.sleep(0.002)  # a REST round trip: lets the other process's run interleave
        self.sends[payload.content] += 1
        return 1000 + self.sends.total()

    async def find(self, channel_id: int, payload: Payload, since: int) -> int | None:
        return 999 if self.sends[payload.content] else None


async def _two_processes(pg_server: Any) -> tuple[PostgresDatabase, PostgresDatabase]:
    url = pg_server.create_database()
    return await PostgresDatabase.open_url(url, pool_size=3), await PostgresDatabase.open_url(
        url, pool_size=3
    )


async def test_two_processes_delivering_the_same_outbox_send_each_message_once(pg_server: Any) -> None:
    first, second = await _two_processes(pg_server)
    sends: Counter[str] = Counter()
    clock = Clock()
    engines = [Delivery(db, clock=clock, nonce_window=120) for db in (first, second)]
    for e in engines:
        e.attach(CountingChannel(sends))
    try:
        async with first.transaction() as conn:
            for i in range(60):
                await engines[0].enqueue(
                    conn, kind="test", owner_id=i, channel_id=10 + i % 4, payload=Payload(f"m{i}")
                )
        reports = await asyncio.gather(*(e.run() for e in engines))
        assert sum(r.delivered for r in reports) == 60
        assert all(r.delivered for r in reports), "both processes took part"
        assert sends == Counter({f"m{i}": 1 for i in range(60)})
        assert await outbox.count(first, "delivered") == 60
        assert await leases.held(first, "outbox", int(clock.now)) == {}  # released once done
    finally:
        await first.close()
        await second.close()


async def test_a_dead_senders_message_is_taken_over_after_the_lease_timeout(pg_server: Any) -> None:
    first, second = await _two_processes(pg_server)
    sends: Counter[str] = Counter()
    clock = Clock()
    dead, survivor = (Delivery(db, clock=clock, nonce_window=120) for db in (first, second))
    survivor.attach(CountingChannel(sends))
    try:
        async with first.transaction() as conn:
            row_id = await dead.enqueue(
                conn, kind="test", owner_id=1, channel_id=10, payload=Payload("hello")
            )
        assert row_id is not None
        # The first process claimed the row, recorded its first attempt and died in the send (SIGKILL: no
        # release). Discord had stored the message.
        now = int(clock.now)
        assert await leases.claim(first, "outbox", [row_id], now) == {row_id}
        async with first.transaction() as conn:
            await outbox.mark_sending(conn, row_id, now)
        sends["hello"] += 1
        await first.close()

        assert (await survivor.run()).delivered == 0  # still claimed: not sent a second time
        # Past the lease and past Discord's nonce memory: the survivor must look in the channel before sending.
        clock.now += second.lease_timeout + 121
        report = await survivor.run()
        assert report.found == 1 and report.delivered == 0
        assert sends["hello"] == 1
        row = await outbox.get(second, row_id)
        assert row is not None and row.state == "delivered" and row.message_id == 999
    finally:
        await first.close()
        await second.close()


async def test_two_processes_fire_each_reminder_once_and_a_dead_ones_after_its_lease(pg_server: Any) -> None:
    from datetime import UTC, datetime

    from services.club import ClubService
    from services.watchparties import ScheduleRequest, WatchPartyService
    from settings import WatchPartySettings
    from storage import watchparties as parties
    from tests.helpers.clock import FakeClock
    from tests.helpers.ports import FakeWatchPartyDiscord

    first, second = await _two_processes(pg_server)
    clock = FakeClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp())
    discord = FakeWatchPartyDiscord()  # one Discord for both processes
    services = []
    for db in (first, second):
        club = ClubService(db, clock=clock)
        service = WatchPartyService(
            db, WatchPartySettings(), club, clock=clock, delivery=Delivery(db, clock=clock, backoff_base=0)
        )
        service.attach(discord, discord)
        services.append(service)
    try:
        request = ScheduleRequest(
            guild_id=1, user_id=99, invoked_channel_id=10, film="Alien", when="friday 8pm", reminders="1d, 1h"
        )
        party = (await services[0].schedule(request)).view.party
        day_before, hour_before = party.start_at - 86_400, party.start_at - 3_600

        def reminders_sent() -> int:
            return sum(1 for _, p in discord.payloads if p.content.startswith("⏰"))

        clock.set(day_before)
        reports = await asyncio.gather(*(s.run_due() for s in services))
        assert sum(r.fired for r in reports) == 1 and reminders_sent() == 1 and discord.repeats == 0

        # The first process claims the next reminder at its time and dies before sending it (no release).
        clock.set(hour_before)
        (pending,) = [
            r for r in await parties.party_reminders(first, party.id, "pending") if r.due_at == hour_before
        ]
        assert await leases.claim(first, "reminder", [pending.id], int(clock.now)) == {pending.id}
        await services[0].close()
        await first.close()
        assert (await services[1].run_due()).fired == 0 and reminders_sent() == 1  # still claimed
        clock.set(hour_before + second.lease_timeout + 1)  # inside the grace window, past the lease
        assert (await services[1].run_due()).fired == 1
        assert reminders_sent() == 2 and discord.repeats == 0
    finally:
        for service in services:
            await service.close()
        await first.close()
        await second.close()
