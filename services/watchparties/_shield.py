"""The spoiler shield: feed posts that mention a film on the club's schedule get spoiler-wrapped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.schedule import format_local
from domain.titles import TitleError, TitleMatcher, normalise_title
from settings import WatchPartySettings
from storage import watchparties as repo
from storage.db import Database

_TITLE_YEAR = re.compile(r"^(?P<title>.*\S)\s*[(\[](?P<year>(?:18|19|20)\d\d)[)\]]$")


def film_matcher(film: str) -> TitleMatcher:
    """A matcher for a scheduled film; a trailing year (``"Her (2013)"``) becomes the matcher's year.

    Short titles need context to count as a mention (see :mod:`domain.titles`); the year is one such context.
    """
    found = _TITLE_YEAR.match(film.strip())
    if found is not None and normalise_title(found["title"]):
        return TitleMatcher(found["title"], int(found["year"]))
    return TitleMatcher(film)


@dataclass(frozen=True, slots=True)
class Shield:
    """``shield(title, text)`` -> the reasons to spoiler-wrap a feed post (empty: no film mentioned)."""

    entries: tuple[tuple[TitleMatcher, str], ...]

    @property
    def titles(self) -> tuple[str, ...]:
        """The scheduled films' titles: the digest masks them so a film's name is never evidence."""
        return tuple(matcher.title for matcher, _ in self.entries)

    def __call__(self, title: str, text: str) -> list[str]:
        reasons: list[str] = []
        for matcher, reason in self.entries:
            if reason not in reasons and (matcher.matches(title or "") or matcher.matches(text or "")):
                reasons.append(reason)
        return reasons


class ShieldCache:
    """One shield per guild, cached for up to ``ttl`` seconds and dropped when the guild's schedule changes."""

    def __init__(
        self, db: Database, settings: WatchPartySettings, clock: Callable[[], float], ttl: float
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.ttl = ttl
        self._shields: dict[int, tuple[float, Shield | None]] = {}

    def forget(self, guild_id: int) -> None:
        self._shields.pop(guild_id, None)

    def clear(self) -> None:
        self._shields.clear()

    async def shield_for(self, guild_id: int) -> Callable[[str, str], list[str]] | None:
        """A pure ``(title, text) -> reasons`` for feed posts, or None when nothing is on the schedule.

        Covers every scheduled party from its scheduling until ``spoiler_window`` after its screening ends.
        Cached for up to ``ttl`` seconds (never past the moment a party's window closes).
        """
        now = self.clock()
        cached = self._shields.get(guild_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        window = int(self.settings.spoiler_window)
        parties = await repo.parties_ending_after(self.db, guild_id, int(now) - window)
        entries: list[tuple[TitleMatcher, str]] = []
        expires = now + self.ttl
        for party in parties:
            closes = party.end_at + window
            if closes < now:
                continue
            expires = min(expires, closes + 1)
            try:
                matcher = film_matcher(party.film)
            except TitleError:
                continue
            local = datetime.fromtimestamp(party.start_at, tz=ZoneInfo(party.timezone))
            day = format_local(local).split(",")[0]
            entries.append((matcher, f"on the club's schedule: {party.film} on {day}"))
        shield = Shield(tuple(entries)) if entries else None
        self._shields[guild_id] = (expires, shield)
        return shield
