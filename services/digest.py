"""Turns feed entries into Discord posts with the server's content-warning settings and spoiler shield."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from domain.digest import (
    CATEGORIES,
    CATEGORY_LABELS,
    Article,
    DigestOptions,
    SpoilerShield,
    article_from_entry,
    digest_entry,
)
from domain.digest.models import DEFAULT_SPOILER_CATEGORIES, effective_spoiler_categories
from domain.errors import UserError
from domain.forumposts import post_info
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
    "spoilered_categories",
]

ShieldProvider = Callable[[int], Awaitable[SpoilerShield | None]]
ArticleExpand = Callable[[Article], Awaitable[Article]]

MAX_CUSTOM_TERMS = 25
MAX_TERM_LENGTH = 60
_CACHE_SECONDS = 30.0


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
            options = await self.options_for(sub.guild_id, force_spoiler=sub.force_spoiler)
            shield = await self.shield_provider(sub.guild_id) if self.shield_provider else None
            article = article_from_entry(entry, feed_title)
            if self.expand is not None:
                article = await self.expand(article)
            digest = digest_entry(article, options, shield)
        metrics.warnings_emitted(w.category for w in digest.warnings)
        # "post": what a forum post or thread needs to be named and tagged (read by the feed service; the
        # rest is the message body)
        return {**digest.payload, "post": post_info(digest, article).to_dict()}

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
