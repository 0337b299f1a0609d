"""Building an :class:`Article` from whatever a feed gave us.

feedparser entries vary wildly between feeds (RSS 0.9x to Atom, Media RSS, broken WordPress plugins), and an
entry is only ever a ``Mapping``; every field may be missing, ``None``, the wrong type or malformed. Each
accessor here is defensive on its own so one odd field costs that field only, never the entry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from domain.digest.models import Article, Letterboxd
from domain.digest.render import safe_url
from domain.digest.sentences import iter_sentences
from domain.digest.summary import truncate_words
from domain.digest.text import clean_text, html_to_text

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


# --- Letterboxd -------------------------------------------------------------------------------------------
# Current feeds carry letterboxd:filmTitle/filmYear/memberRating/rewatch/memberLike (feedparser names them
# letterboxd_filmtitle, ...); old ones (namespace http://letterboxd.com) only say it in the title:
# "Sausage Party, 2016 - ★ (contains spoilers)".
_LB_TITLE = re.compile(
    r"^(?P<film>.+?),\s+(?P<year>\d{4})(?:\s+-\s+(?P<stars>[★½]{1,6}))?(?P<spoilers>\s+\(contains spoilers\))?$"
)
# Title patterns are only tried on title-sized strings: a hostile feed's megabyte "title" is not a diary entry.
_MAX_PATTERN_TITLE = 500
_LB_MARKER = re.compile(r"<p>\s*<em>\s*This review may contain spoilers\.?\s*</em>\s*</p>", re.I)
_LB_WATCHED = re.compile(r"<p>\s*Watched on [^<]{0,60}</p>", re.I)


def _yes_no(value: object) -> bool | None:
    word = _text(value).strip().casefold()
    return True if word in ("yes", "true", "1") else False if word in ("no", "false", "0") else None


def _rating(value: object) -> float | None:
    try:
        rating = float(_text(value).strip())
    except ValueError:
        return None
    # Letterboxd rates in half stars from ½ to ★★★★★; anything else is a broken feed, not a rating.
    return rating if 0.5 <= rating <= 5 and (rating * 2).is_integer() else None


def _year(value: object) -> int | None:
    text = _text(value).strip()
    return int(text) if len(text) == 4 and text.isdigit() else None


def _is_letterboxd_film(entry: Mapping[str, Any], url: str | None) -> bool:
    if _get(entry, "letterboxd_watcheddate") or _get(entry, "letterboxd_filmtitle"):
        return True
    parts = urlsplit(url or "")
    return (parts.hostname or "").endswith("letterboxd.com") and "/film/" in parts.path


def _entry_letterboxd(entry: Mapping[str, Any], title: str, url: str | None) -> Letterboxd | None:
    if not _is_letterboxd_film(entry, url):
        return None  # lists and everything that is not Letterboxd
    film = _plain_title(_text(_get(entry, "letterboxd_filmtitle")))
    parsed = _LB_TITLE.match(title) if len(title) <= _MAX_PATTERN_TITLE else None
    if not film and parsed is None:
        return None
    year = _year(_get(entry, "letterboxd_filmyear"))
    rating = _rating(_get(entry, "letterboxd_memberrating"))
    if parsed is not None:
        film = film or parsed.group("film")
        year = year or _year(parsed.group("year"))
        stars = parsed.group("stars") or ""
        if rating is None and stars:
            rating = _rating(str(stars.count("★") + 0.5 * stars.count("½")))
    watched = None
    with contextlib.suppress(ValueError):
        watched = date.fromisoformat(_text(_get(entry, "letterboxd_watcheddate")).strip())
    return Letterboxd(
        film_title=film,
        film_year=year,
        rating=rating,
        rewatch=_yes_no(_get(entry, "letterboxd_rewatch")),
        liked=_yes_no(_get(entry, "letterboxd_memberlike")),
        watched=watched,
        spoilers=bool(parsed and parsed.group("spoilers")),
    )


def _letterboxd_review(markup: str) -> tuple[str, bool]:
    """The review alone (no "Watched on …" line, no spoiler notice), and whether the notice was there."""
    without_marker, marked = _LB_MARKER.subn(" ", markup)
    return _LB_WATCHED.sub(" ", without_marker), bool(marked)


# --- TV episodes in release calendars --------------------------------------------------------------------
# "[TV] Lioness — S03E04 — Murder Hornets": the episode's name is a spoiler (it often names the twist).
_EPISODE = re.compile(
    r"^(?P<head>.*?\b(?:S\d{1,2}\s?E\d{1,3}|\d{1,2}x\d{2,3}|Season\s+\d{1,2},?\s+Episode\s+\d{1,3}|"
    r"Episode\s+\d{1,3}))\s*(?:[—–:|·]|\s-)\s*(?P<name>\S.*?)\s*$",
    re.I,
)
_SXXEYY = re.compile(r"\bS\d{1,2}\s?E\d{1,3}\b", re.I)
_PLACEHOLDER = re.compile(r"^(?:TBA|TBD|TBC|N/?A|Untitled|(?:Episode|Ep\.?)\s*#?\d{1,4})$", re.I)
_TV_CATEGORIES = frozenset({"tv", "anime", "series", "tv series", "television", "episode", "episodes"})
_TV_TAG = re.compile(r"^\s*\[(?:TV|ANIME|SERIES)\]", re.I)


def _split_episode(title: str, categories: Iterable[str]) -> tuple[str, str | None]:
    """``(title without the episode's name, the name)`` for a TV episode, else ``(title, None)``."""
    found = _EPISODE.match(title) if len(title) <= _MAX_PATTERN_TITLE else None
    if found is None or _PLACEHOLDER.match(found.group("name")):
        return title, None
    is_tv = _TV_TAG.match(title) or any(c.casefold() in _TV_CATEGORIES for c in categories)
    if not is_tv and not _SXXEYY.search(found.group("head")):
        return title, None
    return found.group("head").strip(), found.group("name")


# --- A title for an untitled entry -----------------------------------------------------------------------
_SLUG_SPLIT = re.compile(r"[-_+\s]+")
_SLUG_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.I)
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FALLBACK_TITLE_CHARS = 150
_MAX_SLUG_WORDS = 30  # a slug is a headline; this also bounds the run matching in _recase


def _slug_words(url: str | None) -> list[str]:
    """The words of the link's last readable path segment ("a-review-of-dune" -> a, review, of, dune)."""
    path = urlsplit(url or "").path
    for segment in reversed([s for s in path.split("/") if s]):
        words = [w.casefold() for w in _SLUG_SPLIT.split(_SLUG_SUFFIX.sub("", unquote(segment))) if w]
        while words and words[-1].isdigit() and len(words[-1]) > 4:
            words.pop()  # a trailing article id, not a word
        alpha = sum(w.isalpha() for w in words)
        if alpha >= 3 and alpha >= 0.6 * len(words):
            return words[:_MAX_SLUG_WORDS]
    return []


def _recase(words: list[str], text: str) -> str:
    """Join slug words, taking the text's own spelling for runs it repeats ("spider man" -> "Spider-Man")."""
    tokens = [
        (m.group().casefold().replace("'", "").replace("’", ""), m.start(), m.end())
        for m in _TOKEN.finditer(text[:20_000])
    ]
    where: dict[str, list[int]] = {}
    for i, (token, _, _) in enumerate(tokens):
        where.setdefault(token, []).append(i)
    out: list[str] = []
    i = 0
    while i < len(words):
        best, span = 1, None
        for j in where.get(words[i], ()):
            k = 1
            while (
                i + k < len(words)
                and j + k < len(tokens)
                and tokens[j + k][0] == words[i + k]
                and _joins(text[tokens[j + k - 1][2] : tokens[j + k][1]])
            ):
                k += 1
            if k > best:
                best, span = k, (tokens[j][1], tokens[j + k - 1][2])
        out.append(text[span[0] : span[1]] if span else words[i])
        i += best
    joined = " ".join(out)
    return joined[:1].upper() + joined[1:]


def _joins(gap: str) -> bool:
    # Words of one name are separated by a space, a hyphen or a colon, never by a sentence end.
    return len(gap) <= 3 and "\n" not in gap and not any(c in gap for c in ".!?;")


def fallback_title(url: str | None, markup: str) -> str:
    """A title for an entry that has none: the link's slug (spelled as the text spells it), else the first
    sentence of the text, else "" (the post then says "Untitled article")."""
    text = clean_text(html_to_text(markup)) if markup else ""
    words = _slug_words(url)
    if words:
        return truncate_words(_recase(words, text), _FALLBACK_TITLE_CHARS)
    for sentence in iter_sentences(text):
        if sentence.strip():
            return truncate_words(" ".join(sentence.split()), _FALLBACK_TITLE_CHARS)
    return ""


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    """The language the feed declares for this entry, most specific first.

    feedparser puts an element's ``xml:lang`` in ``language`` of the matching ``*_detail``/``content``
    dict and an item's ``dc:language`` in the entry's ``language``; ``services.feedparse`` copies the
    channel's ``<language>`` into ``language`` of entries that have none.
    """
    candidates: list[object] = []
    content = _get(entry, "content")
    if isinstance(content, Iterable) and not isinstance(content, (str, bytes)):
        candidates.extend(_get(part, "language") for part in content)
    candidates.append(_get(_get(entry, "summary_detail"), "language"))
    candidates.append(_get(_get(entry, "title_detail"), "language"))
    candidates.append(_get(entry, "language"))
    for candidate in candidates:
        value = " ".join(_text(candidate).split())
        if value and len(value) <= 40:
            return value
    return None


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
    image_url = _safely(_entry_image, entry, markup, url)  # before the review is cut: the poster is in it
    categories = _safely(_entry_categories, entry, default=()) or ()
    letterboxd = _safely(_entry_letterboxd, entry, title, url)
    if letterboxd is not None:
        markup, marked = _safely(_letterboxd_review, markup, default=(markup, False))
        if marked and not letterboxd.spoilers:
            letterboxd = dataclasses.replace(letterboxd, spoilers=True)
    title, episode = _safely(_split_episode, title, categories, default=(title, None))
    if not title:
        title = _safely(fallback_title, url, markup, default="") or ""
    return Article(
        title=title,
        url=url,
        published=_safely(_entry_published, entry),
        html=markup,
        source=_safely(_feed_source, entry, feed_title, url),
        image_url=image_url,
        categories=categories,
        letterboxd=letterboxd,
        episode_title=episode,
        language=_safely(_entry_language, entry),
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
    title = _plain_title(title or "") or _safely(fallback_title, None, body, default="") or ""
    return Article(
        title=title,
        html=body,
        image_url=_safely(_first_img_src, body) if is_html else None,
        work_titles=(_safely(_work_titles, {}, body, default=()) or ()) if is_html else (),
    )
