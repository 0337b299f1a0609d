"""The fast entry-key scan agrees with the feedparser path on every document, or declines.

Property: for every file of feedparser's own test suite and of the real feeds in the shared corpus,
``scan_keys`` either returns None or exactly the keys ``entry_key`` gives over ``parse_bytes`` entries, as
a list (same order, same duplicates). A disagreement would post duplicates or lose items, so it fails the
test. Mutations of real feeds (reordered and removed elements, entities, relative links, xml:base, CDATA,
broken markup) hold to the same property.

The corpus lives next to the repository (``<...>/shared/corpus``) and is never copied into it.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.feedkeys import (
    KeyScan,
    entries_fingerprint,
    entries_unchanged,
    explain_scan,
    scan_keys,
    without_entries,
)
from domain.feedrules import entry_key
from services.feedparse import FeedParseError, parse_bytes
from tests.helpers.corpus import shared_corpus

CORPUS: Path | None = shared_corpus("feedparser-tests").parent
CORPUS = CORPUS if CORPUS.is_dir() else None
NO_CORPUS = "shared/corpus not found in any parent folder of this test"
BASE_URL = "https://corpus.example/feeds/"


def _feedparser_keys(body: bytes, url: str | None, content_type: str | None = None) -> list[str] | str:
    """Keys the engine computes today, or the name of the error ``parse_bytes`` raised."""
    try:
        parsed = parse_bytes(body, content_type=content_type, url=url)
    except FeedParseError as exc:
        return f"refused: {exc.kind}"
    except Exception as exc:  # the scan must then decline too: the engine would see a failure
        return f"raised: {type(exc).__name__}"
    return [entry_key(entry) for entry in parsed.entries]


def _disagreement(body: bytes, url: str | None, content_type: str | None = None) -> str | None:
    scan = scan_keys(body, content_type=content_type, url=url)
    if scan is None:
        return None
    expected = _feedparser_keys(body, url, content_type)
    if isinstance(expected, str):
        return f"feedparser path {expected}, scan gave {len(scan.keys)} keys"
    if list(scan.keys) != expected:
        missing = [key for key in expected if key not in scan.keys][:3]
        extra = [key for key in scan.keys if key not in expected][:3]
        return f"keys differ: missing {missing}, extra {extra}, order equal as sets: {set(expected) == set(scan.keys)}"
    return None


@dataclass(frozen=True, slots=True)
class _Outcome:
    name: str
    group: str
    handled: bool
    reason: str
    fp_entries: int
    problem: str | None


def _corpus_files() -> list[tuple[str, Path]]:
    if CORPUS is None:
        return []
    files = [
        (f"feedparser-tests/{path.relative_to(CORPUS / 'feedparser-tests').parts[0]}", path)
        for path in sorted((CORPUS / "feedparser-tests").rglob("*"))
        if path.is_file() and path.parent != CORPUS / "feedparser-tests"
    ]
    files += [("realfeeds", path) for path in sorted((CORPUS / "realfeeds").glob("*.xml"))]
    return files


@cache
def _outcomes() -> tuple[_Outcome, ...]:
    """Each corpus file parsed once by each path (cached for this test session only)."""
    assert CORPUS is not None
    results = []
    for group, path in _corpus_files():
        name = str(path.relative_to(CORPUS))
        body = path.read_bytes()
        url = BASE_URL + name
        scan, reason = explain_scan(body, url=url)
        expected = _feedparser_keys(body, url)
        problem = None
        if scan is not None:
            if isinstance(expected, str):
                problem = f"feedparser path {expected}, scan gave {len(scan.keys)} keys"
            elif list(scan.keys) != expected:
                problem = f"scan {list(scan.keys)[:3]}... != feedparser {expected[:3]}..."
        entries = len(expected) if isinstance(expected, list) else 0
        results.append(_Outcome(name, group, scan is not None, reason, entries, problem))
    return tuple(results)


def _report(capsys: pytest.CaptureFixture[str], lines: list[str]) -> None:
    """Write past pytest's capture, so the coverage shows in every run (and in CI logs)."""
    with capsys.disabled():
        print("\n".join(lines))


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_scan_agrees_with_feedparser_on_every_corpus_file(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = _outcomes()
    assert len(outcomes) > 2000, "the corpus looks incomplete"
    groups = sorted({outcome.group for outcome in outcomes})
    lines = ["", "entry-key scan coverage (files the scan answers itself / files):"]
    for group in [*groups, "all"]:
        chosen = [o for o in outcomes if group in ("all", o.group)]
        with_entries = [o for o in chosen if o.fp_entries]
        lines.append(
            f"  {group:28} {sum(o.handled for o in chosen):5} / {len(chosen):5}"
            f" ({sum(o.handled for o in chosen) / len(chosen):6.1%});"
            f" of files with entries {sum(o.handled for o in with_entries):5} / {len(with_entries):5}"
        )
    reasons = Counter(re.sub(r"<[^>]*>", "<tag>", o.reason) for o in outcomes if not o.handled)
    lines.append("  declined: " + ", ".join(f"{reason} {count}" for reason, count in reasons.most_common()))
    _report(capsys, lines)
    problems = [f"{o.name}: {o.problem}" for o in outcomes if o.problem]
    assert not problems, "scan disagrees with the feedparser path:\n" + "\n".join(problems)


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_scan_reads_every_ordinary_real_feed() -> None:
    real = [o for o in _outcomes() if o.group == "realfeeds"]
    assert len(real) == 26
    for outcome in real:
        body = (CORPUS / outcome.name).read_bytes() if CORPUS else b""
        if not parse_bytes(body, url=BASE_URL + outcome.name).bozo:
            assert outcome.handled, (
                f"{outcome.name} is an ordinary feed but the scan declined: {outcome.reason}"
            )
    # Two real feeds are malformed XML: feedparser's loose parser recovers them, the scan declines.
    assert sum(o.handled for o in real) >= 24


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_scan_agrees_without_a_feed_url_and_with_declared_types() -> None:
    """No Content-Location (ids and links stay relative) and the types servers really send."""
    problems = []
    files = _corpus_files()
    for _group, path in files[::7] + [file for file in files if file[0] == "realfeeds"]:
        body = path.read_bytes()
        for content_type in (None, "text/xml", "application/rss+xml; charset=utf-8", "text/html"):
            problem = _disagreement(body, None, content_type)
            if problem:
                problems.append(f"{path.name} [{content_type}]: {problem}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# Small documents that pin the rules the scan mirrors


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"{ns}><channel><title>t</title><link>https://example.org/</link>
{items}
</channel></rss>"""


DC = ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
MEDIA = ' xmlns:media="http://search.yahoo.com/mrss/"'
CONTENT = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'


def _rss(items: str, ns: str = "") -> bytes:
    return RSS.format(items=items, ns=ns).encode("utf-8")


@pytest.mark.parametrize(
    "items",
    [
        "<item><guid>https://example.org/a?utm_source=x</guid></item><item><guid>b-1</guid></item>",
        "<item><guid isPermaLink='false'>post/1</guid></item><item><guid>post/2</guid></item>",
        "<item><link>/relative/path</link></item><item><link>https://example.org/x?a=1&amp;b=2</link></item>",
        "<item><guid>  </guid><link>https://example.org/fallback/</link></item>",
        "<item><guid>https://example.org/a</guid><guid>https://example.org/b</guid></item>",
        "<item><guid>caf\u00c3\u00a9</guid></item><item><guid>x\u0080y</guid></item>",
        "<item><guid>&#104;ttp://example.org/&#x61;</guid></item>",
        "<item><guid><![CDATA[https://example.org/cdata]]></guid></item>",
        "<item><atom:link href='https://example.org/alt' rel='alternate' type='text/html'/></item>",
        "<item><source url='https://other.example/'>Other</source><guid>s-1</guid></item>",
        "<item xml:base='https://base.example/dir/'><link>page</link></item>",
        "<item><link>https://example.org/x?a=1&amp;amp;b=2&amp;c;</link></item>",
        "<item><guid>https://example.org/g</guid><guid></guid></item>",
        "<item><guid isPermaLink='false'></guid><link>https://example.org/l</link></item>",
        "<item><title>A  title\n</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>",
        "<item><title></title><title>second</title><title>third</title></item>",
        "<item><dc:date>2024-01-01</dc:date><dcterms:modified>2024-02-01</dcterms:modified></item>",
        "<item><title>caf\u00c3\u00a9 &amp; &lt;b&gt;</title><updated>x</updated><issued> </issued></item>",
        "<item><description> only a &lt;b&gt;summary&lt;/b&gt; </description></item>",
        "<item><summary type='html'>s</summary><title> </title></item><item/>",
        "<item><title>t</title><source url='x'>s</source><title>u</title></item>",
        "<item><content:encoded>c &amp;amp; d</content:encoded></item><item><fullitem/></item>",
        "<item><dc:title>dc</dc:title><media:content url='https://m.example/'><media:title>m</media:title>"
        "</media:content><guid>g</guid></item>",
    ],
)
def test_small_documents_match_or_decline(items: str) -> None:
    body = _rss(items, ns=' xmlns:atom="http://www.w3.org/2005/Atom"' + DC + MEDIA + CONTENT)
    for url in (None, "https://example.org/feed.xml"):
        assert _disagreement(body, url) is None
    assert scan_keys(body, url="https://example.org/feed.xml") is not None


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://example.org/"><title>t</title></channel>
<item rdf:about="https://example.org/about/1"><link>https://example.org/link/1</link></item>
<item rdf:about="  "><link>https://example.org/link/2</link></item>
<item><link>https://example.org/link/3</link></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/">
<title>t</title>
<entry><id>tag:example.org,2024:1</id><link href="posts/1"/></entry>
<entry><link rel="self" href="/self/2"/><link rel="alternate" type="text/html" href="posts/2"/></entry>
<entry><id>/relative/3</id><source><id>tag:other,1</id><link href="https://other.example/"/></source></entry>
<entry xml:base="/other/"><link href="4"/><link rel="enclosure" href="x.mp3"/></entry>
<entry><link href="posts/5"/><link rel="alternate" type="application/pdf" href="5.pdf"/></entry>
</feed>"""


@pytest.mark.parametrize("body", [RDF, ATOM], ids=["rss1.0", "atom1.0"])
def test_rdf_and_atom_documents_are_read_exactly(body: bytes) -> None:
    for url in (None, "https://example.org/feed.xml"):
        assert scan_keys(body, url=url) is not None
        assert _disagreement(body, url) is None
    assert scan_keys(RDF) == KeyScan(
        keys=("https://example.org/about/1", "https://example.org/link/2", "https://example.org/link/3"),
        title="t",
    )


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (b"<rss><channel><item><guid>a</guid></item></channel></rss>", None),
        (
            b"<rss><channel><title> Films &amp; more </title><item><guid>a</guid></item></channel></rss>",
            "Films & more",
        ),
        # the image's title is not the feed's, and the first feed title wins
        (
            b"<rss><channel><image><title>logo</title></image><title>Feed</title><title>2</title>"
            b"<item><guid>a</guid></item></channel></rss>",
            "Feed",
        ),
        # markup or an XHTML type: feedparser's business
        (b"<rss><channel><title>a<b>b</b></title><item><guid>a</guid></item></channel></rss>", None),
        (
            b"<feed xmlns='http://www.w3.org/2005/Atom'><title type='xhtml'>x</title>"
            b"<entry><id>a</id></entry></feed>",
            None,
        ),
    ],
)
def test_scan_reads_a_plain_feed_title(body: bytes, title: str | None) -> None:
    scan = scan_keys(body)
    assert scan is not None
    assert scan.title == title
    if title is not None:
        assert parse_bytes(body).title == title


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_scan_titles_of_real_feeds_are_feedparsers() -> None:
    assert CORPUS is not None
    read = 0
    for path in sorted((CORPUS / "realfeeds").glob("*.xml")):
        body = path.read_bytes()
        scan = scan_keys(body)
        if scan is not None and scan.title is not None:
            assert scan.title == parse_bytes(body).title, path.name
            read += 1
    assert read >= 20


NAMING = [
    # feedparser lower-cases local names
    b"<rss><channel><ITEM><GUID>upper</GUID></ITEM></channel></rss>",
    # an unknown namespace declared with a prefix names the element foo:guid, which is not an id
    b"<rss xmlns:foo='http://unknown.example/'><channel><item><foo:guid>x</foo:guid>"
    b"<link>https://example.org/l</link></item></channel></rss>",
    # ... but an unknown namespace used as the default one leaves the name bare
    b"<rss><channel><item xmlns='http://unknown.example/'><guid>bare</guid></item></channel></rss>",
    # a document prefix bound to RSS 1.0 makes feedparser read dc:link as link
    b"<rss xmlns:dc='http://purl.org/rss/1.0/'><channel><item><title>t</title>"
    b"<d:link xmlns:d='http://purl.org/dc/elements/1.1/'>https://example.org/dc</d:link></item></channel></rss>",
    # the Atom namespace under any prefix
    b"<rss xmlns:a='http://www.w3.org/2005/Atom'><channel><item><a:link href='https://example.org/a'/>"
    b"</item></channel></rss>",
    # any backend.userland.com namespace is RSS
    b"<rss xmlns:b='http://backend.userland.com/RSS2'><channel><item><b:guid>bu</b:guid></item></channel></rss>",
]


@pytest.mark.parametrize("body", NAMING)
def test_element_names_follow_feedparser(body: bytes) -> None:
    for url in (None, "https://example.org/feed.xml"):
        assert scan_keys(body, url=url) is not None
        assert _disagreement(body, url) is None


def test_scan_returns_the_keys_in_document_order() -> None:
    body = _rss("<item><guid>b</guid></item><item><guid>a</guid></item><item><guid>b</guid></item>")
    scan = scan_keys(body)
    assert scan is not None and scan.keys == ("id:b", "id:a", "id:b")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "empty body"),
        (_rss("<item><guid>a</guid>"), "not well-formed"),
        (_rss("<item><description>a</description><summary>b</summary></item>"), "entry without id or link"),
        (
            _rss("<item><content:encoded><p>c</p></content:encoded></item>", ns=CONTENT),
            "entry without id or link",
        ),
        (_rss("<item><title>t</title><image><title>i</title></image></item>"), "entry without id or link"),
        (_rss("<item><title type='xhtml'>t</title></item>"), "entry without id or link"),
        (_rss("<item><summary mode='base64'>cw==</summary></item>"), "entry without id or link"),
        (_rss("<item><media:title>t</media:title></item>", ns=MEDIA), "entry without id or link"),
        (_rss(""), "no entries"),
        (_rss("<item><guid>a<b>b</b></guid></item>"), "markup inside an id or link"),
        (_rss("<item><foo><link>https://x.example/</link></foo></item>"), "<link> below the top level"),
        (_rss("<item><guid>a</guid><item><guid>b</guid></item></item>"), "<item> inside an entry"),
        (_rss("<item><textInput><name>n</name></textInput><guid>a</guid></item>"), "<textinput> inside"),
        (_rss("<item href='https://cdf.example/'><guid>a</guid></item>"), "href attribute"),
        (
            b"<?xml version='1.0' encoding='utf-8'?><rss><channel><description><item><guid>a</guid>"
            b"</item></description></channel></rss>",
            "outside rss, channel, feed",
        ),
        (_rss("<item><guid>&nbsp;a</guid></item>"), "not well-formed"),
    ],
)
def test_scan_declines_what_it_does_not_model(body: bytes, why: str) -> None:
    scan, reason = explain_scan(body)
    assert scan is None
    assert why in reason
    assert _disagreement(body, None) is None


def test_scan_declines_an_encoding_feedparser_has_to_guess() -> None:
    body = (
        _rss("<item><guid>caf\xe9</guid></item>")
        .replace(b"utf-8", b"bogus-enc")
        .replace("é".encode(), b"\xe9")
    )
    assert _disagreement(body, None) is None


def test_scan_takes_only_bytes() -> None:
    with pytest.raises(TypeError):
        scan_keys("<rss/>")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Mutations of real feeds: every variant must still match, or the scan must decline

# Permalink-less guids (most feeds), plain guids that are URLs, and a feed without guids (keys from links).
SYNTHETIC = {"atom.xml": ATOM, "rdf.xml": RDF}
MUTATION_FEEDS = (
    "atom.xml",
    "rdf.xml",
    "01-letterboxd-zaccolley.xml",
    "12-variety.xml",
    "17-kinobox-novinky-cs.xml",
    "21-apple-tv-trailers.xml",
)
_ITEM = re.compile(rb"<(item|entry)\b.*?</\1>", re.S)
_GUID = re.compile(rb"<guid\b[^>]*>.*?</guid>", re.S)
_LINK = re.compile(rb"<link>(.*?)</link>", re.S)
_TEXT_OF = re.compile(rb"(<(?:guid|link)\b[^>]*>)([^<]*)(</(?:guid|link)>)")


@cache
def _real(name: str) -> bytes:
    if name in SYNTHETIC:
        return SYNTHETIC[name]
    assert CORPUS is not None
    return (CORPUS / "realfeeds" / name).read_bytes()


def _reorder(body: bytes, rng: random.Random) -> bytes:
    items = list(_ITEM.finditer(body))
    if len(items) < 2:
        return body
    chunks = [m.group(0) for m in items]
    rng.shuffle(chunks)
    return body[: items[0].start()] + b"\n".join(chunks) + body[items[-1].end() :]


def _drop_guids(body: bytes, rng: random.Random) -> bytes:
    return _GUID.sub(lambda m: b"" if rng.random() < 0.5 else m.group(0), body)


def _entities(body: bytes, rng: random.Random) -> bytes:
    """Spell characters of ids and links as character references, or add entity-looking text."""

    def respell(match: re.Match[bytes]) -> bytes:
        text = match.group(2)
        out = bytearray()
        for byte in text:
            choice = rng.random()
            if choice < 0.2 and 32 < byte < 127 and byte not in b"&<":
                out += b"&#%d;" % byte
            elif choice < 0.25 and 32 < byte < 127 and byte not in b"&<":
                out += b"&#x%x;" % byte
            else:
                out.append(byte)
        if rng.random() < 0.2:
            out += rng.choice([b"&amp;x=1", b"&amp;amp;", b"&lt;b&gt;", b"&quot;", b"&apos;", b"&#8217;"])
        return match.group(1) + bytes(out) + match.group(3)

    return _TEXT_OF.sub(respell, body)


def _relative(body: bytes, rng: random.Random) -> bytes:
    return _LINK.sub(lambda m: b"<link>" + re.sub(rb"^https?://[^/]+", b"", m.group(1)) + b"</link>", body)


def _xml_base(body: bytes, rng: random.Random) -> bytes:
    base = rng.choice([b"https://base.example/a/", b"/rel/", b"", b"javascript:alert(1)"])
    return _ITEM.sub(lambda m: m.group(0).replace(b"<item>", b"<item xml:base='" + base + b"'>", 1), body)


def _cdata(body: bytes, rng: random.Random) -> bytes:
    return _TEXT_OF.sub(lambda m: m.group(1) + b"<![CDATA[" + m.group(2) + b"]]>" + m.group(3), body)


def _whitespace(body: bytes, rng: random.Random) -> bytes:
    return _TEXT_OF.sub(lambda m: m.group(1) + b"\n  " + m.group(2) + b" \t" + m.group(3), body)


def _permalink(body: bytes, rng: random.Random) -> bytes:
    flag = rng.choice([b"false", b"true", b"True", b"0"])
    return re.sub(rb"<guid\b[^>]*>", b"<guid isPermaLink='" + flag + b"'>", body)


def _relative_guids(body: bytes, rng: random.Random) -> bytes:
    """Guids that are relative paths: resolved against the feed URL only when they are permalinks."""

    def relative(match: re.Match[bytes]) -> bytes:
        text = re.sub(rb"^\s*https?://[^/]+", b"", match.group(2)).replace(b":", b"/")
        return match.group(1) + rng.choice([b"", b"/", b"../", b"//"]) + text.lstrip(b"/") + match.group(3)

    return re.sub(rb"(<guid\b[^>]*>)([^<]*)(</guid>)", relative, body)


def _prefixed(body: bytes, rng: random.Random) -> bytes:
    """Put guids and links in a namespace: feedparser names elements by its own prefix table."""
    uri = rng.choice(
        [
            b"http://purl.org/rss/1.0/",
            b"http://backend.userland.com/RSS2",
            b"http://www.w3.org/2005/Atom",
            b"http://purl.org/dc/elements/1.1/",
            b"http://example.com/unknown",
        ]
    )
    prefix = rng.choice([b"zz", b"dc", b"atom"])
    body = re.sub(
        rb"<(rss|feed|rdf:RDF)\b",
        lambda m: m.group(0) + b" xmlns:" + prefix + b"='" + uri + b"'",
        body,
        count=1,
    )
    tag = rng.choice([b"guid", b"link", b"id"])
    return re.sub(rb"<(/?)" + tag + rb"\b", lambda m: b"<" + m.group(1) + prefix + b":" + tag, body)


def _uppercase(body: bytes, rng: random.Random) -> bytes:
    tag = rng.choice([b"guid", b"link", b"item", b"entry", b"title"])
    return re.sub(rb"<(/?)" + tag + rb"\b", lambda m: b"<" + m.group(1) + tag.upper(), body)


def _break(body: bytes, rng: random.Random) -> bytes:
    cut = rng.randrange(len(body) // 4, len(body))
    return body[:cut] + rng.choice([b"", b"<", b"&bogus;", b"</channel>", b"\x00"]) + body[cut:]


def _link_first(body: bytes, rng: random.Random) -> bytes:
    return _ITEM.sub(
        lambda m: m.group(0).replace(b"<guid", b"<link>https://first.example/x</link><guid", 1), body
    )


def _declared_encoding(body: bytes, rng: random.Random) -> bytes:
    name = rng.choice([b"iso-8859-1", b"us-ascii", b"windows-1252", b"utf8", b"bogus"])
    return re.sub(rb"encoding=([\"'])utf-8\1", b"encoding='" + name + b"'", body, count=1, flags=re.I)


def _bom(body: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"  \n"]) + body


MUTATIONS = [
    _reorder,
    _drop_guids,
    _entities,
    _relative,
    _xml_base,
    _cdata,
    _whitespace,
    _permalink,
    _break,
    _link_first,
    _relative_guids,
    _declared_encoding,
    _bom,
    _prefixed,
    _uppercase,
]


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(MUTATION_FEEDS),
    steps=st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    url=st.sampled_from([None, "https://feeds.example/path/feed.xml"]),
)
def test_mutated_real_feeds_match_or_decline(name: str, steps: list, seed: int, url: str | None) -> None:
    rng = random.Random(seed)
    body = _real(name)
    for step in steps:
        body = step(body, rng)
    problem = _disagreement(body, url)
    assert problem is None, f"{name} after {[s.__name__ for s in steps]} (seed {seed}): {problem}"


# -- without_entries: feedparser reads only the new entries (issue 13) --------------------------------


def _cut_outcome(body: bytes, keep: set[int], url: str | None = BASE_URL) -> str:
    """``ok`` when the cut document parses to exactly the kept entries of the whole one (same dicts)."""
    scan = scan_keys(body, url=url)
    assert scan is not None
    cut = without_entries(scan, keep)
    if cut is None:
        return "not cut"
    whole = parse_bytes(body, url=url)
    parsed = parse_bytes(cut, content_type="application/xml", url=url)
    kept = sorted(keep)
    if [entry_key(e) for e in parsed.entries] != [scan.keys[i] for i in kept] or parsed.bozo:
        return "detected"  # the engine parses the whole body then
    assert list(parsed.entries) == [whole.entries[i] for i in kept]
    assert parsed.title == whole.title
    return "ok"


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_a_cut_document_reads_its_entries_exactly_as_the_whole_one() -> None:
    assert CORPUS is not None
    outcomes: Counter[str] = Counter()
    for path in sorted((CORPUS / "realfeeds").glob("*.xml")) + sorted(
        (CORPUS / "feedparser-tests").rglob("*.xml")
    ):
        body = path.read_bytes()
        scan = scan_keys(body, url=BASE_URL)
        if scan is None or len(scan.keys) < 2:
            continue
        n = len(scan.keys)
        for keep in ({0}, {n - 1}, set(range(0, n, 2))):
            outcomes[_cut_outcome(body, keep)] += 1
    assert outcomes["ok"] >= 60 and set(outcomes) == {"ok"}, outcomes


def test_a_wrong_cut_is_detected_not_trusted() -> None:
    body = _rss('<item a=">"/><item><guid>b</guid></item><item><guid>c</guid></item>')
    assert _cut_outcome(body, {2}) == "not cut"  # an entry without children is never cut
    assert _cut_outcome(body, {0, 2}) == "ok"
    # feedparser drops a plain DOCTYPE before expat reads the document; one it keeps is never cut
    plain = (
        b"<!DOCTYPE rss><rss><channel><item><guid>a</guid></item><item><guid>b</guid></item></channel></rss>"
    )
    assert _cut_outcome(plain, {1}) == "ok"
    kept = b'<!DOCTYPE rss [<!ENTITY e "x">]><rss><channel><item><guid>a</guid></item><item>b</item></channel></rss>'
    assert without_entries(KeyScan(("id:a", "id:b"), None, kept, ((46, 62), (77, 84))), {1}) is None


# -- the entries fingerprint: a body that differs only in its feed-level dates has the same keys ----------

_NEW_DATES = ("Tue, 09 Dec 2031 23:59:59 +0100", "x", "")


def _redate(body: bytes, scan: KeyScan, text: str) -> bytes | None:
    """``body`` with the text the fingerprint masks replaced by ``text``, or None if it cannot be located.

    The masked runs are positions in the converted document; in the raw body they are found as the same
    bytes followed by the same rest of the document (true for UTF-8 and ASCII bodies, most of the corpus).
    """
    fingerprint = entries_fingerprint(scan, content_type=None, url=None)
    assert fingerprint is not None
    gaps = [int(gap) for gap in fingerprint.partition(":")[0].split(",")]
    document, position, runs = scan.document, 0, []
    for gap in gaps:
        start = position + gap
        end = document.find(b"</", start)
        runs.append((start, end))
        position = end
    for start, end in reversed(runs):
        rest = document[end:]
        if not body.endswith(rest) or not body[: len(body) - len(rest)].endswith(document[start:end]):
            return None
        cut = len(body) - len(rest)
        body = body[: cut - (end - start)] + text.encode() + body[cut:]
    return body


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_bodies_equal_but_for_feed_level_dates_have_equal_keys_on_every_corpus_file() -> None:
    """For every corpus file the scan reads with feed-level dates: new dates are recognised by the
    fingerprint, and both the scan and the feedparser path find exactly the keys of the original."""
    checked, problems = 0, []
    for _group, path in _corpus_files():
        assert CORPUS is not None
        body = path.read_bytes()
        url = BASE_URL + str(path.relative_to(CORPUS))
        scan = scan_keys(body, url=url)
        fingerprint = scan and entries_fingerprint(scan, content_type=None, url=url)
        if scan is None or fingerprint is None:
            continue
        for text in _NEW_DATES:
            redated = _redate(body, scan, text)
            if redated is None:
                continue
            checked += 1
            rescan = scan_keys(redated, url=url)
            if not entries_unchanged(redated, fingerprint, content_type=None, url=url):
                problems.append(f"{path.name} with {text!r}: not recognised")
            elif (
                rescan is None
                or rescan.keys != scan.keys
                or _feedparser_keys(redated, url) != list(scan.keys)
            ):
                problems.append(f"{path.name} with {text!r}: keys differ")
            # anything else changed, or another URL: not recognised
            if entries_unchanged(
                redated + b" ", fingerprint, content_type=None, url=url
            ) or entries_unchanged(redated, fingerprint, content_type=None, url=url + "x/"):
                problems.append(f"{path.name} with {text!r}: a different body or URL was recognised")
    assert problems == []
    assert checked >= 60, f"only {checked} redated corpus bodies: the test proves little"


def _dated(header: str, items: str = "<item><guid>a</guid></item>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{header}'
        f"{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("old", "new", "recognised"),
    [
        (
            "<lastBuildDate>Mon, 01 Dec 2026</lastBuildDate>",
            "<lastBuildDate>Tue, 02 Dec 2026</lastBuildDate>",
            True,
        ),
        (
            "<pubDate>1</pubDate><lastBuildDate>2</lastBuildDate>",
            "<pubDate>33</pubDate><lastBuildDate></lastBuildDate>",
            True,
        ),
        # only the text after the last markup inside the element is masked
        (
            "<lastBuildDate><!-- c -->Mon</lastBuildDate>",
            "<lastBuildDate><!-- c -->Tue</lastBuildDate>",
            True,
        ),
        (
            "<lastBuildDate><!-- c -->Mon</lastBuildDate>",
            "<lastBuildDate><!-- d -->Mon</lastBuildDate>",
            False,
        ),
        # text that could be markup is never masked
        ("<lastBuildDate>Mon</lastBuildDate>", "<lastBuildDate>Mon<x/></lastBuildDate>", False),
        ("<lastBuildDate>Mon</lastBuildDate>", "<lastBuildDate>&amp;</lastBuildDate>", False),
        ("<lastBuildDate>Mon</lastBuildDate>", "<lastBuildDate>]]&gt;</lastBuildDate>", False),
        ("<lastBuildDate>Mon</lastBuildDate>", "<lastBuildDate><![CDATA[Mon]]></lastBuildDate>", False),
        # the title, the description and anything else in the header are not masked
        (
            "<lastBuildDate>Mon</lastBuildDate><ttl>5</ttl>",
            "<lastBuildDate>Mon</lastBuildDate><ttl>6</ttl>",
            False,
        ),
    ],
)
def test_the_entries_fingerprint_masks_only_plain_feed_level_dates(
    old: str, new: str, recognised: bool
) -> None:
    scan = scan_keys(_dated(old), url=BASE_URL)
    assert scan is not None
    fingerprint = entries_fingerprint(scan, content_type=None, url=BASE_URL)
    assert fingerprint is not None
    assert entries_unchanged(_dated(new), fingerprint, content_type=None, url=BASE_URL) is recognised


@pytest.mark.parametrize(
    "header",
    [
        "<ttl>5</ttl>",  # no date
        "<lastBuildDate/>",  # nothing to mask
        "<lastBuildDate>Mon<b>x</b></lastBuildDate>",  # a date with markup
    ],
)
def test_a_header_without_a_plain_date_has_no_entries_fingerprint(header: str) -> None:
    scan = scan_keys(_dated(header), url=BASE_URL)
    assert scan is not None and entries_fingerprint(scan, content_type=None, url=BASE_URL) is None


def test_dates_inside_entries_are_not_masked() -> None:
    old = _dated("", "<item><guid>a</guid><pubDate>Mon</pubDate></item>")
    scan = scan_keys(old, url=BASE_URL)
    assert scan is not None and entries_fingerprint(scan, content_type=None, url=BASE_URL) is None
