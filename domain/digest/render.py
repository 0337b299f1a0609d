"""The Discord message for a digest: the JSON body of ``POST /channels/{id}/messages``, as a plain dict.

Layout (chosen for how Discord shows it):

* ``content`` holds the warnings, above the card, so they are read before the summary and appear in push
  notifications: ``⚠️ CW: violence, torture`` and, when there are reasons other than warnings, ``🙈 Spoilers:
  ending explained``. No content at all when there is nothing to warn about.
* one embed: the article title linking to the article, the summary as description (one ``||...||`` span when
  spoilered), a "Published" field with a relative Discord timestamp, the source in the footer, the ISO
  ``timestamp``, and a thumbnail only when the post is not spoilered (an embed image cannot be hidden).
* ``allowed_mentions`` ``{"parse": []}``: nothing in a digest may ping anyone.

All feed text is escaped: markdown characters, line-start markers (headings, lists, quotes), every ``|`` (so
feed text can never open or close a spoiler), ``<`` (mentions, channels, slash commands, timestamps) and
``@`` (a zero-width space after it, for ``@everyone``/``@here``). Footer text is not markdown, so it only gets
the mention defusing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from domain.digest.models import Article, ContentWarning
from domain.digest.summary import truncate_words
from domain.markdown import defuse_plain, escape_markdown

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
URL_LIMIT = 2048
# A feed's name in the footer: far below the limit because it is a label, not a paragraph.
SOURCE_LIMIT = 256
REASON_LIMIT = 300

#: Spoiler reasons that come from content warnings start with this; the CW line already says them.
CW_REASON_PREFIX = "content warning: "

COLOR_DEFAULT = 0xC9A227
COLOR_WARNING = 0xD9534F


def fit_markdown(text: str, limit: int) -> str:
    """Escape ``text``, cutting it on a word boundary (before escaping) until the escaped form fits."""
    return _fit(text, limit, escape_markdown)


def _fit(text: str, limit: int, transform: Callable[[str], str]) -> str:
    result = transform(text)
    if len(result) <= limit:
        return result
    budget = min(len(text), limit)
    while budget > 0:
        result = transform(truncate_words(text, budget))
        if len(result) <= limit:
            return result
        overflow = len(result) - limit
        # Escaping grows text by up to 2x: shrink in proportion so this converges in a step or two.
        budget -= max(1, min(overflow, budget * overflow // len(result) + 1))
    return ""


def _fit_plain(text: str, limit: int) -> str:
    return _fit(text, limit, defuse_plain)


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL Discord will accept, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > URL_LIMIT or any(c.isspace() or c in '<>"\\|^`{}' or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not host:
            return None
        if not url.isascii():
            host.encode("idna")  # an invalid international host name raises here
    except (ValueError, UnicodeError):
        return None
    return url


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _content(
    warnings: Sequence[ContentWarning], spoiler_reasons: Sequence[str], not_checked: str | None = None
) -> str:
    lines: list[str] = []
    if warnings:
        labels = ", ".join(w.label for w in warnings)
        lines.append(f"⚠️ **CW:** {fit_markdown(labels, 500)}")
    if not_checked:
        # Without it a post in a language the rules cannot read would look like "nothing to warn about".
        lines.append(f"ℹ️ {fit_markdown(not_checked, 200)}")
    others = [r for r in spoiler_reasons if not r.startswith(CW_REASON_PREFIX)]
    if others:
        reasons = "; ".join(fit_markdown(r, REASON_LIMIT) for r in others)
        lines.append(f"🙈 **Spoilers:** {reasons}")
    content = "\n".join(lines)
    if len(content) > CONTENT_LIMIT:
        # Only many long shield reasons get here; cut between escapes so no "\" is left dangling.
        cut = content[: CONTENT_LIMIT - 1]
        cut = cut[: len(cut) - (len(cut) - len(cut.rstrip("\\"))) % 2]
        content = cut + "…"
    return content


def embed_size(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6000 limit of one embed."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", ()))
    size += len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
    return size


def render_payload(
    article: Article,
    summary: str,
    warnings: Sequence[ContentWarning] = (),
    spoiler_reasons: Sequence[str] = (),
    *,
    not_checked: str | None = None,
) -> dict[str, Any]:
    """Build the message body; the post is spoilered exactly when there is at least one spoiler reason.

    ``not_checked`` is the line saying content warnings were not checked (e.g. for an unsupported language).
    """
    spoiler = bool(spoiler_reasons)
    title = " ".join((article.title or "").split()) or "Untitled article"
    embed: dict[str, Any] = {
        "title": fit_markdown(title, TITLE_LIMIT) or "Untitled article",
        "color": COLOR_WARNING if warnings else COLOR_DEFAULT,
    }
    url = safe_url(article.url)
    if url:
        embed["url"] = url
    summary = summary.strip()
    if summary:
        if spoiler:
            embed["description"] = "||" + fit_markdown(summary, DESCRIPTION_LIMIT - 4) + "||"
        else:
            embed["description"] = fit_markdown(summary, DESCRIPTION_LIMIT)
    fields: list[dict[str, Any]] = []
    if article.published is not None:
        published = _utc(article.published)
        if published.year >= 1970:
            embed["timestamp"] = published.isoformat()
            fields.append(
                {"name": "Published", "value": f"<t:{int(published.timestamp())}:R>", "inline": True}
            )
    if fields:
        embed["fields"] = fields
    source = " ".join((article.source or "").split())
    if source:
        footer = _fit_plain(source, SOURCE_LIMIT)
        if footer:
            embed["footer"] = {"text": footer}
    thumbnail = safe_url(article.image_url)
    if thumbnail and not spoiler:
        embed["thumbnail"] = {"url": thumbnail}
    if (
        embed_size(embed) > EMBED_TOTAL_LIMIT and "description" in embed
    ):  # pragma: no cover - limits above prevent it
        embed.pop("description")

    payload: dict[str, Any] = {"embeds": [embed], "allowed_mentions": {"parse": []}}
    content = _content(warnings, spoiler_reasons, not_checked)
    if content:
        payload["content"] = content
    return payload
