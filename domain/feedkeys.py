"""Entry keys of a feed without a full feedparser parse.

A subscription only needs the keys of the entries a feed already has, and a changed body only needs to
know whether it carries new keys; both used to cost a full ``feedparser`` parse (20-35 ms of CPU for a
58 KB feed). ``scan_keys`` answers the same question in about a millisecond, and answers ``None`` ("use
feedparser") whenever it cannot be certain its keys are exactly those of
``entry_key(entry) for entry in services.feedparse.parse_bytes(body, ...).entries``.

Why it can be exact: it replays feedparser's own pipeline up to the point where the two differ in cost.
The body goes through feedparser's ``convert_to_utf8`` and ``replace_doctype`` (its functions, so the
bytes are identical), then through expat configured exactly as feedparser's strict SAX parser configures
it (same library, same entity and DTD settings, so the same documents are well-formed and expand to the
same text). Instead of feedparser's handlers, a small state machine follows only what ``entry_key``
reads: ``id`` (guid, Atom id, ``rdf:about``), ``link``, and for entries without either the title,
published/updated date and summary. It mirrors feedparser's element naming (namespace prefixes,
lower-casing), attribute naming, ``xml:base`` tracking, which of several values wins, and the
post-processing of text (URI resolution, the UTF-8-as-Latin-1 repair, cp1252 mapping, ``&amp;`` repair in
links). It declines (returns None) on:

* any expat error (feedparser would switch to its loose parser, whose recovery is not modelled);
* an encoding feedparser had to guess (its strict parser is used only when it found one);
* an entry outside ``rss``/``channel``/``feed``/``rdf:RDF`` (e.g. inside inline content), an entry in an
  entry, ``textinput`` in an entry, ``id``/``guid``/``link`` anywhere but directly under the entry (or
  inside its ``source``), markup inside them, CDF ``href`` attributes on an entry;
* an entry without id and link whose title, date or summary is not plain (XHTML or base64 content,
  markup, several summary elements, media:title, nested titles or dates);
* a document without entries (feedparser decides whether that is an empty feed or an error).

Why expat and not lxml: a key is only right if both paths see the same document, and libxml2 and expat
disagree on edge cases of well-formedness and entity handling; with feedparser's own parser settings they
agree by construction, and the remaining Python work is small (benchmarks/feedkeys.py: about 13x cheaper
than ``parse_bytes`` on the real feeds, 20x on the benchmark farm's). ``tests/domain/test_feedkeys.py``
proves agreement over feedparser's own test suite, real feeds and mutations of them; the feedparser
internals used here are pinned by that test: if an upgrade changes them, it fails rather than the bot
posting duplicates.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri

from domain.feedrules import entry_key

# feedparser's table of known namespaces (lower-cased URI -> canonical prefix), as its parser builds it.
_MATCH_NAMESPACES: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()
}
_HTML_TYPES = frozenset(_FeedParserMixin.html_types)
_ENTRY = frozenset({"item", "entry"})
# Elements an entry may sit in for feedparser to treat it as we do (not swallowed as inline content).
_CONTAINERS = frozenset({"rss", "channel", "feed", "rdf_rdf"})
_ID = frozenset({"id", "guid"})
# Anywhere inside an entry these change what feedparser stores where (or crash it: a textinput in an
# entry makes feedparser look up a feed-level textinput that may not exist).
_NEVER_IN_ENTRY = frozenset({"item", "entry", "textinput"})
# Elements feeding the key of an entry without id and link (title, then published or updated). feedparser
# stores titles by depth and "first non-empty wins", reset by image and source elements, and media:title
# keeps its own rule: an entry with any of these below its top level, or with those resets, can only be
# keyed from its id or link.
_TITLE = frozenset({"title", "dc_title"})
_DATES = {
    "published": "published",
    "issued": "published",
    "pubdate": "published",
    "dcterms_issued": "published",
}
_DATES |= dict.fromkeys(("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"), "updated")
_TEXT_FIELDS = _TITLE | set(_DATES) | {"media_title"}
_TITLE_RESETS = frozenset({"image", "media_title"})
# Everything that can set an entry's summary: summary-like elements, and content, which copies itself into
# the summary when it is text or HTML. The summary is read when exactly one of them sits directly under
# the entry with a text or HTML type, or when there is none; anything else (a second one turns into
# content or is ignored, XHTML, base64) makes it unknown.
_SUMMARY_DEFAULT_TYPE = {
    **dict.fromkeys(("summary", "abstract", "itunes_summary", "content"), "text/plain"),
    **dict.fromkeys(("description", "dc_description", "media_description"), "text/html"),
    **dict.fromkeys(("content_encoded", "fullitem"), "text/html"),
    **dict.fromkeys(("body", "xhtml_body"), "application/xhtml+xml"),
}
_SUMMARY_SETTERS = frozenset(_SUMMARY_DEFAULT_TYPE)
# What only keys an entry without id and link (title, dates, summary).
_TEXT_KEYED = _TITLE | set(_DATES) | _SUMMARY_SETTERS
_PLAIN_TYPES = frozenset({"text/plain", "text/html"})
# Feed-level elements whose text changes on every response of many servers (a build time, a refresh date)
# and which no entry key reads: ``entries_fingerprint`` leaves their text out.
_VOLATILE = frozenset({"lastbuilddate", "pubdate", "updated", "modified", "dc_date", "published"})
_MAX_VOLATILE = 8
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")


@dataclass(frozen=True, slots=True)
class KeyScan:
    """The stable keys (``domain.feedrules.entry_key``) of a feed's entries, in document order.

    ``title`` is the feed's own title as a plain-text ``<title>`` directly under the channel or feed reads
    (None when there is none or it has markup). Unlike the keys it is not proven equal to feedparser's: it
    is only shown to people (a new subscription's name), and the next full parse stores feedparser's.
    """

    keys: tuple[str, ...]
    title: str | None = None
    # The document as expat read it (feedparser's UTF-8 conversion of the body) and where each entry is in
    # it, for ``without_entries``.
    document: bytes = field(default=b"", repr=False, compare=False)
    spans: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)
    # Where the end tag of each feed-level date before the first entry starts (``entries_fingerprint``).
    volatile: tuple[int, ...] = field(default=(), repr=False, compare=False)


class _Refuse(Exception):
    """The document needs something the scan does not model; feedparser must read it."""


@functools.lru_cache(maxsize=4096)
def _step_base(current: str, value: str | None) -> str:
    """feedparser's update of its base URI at every start tag (``unknown_starttag``)."""
    baseuri = value or current
    if current:
        return make_safe_absolute_uri(current, baseuri) or current
    return _urljoin(current, baseuri)


def _post_process(text: str) -> str:
    """What feedparser's ``pop`` does to element text after URI resolution, for encoding 'utf-8'."""
    if text.isascii():  # both steps only touch characters above 0x7f
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


class _Scanner:
    """Follows expat's events like feedparser's ``StrictFeedParser``, keeping only what keys an entry."""

    def __init__(self, baseuri: str) -> None:
        self.depth = 0
        # Depth of the innermost open element such that it and all its ancestors are containers.
        self.container_depth = 0
        self.entry_depth = -1
        self.source_depth = -1
        self.entry: dict[str, str | _Link] = {}
        self.entries: list[dict[str, str | _Link]] = []
        # Byte offsets in the document of each entry's start tag and of its end tag's "<".
        self.spans: list[tuple[int, int]] = []
        self.entry_start = 0
        self.elements = 0  # start tags so far: an entry without children may be an empty element
        self.entry_elements = 0
        self.baseuri = baseuri
        self.base_steps: dict[tuple[str, str | None], str] = {}
        # None while the base is constant (see step_base).
        self.basestack: list[str] | None = None if _step_base(baseuri, None) == baseuri else []
        self.namespaces_in_use: dict[str, str] = {}
        self.namespacemap: dict[str | None, str] = {}
        self.handler_names: dict[str, str] = {}
        # What the element being read feeds ("id", "link", "title", "published", "updated", "summary"),
        # and its text so far.
        self.collect: str | None = None
        self.guidislink = False
        # feedparser keeps the first non-empty title of an entry (``title_depth``) until a source starts.
        self.title_locked = False
        self.pieces: list[str] = []
        self.parser: Any = None
        self.feed_title: str | None = None
        self.feed_title_seen = False
        # A feed-level date being read (its depth and the start tags before it), and where the end tags
        # of those read so far start.
        self.volatile_open: tuple[int, int] | None = None
        self.volatile: list[int] = []

    # -- naming, as feedparser's startElementNS + unknown_starttag compute it

    def handler_name(self, name: str) -> str:
        cached = self.handler_names.get(name)
        if cached is not None:
            return cached
        parts = name.split(" ")
        namespace: str | None = parts[0] if len(parts) > 1 else None
        localname = parts[1] if len(parts) > 1 else name
        lowernamespace = (namespace or "").lower()
        if "backend.userland.com/rss" in lowernamespace:
            namespace = "http://backend.userland.com/rss"
            lowernamespace = namespace
        prefix = _MATCH_NAMESPACES.get(lowernamespace)
        tag = localname.lower()
        if prefix:
            tag = prefix.lower() + ":" + tag
        elif namespace:
            for known, uri in self.namespaces_in_use.items():
                if known and uri == namespace:
                    tag = known + ":" + tag
                    break
        tag = tag.lower()
        head, _, tail = tag.partition(":")
        if tail:
            mapped = self.namespacemap.get(head, head)
            result = f"{mapped}_{tail}" if mapped else tail
        else:
            result = tag
        self.handler_names[name] = result
        return result

    def attributes(self, attrs: dict[str, str]) -> dict[str, str]:
        """feedparser's ``attrs_d`` for an element (names from both loops of startElementNS, normalised)."""
        if not attrs:
            return {}
        by_name: dict[str, str] = {}
        qnames: list[tuple[str, str]] = []
        for aname, value in attrs.items():
            parts = aname.split()
            if len(parts) == 1:
                qname, namespace, local = aname, None, aname
            elif len(parts) == 3:
                qname, namespace, local = f"{parts[2]}:{parts[1]}", parts[0], parts[1]
            else:
                qname, namespace, local = parts[1], parts[0], parts[1]
            prefix = _MATCH_NAMESPACES.get((namespace or "").lower(), "")
            if prefix:
                local = prefix + ":" + local
            by_name[local.lower()] = value
            qnames.append((qname, value))
        seen: dict[str, str] = {}
        for qname, value in qnames:
            seen.setdefault(qname, value)  # getValueByQName returns the first attribute with that qname
        for qname, value in seen.items():
            by_name[qname.lower()] = value
        return {key: value.lower() if key in ("rel", "type") else value for key, value in by_name.items()}

    # -- expat handlers

    def start_namespace(self, prefix: str | None, uri: str | None) -> None:
        if not uri:
            return
        loweruri = uri.lower()
        if "backend.userland.com/rss" in loweruri:
            uri = "http://backend.userland.com/rss"
            loweruri = uri
        prefix = prefix or None
        if loweruri in _MATCH_NAMESPACES:
            self.namespacemap[prefix] = _MATCH_NAMESPACES[loweruri]
            self.namespaces_in_use[_MATCH_NAMESPACES[loweruri]] = uri
        else:
            self.namespaces_in_use[prefix or ""] = uri
        self.handler_names.clear()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        depth = self.depth
        if self.collect == "feed_title":
            self.feed_title = None  # markup in the feed's title: leave the title to feedparser
            self.collect = None
            self.parser.CharacterDataHandler = None
        elif self.collect is not None:
            if self.collect in ("id", "link"):
                raise _Refuse("markup inside an id or link")
            self.entry["unsafe"] = f"markup inside {self.collect}"
            self.collect = None
            self.parser.CharacterDataHandler = None
        handler = self.handler_names.get(name) or self.handler_name(name)
        attrs_d: dict[str, str] | None = None
        if (
            attrs
            and "base" in " ".join(attrs).lower()  # cheap test first: most elements have no base attribute
            and any((key.split(" ")[1] if " " in key else key).lower() == "base" for key in attrs)
        ):
            attrs_d = self.attributes(attrs)
            self.step_base(attrs_d.get("xml:base", attrs_d.get("base")))
        elif self.basestack is not None:
            self.step_base(None)

        if self.entry_depth < 0:
            if handler in _ENTRY:
                if self.container_depth != depth - 1:
                    raise _Refuse(f"<{handler}> outside rss, channel, feed and rdf:RDF")
                self.open_entry(attrs_d if attrs_d is not None else self.attributes(attrs))
            elif handler in _CONTAINERS and self.container_depth == depth - 1:
                self.container_depth = depth
            elif handler in _VOLATILE and self.container_depth == depth - 1 and not self.entries:
                self.volatile_open = (depth, self.elements)
            elif handler == "title" and self.container_depth == depth - 1 and not self.feed_title_seen:
                self.feed_title_seen = True
                attrs_d = attrs_d if attrs_d is not None else self.attributes(attrs)
                if attrs_d.get("mode") != "base64" and _content_type(attrs_d.get("type", "text/plain")) in (
                    _PLAIN_TYPES
                ):
                    self.begin_text("feed_title")
            return
        if handler in _NEVER_IN_ENTRY:
            raise _Refuse(f"<{handler}> inside an entry")
        if depth == self.entry_depth + 1:
            if handler in _TEXT_KEYED and self.keyed_by_id():
                # Only an entry without id and link is keyed by its text: once it has an id, skip reading
                # it (most of a feed's text), and decline in _key should a later element clear the id.
                self.entry["skipped"] = handler
            elif handler in _ID:
                attrs_d = attrs_d if attrs_d is not None else self.attributes(attrs)
                self.guidislink = attrs_d.get("ispermalink", "true") == "true"
                self.begin_text("id")
            elif handler == "link":
                self.start_link(attrs_d if attrs_d is not None else self.attributes(attrs))
            elif handler in _TITLE:
                self.start_title(attrs_d if attrs_d is not None else self.attributes(attrs))
            elif handler in _DATES:
                self.begin_text(_DATES[handler])
            elif handler in _SUMMARY_SETTERS:
                self.start_summary(handler, attrs_d if attrs_d is not None else self.attributes(attrs))
            elif handler == "source":
                # Its elements describe the source feed; its start lets the next title replace ours.
                self.source_depth = depth
                self.title_locked = False
            elif handler in _TITLE_RESETS:
                self.entry["unsafe"] = handler
        elif handler == "source":
            raise _Refuse("<source> below the top level of an entry")
        elif self.source_depth >= 0:
            return
        elif handler in _ID or handler == "link":
            raise _Refuse(f"<{handler}> below the top level of an entry")
        elif handler in _TEXT_FIELDS or handler in _SUMMARY_SETTERS:
            self.entry["unsafe"] = handler

    def keyed_by_id(self) -> bool:
        entry_id = self.entry.get("id")
        return isinstance(entry_id, str) and bool(entry_id.strip())

    def step_base(self, value: str | None) -> None:
        """feedparser's base URI bookkeeping for one start tag.

        Until the first base attribute, and while stepping leaves the base unchanged (it does for any
        ordinary URL), every entry of feedparser's base stack equals the current base, so the stack is
        only built (``basestack``, one entry per open element) once a document needs it.
        """
        if self.basestack is None:
            self.basestack = [self.baseuri] * (self.depth - 1)
        key = (self.baseuri, value)
        stepped = self.base_steps.get(key)
        if stepped is None:
            stepped = self.base_steps[key] = _step_base(self.baseuri, value)
        self.baseuri = stepped
        self.basestack.append(stepped)

    def end(self, name: str) -> None:
        depth = self.depth
        if self.collect is not None:
            self.end_text()
        if self.volatile_open is not None:
            # only a date without child elements: its end tag then closes the text the fingerprint masks
            if self.volatile_open == (depth, self.elements) and len(self.volatile) < _MAX_VOLATILE:
                self.volatile.append(self.parser.CurrentByteIndex)
            self.volatile_open = None
        if depth == self.entry_depth:
            # expat reports an end tag at its "<", but an empty element (<item/>) after its "/>"; an entry
            # without children might be either, so it is not cut (-1)
            childless = self.elements == self.entry_elements
            self.spans.append((self.entry_start, -1 if childless else self.parser.CurrentByteIndex))
            self.entries.append(self.entry)
            self.entry = {}
            self.entry_depth = -1
        elif depth == self.source_depth:
            self.source_depth = -1
        if depth == self.container_depth:
            self.container_depth = depth - 1
        if self.basestack is not None:
            self.basestack.pop()
            if self.basestack and self.basestack[-1]:
                self.baseuri = self.basestack[-1]
        self.depth = depth - 1

    def characters(self, text: str) -> None:
        self.pieces.append(text)

    # -- feedparser's entry handlers, reduced to what entry_key reads

    def open_entry(self, attrs_d: dict[str, str]) -> None:
        if "href" in attrs_d:  # CDF: feedparser turns it into a link element
            raise _Refuse("entry with an href attribute")
        self.entry_depth = self.depth
        self.entry_start = self.parser.CurrentByteIndex
        self.entry_elements = self.elements
        self.entry = {}
        self.title_locked = False
        if "lastmod" in attrs_d:  # CDF: feedparser turns it into an updated element
            self.entry["unsafe"] = "lastmod"
        prefix, _, suffix = "rdf:about".partition(":")
        about = attrs_d.get(f"{self.namespacemap.get(prefix, prefix)}:{suffix}")
        if about:
            self.entry["id"] = about

    def start_link(self, attrs_d: dict[str, str]) -> None:
        attrs_d.setdefault("rel", "alternate")
        if attrs_d["rel"] == "self":
            attrs_d.setdefault("type", "application/atom+xml")
        else:
            attrs_d.setdefault("type", "text/html")
        href = attrs_d.get("url", attrs_d.get("uri", attrs_d.get("href")))
        if href:
            attrs_d.pop("url", None)
            attrs_d.pop("uri", None)
            attrs_d["href"] = href
        if "href" in attrs_d:
            if attrs_d.get("rel") == "alternate" and _content_type(attrs_d.get("type")) in _HTML_TYPES:
                self.entry["link"] = ("href", attrs_d["href"], self.baseuri or "")
            return
        self.begin_text("link")

    def start_title(self, attrs_d: dict[str, str]) -> None:
        """A title is plain text unless typed as XHTML or other XML, or base64 (``push_content``)."""
        if (
            attrs_d.get("mode") == "base64"
            or _content_type(attrs_d.get("type", "text/plain")) not in _PLAIN_TYPES
        ):
            self.entry["unsafe"] = "title"
            return
        self.begin_text("title")

    def start_summary(self, handler: str, attrs_d: dict[str, str]) -> None:
        """The entry's only summary setter: a summary-like element or content copied into the summary."""
        if "summary" in self.entry:
            self.entry["unsafe"] = handler
            return
        self.entry["summary"] = ""
        default = _SUMMARY_DEFAULT_TYPE[handler]
        if attrs_d.get("mode") == "base64" or _content_type(attrs_d.get("type", default)) not in _PLAIN_TYPES:
            self.entry["unsafe"] = handler
            return
        self.begin_text("summary")

    def begin_text(self, kind: str) -> None:
        self.collect = kind
        self.pieces = []
        self.parser.CharacterDataHandler = self.characters

    def end_text(self) -> None:
        kind = self.collect or ""
        self.collect = None
        self.parser.CharacterDataHandler = None
        output = "".join(self.pieces).strip()
        if kind == "feed_title":
            self.feed_title = _post_process(output) or None
            return
        if kind == "link":
            self.entry["link"] = ("text", output, self.baseuri or "")
            return
        if kind == "title":
            # Kept raw: only an entry without id and link needs it (see _key). The first non-empty title
            # wins; empty ones before it are stored.
            if not self.title_locked:
                self.entry["title"] = output
                self.title_locked = bool(output)
            return
        if kind != "id":
            self.entry[kind] = output  # published, updated, summary: raw like the title
            return
        if output and self.guidislink:
            output = _urljoin(self.baseuri or "", output)
        output = _post_process(output)
        self.entry["id"] = output
        if self.guidislink:
            self.entry.setdefault("link", output)


# A link as read, resolved only if the entry has no id (it rarely matters, and resolving costs more than
# the rest of the scan): ("href", attribute, base) or ("text", stripped text, base).
_Link = tuple[str, str, str]


def _link_value(link: str | _Link) -> str:
    """The entry's ``link`` as feedparser stores it (``_start_link`` for href, ``pop`` for text)."""
    if isinstance(link, str):
        return link
    kind, value, base = link
    if kind == "href":
        return _urljoin(base, value)
    if value:
        value = _urljoin(base, value)
    value = _post_process(value).replace("&amp;", "&")
    return _LINK_ENTITY.sub(r"&\g<1>", value)


def _key(entry: dict[str, str | _Link]) -> str | None:
    """``entry_key`` of the entry as feedparser would store it, or None if that needs more than we read."""
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id.strip():
        return entry_key({"id": entry_id})
    link = _link_value(entry.get("link", ""))
    if link.strip():
        return entry_key({"id": entry_id, "link": link})
    if "unsafe" in entry or "skipped" in entry:
        return None
    names = ("title", "published", "updated", "summary")
    fields = {name: _post_process(str(entry[name])) for name in names if name in entry}
    return entry_key({"id": entry_id, "link": link, **fields})


def _content_type(value: str | None) -> str:
    content_type = (value or "").lower()
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html"}.get(
        content_type, "application/xhtml+xml" if content_type == "xhtml" else content_type
    )


def _prepare(body: bytes, content_type: str | None, url: str | None) -> tuple[bytes, str] | None:
    """The bytes feedparser's strict parser would read and its initial base URI, or None if it would not."""
    headers: dict[str, str] = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    result: dict[str, Any] = {}
    data = convert_to_utf8(headers, body, result)
    if not result.get("encoding"):
        return None
    _version, data, _entities = replace_doctype(data)
    contentloc = headers.get("content-location", "")
    baseuri = make_safe_absolute_uri("", contentloc) or make_safe_absolute_uri(contentloc) or ""
    return data, baseuri or ""


def _parser(scanner: _Scanner) -> Any:
    """An expat parser set up as ``xml.sax.expatreader`` sets it up for feedparser (namespaces on)."""
    parser = expat.ParserCreate(None, " ")
    parser.namespace_prefixes = True
    parser.buffer_text = True
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.StartNamespaceDeclHandler = scanner.start_namespace
    # feature_external_ges is off: external entities are skipped, not fetched, and do not fail the parse.
    parser.ExternalEntityRefHandler = _skip_external
    parser.SkippedEntityHandler = _ignore
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE)
    scanner.parser = parser
    return parser


def _skip_external(*_args: str | None) -> int:
    # expat's ExternalEntityRefHandler(context, base, system_id, public_id): never load an external entity
    return 1


_ignore: Callable[..., None] = lambda *args: None  # noqa: E731


def scan_keys(body: bytes, *, content_type: str | None = None, url: str | None = None) -> KeyScan | None:
    """Entry keys of ``body`` exactly as the feedparser path computes them, or None if unsure.

    ``content_type`` and ``url`` must be what would be passed to ``services.feedparse.parse_bytes``
    (they decide the encoding and how relative ids and links resolve). None means "parse it with
    feedparser"; it costs speed, never correctness.
    """
    return explain_scan(body, content_type=content_type, url=url)[0]


def explain_scan(
    body: bytes, *, content_type: str | None = None, url: str | None = None
) -> tuple[KeyScan | None, str]:
    """``scan_keys`` plus why it declined (``""`` when it answered), for logs, tests and benchmarks."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"scan_keys takes the fetched bytes, not {type(body).__name__}")
    data = bytes(body)
    if not data.strip():
        return None, "empty body"
    prepared = _prepare(data, content_type, url)
    if prepared is None:
        return None, "encoding unknown"
    document, baseuri = prepared
    scanner = _Scanner(baseuri)
    try:
        _parser(scanner).Parse(document, True)
    except _Refuse as exc:
        return None, str(exc)
    except expat.ExpatError:
        return None, "not well-formed"
    except RecursionError:
        return None, "nested too deeply"
    finally:
        scanner.parser = None
    if not scanner.entries:
        return None, "no entries"
    keys = []
    for entry in scanner.entries:
        key = _key(entry)
        if key is None:
            return (
                None,
                "entry without id or link, keyed by text the scan does not read (summary, media:title...)",
            )
        keys.append(key)
    return KeyScan(
        tuple(keys), scanner.feed_title, document, tuple(scanner.spans), tuple(scanner.volatile)
    ), ""


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def without_entries(scan: KeyScan, keep: set[int]) -> bytes | None:
    """The scanned document with only the entries at the positions ``keep``, or None if unsafe to cut.

    A feed with one new entry among twenty then costs feedparser one entry, not twenty. Everything outside
    the dropped entries stays byte for byte (the feed's title, language, namespaces, ``xml:base``), so the
    kept entries read as they did in the whole document. The result is UTF-8 with a matching declaration
    (``convert_to_utf8`` rewrote it): parse it as ``application/xml``. A document with a DOCTYPE is not cut
    (feedparser rewrites its entity declarations, and twice is not once). The caller must still check that
    feedparser finds exactly the kept entries' keys, and parse the whole body if not: an entry written as
    ``<item a=">"/>`` is cut in the wrong place, and that check is what makes it harmless.
    """
    document, spans = scan.document, scan.spans
    if not document or not spans or len(spans) != len(scan.keys) or _DOCTYPE.search(document, 0, spans[0][0]):
        return None
    pieces: list[bytes] = []
    position = 0
    for index, (start, end_tag) in enumerate(spans):
        if index in keep:
            continue
        end = document.find(b">", end_tag) if end_tag >= 0 and document.startswith(b"</", end_tag) else -1
        if start < position or end < 0:
            return None
        pieces.append(document[position:start])
        position = end + 1
    pieces.append(document[position:])
    return b"".join(pieces)


# What a feed-level date may change to without the fingerprint noticing: no "<", "&", ">", ";" or "]", so
# it can neither start nor end markup, in any state expat can be in.
_SAFE = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ :,.+-/")
_SAFE_RUN = re.compile(rb"[0-9A-Za-z :,.+\-/]{0,100}")
_MAX_RUN = 100


def _masked_digest(pieces: list[bytes], salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()[:32]


def entries_fingerprint(scan: KeyScan, *, content_type: str | None, url: str | None) -> str | None:
    """A fingerprint of the scanned document without the text of its feed-level dates, or None.

    Many servers answer each poll with a new ``lastBuildDate`` (or Atom ``updated``) and nothing else
    changed. ``entries_unchanged`` recognises such a body without scanning it: if a body equals this one
    except for that text, its keys are this scan's keys. Why that holds: the masked text is the tail of
    an element's character data (the run of ``_SAFE`` bytes just before the end tag the scan saw), every
    byte before it is the same, so expat reaches it in the same state, and a run of ``_SAFE`` bytes can
    neither open nor close markup; it reaches the end tag in the state it reached it before, and the rest
    is the same bytes again. The scan reads no feed-level date (only the title), so its keys are equal;
    the content type and URL (encoding, base URI) are part of the fingerprint. The positions are stored
    with it, as gaps between the masked runs: ``"g1,g2:digest"``.
    """
    document = scan.document
    if not scan.volatile or not document:
        return None
    gaps: list[int] = []
    pieces: list[bytes] = []
    position = 0
    for end in scan.volatile:
        start = end
        while start > position and document[start - 1] in _SAFE and end - start < _MAX_RUN:
            start -= 1
        if start == end or not document.startswith(b"</", end) or end - start >= _MAX_RUN:
            continue  # nothing to mask here, or a run too long to be a date: it stays in the fingerprint
        gaps.append(start - position)
        pieces.append(document[position:start])
        position = end
    if not gaps:
        return None
    pieces.append(document[position:])
    return f"{','.join(map(str, gaps))}:" + _masked_digest(pieces, f"{content_type or ''}\n{url or ''}")


def entries_unchanged(body: bytes, fingerprint: str, *, content_type: str | None, url: str | None) -> bool:
    """True if ``body`` is the body ``fingerprint`` (``entries_fingerprint``) was taken of, but for the text
    of its feed-level dates: then its keys are that scan's keys. False means "scan it", never "changed"."""
    head, _, digest = fingerprint.partition(":")
    try:
        gaps = [int(gap) for gap in head.split(",")]
    except ValueError:
        return False
    prepared = _prepare(bytes(body), content_type, url)
    if prepared is None:
        return False
    document = prepared[0]
    pieces: list[bytes] = []
    position = 0
    for gap in gaps:
        start = position + gap
        if gap < 0 or start > len(document):
            return False
        run = _SAFE_RUN.match(document, start)
        end = run.end() if run else start
        if end - start >= _MAX_RUN or not document.startswith(b"</", end):
            return False
        pieces.append(document[position:start])
        position = end
    pieces.append(document[position:])
    return _masked_digest(pieces, f"{content_type or ''}\n{url or ''}") == digest
