"""Building an :class:`Article` from whatever a feed gave us.

feedparser entries vary wildly between feeds (RSS 0.9x to Atom, Media RSS, broken WordPress plugins), and an
entry is only ever a ``Mapping``; every field may be missing, ``None``, the wrong type or malformed. Each
accessor here is defensive on its own so one odd field costs that field only, never the entry.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from domain.digest.models import Article
from domain.digest.render import safe_url
from domain.digest.text import html_to_text

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TRACKER = re.compile(
    r"feedburner|/~r/|pixel|beacon|tracking|stats\.|/count|doubleclick|analytics|\.gif(?:$|\?)", re.I
)
_ABSOLUTE = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:")
_HTML_HINT = re.compile(r"<[A-Za-z!/][^>]*>")
_HTML_TITLE = re.compile(
    r"<title\b[^>]*>(.*?)</title\s*>|<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL
)


def _get(mapping: object, key: str) -> Any:
    if isinstance(mapping, Mapping):
        try:
            return mapping.get(key)
        except Exception:  # a FeedParserDict can raise on odd keys; treat as missing
            return None
    return None


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return ""


def _plain_title(raw: str) -> str:
    # Titles are typed text/html by feedparser and often carry entities or <em>; they are one line.
    if "<" in raw or "&" in raw:
        raw = html_to_text(raw)
    return " ".join(raw.split())


def _entry_title(entry: Mapping[str, Any]) -> str:
    title = _text(_get(entry, "title")) or _text(_get(_get(entry, "title_detail"), "value"))
    return _plain_title(title)


def _entry_url(entry: Mapping[str, Any]) -> str | None:
    candidates: list[object] = [_get(entry, "link")]
    links = _get(entry, "links")
    if isinstance(links, Iterable) and not isinstance(links, (str, bytes)):
        alternates = [link for link in links if _get(link, "rel") in (None, "alternate")]
        candidates.extend(_get(link, "href") for link in alternates)
    candidates.append(_get(entry, "id"))  # many feeds only give a permalink as the guid
    for candidate in candidates:
        url = safe_url(candidate)
        if url:
            return url
    return None


def _struct_to_datetime(value: object) -> datetime | None:
    if isinstance(value, (time.struct_time, tuple)) and len(value) >= 6:
        try:
            # feedparser normalises *_parsed to UTC.
            year, month, day, hour, minute, second = (int(v) for v in value[:6])
            return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def _string_to_datetime(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _entry_published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = _get(entry, key)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        parsed = _struct_to_datetime(value)
        if parsed is not None:
            return parsed
    for key in ("published", "updated", "created", "date"):
        value = _get(entry, key)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, str):
            parsed = _string_to_datetime(value)
            if parsed is not None:
                return parsed
    return None


def _as_html(value: object, kind: object) -> str:
    text = _text(value)
    if text and isinstance(kind, str) and kind.lower() == "text/plain" and not _HTML_HINT.search(text):
        return html.escape(text).replace("\n", "<br>")
    return text


def _entry_html(entry: Mapping[str, Any]) -> str:
    # Full content beats the summary; take the longest offered body, since some feeds put a teaser in
    # <content> and the article in <description>, and others the other way round.
    bodies: list[str] = []
    content = _get(entry, "content")
    if isinstance(content, (str, bytes)):
        bodies.append(_text(content))
    elif isinstance(content, Iterable):
        for part in content:
            bodies.append(_as_html(_get(part, "value"), _get(part, "type")))
    detail = _get(entry, "summary_detail")
    bodies.append(_as_html(_get(detail, "value"), _get(detail, "type")))
    bodies.append(_text(_get(entry, "summary")))
    bodies.append(_text(_get(entry, "description")))
    return max(bodies, key=len, default="")


def _feed_source(entry: Mapping[str, Any], feed_title: str | None, url: str | None) -> str | None:
    for candidate in (feed_title, _get(_get(entry, "source"), "title")):
        name = " ".join(_text(candidate).split())
        if name:
            return _plain_title(name)
    if url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def _is_image(item: object) -> bool:
    kind = _text(_get(item, "type")).lower()
    medium = _text(_get(item, "medium")).lower()
    return kind.startswith("image/") or medium == "image"


def _first_img_src(markup: str, base: str | None = None) -> str | None:
    """The first real image in ``markup``; a relative ``src`` is resolved against ``base`` (the article)."""
    for tag in _IMG_TAG.finditer(markup[:200_000]):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag.group())
        }
        src = html.unescape(attrs.get("src", ""))
        if attrs.get("width") in ("0", "1") or attrs.get("height") in ("0", "1") or _TRACKER.search(src):
            continue
        if base and src and not _ABSOLUTE.match(src):
            # The parser leaves URLs inside entry HTML as written (see services.feedparse).
            src = urljoin(base, src.strip())
        url = safe_url(src)
        if url:
            return url
    return None


def _entry_image(entry: Mapping[str, Any], markup: str, base: str | None = None) -> str | None:
    candidates: list[object] = []
    for key in ("media_thumbnail", "media_content"):
        items = _get(entry, key)
        if isinstance(items, Iterable) and not isinstance(items, (str, bytes)):
            for item in items:
                if (
                    key == "media_thumbnail"
                    or _is_image(item)
                    or not (_get(item, "type") or _get(item, "medium"))
                ):
                    candidates.append(_get(item, "url"))
    for key in ("enclosures", "links"):
        items = _get(entry, key)
        if isinstance(items, Iterable) and not isinstance(items, (str, bytes)):
            for item in items:
                if _is_image(item) and (key == "enclosures" or _get(item, "rel") == "enclosure"):
                    candidates.append(_get(item, "href") or _get(item, "url"))
    image = _get(entry, "image")
    candidates.append(_get(image, "href") or _get(image, "url") if isinstance(image, Mapping) else image)
    for candidate in candidates:
        url = safe_url(candidate)
        if url:
            return url
    return _first_img_src(markup, base)


def _entry_categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    tags = _get(entry, "tags")
    if not isinstance(tags, Iterable) or isinstance(tags, (str, bytes)):
        return ()
    seen: dict[str, None] = {}
    for tag in tags:
        term = " ".join(_text(_get(tag, "term") or _get(tag, "label")).split())
        if term and term.casefold() not in (s.casefold() for s in seen):
            seen[term] = None
    return tuple(seen)


_EMPHASIS = re.compile(r"<(em|i|cite)\b[^>]*>(.{1,300}?)</\1\s*>", re.IGNORECASE | re.DOTALL)
# Links to a film's page name the film: Letterboxd, IMDb and TMDB film/title pages.
_FILM_LINK = re.compile(
    r"""<a\b[^>]*\bhref\s*=\s*["'][^"']*(?:letterboxd\.com/(?:[^/"']+/)?film/|imdb\.com/title/tt|"""
    r"""themoviedb\.org/(?:movie|tv)/)[^"']*["'][^>]*>([^<]{1,200})</a\s*>""",
    re.IGNORECASE,
)
_MAX_WORK_TITLES = 40


def _work_titles(entry: Mapping[str, Any], markup: str) -> tuple[str, ...]:
    """Names of works the source marked up: italic/cited runs that read like a title, links to a film's
    page, and Letterboxd's film.

    An ``<em>`` may also be emphasis ("<em>This review may contain spoilers.</em>", "<i>really</i>"), so a
    run counts only when it is short, starts with a capital or digit and is not a sentence.
    """
    found: dict[str, None] = {}
    film = " ".join(_text(_get(entry, "letterboxd_filmtitle")).split())
    if film:
        found[_plain_title(film)] = None
    runs = [m.group(2) for m in _EMPHASIS.finditer(markup[:200_000])]
    runs.extend(m.group(1) for m in _FILM_LINK.finditer(markup[:200_000]))
    for inner in runs:
        name = _plain_title(inner) if ("<" in inner or "&" in inner) else " ".join(inner.split())
        name = name.strip(" \t\"'“”‘’,;:")
        words = name.split()
        if not words or len(words) > 10 or len(name) > 100 or not (name[0].isupper() or name[0].isdigit()):
            continue
        if name[-1] in ".!?" and len(words) > 3:
            continue
        found.setdefault(name, None)
        if len(found) >= _MAX_WORK_TITLES:
            break
    return tuple(found)


def _safely(func: Any, *args: Any, default: Any = None) -> Any:
    try:
        return func(*args)
    except Exception:  # one malformed field must not lose the whole entry
        return default


def article_from_entry(entry: Mapping[str, Any], feed_title: str | None = None) -> Article:
    """Build an :class:`Article` from a feedparser entry; never raises, whatever the entry looks like."""
    if not isinstance(entry, Mapping):
        entry = {}
    title = _safely(_entry_title, entry, default="") or ""
    url = _safely(_entry_url, entry)
    markup = _safely(_entry_html, entry, default="") or ""
    return Article(
        title=title,
        url=url,
        published=_safely(_entry_published, entry),
        html=markup,
        source=_safely(_feed_source, entry, feed_title, url),
        image_url=_safely(_entry_image, entry, markup, url),
        categories=_safely(_entry_categories, entry, default=()) or (),
        work_titles=_safely(_work_titles, entry, markup, default=()) or (),
    )


def text_article(text_or_html: str, title: str | None = None) -> Article:
    """An :class:`Article` for previewing one local article, given as HTML or as plain text.

    Without a title, HTML uses its ``<title>`` or first ``<h1>``; plain text uses its first line when that
    line is short, unpunctuated and followed by a blank line (a headline), and that line then leaves the body.
    """
    body = text_or_html or ""
    is_html = _HTML_HINT.search(body) is not None
    if title is None:
        if is_html:
            found = _HTML_TITLE.search(body)
            title = _plain_title((found.group(1) or found.group(2) or "") if found else "")
        else:
            head, sep, rest = body.lstrip().partition("\n\n")
            if sep and "\n" not in head and len(head) <= 150 and not head.rstrip().endswith((".", "!", "?")):
                title, body = head.strip(), rest
    if not is_html:
        body = html.escape(body).replace("\n", "<br>")
    return Article(
        title=_plain_title(title or ""),
        html=body,
        image_url=_safely(_first_img_src, body) if is_html else None,
        work_titles=(_safely(_work_titles, {}, body, default=()) or ()) if is_html else (),
    )
