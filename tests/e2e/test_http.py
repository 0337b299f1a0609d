"""The HTTP endpoints end to end: the real bot with ``[http]`` on a free loopback port, the fake Discord, and
a real HTTP client. Calendars are read back with vobject, a parser independent of the icalendar library
that writes them (and with icalendar too)."""

from __future__ import annotations

import asyncio
import re
import stat
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import vobject
from icalendar import Calendar
from prometheus_client.parser import text_string_to_metric_families

from domain.polls import NUMBER_EMOJI
from tests.e2e.harness import e2e_settings, running_bot
from tests.fakediscord import FakeDiscord
from tests.feedserver import FeedEntry, FeedServer, make_entries
from tests.services.http.test_server import free_port, random_token

FAST_FEEDS = {"interval": 1.0, "min_interval": 1.0, "allow_private_addresses": True, "parse_workers": 1}


def http_settings(port: int) -> dict[str, Any]:
    return {"listen": f"127.0.0.1:{port}", "public_url": f"http://127.0.0.1:{port}", "rate_burst": 500}


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def status_of(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as r:
        await r.read()
        return r.status


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def scrape(
    http: aiohttp.ClientSession, base: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with http.get(f"{base}/metrics") as r:
        assert r.status == 200
        return samples(await r.text())


async def _is(http: aiohttp.ClientSession, url: str, status: int) -> bool:
    return await status_of(http, url) == status


async def test_health_turns_503_while_the_gateway_is_down_and_200_after_resume(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        settings = e2e_settings(fake, tmp_path, http=http_settings(port))
        async with running_bot(fake, settings):
            await eventually(lambda: _is(http, f"{base}/healthz", 200), "healthy after READY")
            async with http.get(f"{base}/healthz") as r:
                body = await r.json()
            assert body["gateway"]["connected"] is True and body["database"] == {"reachable": True}
            assert isinstance(body["gateway"]["latency_seconds"], float | None)
            assert await status_of(http, f"{base}/readyz") == 200
            resumes = fake.resume_count
            assert await fake.hold_gateway_down() == 1
            await eventually(lambda: _is(http, f"{base}/healthz", 503), "503 while the gateway is down")
            async with http.get(f"{base}/healthz") as r:
                down = await r.json()
            assert down["gateway"]["connected"] is False and down["gateway"]["disconnected_since"]
            await fake.hold_gateway_down(False)
            await eventually(lambda: _is(http, f"{base}/healthz", 200), "200 again after RESUME", timeout=30)
            assert fake.resume_count > resumes
            assert fake.identify_count == 1  # resumed, not a new session
            # the three background loops report their passes
            async with http.get(f"{base}/healthz") as r:
                loops = (await r.json())["loops"]
            assert {"feeds", "polls", "watchparties"} <= set(loops)


async def test_metrics_move_when_a_feed_posts_and_a_vote_is_cast(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FeedServer() as server, FakeDiscord() as fake, aiohttp.ClientSession() as http:
        server.set_feed("/rss", make_entries(2), title="Film Daily")
        settings = e2e_settings(
            fake, tmp_path, feeds=FAST_FEEDS, http=http_settings(port), polls={"create_cooldown": 0.0}
        )
        async with running_bot(fake, settings):
            before = await scrape(http, base)
            posted = ("projectionist_items_posted_total", ())
            votes = ("projectionist_votes_recorded_total", ())
            ix = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.moderator
            )
            await ix.wait_for_output(timeout=15)
            server.add_entry(
                "/rss",
                FeedEntry(guid="urn:m:1", title="Jury news", link="https://films.example/1", summary="x"),
            )
            await fake.wait_for(lambda: fake.messages(fake.news_channel_id), timeout=15)
            await eventually(
                lambda: _moved(http, base, posted, before.get(posted, 0.0)), "items posted to count the post"
            )
            poll = await fake.slash(
                "poll create", {"question": "Next?", "options": "Alien; Heat"}, user=fake.member
            )
            await poll.wait_for_output(timeout=10)
            message_id = int(fake.messages(fake.text_channel_id)[-1]["id"])
            await fake.react(fake.text_channel_id, message_id, NUMBER_EMOJI[0], user=fake.members[0])
            await eventually(
                lambda: _moved(http, base, votes, before.get(votes, 0.0)), "votes to count the vote"
            )
            denied = await fake.slash(
                "feed add", {"url": server.url("/rss"), "channel": fake.news_channel_id}, user=fake.member
            )
            await denied.wait_for_output(timeout=10)
            after = await scrape(http, base)
        fetched = sum(v for (n, labels), v in after.items() if n == "projectionist_feed_fetches_total")
        assert fetched > sum(v for (n, _), v in before.items() if n == "projectionist_feed_fetches_total")
        assert after[("projectionist_feed_fetch_seconds_count", ())] > before.get(
            ("projectionist_feed_fetch_seconds_count", ()), 0.0
        )
        assert after[("projectionist_interactions_total", (("command", "poll create"),))] >= 1
        failed = ("projectionist_interactions_failed_total", (("command", "feed add"), ("kind", "expected")))
        assert after[failed] == before.get(failed, 0.0) + 1
        assert after[("projectionist_database_write_seconds_count", ())] > 0
        assert ("projectionist_outbox_pending", ()) in after
        assert ("projectionist_gateway_latency_seconds", ()) in after


async def _moved(http: aiohttp.ClientSession, base: str, key: Any, before: float) -> bool:
    return (await scrape(http, base)).get(key, 0.0) > before


async def get_calendar(
    http: aiohttp.ClientSession, url: str, **headers: str
) -> tuple[int, Mapping[str, str], bytes]:
    async with http.get(url, headers=headers) as r:
        return r.status, r.headers.copy(), await r.read()  # a copy keeps case-insensitive names


async def command(fake: FakeDiscord, name: str, options: dict[str, Any], user: Any) -> str:
    ix = await fake.slash(name, options, user=user)
    await ix.wait_for_output(timeout=15)
    assert ix.ephemeral, ix.text
    return ix.text


def links_in(text: str) -> tuple[str, str]:
    https = re.search(r"<(http://[^>]+\.ics)>", text)
    webcal = re.search(r"`(webcal://[^`]+\.ics)`", text)
    assert https and webcal, text
    return https[1], webcal[1]


def key_file_state(path: Path) -> tuple[int, bytes]:
    return stat.S_IMODE(path.stat().st_mode), path.read_bytes()


def database_bytes(directory: Path, key_file: Path) -> bytes:
    """The database with its WAL and shared-memory files (everything a copy or backup could hold)."""
    return b"".join(
        p.read_bytes()
        for p in sorted(directory.iterdir())
        if p.name.startswith("bot.sqlite3") and p != key_file
    )


async def test_calendar_subscription_shows_screenings_304s_and_rotates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROJECTIONIST_CALENDAR_KEY", raising=False)  # the key file, as on a fresh install
    port = free_port()
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        settings = e2e_settings(fake, tmp_path, http=http_settings(port))
        key_file = Path(settings.storage.path + ".calendar-key")
        async with running_bot(fake, settings) as bot:
            # the first ask, by a member, makes the server's link; everyone gets the same one
            text = await command(fake, "watchparty calendar", {}, fake.member)
            url, webcal = links_in(text)
            assert webcal == "webcal://" + url.removeprefix("http://")
            assert url.startswith(f"http://127.0.0.1:{port}/calendar/")
            for app in ("Google", "Apple", "Outlook"):
                assert app in text
            assert links_in(await command(fake, "watchparty calendar", {}, fake.member)) == (url, webcal)
            assert links_in(await command(fake, "watchparty calendar", {}, fake.organiser)) == (url, webcal)
            mode, key = await asyncio.to_thread(key_file_state, key_file)
            assert mode == 0o600 and len(key) == 32
            await command(
                fake, "watchparty schedule", {"film": "Alien (1979)", "when": "friday 8pm"}, fake.organiser
            )

            status, headers, body = await get_calendar(http, url)
            assert status == 200 and headers["Content-Type"].startswith("text/calendar")
            etag, modified = headers["ETag"], headers["Last-Modified"]
            party = (await bot.services.watchparties.upcoming(fake.guild_id))[0].party
            parsed = vobject.readOne(body.decode("utf-8"))
            guild_name = fake.world.guild(fake.guild_id).name
            assert parsed.contents["x-wr-calname"][0].value == f"{guild_name} screenings"
            event = parsed.vevent
            assert event.summary.value == "Alien (1979)"
            assert event.uid.value == f"watchparty-{fake.guild_id}-{party.id}@projectionist"
            assert int(event.dtstart.value.timestamp()) == party.start_at
            assert event.status.value == "CONFIRMED" and event.sequence.value == "0"
            assert [str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")] == ["Alien (1979)"]

            # conditional GETs: nothing changed, nothing sent
            status, headers, body304 = await get_calendar(http, url, **{"If-None-Match": etag})
            assert (status, headers["ETag"], body304) == (304, etag, b"")
            status, _, _ = await get_calendar(http, url, **{"If-Modified-Since": modified})
            assert status == 304

            # an edit and a cancellation reach the calendar with a higher SEQUENCE, same UID
            await asyncio.sleep(1.1)  # updated_at has one-second resolution
            await command(fake, "watchparty edit", {"id": party.id, "film": "Aliens (1986)"}, fake.organiser)
            status, headers, body = await get_calendar(http, url, **{"If-None-Match": etag})
            assert status == 200 and headers["ETag"] != etag
            event = vobject.readOne(body.decode("utf-8")).vevent
            assert (event.summary.value, event.sequence.value) == ("Aliens (1986)", "1")
            await command(
                fake, "watchparty cancel", {"id": party.id, "reason": "projector broke"}, fake.organiser
            )
            _, _, body = await get_calendar(http, url)
            event = vobject.readOne(body.decode("utf-8")).vevent
            assert event.status.value == "CANCELLED" and int(event.sequence.value) == 2
            assert event.uid.value == f"watchparty-{fake.guild_id}-{party.id}@projectionist"

            # only organisers reset; a reset makes a new link and the old one 404s at once
            text = await command(fake, "watchparty calendar", {"reset": True}, fake.member)
            assert "Only organisers" in text and "/calendar/" not in text
            assert (await get_calendar(http, url))[0] == 200
            text = await command(fake, "watchparty calendar", {"reset": True}, fake.organiser)
            new_url, _ = links_in(text)
            assert new_url != url and "old one stopped working" in text
            missing = await get_calendar(http, f"http://127.0.0.1:{port}/no-such-page")
            old = await get_calendar(http, url)
            random = await get_calendar(http, url.rsplit("/", 1)[0] + f"/{random_token()}.ics")
            assert old[0] == random[0] == missing[0] == 404
            assert old[2] == random[2] == missing[2]
            assert (await get_calendar(http, new_url))[0] == 200
            assert links_in(await command(fake, "watchparty calendar", {}, fake.member))[0] == new_url

        # the database file never holds a link; the key file beside it does not change
        database = await asyncio.to_thread(database_bytes, tmp_path, key_file)
        for link in (url, new_url):
            assert link.rsplit("/", 1)[1].removesuffix(".ics").encode() not in database

        # after a restart members get the same link, and it still works
        async with running_bot(fake, settings):
            assert links_in(await command(fake, "watchparty calendar", {}, fake.member))[0] == new_url
            assert (await get_calendar(http, new_url))[0] == 200
            assert (await get_calendar(http, url))[0] == 404
        assert (await asyncio.to_thread(key_file_state, key_file)) == (0o600, key)


async def test_calendar_command_explains_how_to_enable_the_server(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        async with running_bot(fake, e2e_settings(fake, tmp_path)):
            text = await command(fake, "watchparty calendar", {}, fake.organiser)
        assert "[http] listen" in text and "config.toml" in text and "/calendar/" not in text
