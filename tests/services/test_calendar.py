"""services.calendar: secret per-server links (stored hashed, rotated at once) and the .ics feed behind them."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pytest
from icalendar import Calendar

from services.calendar import RECENT, CalendarService, hash_token, new_token
from services.club import ClubService
from services.watchparties import WatchPartyService
from settings import HttpSettings, WatchPartySettings
from storage import watchparties as parties_repo
from storage.db import Database

GUILD = 42


def service(
    db: Database, listen: str = "127.0.0.1:8080", public_url: str = "https://films.example/"
) -> CalendarService:
    watchparties = WatchPartyService(db, WatchPartySettings(), ClubService(db))
    return CalendarService(db, HttpSettings(listen=listen, public_url=public_url), watchparties)


async def add_party(db: Database, film: str, start_at: int, **changes: object) -> int:
    async with db.transaction() as conn:
        party_id = await parties_repo.insert_party(
            conn,
            guild_id=GUILD,
            film=film,
            start_at=start_at,
            duration=7200,
            timezone="UTC",
            voice_channel_id=None,
            location="The back room",
            notes=None,
            capacity=None,
            reminder_offsets=[],
            announce_channel_id=1,
            created_by=7,
            now=int(time.time()) - 100,
        )
        if changes:
            await parties_repo.update_party(conn, party_id, now=int(time.time()) - 50, **changes)
    return party_id


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) >= 22  # 128 bits in base64url; ours is 192 bits (32 characters)
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_hash_is_sha256_hex() -> None:
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()


async def test_only_the_hash_is_stored_and_the_link_resolves(db: Database, tmp_path: Path) -> None:
    calendar = service(db)
    links = await calendar.create_link(GUILD, user_id=7)
    assert links.https.startswith("https://films.example/calendar/") and links.https.endswith(".ics")
    assert links.webcal == "webcal://" + links.https.removeprefix("https://")
    token = token_of(links.https)
    row = await db.fetchone("SELECT token_hash FROM calendar_tokens WHERE guild_id = ?", (GUILD,))
    assert row is not None and row[0] == hash_token(token)
    if db.dialect != "sqlite":
        return  # the file check below is SQLite's; the hash-only row above holds on both backends
    await db.conn.execute("PRAGMA wal_checkpoint(FULL)")
    raw = await asyncio.to_thread(lambda: b"".join(p.read_bytes() for p in tmp_path.glob("test.sqlite3*")))
    assert token.encode() not in raw  # a copy of the database holds no working link
    assert await calendar.feed(token) is not None
    assert await calendar.feed(new_token()) is None


async def test_rotation_invalidates_the_old_link_at_once(db: Database) -> None:
    calendar = service(db)
    old = token_of((await calendar.create_link(GUILD, user_id=7)).https)
    new = token_of((await calendar.create_link(GUILD, user_id=8)).https)
    assert old != new
    assert await calendar.feed(old) is None
    assert await calendar.feed(new) is not None


async def test_link_needs_the_http_server(db: Database) -> None:
    calendar = service(db, listen="")
    assert not calendar.enabled
    with pytest.raises(Exception, match=r"\[http\] listen"):
        await calendar.create_link(GUILD, user_id=7)


async def test_links_fall_back_to_the_listen_address(db: Database) -> None:
    links = await service(db, public_url="").create_link(GUILD, user_id=7)
    assert links.https.startswith("http://127.0.0.1:8080/calendar/")
    assert links.webcal.startswith("webcal://127.0.0.1:8080/calendar/")


async def test_feed_has_upcoming_recent_and_cancelled_screenings_but_not_old_ones(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.create_link(GUILD, user_id=7)).https)
    now = int(time.time())
    upcoming = await add_party(db, "Alien", now + 86400)
    recent = await add_party(db, "Heat", now - 10 * 86400)
    cancelled = await add_party(db, "Ran", now + 2 * 86400, status="cancelled", sequence=1)
    await add_party(db, "Stalker", now - RECENT - 86400)  # ended more than 30 days ago
    feed = await calendar.feed(token)
    assert feed is not None
    events = {str(e["uid"]): e for e in Calendar.from_ical(feed.body).walk("VEVENT")}
    uids = {f"watchparty-{GUILD}-{p}@projectionist" for p in (upcoming, recent, cancelled)}
    assert set(events) == uids
    ran = events[f"watchparty-{GUILD}-{cancelled}@projectionist"]
    assert str(ran["status"]) == "CANCELLED" and int(ran["sequence"]) == 1


async def test_same_data_same_etag_and_an_edit_changes_it(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.create_link(GUILD, user_id=7)).https)
    party = await add_party(db, "Alien", int(time.time()) + 86400)
    first = await calendar.feed(token)
    again = await calendar.feed(token)
    assert first is not None and again is not None
    assert first.body == again.body and first.etag == again.etag  # DTSTAMP is not the request time
    async with db.transaction() as conn:
        await parties_repo.update_party(conn, party, now=int(time.time()) + 5, film="Aliens", sequence=1)
    edited = await calendar.feed(token)
    assert edited is not None and edited.etag != first.etag
    assert edited.last_modified > first.last_modified
    assert b"SEQUENCE:1" in edited.body


async def test_feed_is_titled_with_the_server_name_and_asks_for_hourly_refresh(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.create_link(GUILD, user_id=7, server_name="Kino; Club\nNight")).https)
    feed = await calendar.feed(token)
    assert feed is not None
    assert b"X-WR-CALNAME:Kino\\; Club Night screenings\r\n" in feed.body  # escaped, one line
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.body and b"X-PUBLISHED-TTL:PT1H" in feed.body


async def test_other_servers_parties_stay_out(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.create_link(GUILD, user_id=7)).https)
    async with db.transaction() as conn:
        await parties_repo.insert_party(
            conn,
            guild_id=GUILD + 1,
            film="Secret screening",
            start_at=int(time.time()) + 3600,
            duration=3600,
            timezone="UTC",
            voice_channel_id=None,
            location=None,
            notes=None,
            capacity=None,
            reminder_offsets=[],
            announce_channel_id=1,
            created_by=7,
            now=int(time.time()),
        )
    feed = await calendar.feed(token)
    assert feed is not None and b"Secret screening" not in feed.body
