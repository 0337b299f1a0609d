"""The poll repository on real SQLite: scoping, the UNIQUE constraints, seqs, closing once, nominations."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from domain.models import NominationStatus, PollKind, PollMode, PollStatus
from storage import outbox as outbox_repo
from storage import polls as repo
from storage.db import Database

NOW = 1_800_000_000


async def new_poll(
    db: Database,
    *,
    guild: int = 1,
    message: int | None = 500,
    kind: PollKind = PollKind.POLL,
    mode: PollMode = PollMode.SINGLE,
) -> int:
    async with db.transaction() as conn:
        poll_id = await repo.create_poll(
            conn,
            guild_id=guild,
            channel_id=10,
            created_by=5,
            kind=kind,
            question="Which *film*?",
            options=["Alien", "Amélie", "Heat"],
            mode=mode,
            max_choices=None,
            created_at=NOW,
            closes_at=NOW + 3600,
        )
        if message is not None:
            await repo.activate_poll(conn, poll_id, message)
    return poll_id


async def vote(db: Database, poll_id: int, user: int, option: int, source: str = "live") -> bool:
    """Store one vote with the poll's next ``seq`` (raw SQL: the product writes through ``add_vote``)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO votes (poll_id, user_id, option, seq, source, created_at) "
            "VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM votes WHERE poll_id = ?), ?, ?) "
            "ON CONFLICT DO NOTHING",
            (poll_id, user, option, poll_id, source, NOW),
        )
        return cur.rowcount == 1


async def votes_with_source(db: Database, poll_id: int) -> list[tuple[int, int, int, str]]:
    rows = await db.fetchall(
        "SELECT user_id, option, seq, source FROM votes WHERE poll_id = ? ORDER BY seq", (poll_id,)
    )
    return [(r["user_id"], r["option"], r["seq"], r["source"]) for r in rows]


async def test_create_activate_and_guild_scoping(db: Database) -> None:
    pending = await new_poll(db, message=None)
    poll_id = await new_poll(db, message=501)
    poll = await repo.get_poll(db, poll_id, 1)
    assert poll is not None and poll.is_open and poll.message_id == 501
    assert poll.options == ("Alien", "Amélie", "Heat") and poll.n_options == 3
    assert await repo.get_poll(db, poll_id, 2) is None  # another server's id is not found
    assert (await repo.get_poll(db, pending)).status == "pending"  # type: ignore[union-attr]
    assert [p.id for p in await repo.open_polls(db)] == [poll_id]
    assert [p.id for p in await repo.recent_polls(db, 1, open_only=False)] == [poll_id]
    assert await repo.stale_pending_polls(db, NOW + 1, queued_kind="poll_message") == [pending]
    assert await repo.count_open(db, 1) == 1 and await repo.count_open(db, 2) == 0
    assert await repo.last_created_at(db, 1, 5) == NOW


async def test_message_ids_are_unique(db: Database) -> None:
    await new_poll(db, message=700)
    with pytest.raises(sqlite3.IntegrityError):
        await new_poll(db, message=700)


async def test_votes_unique_and_seq_in_arrival_order(db: Database) -> None:
    poll_id = await new_poll(db)
    assert await vote(db, poll_id, 1, 0)
    assert await vote(db, poll_id, 2, 1)
    assert not await vote(db, poll_id, 1, 0)  # the same member and option: never twice
    assert await vote(db, poll_id, 1, 2)
    votes = await repo.votes_for(db, poll_id)
    assert [(v.user_id, v.option, v.seq) for v in votes] == [(1, 0, 1), (2, 1, 2), (1, 2, 3)]
    async with db.transaction() as conn:
        assert await repo.vote_state(conn, poll_id, 1) == ("open", [0, 2])
        assert await repo.vote_state(conn, poll_id, 3) == ("open", [])
        assert await repo.vote_state(conn, 9999, 1) == (None, [])
    assert await repo.count_voters(db, [poll_id]) == {poll_id: 2}


async def test_option_range_is_checked(db: Database) -> None:
    poll_id = await new_poll(db)
    with pytest.raises(sqlite3.IntegrityError):
        await vote(db, poll_id, 1, 10)


async def test_delete_vote_only_while_open_and_close_once(db: Database) -> None:
    poll_id = await new_poll(db)
    await vote(db, poll_id, 1, 0)
    await vote(db, poll_id, 2, 0)
    async with db.transaction() as conn:
        assert await repo.delete_vote(conn, poll_id, 1, 0)
        assert not await repo.delete_vote(conn, poll_id, 1, 0)
        assert await repo.close_poll(conn, poll_id, now=NOW + 10, reason="deadline", closed_by=None, winner=0)
        assert not await repo.close_poll(conn, poll_id, now=NOW + 11, reason="closed", closed_by=7, winner=1)
        assert not await repo.delete_vote(conn, poll_id, 2, 0)  # closed polls keep their votes
        assert await repo.delete_poll_votes(conn, poll_id) == 0
    poll = await repo.get_poll(db, poll_id)
    assert (
        poll is not None and poll.status == "closed" and poll.close_reason == "deadline" and poll.winner == 0
    )
    assert [(v.user_id, v.option) for v in await repo.votes_for(db, poll_id)] == [(2, 0)]


async def test_due_polls_and_announcements(db: Database) -> None:
    early = await new_poll(db, message=1)
    assert await repo.due_polls(db, NOW + 3599) == []
    assert [p.id for p in await repo.due_polls(db, NOW + 3600)] == [early]
    async with db.transaction() as conn:
        await repo.close_poll(conn, early, now=NOW, reason="deadline", closed_by=None, winner=None)
        # an attempt made before the outbox existed (0006)
        await conn.execute("UPDATE polls SET announce_attempts = 1 WHERE id = ?", (early,))
    assert [
        p.announce_attempts for p in await repo.pending_announcements(db, 5, queued_kind="poll_results")
    ] == [1]
    assert await repo.pending_announcements(db, 1, queued_kind="poll_results") == []
    async with db.transaction() as conn:
        await repo.mark_announced(conn, early, 777)
    assert await repo.pending_announcements(db, 5, queued_kind="poll_results") == []
    poll = await repo.get_poll(db, early)
    assert poll is not None and poll.announced and poll.result_message_id == 777


async def test_apply_resync_appends_after_live_votes(db: Database) -> None:
    poll_id = await new_poll(db, mode="ranked")
    await vote(db, poll_id, 1, 2)
    await vote(db, poll_id, 2, 0)
    async with db.transaction() as conn:
        await repo.apply_resync(conn, poll_id, removed=[(2, 0)], added=[(1, 0), (3, 1)], now=NOW)
    rows = await votes_with_source(db, poll_id)
    assert rows == [(1, 2, 1, "live"), (1, 0, 2, "resync"), (3, 1, 3, "resync")]
    await vote(db, poll_id, 4, 2)  # live votes after a resync continue the sequence
    assert (await votes_with_source(db, poll_id))[-1] == (4, 2, 4, "live")


async def test_stale_flag_and_cleared_option(db: Database) -> None:
    poll_id = await new_poll(db)
    await vote(db, poll_id, 1, 0)
    await vote(db, poll_id, 2, 1)
    async with db.transaction() as conn:
        await repo.mark_reactions_stale(conn, poll_id)
        assert await repo.delete_poll_votes(conn, poll_id, 1) == 1
    assert (await repo.get_poll(db, poll_id)).reactions_stale  # type: ignore[union-attr]
    assert [(v.user_id, v.option) for v in await repo.votes_for(db, poll_id)] == [(1, 0)]


async def test_nominations_live_key_and_rounds(db: Database) -> None:
    async with db.transaction() as conn:
        a = await repo.add_nomination(
            conn, guild_id=1, user_id=1, title="Alien", year=1979, note=None, title_key="alien|1979", now=NOW
        )
        b = await repo.add_nomination(
            conn,
            guild_id=1,
            user_id=2,
            title="Heat",
            year=None,
            note="Pacino",
            title_key="heat|",
            now=NOW + 1,
        )
        await repo.add_nomination(
            conn, guild_id=2, user_id=3, title="Alien", year=1979, note=None, title_key="alien|1979", now=NOW
        )
    with pytest.raises(repo.DuplicateNomination):
        async with db.transaction() as conn:
            await repo.add_nomination(
                conn,
                guild_id=1,
                user_id=3,
                title="ALIEN",
                year=1979,
                note=None,
                title_key="alien|1979",
                now=NOW,
            )
    found = await repo.live_nomination_by_key(db, 1, "alien|1979")
    assert found is not None and found.user_id == 1 and found.label == "Alien (1979)"
    assert [n.id for n in await repo.open_nominations(db, 1)] == [a, b]
    assert await repo.get_nomination(db, 2, a) is None
    poll_id = await new_poll(db, kind="pick")
    async with db.transaction() as conn:
        await repo.put_in_poll(conn, poll_id, [b, a])
    assert [(n.id, n.poll_option) for n in await repo.poll_nominations(db, poll_id)] == [(b, 0), (a, 1)]
    assert await repo.open_nominations(db, 1) == []
    assert (await repo.open_pick(db, 1)).id == poll_id  # type: ignore[union-attr]
    async with db.transaction() as conn:
        assert await repo.reopen_poll_nominations(conn, poll_id) == 2
        await repo.put_in_poll(conn, poll_id, [a, b])
        assert await repo.archive_poll_nominations(conn, poll_id, NOW + 5) == 2
    assert await repo.live_nominations(db, 1) == []
    assert await repo.count_live_nominations(db, 1) == 0
    async with db.transaction() as conn:  # an archived title can be nominated again
        await repo.add_nomination(
            conn, guild_id=1, user_id=3, title="Alien", year=1979, note=None, title_key="alien|1979", now=NOW
        )
    assert await repo.count_live_nominations(db, 1) == 1


async def test_deleting_a_poll_cascades_votes(db: Database) -> None:
    poll_id = await new_poll(db)
    await vote(db, poll_id, 1, 0)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
    assert await db.scalar("SELECT COUNT(*) FROM votes") == 0


async def test_vote_path_uses_indexes(db: Database) -> None:
    """No full-table scan on the per-reaction statements (the benchmark replays thousands of them)."""
    if db.dialect != "sqlite":
        pytest.skip("reads SQLite's EXPLAIN QUERY PLAN; PostgreSQL's planner prefers scans on tiny tables")
    poll_id = await new_poll(db)
    plans = []
    for sql, params in [
        (
            "SELECT p.status, v.option FROM polls p LEFT JOIN votes v ON v.poll_id = p.id AND v.user_id = ? "
            "WHERE p.id = ? ORDER BY v.seq",
            (1, poll_id),
        ),
        ("SELECT COALESCE(MAX(seq), 0) + 1 FROM votes WHERE poll_id = ?", (poll_id,)),
        ("DELETE FROM votes WHERE poll_id = ? AND user_id = ? AND option = ?", (poll_id, 1, 0)),
    ]:
        rows = await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        plans.append(" | ".join(str(r["detail"]) for r in rows))
    for plan in plans:
        assert "SCAN votes" not in plan, plan


async def test_add_vote_guards(db: Database) -> None:
    poll_id = await new_poll(db)
    assert await repo.add_vote(db, poll_id, 1, 0, max_choices=1, now=NOW)
    assert not await repo.add_vote(db, poll_id, 1, 1, max_choices=1, now=NOW)  # single: already voted
    assert not await repo.add_vote(db, poll_id, 1, 0, max_choices=None, now=NOW)  # replay
    assert await repo.add_vote(db, poll_id, 1, 2, max_choices=2, now=NOW)
    assert not await repo.add_vote(db, poll_id, 1, 1, max_choices=2, now=NOW)  # over the cap
    async with db.transaction() as conn:
        assert await repo.delete_other_votes(conn, poll_id, 1, 2) == [0]
        await repo.close_poll(conn, poll_id, now=NOW, reason="closed", closed_by=5, winner=None)
    assert not await repo.add_vote(db, poll_id, 2, 0, max_choices=None, now=NOW)  # closed
    async with db.transaction() as conn:
        assert await repo.delete_other_votes(conn, poll_id, 1, 0) == []  # closed: nothing deleted
    assert [(v.user_id, v.option, v.seq) for v in await repo.votes_for(db, poll_id)] == [(1, 2, 2)]


async def test_single_statement_write_waits_for_an_open_transaction(db: Database) -> None:
    """Database.write never runs inside another coroutine's transaction: it waits for the writer lock."""
    poll_id = await new_poll(db)
    async with db.transaction() as conn:
        task = asyncio.create_task(repo.add_vote(db, poll_id, 1, 0, max_choices=None, now=NOW))
        await asyncio.sleep(0.05)
        assert not task.done()
        await repo.close_poll(conn, poll_id, now=NOW, reason="closed", closed_by=5, winner=None)
    assert await task is False  # it ran after the commit and saw the poll closed
    assert await repo.votes_for(db, poll_id) == []


async def test_a_pending_poll_with_its_message_queued_is_not_stale(db: Database) -> None:
    queued = await new_poll(db, message=None)
    left = await new_poll(db, message=None)  # pending with nothing queued: a crash of the old direct post
    async with db.transaction() as conn:
        await outbox_repo.enqueue(
            conn, kind="poll_message", owner_id=queued, part="", channel_id=10, payload="{}", now=NOW
        )
        await outbox_repo.enqueue(
            conn, kind="poll_results", owner_id=left, part="", channel_id=10, payload="{}", now=NOW
        )
    assert await repo.stale_pending_polls(db, NOW + 1, queued_kind="poll_message") == [left]
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET state = 'refused' WHERE owner_id = ?", (queued,))
    assert await repo.stale_pending_polls(db, NOW + 1, queued_kind="poll_message") == [queued, left]


async def test_discarding_a_pending_poll_puts_its_nominations_back(db: Database) -> None:
    pending = await new_poll(db, message=None, kind=PollKind.PICK)
    opened = await new_poll(db, message=700, kind=PollKind.PICK)
    async with db.transaction() as conn:
        first = await repo.add_nomination(
            conn, guild_id=1, user_id=3, title="Alien", year=None, note=None, title_key="alien|", now=NOW
        )
        second = await repo.add_nomination(
            conn, guild_id=1, user_id=4, title="Heat", year=None, note=None, title_key="heat|", now=NOW
        )
        await repo.put_in_poll(conn, pending, [first])
        await repo.put_in_poll(conn, opened, [second])
        assert await repo.discard_pending_poll(conn, pending)
        assert not await repo.discard_pending_poll(conn, opened)  # its message was posted: it stays
    assert await repo.get_poll(db, pending) is None
    assert (await repo.get_poll(db, opened)).status == PollStatus.OPEN  # type: ignore[union-attr]
    statuses = {n.id: n.status for n in await repo.live_nominations(db, 1)}
    assert statuses == {first: NominationStatus.OPEN, second: NominationStatus.IN_POLL}
