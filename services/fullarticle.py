"""Optional full-article text for feeds that carry only a teaser (``[digest] fetch_full_article``).

When an entry's cleaned text is shorter than ``teaser_chars`` and it links to an http(s) page, the page is
fetched through the feeds' guarded :class:`~services.fetcher.Fetcher` (same address rules, size and time
limits, per-host cap) and its main text is extracted with trafilatura in a worker thread. Any failure (a
blocked address, an error status, a page that is not HTML, nothing extracted, an extraction error) keeps the
teaser: the post is never lost or delayed beyond the fetch timeout because of the page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from html import escape

from domain.digest import Article
from domain.digest.text import clean_text, html_to_text
from services.fetcher import Fetcher, FetchError

log = logging.getLogger(__name__)

TEASER_CHARS = 400
# Article pages are bigger than feeds' teasers but a page over this is not an article we want to parse.
MAX_PAGE_BYTES = 3 * 1024 * 1024
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def extract_main_text(page: bytes, content_type: str | None, url: str | None = None) -> str | None:
    """The main text of an HTML page, paragraphs separated by blank lines, or None when there is none.

    Blocking and CPU-bound (lxml): call it in a thread.
    """
    import trafilatura  # imported on first use: most installs never enable full-article fetching

    charset = "utf-8"
    if content_type and (found := _CHARSET.search(content_type)):
        charset = found.group(1)
    try:
        markup = page.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        markup = page.decode("utf-8", errors="replace")
    text = trafilatura.extract(
        markup, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text:
        return None
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n\n".join(paragraphs) or None


class ArticleExpander:
    """Replaces a teaser with the linked article's main text; see the module docstring."""

    def __init__(self, fetcher: Fetcher, *, teaser_chars: int = TEASER_CHARS) -> None:
        self.fetcher = fetcher
        self.teaser_chars = teaser_chars

    async def expand(self, article: Article) -> Article:
        """``article`` with its full text when it is a teaser and the page yields more; else unchanged."""
        url = article.url
        if not url or not url.lower().startswith(("http://", "https://")):
            return article
        teaser_length = len(clean_text(html_to_text(article.html)))
        if teaser_length >= self.teaser_chars:
            return article
        try:
            result = await self.fetcher.fetch(url, log_id=f"article {url}")
        except FetchError as exc:
            log.info("article %s: kept the teaser: %s", url, exc)
            return article
        body = result.body
        kind = (result.content_type or "").split(";")[0].strip().lower()
        if body is None or kind not in ("text/html", "application/xhtml+xml", ""):
            log.info("article %s: kept the teaser: the page is %s", url, kind or "empty")
            return article
        if len(body) > MAX_PAGE_BYTES:
            log.info("article %s: kept the teaser: the page is %d bytes", url, len(body))
            return article
        try:
            text = await asyncio.to_thread(extract_main_text, body, result.content_type, result.final_url)
        except Exception:  # a page can break any parser; the teaser is still good
            log.exception("article %s: extraction failed, kept the teaser", url)
            return article
        if text is None or len(text) <= teaser_length:
            log.info("article %s: kept the teaser: nothing longer extracted", url)
            return article
        log.debug("article %s: %d characters of full text", url, len(text))
        return dataclasses.replace(article, html=_as_html(text))


def _as_html(text: str) -> str:
    return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in text.split("\n\n"))


__all__ = ["ArticleExpander", "extract_main_text"]
