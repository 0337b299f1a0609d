"""Watch parties end to end: the real bot against the fake Discord, with a real SQLite file.

Time moves by shifting the watch-party service's clock (the reminder loop ticks fast via
``WatchPartyService.reminder_tick``); Discord-side times (event validation, nonces) stay on the real clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from services.watchparties import WatchPartyService
from tests.e2e.harness import e2e_settings, running_bot
from tests.fakediscord import FakeDiscord, FakeMember
from tests.fakediscord.state import BOT_PERMS, Perm
from tests.helpers.clock import FakeClock

# The storage-facing flows also run on PostgreSQL (tests/e2e/conftest.py); CI installs its binaries.
E2E_BACKENDS = ("sqlite", "postgresql")

EPHEMERAL = 1 << 6


@pytest.fixture(autouse=True)
def fast_loop() -> Iterator[None]:
    original = WatchPartyService.reminder_tick
    WatchPartyService.reminder_tick = 0.2
    try:
        yield
    finally:
        WatchPartyService.reminder_tick = original


def next_gap_day() -> str:
    """The next day (within a year) whose 01:30 does not exist in London: clocks go forward at 01:00."""
    london = ZoneInfo("Europe/London")
    day = datetime.now(UTC).date()
    for _ in range(366):
        day += timedelta(days=1)
        wall = datetime(day.year, day.month, day.day, 1, 30, tzinfo=london)
        if wall.astimezone(UTC).astimezone(london).replace(tzinfo=None) != wall.replace(tzinfo=None):
            return day.isoformat()
    raise AssertionError("no DST gap within a year")


def next_fold_day() -> str:
    """The next day (within a year) whose 01:30 happens twice in London: clocks go back at 02:00."""
    london = ZoneInfo("Europe/London")
    day = datetime.now(UTC).date()
    for _ in range(366):
        day += timedelta(days=1)
        first = datetime(day.year, day.month, day.day, 1, 30, tzinfo=london)
        exists = first.astimezone(UTC).astimezone(london).replace(tzinfo=None) == first.replace(tzinfo=None)
        if exists and first.utcoffset() != first.replace(fold=1).utcoffset():
            return day.isoformat()
    raise AssertionError("no repeated hour within a year")


def announcements(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel_id) if m.get("embeds") and m.get("components")]


def field(message: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(f for f in message["embeds"][0]["fields"] if f["name"].startswith(prefix))


def button_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def schedule(
    fake: FakeDiscord, options: dict[str, Any], user: FakeMember | None = None
) -> tuple[Any, dict[str, Any] | None]:
    ix = await fake.slash("watchparty schedule", options, user=user or fake.organiser)
    await ix.wait_for_output(timeout=15)
    posted = announcements(fake, options.get("channel", fake.text_channel_id))
    return ix, (posted[-1] if posted else None)


async def test_schedule_creates_event_and_announcement_and_rsvps_survive_restart(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        async with running_bot(fake, settings) as bot:
            ix, message = await schedule(fake, {"film": "Alien (1979)", "when": "friday 8pm"})
            assert ix.ephemeral, ix.text
            assert "watch party #1" in ix.text and "<t:" in ix.text and ":F>" in ix.text and ":R>" in ix.text
            assert message is not None
            party = (await bot.services.watchparties.upcoming(fake.guild_id))[0].party
            assert f"<t:{party.start_at}:F>" in ix.text and f"<t:{party.start_at}:R>" in ix.text
            # a Friday at 20:00 UTC (club default zone), in the future
            start = time.gmtime(party.start_at)
            assert (start.tm_wday, start.tm_hour, start.tm_min) == (4, 20, 0)
            assert party.start_at > time.time()
            events = fake.scheduled_events()
            assert len(events) == 1 and int(events[0]["id"]) == party.event_id
            event = events[0]
            assert event["name"] == "Alien (1979)" and event["entity_type"] == 3
            assert event["entity_metadata"]["location"] == "#general"
            assert event["scheduled_end_time"]  # start + default 2h30
            assert "#1" in message["embeds"][0]["footer"]["text"]
            assert button_ids(message) == [
                "projectionist:rsvp:1:going",
                "projectionist:rsvp:1:maybe",
                "projectionist:rsvp:1:no",
            ]
            message_id = int(message["id"])
            alice, bob, carol = fake.members[:3]
            for user, choice in ((alice, "going"), (bob, "going"), (carol, "maybe")):
                press = await fake.press_button(message_id, f"projectionist:rsvp:1:{choice}", user=user)
                response = await press.response()
                assert response["data"]["flags"] & EPHEMERAL
            await fake.wait_for(
                lambda: field(fake.message(message_id) or {}, "✅ Going")["name"] == "✅ Going (2)",
                timeout=5,
            )
            going = field(fake.message(message_id) or {}, "✅ Going")["value"]
            assert f"<@{alice.id}>" in going and f"<@{bob.id}>" in going
        # restart on the same database: the old message's buttons still work
        async with running_bot(fake, settings) as bot:
            press = await fake.press_button(message_id, "projectionist:rsvp:1:going", user=carol)
            response = await press.response()
            assert response["type"] == 4 and "going" in response["data"]["content"].lower()
            await fake.wait_for(
                lambda: field(fake.message(message_id) or {}, "✅ Going")["name"] == "✅ Going (3)",
                timeout=5,
            )
            view = (await bot.services.watchparties.upcoming(fake.guild_id))[0]
            assert view.going == (alice.id, bob.id, carol.id) and view.maybe == ()
        assert fake.unknown_requests == []


async def test_refusals_are_ephemeral_and_store_nothing(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        member = await fake.slash(
            "watchparty schedule", {"film": "Up", "when": "friday 8pm"}, user=fake.member
        )
        await member.wait_for_output()
        assert member.ephemeral and "Only organisers" in member.text
        cases = {
            "yesterday 8pm": "in the past",
            "whenever you like": "couldn't read",
            "2030-01-01 20:00": "too far ahead",
        }
        for when, expected in cases.items():
            ix, _ = await schedule(fake, {"film": "Up", "when": when})
            assert ix.ephemeral and expected in ix.text, (when, ix.text)
        bad_zone, _ = await schedule(fake, {"film": "Up", "when": "friday 8pm", "timezone": "Mars/Olympus"})
        assert bad_zone.ephemeral and "time zone" in bad_zone.text
        gap, _ = await schedule(
            fake,
            {"film": "Up", "when": f"{next_gap_day()} 01:30", "timezone": "Europe/London"},
            user=fake.moderator,
        )
        assert gap.ephemeral and "doesn't exist" in gap.text.replace("does not", "doesn't"), gap.text
        assert await bot.services.watchparties.upcoming(fake.guild_id) == []
        assert fake.scheduled_events() == [] and announcements(fake, fake.text_channel_id) == []
        # the organiser role (without Manage Events) is enough once set in /club settings
        fake.set_role_permissions(fake.organiser_role_id, 0)
        await fake.wait_for(
            lambda: bot.get_guild(fake.guild_id).get_role(fake.organiser_role_id).permissions.value == 0  # type: ignore[union-attr]
        )
        refused, _ = await schedule(fake, {"film": "Up", "when": "friday 8pm"})
        assert "Only organisers" in refused.text
        await bot.services.club.update_guild_settings(fake.guild_id, organiser_role_id=fake.organiser_role_id)
        allowed, message = await schedule(fake, {"film": "Up", "when": "friday 8pm"})
        assert "watch party #1" in allowed.text and message is not None


async def test_without_manage_events_the_party_is_stored_announced_and_the_organiser_warned(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        fake.set_role_permissions(fake.bot_role_id, int(BOT_PERMS & ~Perm.MANAGE_EVENTS))
        await fake.wait_for(
            lambda: not bot.get_guild(fake.guild_id).me.guild_permissions.manage_events  # type: ignore[union-attr]
        )
        ix, message = await schedule(fake, {"film": "Nosferatu", "when": "tomorrow 21:00"})
        assert "watch party #1" in ix.text and "Manage Events" in ix.text and "couldn't create" in ix.text
        assert message is not None and fake.scheduled_events() == []
        [view] = await bot.services.watchparties.upcoming(fake.guild_id)
        assert view.party.event_id is None and view.party.announce_message_id == int(message["id"])


async def test_voice_channel_event_and_announcement_channel_setting(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        await bot.services.club.update_guild_settings(
            fake.guild_id, announce_channel_id=fake.announce_channel_id
        )
        ix, _ = await schedule(
            fake, {"film": "Solaris", "when": "in 3 days at 9pm", "channel": fake.voice_channel_id}
        )
        assert "watch party #1" in ix.text, ix.text
        [event] = fake.scheduled_events()
        assert event["entity_type"] == 2 and int(event["channel_id"]) == fake.voice_channel_id
        [message] = announcements(fake, fake.announce_channel_id)
        assert f"<#{fake.voice_channel_id}>" in message["embeds"][0]["description"]
        stage, _ = await schedule(
            fake, {"film": "Stalker", "when": "in 4 days at 9pm", "channel": fake.stage_channel_id}
        )
        assert "watch party #2" in stage.text
        assert {e["entity_type"] for e in fake.scheduled_events()} == {1, 2}
        choices = await fake.autocomplete("watchparty info", {"id": "sola"}, focused="id", user=fake.member)
        assert [c["value"] for c in choices] == [1] and "Solaris" in choices[0]["name"]
        assert "202" in choices[0]["name"]  # the date is shown
        zones = await fake.autocomplete(
            "watchparty schedule", {"timezone": "new_y"}, focused="timezone", user=fake.organiser
        )
        assert "America/New_York" in [c["value"] for c in zones]


async def test_reminder_fires_once_pinging_only_going_then_discussion_thread(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        clock = FakeClock.following_real_time()
        service = bot.services.watchparties
        service.clock = clock
        ix, message = await schedule(fake, {"film": "Her (2013)", "when": "in 3 days at 8pm"})
        assert message is not None, ix.text
        message_id = int(message["id"])
        alice, bob, carol = fake.members[:3]
        for user, choice in ((alice, "going"), (bob, "going"), (carol, "maybe")):
            await (
                await fake.press_button(message_id, f"projectionist:rsvp:1:{choice}", user=user)
            ).response()
        [view] = await service.upcoming(fake.guild_id)
        start = view.party.start_at
        clock.now = start - 3600 + 5  # 1h reminder due; the 24h one is long overdue

        def reminders() -> list[dict[str, Any]]:
            return [m for m in fake.messages(fake.text_channel_id) if "starts" in m["content"]]

        [reminder] = await fake.wait_for(reminders, timeout=5)
        assert "Her (2013)" in reminder["content"] and f"<t:{start}:R>" in reminder["content"]
        assert {int(u["id"]) for u in reminder["mentions"]} == {alice.id, bob.id}
        assert not reminder["mention_everyone"] and reminder["mention_roles"] == []
        [request] = [
            r
            for r in fake.find_requests("POST", rf"/channels/{fake.text_channel_id}/messages$")
            if r.json and "starts" in (r.json.get("content") or "")
        ]
        allowed = request.json["allowed_mentions"]
        assert allowed["parse"] == [] and sorted(int(u) for u in allowed["users"]) == sorted(
            [alice.id, bob.id]
        )
        assert request.json["nonce"] and request.json.get("enforce_nonce") is True
        rows = {r.key: r.state for r in (await service.info(fake.guild_id, 1))[1]}
        assert rows["before:3600"] == "fired" and rows["before:86400"] == "missed"
        count = len(fake.messages(fake.text_channel_id))
        clock.advance(60)
        await asyncio.sleep(0.8)  # four more ticks
        assert len(reminders()) == 1 and len(fake.messages(fake.text_channel_id)) == count
        # after the screening: the discussion thread opens on the announcement, the buttons go away
        clock.now = start + 9000 + 5
        thread = await fake.wait_for(
            lambda: next((t for t in fake.threads if "spoilers welcome" in t["name"]), None), timeout=5
        )
        assert thread["name"] == "Her (2013) — spoilers welcome" and int(thread["id"]) == message_id
        await fake.wait_for(lambda: not (fake.message(message_id) or {}).get("components"), timeout=5)
        assert "Finished" in (fake.message(message_id) or {})["embeds"][0]["description"]
        assert len(reminders()) == 1  # the at-start reminder was long overdue: missed, not sent
        health = await bot.services.club.status(fake.guild_id)
        assert any(loop.name == "watchparties" for loop in health.loops)


async def test_ics_cancel_and_event_deleted_in_discord(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        await schedule(fake, {"film": "Alien", "when": "in 2 days at 8pm", "notes": "Bring snacks"})
        await schedule(fake, {"film": "Aliens", "when": "in 3 days at 8pm"})
        ix = await fake.slash("watchparty ics", user=fake.member)
        await ix.wait_for_output()
        assert ix.ephemeral and ix.deferred  # answered at once; the file follows
        [attachment] = ix.original["attachments"]  # type: ignore[index]
        assert attachment["filename"] == "watchparties.ics"
        calendar = Calendar.from_ical(fake.attachment_data(attachment))
        events = list(calendar.walk("VEVENT"))
        assert [str(e["SUMMARY"]) for e in events] == ["Alien", "Aliens"]
        assert all(e.get("UID") and e.get("DTSTAMP") for e in events)
        listing = await fake.slash("watchparty list", user=fake.member)
        await listing.wait_for_output()
        assert "#1 Alien" in listing.text and "#2 Aliens" in listing.text and ":R>" in listing.text
        alice = fake.members[0]
        [first] = announcements(fake, fake.text_channel_id)[:1]
        await (await fake.press_button(int(first["id"]), "projectionist:rsvp:1:going", user=alice)).response()
        cancel = await fake.slash(
            "watchparty cancel", {"id": 1, "reason": "projector broke"}, user=fake.organiser
        )
        await cancel.wait_for_output(timeout=10)
        assert "Cancelled watch party #1" in cancel.text and "1 member" in cancel.text
        event_1 = next(e for e in fake.scheduled_events() if e["name"] == "Alien")
        assert event_1["status"] == 4
        told = [m for m in fake.messages(fake.text_channel_id) if "cancelled" in m["content"]]
        assert told and {int(u["id"]) for u in told[-1]["mentions"]} == {alice.id}
        assert not (fake.message(int(first["id"])) or {}).get("components")
        # a moderator deletes the second party's event in Discord: the party is cancelled
        [view] = await bot.services.watchparties.upcoming(fake.guild_id)
        assert view.party.event_id is not None
        await fake.delete_scheduled_event(view.party.event_id)
        await fake.wait_for(lambda: _no_upcoming(bot, fake), timeout=5)
        party = (await bot.services.watchparties.info(fake.guild_id, 2))[0].party
        assert party.cancelled and party.cancel_reason and "deleted" in party.cancel_reason
        one = await fake.slash("watchparty ics", {"id": 2}, user=fake.member)
        await one.wait_for_output()
        [cancelled] = Calendar.from_ical(fake.attachment_data(one.original["attachments"][0])).walk("VEVENT")  # type: ignore[index]
        assert str(cancelled["STATUS"]) == "CANCELLED"
        # user text in the list is escaped (embed field names render markdown)
        await schedule(fake, {"film": "**Bold** @everyone", "when": "in 4 days at 8pm"})
        listing = await fake.slash("watchparty list", user=fake.member)
        await listing.wait_for_output()
        assert "#3 \\*\\*Bold\\*\\* @\u200beveryone" in listing.text, listing.text


async def _no_upcoming(bot: Any, fake: FakeDiscord) -> bool:
    return await bot.services.watchparties.upcoming(fake.guild_id) == []


async def test_edit_info_timezone_and_event_cancelled_in_discord(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        saved = await fake.slash("watchparty timezone", {"zone": "europe/paris"}, user=fake.organiser)
        await saved.wait_for_output()
        assert saved.ephemeral and "Europe/Paris" in saved.text
        shown = await fake.slash("watchparty timezone", user=fake.organiser)
        await shown.wait_for_output()
        assert "Europe/Paris" in shown.text
        # Three days ahead, so the 1d reminder is still to come whatever the time of day (with "tomorrow",
        # after 20:00 UTC it was already past and the test failed every evening).
        ix, message = await schedule(fake, {"film": "Playtime", "when": "in 3 days at 20:00", "capacity": 1})
        assert message is not None and "watch party #1" in ix.text, ix.text
        [view] = await bot.services.watchparties.upcoming(fake.guild_id)
        assert view.party.timezone == "Europe/Paris"
        alice, bob = fake.members[:2]
        for user in (alice, bob):
            await (
                await fake.press_button(int(message["id"]), "projectionist:rsvp:1:going", user=user)
            ).response()
        member_edit = await fake.slash("watchparty edit", {"id": 1, "film": "Mon Oncle"}, user=fake.member)
        await member_edit.wait_for_output()
        assert "Only organisers" in member_edit.text
        member_cancel = await fake.slash("watchparty cancel", {"id": 1}, user=fake.member)
        await member_cancel.wait_for_output()
        assert member_cancel.ephemeral and "Only organisers" in member_cancel.text
        edit = await fake.slash(
            "watchparty edit", {"id": 1, "when": "in 3 days at 21:00", "capacity": 2}, user=fake.organiser
        )
        await edit.wait_for_output(timeout=10)
        assert "Updated watch party #1" in edit.text, edit.text
        [event] = fake.scheduled_events()
        start = (await bot.services.watchparties.upcoming(fake.guild_id))[0].party.start_at
        assert event["scheduled_start_time"].startswith(time.strftime("%Y-%m-%dT%H:%M", time.gmtime(start)))
        moved = [m for m in fake.messages(fake.text_channel_id) if "has moved" in m["content"]]
        assert moved and {int(u["id"]) for u in moved[0]["mentions"]} == {alice.id, bob.id}
        seat = [m for m in fake.messages(fake.text_channel_id) if "seat opened" in m["content"]]
        assert seat and [int(u["id"]) for u in seat[0]["mentions"]] == [bob.id]
        await fake.wait_for(
            lambda: field(fake.message(int(message["id"])) or {}, "✅ Going")["name"] == "✅ Going (2/2)"
        )
        info = await fake.slash("watchparty info", {"id": 1}, user=fake.member)
        await info.wait_for_output()
        assert (
            info.ephemeral
            and "Playtime" in info.text
            and "Reminder 1d before" in info.text
            and "Discussion thread" in info.text
        )
        assert "skipped" not in info.text and "— pending" in info.text, info.text
        # Moved to two hours from now, the 1d and 1h reminders are past or too soon: info still lists them.
        soon = await fake.slash("watchparty edit", {"id": 1, "when": "in 2 hours"}, user=fake.organiser)
        await soon.wait_for_output(timeout=10)
        assert "Updated watch party #1" in soon.text, soon.text
        info = await fake.slash("watchparty info", {"id": 1}, user=fake.member)
        await info.wait_for_output()
        assert "Reminder 1d before" in info.text and "skipped (already past or too soon" in info.text, (
            info.text
        )
        # a moderator cancels the event in the Discord client
        await fake.set_scheduled_event_status(int(event["id"]), 4)
        await fake.wait_for(lambda: _no_upcoming(bot, fake), timeout=5)
        missing = await fake.slash("watchparty info", {"id": 5}, user=fake.member)
        await missing.wait_for_output()
        assert "no watch party #5" in missing.text


async def test_deleted_announcement_and_a_failing_run_never_stop_reminders(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        clock = FakeClock.following_real_time()
        service = bot.services.watchparties
        service.clock = clock
        _, message = await schedule(fake, {"film": "Vertigo", "when": "in 2 days at 8pm"})
        assert message is not None
        alice = fake.members[0]
        await (
            await fake.press_button(int(message["id"]), "projectionist:rsvp:1:going", user=alice)
        ).response()
        channel = bot.get_channel(fake.text_channel_id)
        await channel.get_partial_message(int(message["id"])).delete()  # type: ignore[union-attr]
        # run_due itself blows up for a while: the loop logs it, records it and keeps going
        real_run_due = service.run_due
        failures = 0

        async def broken() -> Any:
            nonlocal failures
            failures += 1
            raise RuntimeError("database is locked")

        service.run_due = broken  # type: ignore[method-assign]
        await fake.wait_for(lambda: failures >= 3, timeout=5)
        health = {loop.name: loop for loop in (await bot.services.club.status(fake.guild_id)).loops}
        loop = health["watchparties"]
        assert (loop.last_result or "").startswith("pass failed") and "database is locked" in loop.last_result
        service.run_due = real_run_due  # type: ignore[method-assign]
        [view] = await service.upcoming(fake.guild_id)
        clock.now = view.party.start_at - 3600 + 5
        reminder = await fake.wait_for_message(fake.text_channel_id, lambda m: "starts" in m["content"])
        assert [int(u["id"]) for u in reminder["mentions"]] == [alice.id]
        assert reminder.get("message_reference") is None  # the announcement it would reply to is gone
        clock.now = view.party.end_at + 5
        thread = await fake.wait_for(
            lambda: next((t for t in fake.threads if "spoilers welcome" in t["name"]), None), timeout=5
        )
        assert int(thread["parent_id"]) == fake.text_channel_id and int(thread["id"]) != int(message["id"])


async def test_repeated_hour_takes_the_first_and_says_so(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        day = next_fold_day()
        ix, message = await schedule(
            fake, {"film": "Memento", "when": f"{day} 01:30", "timezone": "Europe/London"}
        )
        assert message is not None and "happens twice" in ix.text and "first" in ix.text, ix.text
        [view] = await bot.services.watchparties.upcoming(fake.guild_id)
        assert time.strftime("%H:%M", time.gmtime(view.party.start_at)) == "00:30"  # 01:30 BST


async def test_events_deleted_or_cancelled_while_the_bot_was_down_cancel_their_parties(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        async with running_bot(fake, settings) as bot:
            for film, when in (
                ("Alien", "in 2 days at 8pm"),
                ("Aliens", "in 3 days at 8pm"),
                ("Ran", "in 4 days at 8pm"),
            ):
                await schedule(fake, {"film": film, "when": when})
            views = await bot.services.watchparties.upcoming(fake.guild_id)
            events = [v.party.event_id for v in views]
            assert None not in events and len(events) == 3
        # while the bot is down, a moderator deletes the first event and cancels the second
        await fake.delete_scheduled_event(events[0])  # type: ignore[arg-type]
        await fake.set_scheduled_event_status(events[1], 4)  # type: ignore[arg-type]
        async with running_bot(fake, settings) as bot:
            service = bot.services.watchparties

            async def left() -> list[int]:
                return [v.party.id for v in await service.upcoming(fake.guild_id)]

            await fake.wait_for(lambda: _only_third(left), timeout=5)
            first = (await service.info(fake.guild_id, 1))[0].party
            second = (await service.info(fake.guild_id, 2))[0].party
            assert first.cancelled and second.cancelled


async def _only_third(left: Any) -> bool:
    return bool(await left() == [3])
