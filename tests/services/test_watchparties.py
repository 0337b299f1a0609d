"""WatchPartyService with real parts: a real SQLite file, a fake clock and :class:`FakeWatchPartyDiscord`, an in-process
implementation of the WatchPartyDiscord port that de-duplicates sends by nonce the way Discord's
``enforce_nonce`` does. Nothing here is mocked.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar

from domain.errors import UserError
from domain.models import Subscription
from services.club import ClubService
from services.delivery import Delivery
from services.digest import DigestService
from services.watchparties import (
    MAX_THREAD_ATTEMPTS,
    EditRequest,
    PartyView,
    ScheduleRequest,
    WatchPartyService,
    film_matcher,
)
from settings import DigestSettings, WatchPartySettings
from storage import outbox as outbox_repo
from storage import watchparties as repo
from storage.db import Database
from tests.helpers.clock import FakeClock
from tests.helpers.ports import Crash, FakeWatchPartyDiscord
from tests.pg import reopen

GUILD = 1
CHANNEL = 10
ANNOUNCE = 11
VOICE = 12
ORGANISER = 99
USERS = tuple(range(1001, 1011))
# Monday 23 Nov 2026, 12:00 UTC
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()


def epoch(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


def delivery(env: Env) -> Delivery:
    """The outbox engine as the bot builds it, without backoff (a failed message goes on the next tick)."""
    return Delivery(env.db, clock=env.clock, nonce_window=120, backoff_base=0)


@dataclasses.dataclass
class Env:
    db: Database
    clock: FakeClock
    discord: FakeWatchPartyDiscord
    service: WatchPartyService
    club: ClubService

    async def restart(self, settings: WatchPartySettings | None = None) -> None:
        """Close and reopen the database and build a fresh service (the bot restarted)."""
        await self.service.close()
        await self.db.close()
        self.db = await reopen(self.db)
        self.club = ClubService(self.db, clock=self.clock)
        self.service = WatchPartyService(
            self.db, settings or self.service.settings, self.club, clock=self.clock, delivery=delivery(self)
        )
        self.service.attach(self.discord, self.discord)
        await self.service.start()

    async def schedule(self, film: str = "Alien", when: str = "friday 8pm", **kw: Any) -> PartyView:
        request = ScheduleRequest(
            guild_id=GUILD, user_id=ORGANISER, invoked_channel_id=CHANNEL, film=film, when=when, **kw
        )
        return (await self.service.schedule(request)).view


@pytest.fixture
async def env(db: Database) -> AsyncIterator[Env]:
    clock = FakeClock(NOW)
    club = ClubService(db, clock=clock)
    service = WatchPartyService(
        db, WatchPartySettings(), club, clock=clock, delivery=Delivery(db, clock=clock, backoff_base=0)
    )
    recorder = FakeWatchPartyDiscord()
    service.attach(recorder, recorder)
    environment = Env(db, clock, recorder, service, club)
    try:
        yield environment
    finally:
        await environment.service.close()
        await environment.db.close()


async def states(env: Env, party_id: int = 1) -> dict[str, str]:
    return {f"{r.key}@{r.due_at}": r.state for r in await repo.party_reminders(env.db, party_id)}


async def pending_keys(env: Env, party_id: int = 1) -> list[tuple[str, int]]:
    return [(r.key, r.due_at) for r in await repo.party_reminders(env.db, party_id, "pending")]


# ------------------------------------------------------------------------------------------ scheduling


async def test_schedule_stores_announces_creates_event_and_plans_reminders(env: Env) -> None:
    result = await env.service.schedule(
        ScheduleRequest(
            guild_id=GUILD,
            user_id=ORGANISER,
            invoked_channel_id=CHANNEL,
            film="  Alien  ",
            when="friday 8pm",
            notes="Bring snacks",
        )
    )
    party = result.view.party
    start = epoch(2026, 11, 27, 20, 0)  # the coming Friday, 20:00 in the default zone (UTC)
    assert (party.id, party.film, party.start_at, party.timezone) == (1, "Alien", start, "UTC")
    assert party.duration == 9000 and party.end_at == start + 9000
    assert party.location == "#general" and party.voice_channel_id is None
    assert party.announce_channel_id == CHANNEL and party.announce_message_id in env.discord.announcements
    assert party.event_id is not None and result.warnings == ()
    spec = env.discord.events[party.event_id]
    assert (spec.name, spec.start_at, spec.end_at, spec.location, spec.voice_channel_id) == (
        "Alien",
        start,
        start + 9000,
        "#general",
        None,
    )
    assert "Bring snacks" in spec.description and "#1" in spec.description
    assert await pending_keys(env) == [
        ("before:86400", start - 86_400),
        ("before:3600", start - 3_600),
        ("start", start),
        ("discussion", start + 9000),
        ("spoiler_end", start + 9000 + 86_400),
    ]
    assert [v.party.id for v in await env.service.upcoming(GUILD)] == [1]
    assert await env.service.status_lines(GUILD) == {"Upcoming watch parties": "1"}
    [(party_id, label)] = await env.service.choices(GUILD, "ali")
    assert party_id == 1 and label.startswith("#1 Alien") and "27 Nov 2026" in label
    assert await env.service.choices(GUILD, "zzz") == []


async def test_schedule_from_pick_needs_the_adapter_then_schedules_with_defaults(env: Env) -> None:
    port = env.service.discord
    env.service.detach()  # as if the watch-party cog were not loaded
    assert not env.service.accepting
    with pytest.raises(UserError, match="/watchparty schedule for “Up”"):
        await env.service.schedule_from_pick(
            guild_id=GUILD, user_id=ORGANISER, channel_id=CHANNEL, film="Up", when="friday 8pm", timezone=None
        )
    assert await repo.upcoming_parties(env.db, GUILD, 0) == []
    assert port is not None
    env.service.attach(port)
    assert env.service.accepting
    result = await env.service.schedule_from_pick(
        guild_id=GUILD, user_id=ORGANISER, channel_id=CHANNEL, film="Up", when="friday 8pm", timezone=None
    )
    party = result.view.party
    assert (party.film, party.start_at, party.announce_channel_id) == (
        "Up",
        epoch(2026, 11, 27, 20, 0),
        CHANNEL,
    )
    assert party.reminder_offsets and party.announce_message_id in env.discord.announcements


async def test_schedule_channel_kinds_and_announcement_channel(env: Env) -> None:
    await env.club.update_guild_settings(GUILD, announce_channel_id=ANNOUNCE)
    voice = await env.schedule("Solaris", channel_id=VOICE, channel_kind="voice", location="ignored")
    assert voice.party.announce_channel_id == ANNOUNCE and voice.party.voice_channel_id == VOICE
    assert voice.party.location is None
    assert voice.party.event_id is not None
    spec = env.discord.events[voice.party.event_id]
    assert spec.voice_channel_id == VOICE and spec.location is None
    text = await env.schedule("Stalker", channel_id=CHANNEL, channel_kind="text", location="Cinema 2")
    assert text.party.announce_channel_id == CHANNEL and text.party.location == "Cinema 2"
    default = await env.schedule("Mirror")
    assert default.party.announce_channel_id == ANNOUNCE and default.party.location == "#announcements"


@pytest.mark.parametrize(
    ("when", "tz", "message"),
    [
        ("yesterday 8pm", None, "in the past"),
        ("in 5 minutes ago", None, "couldn't read"),
        ("whenever", None, "couldn't read"),
        ("friday", None, "Add a time of day"),
        ("2028-01-01 20:00", None, "too far ahead"),
        ("friday 8pm", "Mars/Olympus", "time zone"),
        ("friday 8pm", "EST", "abbreviation"),
        ("2027-03-28 01:30", "Europe/London", "does not exist"),
        ("2027-03-14 02:30", "America/New_York", "try 01:59 or 03:00"),
    ],
)
async def test_schedule_refusals_store_nothing(env: Env, when: str, tz: str | None, message: str) -> None:
    with pytest.raises(UserError, match=message):
        await env.schedule(when=when, timezone=tz)
    assert await repo.upcoming_parties(env.db, GUILD, 0) == []
    assert env.discord.announcements == {} and env.discord.events == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"film": "   "}, "title"),
        ({"film": "x" * 101}, "too long"),
        ({"film": "!!!"}, "no letters"),
        ({"notes": "n" * 901}, "notes are too long"),
        ({"location": "l" * 101}, "location is too long"),
        ({"capacity": 0}, "capacity"),
        ({"duration": "5m"}, "between 10 min and 12h"),
        ({"reminders": "soon"}, "not a duration"),
        ({"reminders": "-1h"}, "negative"),
    ],
)
async def test_schedule_bad_options(env: Env, kwargs: dict[str, Any], message: str) -> None:
    kwargs = dict(kwargs)  # shared by the SQLite and PostgreSQL runs: do not consume it
    film = kwargs.pop("film", "Alien")
    with pytest.raises(UserError, match=message):
        await env.schedule(film, **kwargs)
    assert await repo.upcoming_parties(env.db, GUILD, 0) == []


async def test_timezone_option_then_member_then_club_then_default(env: Env) -> None:
    assert (await env.schedule(when="friday 8pm")).party.timezone == "UTC"
    await env.club.update_guild_settings(GUILD, timezone="Asia/Tokyo")
    club = await env.schedule(when="friday 8pm")
    assert club.party.timezone == "Asia/Tokyo" and club.party.start_at == epoch(2026, 11, 27, 11, 0)
    assert await env.service.set_member_timezone(ORGANISER, "america/new_york") == "America/New_York"
    member = await env.schedule(when="friday 8pm")
    assert member.party.timezone == "America/New_York" and member.party.start_at == epoch(2026, 11, 28, 1, 0)
    option = await env.schedule(when="friday 8pm", timezone="Europe/Paris")
    assert option.party.timezone == "Europe/Paris" and option.party.start_at == epoch(2026, 11, 27, 19, 0)
    with pytest.raises(UserError):
        await env.service.set_member_timezone(ORGANISER, "Nowhere/Land")
    assert await env.service.member_timezone(ORGANISER) == "America/New_York"


async def test_ambiguous_wall_time_takes_first_occurrence_and_says_so(env: Env) -> None:
    env.clock.set(epoch(2026, 10, 20, 12, 0))
    result = await env.service.schedule(
        ScheduleRequest(GUILD, ORGANISER, CHANNEL, "Alien", "2026-10-25 01:30", timezone="Europe/London")
    )
    assert result.parsed.ambiguous
    assert result.view.party.start_at == epoch(2026, 10, 25, 0, 30)  # 01:30 BST, the first one
    assert any("happens twice" in note and "first" in note for note in result.notes)


async def test_announcement_refused_schedules_nothing(env: Env) -> None:
    env.discord.refuse.add(CHANNEL)
    with pytest.raises(UserError, match="nothing was scheduled"):
        await env.schedule()
    assert await env.db.scalar("SELECT COUNT(*) FROM watchparties") == 0
    assert await env.db.scalar("SELECT COUNT(*) FROM reminders") == 0
    assert env.discord.events == {}


async def test_a_discarded_partys_id_can_be_used_again(env: Env) -> None:
    # SQLite gives a deleted row's id to the next row; the discarded announcement must not block the new one
    env.discord.refuse.add(CHANNEL)
    with pytest.raises(UserError, match="nothing was scheduled"):
        await env.schedule()
    env.discord.refuse.clear()
    view = await env.schedule()
    assert view.party.announce_message_id is not None
    assert view.party.id == (1 if env.db.dialect == "sqlite" else 2)  # PostgreSQL never reuses an id


async def test_missing_manage_events_still_stores_and_announces_with_a_warning(env: Env) -> None:
    env.discord.refuse_events = True
    result = await env.service.schedule(ScheduleRequest(GUILD, ORGANISER, CHANNEL, "Alien", "friday 8pm"))
    assert result.view.party.event_id is None
    assert result.view.party.announce_message_id in env.discord.announcements
    assert len(result.warnings) == 1 and "Manage Events" in result.warnings[0]
    assert len(await pending_keys(env)) == 5
    # once the permission is granted, an edit adds the missing event
    env.discord.refuse_events = False
    edited = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(notes="Doors at 19:45"))
    assert edited.view.party.event_id in env.discord.events and edited.warnings == ()


# ------------------------------------------------------------------------------------------- reminders


async def rsvp_all(env: Env, party_id: int, answers: dict[int, str]) -> None:
    for user_id, choice in answers.items():
        await env.service.rsvp(GUILD, party_id, user_id, choice)


async def test_reminders_fire_at_their_times_pinging_only_going(env: Env) -> None:
    view = await env.schedule()
    start = view.party.start_at
    await rsvp_all(env, 1, {1001: "going", 1002: "going", 1003: "maybe", 1004: "no"})
    env.clock.set(start - 86_400 - 1)
    assert not (await env.service.run_due()).busy and env.discord.sent == []
    env.clock.set(start - 86_400)
    report = await env.service.run_due()
    assert (report.fired, report.missed) == (1, 0)
    [sent] = env.discord.sent
    assert sent.channel_id == CHANNEL and sent.user_ids == (1001, 1002)
    assert "<@1001>" in sent.content and "<@1002>" in sent.content and "<@1003>" not in sent.content
    assert f"<t:{start}:R>" in sent.content and "1 day" in sent.content
    assert sent.reply_to == view.party.announce_message_id
    reminder_id = (await repo.party_reminders(env.db, 1))[0].id
    assert sent.nonce == f"wpr{reminder_id}.0"
    # exactly once: later runs send nothing more
    for _ in range(3):
        env.clock.set(env.clock.now + 30)
        await env.service.run_due()
    assert len(env.discord.sent) == 1
    env.clock.set(start - 3_600)
    await env.service.run_due()
    env.clock.set(start)
    await env.service.run_due()
    assert [s.content.split("**")[0] for s in env.discord.sent] == ["⏰ ", "⏰ ", "🎬 "]
    assert all(s.user_ids == (1001, 1002) for s in env.discord.sent)
    assert "starting now" in env.discord.sent[-1].content


async def outbox_rows(env: Env, kind: str = "reminder") -> list[outbox_repo.OutboxRow]:
    rows = await env.db.fetchall("SELECT id FROM outbox WHERE kind = ? ORDER BY id", (kind,))
    found = [await outbox_repo.get(env.db, r["id"]) for r in rows]
    return [r for r in found if r is not None]


async def test_crash_between_send_and_mark_fired_resends_with_same_nonce(env: Env) -> None:
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    env.clock.set(view.party.start_at - 3_600 + 20)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.run_due()
    assert len(env.discord.sent) == 1
    first_nonce = env.discord.sent[0].nonce
    # the job is done (its message is in the outbox); the message is not marked delivered
    assert (await states(env))[f"before:3600@{view.party.start_at - 3600}"] == "fired"
    assert [r.state for r in await outbox_rows(env)] == ["pending"]
    await env.restart()
    env.clock.set(env.clock.now + 40)  # back up within the grace window
    await env.service.run_due()
    assert len(env.discord.sent) == 1  # Discord answered the re-send with the message it already had
    assert first_nonce in {n for _, n in env.discord.by_nonce}
    assert [r.state for r in await outbox_rows(env)] == ["delivered"]


async def test_crash_after_send_then_restart_past_the_nonce_window_pings_once(env: Env) -> None:
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    due = view.party.start_at - 3_600
    env.clock.set(due + 20)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.run_due()
    [row] = await outbox_rows(env)
    assert (row.state, row.sending_at) == ("pending", due + 20)
    await env.restart()
    env.discord.forget_nonces()  # down for 5 minutes: Discord no longer knows the nonce
    env.clock.set(due + 20 + 300)  # still within the 10-minute grace window
    await env.service.run_due()
    assert len(env.discord.sent) == 1
    assert env.discord.find_calls == [(CHANNEL, due + 20)]
    assert [r.state for r in await outbox_rows(env)] == ["delivered"]
    assert (await states(env))[f"before:3600@{due}"] == "fired"


async def test_crash_before_send_then_restart_past_the_nonce_window_sends_once(env: Env) -> None:
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    due = view.party.start_at - 3_600
    env.clock.set(due + 20)
    env.discord.errors.append(Crash("killed before the request reached Discord"))
    with pytest.raises(Crash):
        await env.service.run_due()
    assert env.discord.sent == []
    await env.restart()
    env.clock.set(due + 20 + 300)
    await env.service.run_due()
    assert len(env.discord.sent) == 1 and len(env.discord.find_calls) == 1
    assert (await states(env))[f"before:3600@{due}"] == "fired"


async def test_a_failing_history_check_is_retried_rather_than_risking_a_second_ping(env: Env) -> None:
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    due = view.party.start_at - 3_600
    env.clock.set(due + 20)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.run_due()
    await env.restart()
    env.discord.forget_nonces()
    env.discord.find_error = RuntimeError("history unavailable")
    env.clock.set(due + 20 + 300)
    assert (await env.service.run_due()).retried == 1
    assert len(env.discord.sent) == 1 and [r.state for r in await outbox_rows(env)] == ["pending"]
    env.discord.find_error = None
    env.clock.set(due + 20 + 330)
    await env.service.run_due()
    assert len(env.discord.sent) == 1 and [r.state for r in await outbox_rows(env)] == ["delivered"]


async def test_discussion_header_is_not_repeated_after_a_crash_past_the_nonce_window(env: Env) -> None:
    view = await env.schedule()
    party = view.party
    env.clock.set(party.end_at - 1)
    await env.service.run_due()  # the earlier reminders: too old by now
    env.clock.set(party.end_at + 30)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.run_due()
    assert len(env.discord.threads) == 1 and len(env.discord.sent) == 1
    await env.restart()
    env.discord.forget_nonces()
    env.clock.set(party.end_at + 30 + 600)
    await env.service.run_due()
    assert len(env.discord.threads) == 1 and len(env.discord.sent) == 1
    assert len(env.discord.find_calls) == 1
    assert (await states(env))[f"discussion@{party.end_at}"] == "fired"
    assert [r.state for r in await outbox_rows(env, "discussion_opener")] == ["delivered"]


async def test_transient_failure_retries_then_sends_once(env: Env) -> None:
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    env.clock.set(view.party.start_at - 3_600)
    env.discord.errors += [ConnectionResetError("503 Service Unavailable")] * 2
    first = await env.service.run_due()
    assert (first.fired, first.retried) == (1, 1)
    env.clock.set(env.clock.now + 30)
    assert (await env.service.run_due()).retried == 1
    env.clock.set(env.clock.now + 30)
    await env.service.run_due()
    [row] = await outbox_rows(env)
    assert (row.state, row.attempts) == ("delivered", 3) and len(env.discord.sent) == 1


async def test_after_restart_overdue_within_grace_fires_older_is_missed(env: Env) -> None:
    view = await env.schedule()
    start = view.party.start_at
    await rsvp_all(env, 1, {1001: "going"})
    # the bot is down from before the 24h reminder until 5 minutes after the 1h one
    await env.restart()
    env.clock.set(start - 3_600 + 5 * 60)
    report = await env.service.run_due()
    assert (report.fired, report.missed) == (1, 1)
    assert len(env.discord.sent) == 1 and "1 hour" in env.discord.sent[0].content
    rows = await states(env)
    assert rows[f"before:86400@{start - 86400}"] == "missed"
    assert rows[f"before:3600@{start - 3600}"] == "fired"
    # down again across the start, back 11 minutes late: no stale "starting now" ping
    await env.restart()
    env.clock.set(start + 11 * 60)
    report = await env.service.run_due()
    assert (report.fired, report.missed) == (0, 1) and len(env.discord.sent) == 1
    assert (await states(env))[f"start@{start}"] == "missed"


async def test_grace_window_is_configurable(env: Env) -> None:
    view = await env.schedule()
    await env.restart(dataclasses.replace(env.service.settings, grace=3600.0))
    env.clock.set(view.party.start_at - 3_600 + 50 * 60)
    report = await env.service.run_due()
    assert report.fired == 1 and report.missed == 1  # 1h one fired 50 min late; the 24h one too old


@pytest.mark.parametrize(
    ("zone", "scheduled_at", "when", "start"),
    [
        # London: BST ends 25 Oct 2026; 20:00 on 30 Oct is GMT = 20:00 UTC (not 19:00, the BST offset)
        ("Europe/London", epoch(2026, 10, 20, 12), "2026-10-30 20:00", epoch(2026, 10, 30, 20)),
        # London: BST starts 29 Mar 2026; 20:00 on 2 Apr is BST = 19:00 UTC
        ("Europe/London", epoch(2026, 3, 20, 12), "2026-04-02 20:00", epoch(2026, 4, 2, 19)),
        # New York: EDT ends 1 Nov 2026; 20:00 on 5 Nov is EST = 01:00 UTC next day
        ("America/New_York", epoch(2026, 10, 28, 12), "2026-11-05 20:00", epoch(2026, 11, 6, 1)),
        # New York: the 24h reminder falls on the other side of the change
        ("America/New_York", epoch(2026, 10, 20, 12), "2026-11-01 20:00", epoch(2026, 11, 2, 1)),
    ],
)
async def test_dst_between_scheduling_and_start_does_not_shift(
    env: Env, zone: str, scheduled_at: int, when: str, start: int
) -> None:
    env.clock.set(scheduled_at)
    view = await env.schedule(when=when, timezone=zone)
    assert view.party.start_at == start
    await rsvp_all(env, 1, {1001: "going"})
    await env.restart()  # nothing is recomputed on load
    env.clock.set(start - 86_400)
    assert (await env.service.run_due()).fired == 1  # exactly 24 real hours before, whatever the wall clock
    env.clock.set(start - 3_600)
    assert (await env.service.run_due()).fired == 1
    assert len(env.discord.sent) == 2
    env.clock.set(start)
    await env.service.run_due()
    assert len(env.discord.sent) == 3 and "starting now" in env.discord.sent[-1].content
    assert (await repo.get_party(env.db, 1)).start_at == start  # type: ignore[union-attr]


async def test_per_party_reminders_and_skipped_ones(env: Env) -> None:
    result = await env.service.schedule(
        ScheduleRequest(GUILD, ORGANISER, CHANNEL, "Alien", "in 2 hours", reminders="24h, 30m")
    )
    start = result.view.party.start_at
    assert result.view.party.reminder_offsets == (86_400, 1_800)
    assert any("Skipped" in note and "1d before" in note for note in result.notes), result.notes
    assert [k for k, _ in await pending_keys(env)] == ["before:1800", "discussion", "spoiler_end"]
    none = await env.service.schedule(
        ScheduleRequest(GUILD, ORGANISER, CHANNEL, "Aliens", "friday 8pm", reminders="none")
    )
    assert none.view.party.reminder_offsets == ()
    assert [k for k, _ in await pending_keys(env, 2)] == ["discussion", "spoiler_end"]
    env.clock.set(start - 1_800)
    assert (await env.service.run_due()).fired == 1


async def test_discussion_thread_opens_after_the_end_and_reminding_stops(env: Env) -> None:
    view = await env.schedule()
    party = view.party
    await rsvp_all(env, 1, {1001: "going"})
    env.clock.set(party.end_at - 1)
    await env.service.run_due()  # everything before: the 24h/1h/start reminders are too old by now
    assert env.discord.threads == {} and env.discord.sent == []
    env.clock.set(party.end_at + 30)
    report = await env.service.run_due()
    assert report.fired == 1
    [(thread_id, (channel_id, message_id, name))] = env.discord.threads.items()
    assert (channel_id, message_id, name) == (CHANNEL, party.announce_message_id, "Alien — spoilers welcome")
    [header] = env.discord.sent
    assert header.channel_id == thread_id and header.user_ids == () and "finished" in header.content
    stored = await repo.get_party(env.db, 1)
    assert stored is not None and stored.thread_id == thread_id
    assert env.discord.announcements[party.announce_message_id].ended  # type: ignore[index]
    with pytest.raises(UserError, match="over"):
        await env.service.rsvp(GUILD, 1, 1002, "going")
    assert await env.service.upcoming(GUILD) == []


async def test_discussion_thread_retries_then_gives_up_and_late_is_missed(env: Env) -> None:
    first = await env.schedule("Alien", "friday 8pm")
    env.discord.fail_threads = MAX_THREAD_ATTEMPTS + 5
    env.clock.set(first.party.end_at)
    for _ in range(MAX_THREAD_ATTEMPTS - 1):
        assert (await env.service.run_due()).retried == 1
    assert (await env.service.run_due()).dropped == 1
    assert (await env.service.run_due()).busy is False
    assert env.discord.threads == {}
    env.discord.fail_threads = 0
    second = await env.schedule("Aliens", "saturday 8pm")
    env.clock.set(second.party.end_at + 86_400 + 60)  # the bot was down for the whole spoiler window
    report = await env.service.run_due()
    assert env.discord.threads == {} and report.missed >= 1
    assert (await states(env, 2))[f"discussion@{second.party.end_at}"] == "missed"


async def test_gone_channel_drops_its_reminder_others_still_fire(env: Env) -> None:
    await env.club.update_guild_settings(GUILD, announce_channel_id=ANNOUNCE)
    doomed = await env.schedule("Alien", "friday 8pm")
    fine = await env.schedule("Aliens", "friday 8pm", channel_id=CHANNEL, channel_kind="text")
    await rsvp_all(env, doomed.party.id, {1001: "going"})
    await rsvp_all(env, fine.party.id, {1002: "going"})
    env.discord.gone.add(ANNOUNCE)
    env.clock.set(doomed.party.start_at - 3_600)
    report = await env.service.run_due()
    assert (report.dropped, report.fired) == (1, 1)
    assert [s.user_ids for s in env.discord.sent] == [(1002,)]
    assert (await states(env, doomed.party.id))[f"before:3600@{doomed.party.start_at - 3600}"] == "dropped"


async def test_run_due_without_discord_does_nothing(env: Env) -> None:
    view = await env.schedule()
    env.service.detach()
    env.clock.set(view.party.start_at)
    assert not (await env.service.run_due()).busy
    assert len(await pending_keys(env)) == 5


# ----------------------------------------------------------------------------------- RSVPs and waitlist


async def test_capacity_waitlist_promotes_in_order(env: Env) -> None:
    await env.schedule(capacity=2)
    a, b, c, d = USERS[:4]
    assert (await env.service.rsvp(GUILD, 1, a, "going")).status == "going"
    assert (await env.service.rsvp(GUILD, 1, b, "going")).status == "going"
    third = await env.service.rsvp(GUILD, 1, c, "going")
    assert (third.status, third.position) == ("waitlist", 1)
    fourth = await env.service.rsvp(GUILD, 1, d, "going")
    assert (fourth.status, fourth.position) == ("waitlist", 2)
    again = await env.service.rsvp(GUILD, 1, c, "going")
    assert not again.changed and again.position == 1  # pressing again keeps the place
    drop = await env.service.rsvp(GUILD, 1, a, "no")
    assert drop.promoted == (c,) and drop.view.going == (b, c) and drop.view.waitlist == (d,)
    await env.service.announce_promotions(drop.view.party, drop.promoted)
    assert env.discord.sent[-1].user_ids == (c,) and "seat opened" in env.discord.sent[-1].content
    maybe = await env.service.rsvp(GUILD, 1, b, "maybe")
    assert maybe.promoted == (d,) and maybe.view.going == (c, d) and maybe.view.waitlist == ()
    back = await env.service.rsvp(GUILD, 1, a, "going")  # back of the queue
    assert (back.status, back.position) == ("waitlist", 1)
    view = (await env.service.info(GUILD, 1))[0]
    assert (view.going, view.waitlist, view.maybe, view.declined) == ((c, d), (a,), (b,), ())
    # raising the capacity promotes the waitlist
    edited = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(capacity=3))
    assert edited.view.going == (c, d, a)
    assert env.discord.sent[-1].user_ids == (a,)
    removed = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(capacity=0))
    assert removed.view.party.capacity is None


async def test_concurrent_rsvps_never_overbook(env: Env) -> None:
    await env.schedule(capacity=3)
    results = await asyncio.gather(*(env.service.rsvp(GUILD, 1, u, "going") for u in USERS))
    going = [r for r in results if r.status == "going"]
    waiting = sorted((r for r in results if r.status == "waitlist"), key=lambda r: r.position or 0)
    assert len(going) == 3 and [r.position for r in waiting] == list(range(1, 8))
    view = (await env.service.info(GUILD, 1))[0]
    assert len(view.going) == 3 and len(view.waitlist) == 7
    assert set(view.going) | set(view.waitlist) == set(USERS)
    # the seats went to the first three answers recorded, and the waitlist keeps that order too
    rows = await repo.get_rsvps(env.db, 1)
    assert view.going + view.waitlist == tuple(r.user_id for r in rows)
    # everyone with a seat drops at once: the next three in line are promoted, in order
    drops = await asyncio.gather(*(env.service.rsvp(GUILD, 1, u, "no") for u in view.going))
    promoted = [u for r in drops for u in r.promoted]
    assert sorted(promoted) == sorted(view.waitlist[:3])
    after = (await env.service.info(GUILD, 1))[0]
    assert after.going == view.waitlist[:3] and after.waitlist == view.waitlist[3:]


async def test_a_burst_of_presses_costs_few_announcement_edits_and_ends_up_current(env: Env) -> None:
    view = await env.schedule()
    env.discord.edit_delay = 0.05

    async def press(user_id: int) -> None:
        result = await env.service.rsvp(GUILD, 1, user_id, "going")
        await env.service.refresh_announcement(result.view.party.id)

    await asyncio.gather(*(press(u) for u in USERS))
    edits = env.discord.edits
    assert edits <= len(USERS) // 2  # one each without coalescing
    latest = env.discord.announcements[view.party.announce_message_id]  # type: ignore[index]
    assert set(latest.going) == set(USERS)
    await env.service.rsvp(GUILD, 1, USERS[0], "maybe")
    await env.service.refresh_announcement(1)  # a later press renders again
    assert env.discord.edits == edits + 1
    assert USERS[0] in env.discord.announcements[view.party.announce_message_id].maybe  # type: ignore[index]


async def test_one_member_pressing_everything_at_once_keeps_one_answer(env: Env) -> None:
    await env.schedule()
    await asyncio.gather(*(env.service.rsvp(GUILD, 1, 1001, c) for c in ("going", "maybe", "no", "going")))
    rows = await repo.get_rsvps(env.db, 1)
    assert len(rows) == 1 and rows[0].choice == "going"


async def test_rsvp_refusals(env: Env) -> None:
    await env.schedule()
    with pytest.raises(UserError):
        await env.service.rsvp(GUILD, 1, 1001, "perhaps")
    with pytest.raises(UserError, match="no longer exists"):
        await env.service.rsvp(GUILD, 2, 1001, "going")
    with pytest.raises(UserError, match="no longer exists"):
        await env.service.rsvp(GUILD + 1, 1, 1001, "going")  # another server's id
    await env.service.cancel(GUILD, 1, ORGANISER)
    with pytest.raises(UserError, match="cancelled"):
        await env.service.rsvp(GUILD, 1, 1001, "going")


# ---------------------------------------------------------------------------------------- edit, cancel


async def test_edit_reschedules_event_reminders_and_tells_attendees(env: Env) -> None:
    view = await env.schedule()
    old = view.party.start_at
    await rsvp_all(env, 1, {1001: "going", 1002: "maybe", 1003: "no"})
    env.clock.set(old - 86_400)
    await env.service.run_due()  # the 24h reminder has fired: history, never touched
    assert len(env.discord.sent) == 1
    result = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(when="saturday 9pm", film="Aliens"))
    new = epoch(2026, 11, 28, 21, 0)
    assert result.view.party.start_at == new and result.old_start == old
    assert set(result.changed) == {"start_at", "film"} and result.view.party.sequence == 1
    assert env.discord.events[result.view.party.event_id].start_at == new  # type: ignore[index]
    assert env.discord.events[result.view.party.event_id].name == "Aliens"  # type: ignore[index]
    announcement = env.discord.announcements[view.party.announce_message_id]  # type: ignore[index]
    assert announcement.party.film == "Aliens" and announcement.party.start_at == new
    told = env.discord.sent[-1]
    assert "has moved" in told.content and f"<t:{new}:F>" in told.content and f"<t:{old}:F>" in told.content
    assert "The film was **Alien** before." in told.content  # one message says both changes
    assert told.user_ids == (1001, 1002)  # Going and Maybe, not those who can't go
    rows = await states(env)
    assert rows[f"before:86400@{old - 86400}"] == "fired"
    assert rows[f"before:3600@{old - 3600}"] == "superseded" and rows[f"start@{old}"] == "superseded"
    assert await pending_keys(env) == [
        ("before:86400", new - 86_400),
        ("before:3600", new - 3_600),
        ("start", new),
        ("discussion", new + 9000),
        ("spoiler_end", new + 9000 + 86_400),
    ]
    env.clock.set(old)
    await env.service.run_due()
    assert len(env.discord.sent) == 2  # nothing at the old start time
    env.clock.set(new - 86_400)
    await env.service.run_due()
    assert len(env.discord.sent) == 3 and "Aliens" in env.discord.sent[-1].content


async def test_edit_of_length_place_or_notes_tells_attendees_but_organiser_only_changes_do_not(
    env: Env,
) -> None:
    await env.schedule("[Free](https://x.example) @everyone")
    await rsvp_all(env, 1, {1001: "going", 1002: "maybe", 1003: "no"})
    await env.service.edit(GUILD, 1, ORGANISER, EditRequest(duration="3h", location="Room 2"))
    told = env.discord.sent[-1]
    assert "length and place changed" in told.content and told.user_ids == (1001, 1002)
    assert told.content.startswith("📝")
    assert "\\[Free\\](https://x.example) @\u200beveryone" in told.content
    await env.service.edit(GUILD, 1, ORGANISER, EditRequest(when="saturday 9pm", notes="Doors 20:45"))
    told = env.discord.sent[-1]
    assert "has moved" in told.content and "The notes changed too" in told.content
    sent = len(env.discord.sent)
    await env.service.edit(GUILD, 1, ORGANISER, EditRequest(reminders="2h", capacity=5))
    assert len(env.discord.sent) == sent  # reminder times and seats are the organiser's business


async def test_fewer_seats_puts_the_last_going_on_the_waitlist_and_tells_them(env: Env) -> None:
    await env.schedule(capacity=3)
    await rsvp_all(env, 1, {1001: "going", 1002: "going", 1003: "going"})
    result = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(capacity=1))
    assert result.view.going == (1001,) and result.view.waitlist == (1002, 1003)
    told = env.discord.sent[-1]
    assert "waitlist" in told.content and told.user_ids == (1002, 1003)


async def test_a_failing_announcement_edit_never_stops_cancel_telling_attendees(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})

    async def broken(view: PartyView) -> None:
        raise ConnectionResetError("503 Service Unavailable")

    monkeypatch.setattr(env.discord, "edit_announcement", broken)
    result = await env.service.cancel(GUILD, 1, ORGANISER, reason="||spoiler|| [x](https://e.example)")
    assert result.view.party.cancelled
    assert "cancelled" in env.discord.sent[-1].content and env.discord.sent[-1].user_ids == (1001,)
    assert "(\\|\\|spoiler\\|\\| \\[x\\](https://e.example))" in env.discord.sent[-1].content


async def test_edit_refusals(env: Env) -> None:
    view = await env.schedule()
    with pytest.raises(UserError, match="Nothing to change"):
        await env.service.edit(GUILD, 1, ORGANISER, EditRequest())
    with pytest.raises(UserError, match="nothing changed"):
        await env.service.edit(GUILD, 1, ORGANISER, EditRequest(film="Alien"))
    with pytest.raises(UserError, match="in the past"):
        await env.service.edit(GUILD, 1, ORGANISER, EditRequest(when="yesterday 9pm"))
    with pytest.raises(UserError, match="no watch party #7"):
        await env.service.edit(GUILD, 7, ORGANISER, EditRequest(film="X"))
    env.clock.set(view.party.start_at + 1)
    with pytest.raises(UserError, match="already started"):
        await env.service.edit(GUILD, 1, ORGANISER, EditRequest(film="X"))


async def test_edit_recreates_an_event_deleted_behind_our_back(env: Env) -> None:
    view = await env.schedule()
    assert view.party.event_id is not None
    del env.discord.events[view.party.event_id]
    result = await env.service.edit(GUILD, 1, ORGANISER, EditRequest(duration="3h"))
    assert result.view.party.event_id not in (None, view.party.event_id)
    spec = env.discord.events[result.view.party.event_id]  # type: ignore[index]
    assert spec.end_at - spec.start_at == 3 * 3600
    assert (await pending_keys(env))[-2] == ("discussion", view.party.start_at + 3 * 3600)


async def test_cancel_stops_reminders_cancels_event_and_tells_attendees(env: Env) -> None:
    view = await env.schedule(capacity=1)
    await rsvp_all(env, 1, {1001: "going", 1002: "going", 1003: "maybe", 1004: "no"})
    result = await env.service.cancel(GUILD, 1, ORGANISER, reason="projector broke")
    party = result.view.party
    assert party.cancelled and party.cancel_reason == "projector broke" and party.sequence == 1
    assert env.discord.cancelled_events == [view.party.event_id]
    assert env.discord.announcements[view.party.announce_message_id].party.cancelled  # type: ignore[index]
    [told] = env.discord.sent
    assert "cancelled" in told.content and "projector broke" in told.content
    assert told.user_ids == (1001, 1002, 1003)
    assert await pending_keys(env) == []
    env.clock.set(view.party.start_at)
    assert not (await env.service.run_due()).busy and len(env.discord.sent) == 1
    with pytest.raises(UserError, match="already cancelled"):
        await env.service.cancel(GUILD, 1, ORGANISER)
    assert await env.service.upcoming(GUILD) == []


async def test_event_deleted_in_discord_cancels_the_party(env: Env) -> None:
    view = await env.schedule()
    assert view.party.event_id is not None
    await rsvp_all(env, 1, {1001: "going"})
    assert not await env.service.event_deleted(GUILD, 424242)
    assert not await env.service.event_deleted(GUILD + 1, view.party.event_id)
    assert await env.service.event_deleted(GUILD, view.party.event_id)
    party = await repo.get_party(env.db, 1)
    assert party is not None and party.cancelled and "deleted" in (party.cancel_reason or "")
    assert env.discord.cancelled_events == []  # the event is gone: not touched again
    assert env.discord.sent[-1].user_ids == (1001,)
    assert not await env.service.event_deleted(GUILD, view.party.event_id)  # already cancelled


# ------------------------------------------------------------------------------------------------- ics


async def test_ics_parses_back_with_uid_dtstamp_and_updates(env: Env) -> None:
    await env.schedule("Alien", "friday 8pm", notes="Bring snacks; and, commas")
    await env.schedule("Solaris", "saturday 8pm", channel_id=VOICE, channel_kind="voice")
    await env.schedule("Cancelled one", "sunday 8pm")
    await env.service.cancel(GUILD, 3, ORGANISER)
    await env.service.edit(GUILD, 1, ORGANISER, EditRequest(when="friday 9pm"))
    filename, data = await env.service.ics(GUILD, None)
    assert filename == "watchparties.ics"
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) and str(calendar["VERSION"]) == "2.0"
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Alien", "Solaris"]
    alien, solaris = events
    assert str(alien["UID"]) == f"watchparty-{GUILD}-1@projectionist"
    assert alien["DTSTAMP"].dt == datetime.fromtimestamp(NOW, tz=UTC)
    assert alien["DTSTART"].dt == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    assert alien["DTEND"].dt == datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert str(alien["DESCRIPTION"]) == "Bring snacks; and, commas"
    assert int(alien["SEQUENCE"]) == 1 and str(alien["LOCATION"]) == "#general"
    assert str(solaris["LOCATION"]) == "Discord #Screening Room"
    one_name, one = await env.service.ics(GUILD, 3)
    [cancelled] = Calendar.from_ical(one).walk("VEVENT")
    assert one_name == "watchparty-3.ics" and str(cancelled["STATUS"]) == "CANCELLED"
    with pytest.raises(UserError):
        await env.service.ics(GUILD, 9)
    with pytest.raises(UserError, match="no upcoming"):
        await env.service.ics(GUILD + 1, None)


# ------------------------------------------------------------------------------------ the spoiler shield


async def test_shield_wraps_posts_about_scheduled_films_until_the_window_ends(env: Env) -> None:
    assert await env.service.shield_for(GUILD) is None
    view = await env.schedule("The Substance", "friday 8pm")
    shield = await env.service.shield_for(GUILD)
    assert shield is not None
    reason = "on the club's schedule: The Substance on Fri 27 Nov 2026"
    assert shield("Substance review: the ending explained", "") == [reason]
    assert shield("Festival news", "Everyone is talking about THE SUBSTANCE’s final act.") == [reason]
    assert shield("Festival news", "A substance abuse drama wins") == []
    assert await env.service.shield_for(GUILD + 1) is None
    closes = view.party.end_at + 86_400
    env.clock.set(closes - 1)
    assert await env.service.shield_for(GUILD) is not None
    env.clock.set(closes + 1)
    assert await env.service.shield_for(GUILD) is None


@pytest.mark.parametrize(
    ("film", "text", "hit"),
    [
        ("Up", "Prices went up again this week", False),
        ("Up", "Pixar's Up returns to cinemas", True),
        ("Up", "Why “Up” still makes us cry", True),
        ("Up (2009)", "Up is back for its 2009 anniversary", True),
        ("Up", "Up next: the weather", False),
        ("Her (2013)", "I called her yesterday", False),
        ("Her (2013)", "Spike Jonze's Her (2013) gets a 4K restoration", True),
        ("Her (2013)", "Her, 2013: a love story for the phone age", True),
        ("Her", "'Her' is streaming again", True),
        ("Amélie", "Why I still love Amelie", True),
    ],
)
def test_short_titles_need_context(film: str, text: str, hit: bool) -> None:
    assert film_matcher(film).matches(text) is hit


async def test_cancelled_party_leaves_the_shield_at_once(env: Env) -> None:
    await env.schedule("Nosferatu", "friday 8pm")
    shield = await env.service.shield_for(GUILD)
    assert shield is not None and shield("Nosferatu review", "")
    await env.service.cancel(GUILD, 1, ORGANISER)
    assert await env.service.shield_for(GUILD) is None


async def test_feed_posts_about_a_scheduled_film_are_spoilered_by_the_digest(env: Env) -> None:
    digest = DigestService(env.db, DigestSettings())
    digest.shield_provider = env.service.shield_for
    sub = Subscription(1, 1, GUILD, CHANNEL, "Film news", None, None, False, "active", None, 0)
    entry = {
        "title": "Nosferatu: the ending, explained",
        "link": "https://films.example/nosferatu",
        "summary": "<p>The count finally meets the dawn in a last scene critics keep arguing about.</p>",
    }
    plain = await digest.render(entry, "Film news", sub)
    assert "club's schedule" not in str(plain)
    await env.schedule("Nosferatu", "friday 8pm")
    shielded = await digest.render(entry, "Film news", sub)
    assert "on the club's schedule: Nosferatu on Fri 27 Nov 2026" in str(shielded)
    assert "||" in str(shielded)


# ------------------------------------------- exactly once for every kind: a crash as Discord stores it


async def test_crash_as_discord_stores_the_announcement_then_restart_past_the_nonce_window(env: Env) -> None:
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.schedule()
    assert len(env.discord.announcement_posts) == 1
    party = await repo.get_party(env.db, 1)
    assert party is not None and party.announce_message_id is None  # the reply never reached us
    await env.restart()
    env.discord.forget_nonces()
    env.clock.set(env.clock.now + 600)
    await env.service.run_due()
    await env.service.run_due()
    (message_id, _, _), *more = env.discord.announcement_posts
    assert more == [] and len(env.discord.find_calls) == 1
    party = await repo.get_party(env.db, 1)
    assert party is not None and party.announce_message_id == message_id


async def test_crash_as_discord_stores_a_cancel_notice_then_restart_past_the_nonce_window(env: Env) -> None:
    await env.schedule()
    await rsvp_all(env, 1, {1001: "going", 1002: "maybe"})
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.cancel(GUILD, 1, ORGANISER, reason="projector broke")
    assert len([t for t in env.discord.texts() if "is cancelled" in t]) == 1
    await env.restart()
    env.discord.forget_nonces()
    env.clock.set(env.clock.now + 600)
    await env.service.run_due()
    await env.service.run_due()
    assert len([t for t in env.discord.texts() if "is cancelled" in t]) == 1
    assert [r.state for r in await outbox_rows(env, "party_notice")] == ["delivered"]


async def test_crash_as_discord_stores_a_waitlist_promotion_then_restart_past_the_nonce_window(
    env: Env,
) -> None:
    await env.schedule(capacity=1)
    await rsvp_all(env, 1, {1001: "going", 1002: "going"})
    result = await env.service.rsvp(GUILD, 1, 1001, "no")
    assert result.promoted == (1002,)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.announce_promotions(result.view.party, result.promoted)
    await env.restart()
    env.discord.forget_nonces()
    env.clock.set(env.clock.now + 600)
    await env.service.run_due()
    seats = [s for s in env.discord.sent if "seat opened" in s.content]
    assert len(seats) == 1 and seats[0].user_ids == (1002,)


async def test_a_reminder_retried_after_its_text_changed_sends_the_stored_text_once(env: Env) -> None:
    """The payload is rendered once, when the job fires: a member joining between the crash and the retry
    changes what a fresh render would say, and a second, different message would ping everyone again."""
    view = await env.schedule()
    await rsvp_all(env, 1, {1001: "going"})
    due = view.party.start_at - 3_600
    env.clock.set(due + 20)
    env.discord.crash_after_send = 1
    with pytest.raises(Crash):
        await env.service.run_due()
    await env.restart()
    await rsvp_all(env, 1, {1002: "going"})  # the text a fresh render would produce now pings 1002 too
    env.discord.forget_nonces()
    env.clock.set(due + 20 + 300)
    await env.service.run_due()
    assert len(env.discord.sent) == 1 and env.discord.sent[0].user_ids == (1001,)


async def test_a_promotion_commits_with_the_answer_that_freed_the_seat(env: Env) -> None:
    """The bot dies right after the RSVP is stored (before it tells anyone): the promoted member is still
    told, once, by the next run."""
    await env.schedule(capacity=1)
    await rsvp_all(env, 1, {1001: "going", 1002: "going"})
    assert (await env.service.rsvp(GUILD, 1, 1001, "no")).promoted == (1002,)
    await env.restart()  # announce_promotions never ran
    await env.service.run_due()
    await env.service.run_due()
    seats = [s for s in env.discord.sent if "seat opened" in s.content]
    assert len(seats) == 1 and seats[0].user_ids == (1002,)
