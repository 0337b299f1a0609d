"""Turns feed entries into Discord posts with the server's content-warning settings and spoiler shield."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.digest import (
    CATEGORIES,
    CATEGORY_LABELS,
    Article,
    Digest,
    DigestOptions,
    SpoilerShield,
    article_from_entry,
    digest_entry,
)
from domain.digest.language import language_name
from domain.digest.models import DEFAULT_SPOILER_CATEGORIES, effective_spoiler_categories
from domain.errors import UserError
from domain.forumposts import post_info
from domain.markdown import escape_markdown, utf16_len
from domain.models import Subscription, WarningSettings
from services import metrics
from settings import DigestSettings
from storage import warnings as repo
from storage.db import Database

log = logging.getLogger(__name__)

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEFAULT_SPOILER_CATEGORIES",
    "DigestService",
    "TestPost",
    "evidence_note",
    "spoilered_categories",
]

ShieldProvider = Callable[[int], Awaitable[SpoilerShield | None]]
ArticleExpand = Callable[[Article], Awaitable[Article]]

MAX_CUSTOM_TERMS = 25
MAX_TERM_LENGTH = 60
_CACHE_SECONDS = 30.0
#: Discord's limit for a message's content, in UTF-16 units.
NOTE_LIMIT = 2000
_NOTE_HEAD = "🔎 **Why the post looks like this** (only you see this note)"
_PHRASE_LIMIT = 100
_SPOILER_BUDGET = 450
# What is left after the head, the spoiler line and the language line (~150 units with the newlines).
_WARNINGS_BUDGET = NOTE_LIMIT - _SPOILER_BUDGET - 250


@dataclass(frozen=True, slots=True)
class TestPost:
    """What ``/feed test`` shows a moderator: the post as it would go out, and a private note saying why
    it looks that way (each warning's evidence, the spoiler reasons, the language)."""

    payload: dict[str, Any]
    note: str


def _phrase(text: str, limit: int) -> str:
    return f"“{escape_markdown(' '.join(text.split()), limit=limit)}”"


def _bounded(head: str, items: list[str], budget: int, separator: str = ", ") -> str:
    """``head`` and as many ``items`` as fit in ``budget`` UTF-16 units, then "(+N more)" for the rest."""
    line = head
    for index, item in enumerate(items):
        more = len(items) - index - 1
        candidate = line + (separator if line != head else "") + item
        tail = f" (+{more} more)" if more else ""
        if utf16_len(candidate + tail) > budget and line != head:
            return f"{line} (+{len(items) - index} more)"
        line = candidate
    return line


def evidence_note(digest: Digest) -> str:
    """The private note under a ``/feed test`` post: for each warning its label and the phrases that made
    it, the reasons the summary is behind spoiler tags, and the language with whether warnings were checked.

    Everything from the feed is escaped; the note fits one message (each part has a budget, and what does
    not fit is counted as "(+N more)").
    """
    lines = [_NOTE_HEAD]
    if digest.warnings:
        budget = _WARNINGS_BUDGET // len(digest.warnings)
        for warning in digest.warnings:
            head = f"⚠️ **{escape_markdown(warning.label, limit=60)}**: "
            # Room for the first phrase and a "(+N more)" whatever the number of warnings.
            limit = min(_PHRASE_LIMIT, budget - utf16_len(head) - 16)
            phrases = [_phrase(e, limit) for e in warning.evidence] or ["(no phrase recorded)"]
            lines.append(_bounded(head, phrases, budget))
    elif digest.warnings_checked:
        lines.append("⚠️ no content warnings found")
    else:
        lines.append("⚠️ content warnings not checked: no rules for this language")
    if digest.spoiler_reasons:
        reasons = [escape_markdown(r, limit=200) for r in digest.spoiler_reasons]
        lines.append(_bounded("🙈 **Spoiler**: ", reasons, _SPOILER_BUDGET, "; "))
    else:
        lines.append("🙈 not spoilered")
    name = language_name(digest.language)
    language = f"{escape_markdown(name, limit=40)} ({digest.language})" if name else "unknown"
    checked = "content warnings checked" if digest.warnings_checked else "content warnings **not checked**"
    lines.append(f"🌐 language: {language} · {checked}")
    return "\n".join(lines)


def spoilered_categories(ws: repo.WarningSettings) -> frozenset[str]:
    """The categories whose summary and image a server's posts hide: its choices, else the defaults."""
    return effective_spoiler_categories(
        ws.spoiler_categories, ws.unspoilered_categories, ws.hidden_categories
    )


class DigestService:
    def __init__(
        self, db: Database, settings: DigestSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.settings = settings
        self.shield_provider: ShieldProvider | None = None
        # [digest] fetch_full_article: replaces a teaser with the linked page's main text (services.fullarticle)
        self.expand: ArticleExpand | None = None
        self._clock = clock
        self._cache: dict[int, tuple[float, DigestOptions]] = {}

    async def warning_settings(self, guild_id: int) -> WarningSettings:
        return await repo.get(self.db, guild_id)

    async def options_for(self, guild_id: int, *, force_spoiler: bool = False) -> DigestOptions:
        cached = self._cache.get(guild_id)
        if cached is None or self._clock() - cached[0] > _CACHE_SECONDS:
            ws = await repo.get(self.db, guild_id)
            options = DigestOptions(
                sentences=self.settings.summary_sentences,
                max_summary_chars=self.settings.max_summary_chars,
                shown_categories=frozenset(CATEGORIES) - ws.hidden_categories,
                spoiler_categories=spoilered_categories(ws),
                custom_terms=ws.custom_terms,
            )
            cached = (self._clock(), options)
            self._cache[guild_id] = cached
        options = cached[1]
        return dataclasses.replace(options, force_spoiler=True) if force_spoiler else options

    async def render(
        self, entry: Mapping[str, Any], feed_title: str | None, sub: Subscription
    ) -> dict[str, Any]:
        """The feed service's renderer: the Discord message JSON for one entry in one subscription."""
        with metrics.DIGEST_SECONDS.time():
            article, digest = await self._digest(entry, feed_title, sub)
        metrics.warnings_emitted(w.category for w in digest.warnings)
        # "post": what a forum post or thread needs to be named and tagged (read by the feed service; the
        # rest is the message body)
        return {**digest.payload, "post": post_info(digest, article).to_dict()}

    async def test_post(
        self, entry: Mapping[str, Any], feed_title: str | None, sub: Subscription
    ) -> TestPost:
        """The message ``render`` would post for the entry, and the note that explains it (``/feed test``).
        Not counted in the metrics: nothing is posted."""
        _, digest = await self._digest(entry, feed_title, sub)
        return TestPost(digest.payload, evidence_note(digest))

    async def _digest(
        self, entry: Mapping[str, Any], feed_title: str | None, sub: Subscription
    ) -> tuple[Article, Digest]:
        options = await self.options_for(sub.guild_id, force_spoiler=sub.force_spoiler)
        shield = await self.shield_provider(sub.guild_id) if self.shield_provider else None
        article = article_from_entry(entry, feed_title)
        if self.expand is not None:
            article = await self.expand(article)
        return article, digest_entry(article, options, shield)

    async def update_warnings(
        self,
        guild_id: int,
        category: str,
        *,
        shown: bool | None = None,
        spoiler: bool | None = None,
        add_term: str | None = None,
        remove_term: str | None = None,
    ) -> WarningSettings:
        if category not in CATEGORY_LABELS:
            raise UserError(
                f"Unknown category “{{category}}”; choose one of: {', '.join(CATEGORIES)}.",
                category=category[:40],
            )
        current = await repo.get(self.db, guild_id)
        hidden = set(current.hidden_categories)
        spoilered = set(current.spoiler_categories)
        unspoilered = set(current.unspoilered_categories)
        terms = {k: list(v) for k, v in current.custom_terms.items()}
        if shown is not None:
            (hidden.discard if shown else hidden.add)(category)
        if spoiler is not None:
            # Recorded either way: "show the summary" must survive a later change of the defaults.
            (spoilered.add if spoiler else spoilered.discard)(category)
            (unspoilered.discard if spoiler else unspoilered.add)(category)
        if add_term is not None:
            term = " ".join(add_term.split())
            if not term or len(term) > MAX_TERM_LENGTH:
                raise UserError(f"A custom term must be 1 to {MAX_TERM_LENGTH} characters.")
            bucket = terms.setdefault(category, [])
            if term.casefold() not in (t.casefold() for t in bucket):
                if sum(len(v) for v in terms.values()) >= MAX_CUSTOM_TERMS:
                    raise UserError(
                        f"This server already has {MAX_CUSTOM_TERMS} custom terms; remove one first."
                    )
                bucket.append(term)
        if remove_term is not None:
            wanted = " ".join(remove_term.split()).casefold()
            bucket = terms.get(category, [])
            if wanted not in (t.casefold() for t in bucket):
                raise UserError(
                    f"“{{term}}” is not a custom term of {CATEGORY_LABELS[category]}.", term=remove_term[:60]
                )
            terms[category] = [t for t in bucket if t.casefold() != wanted]
        updated = WarningSettings(
            guild_id,
            frozenset(hidden),
            frozenset(spoilered),
            {k: tuple(v) for k, v in terms.items() if v},
            frozenset(unspoilered),
        )
        async with self.db.transaction() as conn:
            await repo.put(conn, updated)
        self._cache.pop(guild_id, None)
        log.info("guild %s content-warning settings changed for %s", guild_id, category)
        return updated
