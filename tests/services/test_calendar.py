"""services.calendar: one link per server, derived from a key outside the database (the database keeps only
its hash and generation), rotated at once, and the .ics feed behind it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import stat
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from icalendar import Calendar

from domain.errors import UserError
from services.calendar import (
    RECENT,
    CalendarKey,
    CalendarService,
    derive_token,
    hash_token,
    key_file_for,
    read_or_create_key_file,
)
from services.club import ClubService
from services.watchparties import WatchPartyService
from settings import HttpSettings, WatchPartySettings
from storage import watchparties as parties_repo
from storage.db import Database

GUILD = 42
ENV = "TEST_CALENDAR_KEY"
LONG_KEY = "k" * 40
NO_KEY_FILE = "the key file sits beside a SQLite file; under PostgreSQL the key comes from the environment"


def service(
    db: Database,
    listen: str = "127.0.0.1:8080",
    public_url: str = "https://films.example/",
    environ: Mapping[str, str] | None = None,
) -> CalendarService:
    watchparties = WatchPartyService(db, WatchPartySettings(), ClubService(db))
    http = HttpSettings(listen=listen, public_url=public_url, calendar_key_env=ENV)
    # Never the test process's own environment: a developer's real key must not change what is tested.
    key = CalendarKey(ENV, key_file_for(db.path), environ={} if environ is None else environ)
    return CalendarService(db, http, watchparties, key=key)


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


async def database_bytes(db: Database, directory: Path) -> bytes:
    await db.conn.execute("PRAGMA wal_checkpoint(FULL)")
    files = [directory / f"test.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]
    return await asyncio.to_thread(lambda: b"".join(p.read_bytes() for p in files if p.exists()))


def names_in(directory: Path, part: str = "") -> list[str]:
    return sorted(p.name for p in directory.iterdir() if part in p.name)


def test_token_is_the_documented_hmac_of_guild_and_generation() -> None:
    key = bytes(range(32))
    mac = hmac.new(key, b"projectionist-calendar:v1:42:1", hashlib.sha256).digest()
    token = derive_token(key, 42, 1)
    assert token == base64.urlsafe_b64encode(mac).decode()[:32]
    assert len(token) == 32  # 192 bits of the MAC; the issue asks for at least 128
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    others = {derive_token(key, 42, 2), derive_token(key, 43, 1), derive_token(bytes(32), 42, 1)}
    assert token not in others and len(others) == 3


def test_hash_is_sha256_hex() -> None:
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()


async def test_any_member_gets_the_same_link_every_time(db: Database) -> None:
    calendar = service(db)
    first = await calendar.link(GUILD, "Kino")
    again = await calendar.link(GUILD, "Kino")
    assert first.new and not again.new
    assert (first.https, first.webcal) == (again.https, again.webcal)
    assert first.https.startswith("https://films.example/calendar/") and first.https.endswith(".ics")
    assert first.webcal == "webcal://" + first.https.removeprefix("https://")
    assert await calendar.feed(token_of(first.https)) is not None


async def test_the_database_holds_the_hash_and_generation_never_the_token(
    db: Database, tmp_path: Path
) -> None:
    if db.dialect != "sqlite":
        pytest.skip(
            "reads the SQLite file and the key file beside it; PostgreSQL takes the key from the environment"
        )
    calendar = service(db)
    token = token_of((await calendar.link(GUILD)).https)
    rotated = token_of((await calendar.rotate(GUILD)).https)
    row = await db.fetchone("SELECT token_hash, generation FROM calendar_tokens WHERE guild_id = ?", (GUILD,))
    assert row is not None and (row[0], row[1]) == (hash_token(rotated), 2)
    raw = await database_bytes(db, tmp_path)
    assert raw and token.encode() not in raw and rotated.encode() not in raw
    # nor the key: a copy of the database alone yields no working link
    key = key_file_for(db.path)
    assert key is not None and key.read_bytes() not in raw


async def test_rotation_invalidates_the_old_link_at_once(db: Database) -> None:
    calendar = service(db)
    old = token_of((await calendar.link(GUILD)).https)
    new = token_of((await calendar.rotate(GUILD)).https)
    assert old != new
    assert await calendar.feed(old) is None
    assert await calendar.feed(new) is not None
    assert token_of((await calendar.link(GUILD)).https) == new  # and members now get the new one
    newer = token_of((await calendar.rotate(GUILD)).https)
    assert await calendar.feed(new) is None and await calendar.feed(newer) is not None


async def test_rotating_before_any_link_makes_the_first_one(db: Database) -> None:
    calendar = service(db)
    made = await calendar.rotate(GUILD)
    assert made.new and (await calendar.link(GUILD)).https == made.https


async def test_first_asks_at_the_same_time_agree_on_one_link(db: Database) -> None:
    calendar = service(db)
    links = await asyncio.gather(*(calendar.link(GUILD, "Kino") for _ in range(8)))
    assert len({link.https for link in links}) == 1
    assert await db.scalar("SELECT COUNT(*) FROM calendar_tokens") == 1


async def test_key_file_is_made_0600_once_and_reused_after_a_restart(db: Database, tmp_path: Path) -> None:
    if db.dialect != "sqlite":
        pytest.skip(NO_KEY_FILE)
    path = tmp_path / "test.sqlite3.calendar-key"
    assert key_file_for(db.path) == path and not path.exists()
    link = await service(db).link(GUILD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes()
    assert len(key) == 32
    assert token_of(link.https) == derive_token(key, GUILD, 1)
    assert await asyncio.to_thread(names_in, tmp_path, "calendar-key") == [path.name]  # no temp file left
    # a restart: a new service (and key object) over the same files
    await db.close()
    async with await Database.open(tmp_path / "test.sqlite3") as reopened:
        again = service(reopened)
        assert (await again.link(GUILD)).https == link.https
        assert await again.feed(token_of(link.https)) is not None
    assert path.read_bytes() == key


def test_racing_processes_agree_on_one_key_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3.calendar-key"
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def make() -> None:
        start.wait()
        keys.append(read_or_create_key_file(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and keys[0] == path.read_bytes()
    assert names_in(tmp_path) == [path.name]


async def test_a_different_key_gives_different_links(tmp_path: Path) -> None:
    async with (
        await Database.open(tmp_path / "a.sqlite3") as a,
        await Database.open(tmp_path / "b.sqlite3") as b,
    ):
        one, other = await service(a).link(GUILD), await service(b).link(GUILD)
    assert one.https != other.https


async def test_a_changed_key_kills_old_links_and_heals_the_row(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    old = token_of((await service(db).link(GUILD)).https)
    moved = service(db, environ={ENV: LONG_KEY})  # e.g. the key file was lost and an env key set instead
    assert await moved.feed(old) is None
    with caplog.at_level(logging.WARNING, logger="services.calendar"):
        new = token_of((await moved.link(GUILD)).https)
    assert new != old and "key changed" in caplog.text
    assert await moved.feed(new) is not None and await moved.feed(old) is None


async def test_the_environment_key_wins_and_no_key_file_is_made(db: Database) -> None:
    calendar = service(db, environ={ENV: f"  {LONG_KEY}\n"})
    link = await calendar.link(GUILD)
    assert token_of(link.https) == derive_token(LONG_KEY.encode(), GUILD, 1)
    path = key_file_for(db.path)
    assert (path is None) if db.dialect == "postgresql" else (path is not None and not path.exists())


async def test_an_empty_setting_never_reads_the_environment(db: Database) -> None:
    key = CalendarKey("", key_file_for(db.path), environ={"": LONG_KEY, ENV: LONG_KEY})
    assert await key.get() != LONG_KEY.encode() and len(await key.get()) == 32


async def test_a_short_environment_key_is_refused_clearly(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = service(db, environ={ENV: "ourclub"})
    with caplog.at_level(logging.ERROR, logger="services.calendar"), pytest.raises(UserError, match="log"):
        await calendar.link(GUILD)
    assert f"${ENV} has 7 characters" in caplog.text and "at least 32" in caplog.text
    assert await db.scalar("SELECT COUNT(*) FROM calendar_tokens") == 0


async def test_a_damaged_key_file_is_refused_not_replaced(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    if db.dialect != "sqlite":
        pytest.skip(NO_KEY_FILE)
    path = key_file_for(db.path)
    assert path is not None
    path.write_bytes(b"short")
    with caplog.at_level(logging.ERROR, logger="services.calendar"), pytest.raises(UserError):
        await service(db).link(GUILD)
    assert "holds 5 bytes" in caplog.text
    assert path.read_bytes() == b"short"  # replacing it would silently change every server's link


async def test_an_in_memory_database_gets_a_key_for_this_process_only(tmp_path: Path) -> None:
    async with await Database.open(":memory:") as db:
        assert key_file_for(db.path) is None
        one = service(db)
        link = await one.link(GUILD)
        assert await one.feed(token_of(link.https)) is not None
        assert (await service(db).link(GUILD)).https != link.https  # another process, another key
    assert await asyncio.to_thread(names_in, tmp_path) == []


async def test_link_needs_the_http_server(db: Database) -> None:
    calendar = service(db, listen="")
    assert not calendar.enabled
    with pytest.raises(UserError, match=r"\[http\] listen"):
        await calendar.link(GUILD)
    with pytest.raises(UserError, match=r"\[http\] listen"):
        await calendar.rotate(GUILD)


async def test_links_fall_back_to_the_listen_address(db: Database) -> None:
    link = await service(db, public_url="").link(GUILD)
    assert link.https.startswith("http://127.0.0.1:8080/calendar/")
    assert link.webcal.startswith("webcal://127.0.0.1:8080/calendar/")


async def test_feed_has_upcoming_recent_and_cancelled_screenings_but_not_old_ones(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.link(GUILD)).https)
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
    token = token_of((await calendar.link(GUILD)).https)
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
    token = token_of((await calendar.link(GUILD, "Kino; Club\nNight")).https)
    feed = await calendar.feed(token)
    assert feed is not None
    assert b"X-WR-CALNAME:Kino\\; Club Night screenings\r\n" in feed.body  # escaped, one line
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.body and b"X-PUBLISHED-TTL:PT1H" in feed.body


async def test_a_renamed_server_renames_its_calendar_and_keeps_the_link(db: Database) -> None:
    clock = [1_000_000.0]
    calendar = service(db)
    calendar.clock = lambda: clock[0]
    link = await calendar.link(GUILD, "Kino")
    before = await calendar.feed(token_of(link.https))
    clock[0] += 60
    assert (await calendar.link(GUILD, "Kino Club")).https == link.https
    after = await calendar.feed(token_of(link.https))
    assert before is not None and after is not None
    assert b"X-WR-CALNAME:Kino Club screenings" in after.body
    assert after.last_modified > before.last_modified  # so If-Modified-Since sees the new title


async def test_other_servers_parties_stay_out(db: Database) -> None:
    calendar = service(db)
    token = token_of((await calendar.link(GUILD)).https)
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
