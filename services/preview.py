"""``bot.py preview``: what the bot would post for a feed URL or a local feed/article file."""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from domain import feedrules
from domain.digest import Digest, DigestOptions, article_from_entry, digest_entry, text_article
from domain.forumposts import post_info
from services.container import fetch_limits
from services.feedparse import FeedParseError, parse_bytes
from services.fetcher import Fetcher, FetchError
from settings import Settings

EXIT_BAD_INPUT = 2


class PreviewError(Exception):
    """Bad input for preview; the message is printed as it is."""


async def _fetch(settings: Settings, url: str) -> tuple[bytes, str | None, str]:
    async with Fetcher(fetch_limits(settings.feeds)) as fetcher:
        try:
            result = await fetcher.fetch(url)
        except FetchError as exc:
            raise PreviewError(f"cannot fetch {url}: {exc.reason}") from None
    assert result.body is not None
    return result.body, result.content_type, result.final_url


def _read(settings: Settings, source: str) -> tuple[bytes, str | None, str | None]:
    path = Path(source)
    if not path.is_file():
        raise PreviewError(
            f"{source}: no such file (give a feed URL starting with http:// or https://, or a file)"
        )
    if path.stat().st_size > settings.feeds.max_bytes:
        raise PreviewError(f"{source}: larger than feeds.max_bytes ({settings.feeds.max_bytes} bytes)")
    try:
        return path.read_bytes(), None, None
    except OSError as exc:
        raise PreviewError(f"{source}: cannot read: {exc.strerror}") from None


def _as_text(body: bytes) -> str:
    if b"\x00" in body[:4096]:
        raise PreviewError("this is neither a feed nor a text/HTML article (binary data)")
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PreviewError("cannot decode the text")  # pragma: no cover - latin-1 decodes anything


def _newest_first(entries: tuple[Mapping[str, Any], ...]) -> list[Mapping[str, Any]]:
    stamps = [feedrules.entry_timestamp(e) for e in entries]
    if entries and all(s is not None for s in stamps):
        order = sorted(range(len(entries)), key=lambda i: stamps[i] or 0, reverse=True)
        return [entries[i] for i in order]
    return list(entries)  # feeds list newest first by convention


def build_digests(settings: Settings, body: bytes, content_type: str | None, url: str | None) -> list[Digest]:
    """Digest every item of a feed, or the single article when the bytes are HTML or plain text."""
    options = DigestOptions(
        sentences=settings.digest.summary_sentences, max_summary_chars=settings.digest.max_summary_chars
    )
    try:
        parsed = parse_bytes(body, content_type=content_type, url=url)
    except FeedParseError:
        parsed = None
    if parsed is not None and parsed.entries:
        return [
            digest_entry(article_from_entry(e, parsed.title), options) for e in _newest_first(parsed.entries)
        ]
    text = _as_text(body)
    if not text.strip():
        raise PreviewError("the source is empty")
    return [digest_entry(text_article(text), options)]


def _feed_name(digest: Digest) -> str:
    """The feed's name as the post shows it (its footer), which a forum post's neutral name quotes."""
    embeds = digest.payload.get("embeds") or [{}]
    return str((embeds[0].get("footer") or {}).get("text") or "")


def digest_json(digest: Digest, feed: str = "") -> dict[str, Any]:
    info = post_info(digest)
    return {
        "title": digest.title,
        "url": digest.url,
        "published": digest.published.isoformat() if digest.published else None,
        "summary": digest.summary,
        "warnings": [
            {"category": w.category, "label": w.label, "evidence": list(w.evidence)} for w in digest.warnings
        ],
        "spoiler": digest.spoiler,
        "spoiler_reasons": list(digest.spoiler_reasons),
        "language": digest.language,
        "warnings_checked": digest.warnings_checked,
        "payload": digest.payload,
        # what a forum channel would get: the post's name and the tags it asks for (each a list of
        # alternative names; a forum applies those of its own tags that match, at most 5)
        "forum_name": info.name(feed),
        "forum_tags": [list(group) for group in info.tags(feed)],
    }


def digest_text(index: int, digest: Digest) -> str:
    lines = [f"[{index}] {digest.title or '(untitled)'}"]
    if digest.url:
        lines.append(f"    {digest.url}")
    if digest.published:
        lines.append(f"    published {digest.published.isoformat()}")
    if digest.warnings:
        for w in digest.warnings:
            evidence = ", ".join(f"“{e}”" for e in w.evidence[:5])
            lines.append(f"    CW {w.label}: {evidence}")
    elif not digest.warnings_checked:
        lines.append(f"    content warnings not checked (language: {digest.language or 'unknown'})")
    else:
        lines.append("    no content warnings")
    if digest.spoiler:
        lines.append(f"    SPOILERED: {'; '.join(digest.spoiler_reasons)}")
    summary = textwrap.fill(digest.summary, width=96, initial_indent="    ", subsequent_indent="    ")
    lines.append(summary or "    (no summary)")
    return "\n".join(lines)


def run_preview(
    settings: Settings, source: str, *, as_json: bool, limit: int | None, out: TextIO, err: TextIO
) -> int:
    if limit is not None and limit < 1:
        err.write("projectionist: --limit must be at least 1\n")
        return EXIT_BAD_INPUT
    try:
        if source.lower().startswith(("http://", "https://")):
            body, content_type, final_url = asyncio.run(_fetch(settings, source))
            url: str | None = final_url
        elif "://" in source:
            raise PreviewError(f"{source}: only http and https URLs can be previewed")
        else:
            body, content_type, url = _read(settings, source)
        digests = build_digests(settings, body, content_type, url)
    except PreviewError as exc:
        err.write(f"projectionist: {exc}\n")
        return EXIT_BAD_INPUT
    chosen = digests[:limit] if limit is not None else digests
    for index, digest in enumerate(chosen, start=1):
        if as_json:
            out.write(json.dumps(digest_json(digest, _feed_name(digest)), ensure_ascii=False) + "\n")
        else:
            out.write(digest_text(index, digest) + "\n\n")
    return 0
