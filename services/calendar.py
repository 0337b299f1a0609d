"""The subscribable club calendar: one link per server, served by the HTTP server as an .ics feed.

The link's token is derived, not stored::

    token = base64url(HMAC-SHA256(key, "projectionist-calendar:v1:{guild_id}:{generation}"))[:32]

(192 bits; the issue asks for at least 128). ``generation`` is a per-server counter in the database that a
rotation raises, so the old link dies at once. ``key`` is a server secret kept outside the database (see
:class:`CalendarKey`), so the bot can show the same link to every member who asks, any number of times,
while a copy of the database (a backup shared for debugging) still yields no working link: guild ids are
public, and without the key nobody can compute a token from them.

Only the token's SHA-256 is stored, to find the server a request is for (an index lookup on a hash reveals
nothing useful about the token). The token is then checked against the one derived from the key with
:func:`hmac.compare_digest`, so no byte-by-byte comparison of secret material depends on where it first
differs, and a row whose hash predates a key change serves nothing.

The feed's body is built with DTSTAMP set to the newest change among its parties rather than the request
time, so the same data gives the same bytes, and the ETag (a hash of the body) lets calendar apps poll with
``If-None-Match`` and get a 304.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import secrets
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.errors import UserError
from domain.ics import build_calendar
from services.watchparties import PRODID, WatchPartyService
from settings import HttpSettings
from storage import calendar as repo
from storage.db import Database

__all__ = [
    "CalendarFeed",
    "CalendarKey",
    "CalendarKeyError",
    "CalendarLink",
    "CalendarService",
    "derive_token",
    "hash_token",
    "key_file_for",
    "read_or_create_key_file",
]

log = logging.getLogger(__name__)

#: Past screenings stay in the feed this long, so a member's calendar keeps last month's history.
RECENT = 30 * 86400
#: How often subscribed apps are asked to poll (apps that honour it: Apple Calendar, Outlook). Conditional
#: requests make a poll with no change a 304 of a few hundred bytes.
REFRESH = timedelta(hours=1)
KEY_BYTES = 32
#: A key from the environment is typed by a person: this many characters at least (``openssl rand -base64
#: 32`` gives 44). A short one could be guessed, and with it every server's link computed from public ids.
MIN_ENV_KEY_CHARS = 32
_TOKEN_CHARS = 32  # of the 43 base64url characters of the 32-byte MAC: 192 bits


def derive_token(key: bytes, guild_id: int, generation: int) -> str:
    message = f"projectionist-calendar:v1:{guild_id}:{generation}".encode("ascii")
    mac = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:_TOKEN_CHARS]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def key_file_for(db_path: str) -> Path | None:
    """The key file next to the database, or None for an in-memory database (nothing to sit next to)."""
    if db_path in ("", ":memory:") or "://" in db_path:  # a server database (PostgreSQL) sits in no file
        return None
    return Path(db_path + ".calendar-key")


class CalendarKeyError(Exception):
    """The calendar key is set up wrongly (too short, damaged file): whoever runs the bot must fix it."""


def _read_key_file(path: Path) -> bytes:
    with path.open("rb") as f:
        key = f.read(KEY_BYTES + 1)
        mode = os.fstat(f.fileno()).st_mode
    if len(key) != KEY_BYTES:
        raise CalendarKeyError(
            f"{path} holds {len(key)} bytes, not {KEY_BYTES}: it is damaged. Restore it from a backup, or "
            "delete it to make a new key (every server's calendar link then changes)."
        )
    if stat.S_IMODE(mode) & 0o077:
        log.warning("calendar key file %s can be read by other users: chmod 600 it", path)
    return key


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; the file itself is synced
    finally:
        os.close(fd)


def read_or_create_key_file(path: Path) -> bytes:
    """The key in ``path``, made (32 random bytes, mode 0600) if there is none.

    The new key is written whole to a temporary file first, so a crash never leaves half a key. It is then
    published with a hard link rather than ``os.replace``: a link fails if another process made the file
    meanwhile, and that process's key wins, where a replace would silently swap the key under it (and
    change the links it has handed out). Filesystems without hard links fall back to ``os.replace``.
    """
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_key_file(path)
        except OSError:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    log.info("calendar key: made %s (keep it with the database's backups to keep the links)", path)
    return key


class CalendarKey:
    """The server secret calendar tokens are derived from, found on first use and kept in memory.

    In order: the environment variable ``env_name`` (for several processes or machines sharing a database,
    which must all derive the same links), else the key file next to the database (made on first use),
    else, for an in-memory database, a random key for this process only.
    """

    def __init__(self, env_name: str, path: Path | None, environ: Mapping[str, str] | None = None) -> None:
        self.env_name = env_name
        self.path = path
        self.environ = os.environ if environ is None else environ
        self._key: bytes | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> bytes:
        if self._key is None:
            async with self._lock:
                if self._key is None:
                    self._key = await asyncio.to_thread(self._load)
        return self._key

    def _load(self) -> bytes:
        value = self.environ.get(self.env_name, "").strip() if self.env_name else ""
        if value:
            if len(value) < MIN_ENV_KEY_CHARS:
                raise CalendarKeyError(
                    f"the calendar key in ${self.env_name} has {len(value)} characters; it needs at least "
                    f"{MIN_ENV_KEY_CHARS} random ones (for example the output of `openssl rand -base64 32`)"
                )
            log.info("calendar key: from the environment variable %s", self.env_name)
            return value.encode("utf-8")
        if self.path is None:
            log.info("calendar key: in-memory database, so a key for this process only")
            return secrets.token_bytes(KEY_BYTES)
        return read_or_create_key_file(self.path)


@dataclass(frozen=True, slots=True)
class CalendarLink:
    https: str
    webcal: str
    #: The server's link was made by this call (the first ask, or a rotation).
    new: bool


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    body: bytes
    etag: str
    last_modified: int


def _up_to_date(row: repo.CalendarToken, key: bytes, server_name: str) -> bool:
    """The row's hash is of the token ``key`` derives, and its title is the server's current name."""
    token = derive_token(key, row.guild_id, row.generation)
    return hmac.compare_digest(row.token_hash, hash_token(token)) and server_name in ("", row.name)


class CalendarService:
    def __init__(
        self,
        db: Database,
        http: HttpSettings,
        watchparties: WatchPartyService,
        *,
        key: CalendarKey | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.http = http
        self.watchparties = watchparties
        self.key = key if key is not None else CalendarKey(http.calendar_key_env, key_file_for(db.path))
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return bool(self.http.listen)

    def base_url(self) -> str:
        if self.http.public_url:
            return self.http.public_url.rstrip("/")
        return f"http://{self.http.listen}"

    def _link(self, token: str, *, new: bool) -> CalendarLink:
        https = f"{self.base_url()}/calendar/{token}.ics"
        # webcal:// is the same address with the scheme swapped; apps that know it subscribe instead of
        # downloading once.
        return CalendarLink(https=https, webcal="webcal://" + https.split("://", 1)[1], new=new)

    async def _key(self) -> bytes:
        if not self.enabled:
            raise UserError("The calendar needs the bot's HTTP server: set [http] listen in config.toml.")
        try:
            return await self.key.get()
        except (CalendarKeyError, OSError) as exc:
            log.error("calendar key unusable: %s", exc)
            raise UserError(
                "The calendar's secret key is not set up right, so I can't make links. Whoever runs the bot "
                "will find the reason in its log."
            ) from exc

    async def link(self, guild_id: int, server_name: str = "") -> CalendarLink:
        """The server's link, made on the first ask (by anyone: it is the server's link, not a secret among
        organisers). ``server_name`` titles the calendar in members' apps and follows a renamed server."""
        key = await self._key()
        row = await repo.get_token(self.db.conn, guild_id)
        if row is not None and _up_to_date(row, key, server_name):
            return self._link(derive_token(key, guild_id, row.generation), new=False)  # the usual case
        async with self.db.transaction() as conn:
            row = await repo.get_token(conn, guild_id)  # again, inside the write: another ask may have won
            now = int(self.clock())
            if row is None:
                token = derive_token(key, guild_id, 1)
                await repo.insert_token(
                    conn, guild_id, hash_token(token), generation=1, name=server_name, now=now
                )
                log.info("guild %s: calendar link made", guild_id)
            else:
                token = derive_token(key, guild_id, row.generation)
                if not _up_to_date(row, key, server_name):
                    if row.token_hash != hash_token(token):
                        # The key changed (a lost key file, a new environment variable): links made with the
                        # old key stopped working then; this one is the server's link from now on.
                        log.warning("guild %s: the calendar key changed since the link was made", guild_id)
                    name = server_name or row.name
                    await repo.update_token(
                        conn, guild_id, hash_token(token), generation=row.generation, name=name, now=now
                    )
        return self._link(token, new=row is None)

    async def rotate(self, guild_id: int, server_name: str = "") -> CalendarLink:
        """A new link for the server (the old one stops working at once)."""
        key = await self._key()
        async with self.db.transaction() as conn:
            row = await repo.get_token(conn, guild_id)
            generation = row.generation + 1 if row is not None else 1
            token = derive_token(key, guild_id, generation)
            name = server_name or (row.name if row is not None else "")
            now = int(self.clock())
            if row is None:
                await repo.insert_token(conn, guild_id, hash_token(token), generation=1, name=name, now=now)
            else:
                await repo.update_token(
                    conn, guild_id, hash_token(token), generation=generation, name=name, now=now
                )
        log.info("guild %s: calendar link rotated (generation %s)", guild_id, generation)
        return self._link(token, new=True)

    async def _row_for(self, token: str) -> repo.CalendarToken | None:
        row = await repo.find_token(self.db, hash_token(token))
        if row is None:
            return None
        expected = derive_token(await self.key.get(), row.guild_id, row.generation)
        if not hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8")):
            return None
        return row

    async def feed(self, token: str) -> CalendarFeed | None:
        """The server's screenings from the last 30 days onwards, or None for an unknown token."""
        row = await self._row_for(token)
        if row is None:
            return None
        since = int(self.clock()) - RECENT
        parties = await repo.calendar_parties(self.db, row.guild_id, since)
        items = await self.watchparties.ics_items(parties)
        # The newest change is the feed's Last-Modified (and DTSTAMP); the row's own (a rotation, a renamed
        # server) covers an empty feed and the calendar's title.
        changed = max([p.updated_at for p in parties] + [row.updated_at])
        title = f"{row.name} screenings" if row.name.strip() else "Club screenings"
        stamp = datetime.fromtimestamp(changed, tz=UTC)
        body = build_calendar(items, PRODID, stamp, name=title, refresh=REFRESH)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return CalendarFeed(body=body, etag=etag, last_modified=changed)
