"""The Discord message for a digest: the JSON body of ``POST /channels/{id}/messages``, as a plain dict.

Layout (chosen for how Discord shows it):

* ``content`` holds the warnings, above the card, so they are read before the summary and appear in push
  notifications: ``⚠️ CW: violence, torture`` and, when there are reasons other than warnings, ``🙈 Spoilers:
  ending explained``. No content at all when there is nothing to warn about.
* one embed: the article title linking to the article, the summary as description (one ``||...||`` span when
  spoilered), a "Published" field with a relative Discord timestamp, the source in the footer, the ISO
  ``timestamp``, and a thumbnail only when the post is not spoilered (an embed image cannot be hidden).
* a Letterboxd diary entry is titled "Film (Year)", and its description opens with the member's rating and
  markers (``★★★½ · ♥ liked · ↻ rewatch``) outside the spoiler span: they are an opinion, not a plot point.
  A TV episode's name opens the (always spoilered) description instead of sitting in the title.
* ``allowed_mentions`` ``{"parse": []}``: nothing in a digest may ping anyone.

All feed text goes through the one escaper, :func:`domain.markdown.escape_markdown` (see there for what it
guarantees); footer text is not markdown, so it is escaped with ``plain=True`` (mentions defused only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from domain.digest.models import Article, ContentWarning, Letterboxd, article_spoiler_reasons
from domain.digest.summary import truncate_words
from domain.markdown import escape_markdown

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
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
    return _fit(text, limit, lambda part: escape_markdown(part, plain=True))


# Whitespace (``\s`` is ``str.isspace`` in a str pattern), control characters and what Discord rejects.
_UNSAFE_URL_CHARACTER = re.compile(r'[\s\x00-\x1f<>"\\|^`{}]')


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL Discord will accept, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > URL_LIMIT or _UNSAFE_URL_CHARACTER.search(url):
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


def stars(rating: float) -> str:
    """Letterboxd's notation: 3.5 -> "★★★½", 0.5 -> "½"."""
    halves = max(0, min(10, round(rating * 2)))
    return "★" * (halves // 2) + ("½" if halves % 2 else "")


def _diary_title(entry: Letterboxd) -> str:
    film = " ".join(entry.film_title.split())
    return f"{film} ({entry.film_year})" if film and entry.film_year else film


def _diary_line(entry: Letterboxd) -> str:
    """Rating and markers of a diary entry, e.g. "★★★½ · ♥ liked · ↻ rewatch" (not a spoiler: shown)."""
    parts = [stars(entry.rating)] if entry.rating else []
    if entry.liked:
        parts.append("♥ liked")
    if entry.rewatch:
        parts.append("↻ rewatch")
    return " · ".join(parts)


def _description(article: Article, summary: str, spoiler: bool) -> str:
    """The embed description: a diary entry's rating line, then the summary (with an episode's name first),
    all of it but the rating line inside one ``||...||`` span when spoilered."""
    head = _diary_line(article.letterboxd) if article.letterboxd else ""
    body = summary.strip()
    if article.episode_title:
        episode = " ".join(article.episode_title.split())
        body = f"Episode: {episode}\n{body}" if body else f"Episode: {episode}"
    budget = DESCRIPTION_LIMIT - (len(head) + 2 if head else 0)
    if body:
        body = "||" + fit_markdown(body, budget - 4) + "||" if spoiler else fit_markdown(body, budget)
    return "\n\n".join(part for part in (head, body) if part)


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

    Reasons the item itself states (an episode's name, Letterboxd's spoiler mark) are added here too, so a
    caller that forgets them still cannot leak an episode's name. ``not_checked`` is the line saying content
    warnings were not checked (e.g. for an unsupported language).
    """
    spoiler_reasons = tuple(dict.fromkeys((*spoiler_reasons, *article_spoiler_reasons(article))))
    spoiler = bool(spoiler_reasons)
    diary = _diary_title(article.letterboxd) if article.letterboxd else ""
    title = diary or " ".join((article.title or "").split()) or "Untitled article"
    embed: dict[str, Any] = {
        "title": fit_markdown(title, TITLE_LIMIT) or "Untitled article",
        "color": COLOR_WARNING if warnings else COLOR_DEFAULT,
    }
    url = safe_url(article.url)
    if url:
        embed["url"] = url
    description = _description(article, summary, spoiler)
    if description:
        embed["description"] = description
    fields: list[dict[str, Any]] = []
    if article.letterboxd is not None and article.letterboxd.watched is not None:
        fields.append(
            {
                "name": "Watched",
                "value": f"{article.letterboxd.watched.day} {article.letterboxd.watched:%b %Y}",
                "inline": True,
            }
        )
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
