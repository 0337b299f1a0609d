"""Pure rules of the feed engine: entry identity, poll timing, cache hints and entry filters.

Nothing here does I/O; the polling service feeds in parsed entries, clocks and random generators.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import importlib
import logging
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The third-party `regex` engine (installed with dateparser) is used for moderator filters only because,
# unlike `re`, a search can be given a timeout; see validate_regex.
import regex

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_CAP = 6 * 3600.0
# Retry-After / max-age above this are clamped: a hint of "one year" is more likely a misconfigured CDN
# than a wish to never be polled again, and unbounded values overflow schedulers.
MAX_HINT_SECONDS = 7 * 24 * 3600.0
MAX_KEY_LENGTH = 512
_YEAR_10000 = 253402300800
MATCH_TEXT_LIMIT = 10_000
REGEX_MAX_LENGTH = 200
FILTER_MAX_LENGTH = 1_000
# Per search; `regex` checks the clock while backtracking, so a bad pattern costs at most this per entry.
REGEX_TIMEOUT = 0.05
# After this many timeouts a compiled filter stops running its regexes (answers "filtered out" at once),
# so one bad filter costs at most about MAX_TIMEOUTS * REGEX_TIMEOUT of event-loop time per compile.
MAX_TIMEOUTS = 3

# Query parameters that only identify a marketing campaign; the same article is linked with different
# values in different feeds or over time, which would otherwise make it look like a new entry.
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc"})


# --------------------------------------------------------------------------------------------------
# Entry identity


def normalise_url(url: str) -> str:
    """Canonical form of an entry URL, used as (part of) its identity.

    Strips whitespace, lower-cases scheme and host, folds ``http`` into ``https`` (sites moving to
    HTTPS would otherwise re-post their whole feed), drops default ports, the fragment, ``utm_*`` and
    other click-tracking parameters, and a trailing slash on the path. The remaining query keeps its
    order: reordering is rarely meaningful but not provably harmless.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit((scheme, host, path or "/", urlencode(query, doseq=True), ""))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _looks_like_url(value: str) -> bool:
    return value[:8].lower().startswith(("http://", "https://"))


def _sha(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def entry_key(entry: Mapping[str, Any]) -> str:
    """A stable identity for a feed entry, used to remember what was already posted.

    Preference: the entry's id/guid, then its link, then a hash of title and publication date (the
    summary is used only when both are missing, because edited summaries would re-post). URL-like ids
    and links are normalised with ``normalise_url`` and share one namespace, so a feed that stops
    sending guids equal to its links keeps its keys. Other ids are prefixed ``id:``; keys longer than
    ``MAX_KEY_LENGTH`` are replaced by their hash so they fit an index.
    """
    entry_id = _text(entry.get("id") or entry.get("guid"))
    if entry_id:
        key = normalise_url(entry_id) if _looks_like_url(entry_id) else f"id:{entry_id}"
    else:
        link = _text(entry.get("link"))
        if link:
            key = normalise_url(link)
        else:
            title = " ".join(_text(entry.get("title")).split())
            published = _text(entry.get("published") or entry.get("updated"))
            if title or published:
                return _sha(title, published)
            return _sha("", "", _text(entry.get("summary")))
    if len(key) > MAX_KEY_LENGTH:
        return _sha(key)
    return key


def entry_timestamp(entry: Mapping[str, Any]) -> int | None:
    """Publication time of an entry as Unix seconds (UTC), or None if it has no plausible date.

    Uses feedparser's ``*_parsed`` fields (9-tuples in UTC; plain tuples after ``services.feedparse``),
    preferring published over updated over created. Dates before 1970 or past year 9999 are dropped:
    they are parse accidents, and sorting by them would bury real entries.
    """
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if not isinstance(value, (tuple, list)) or len(value) < 6:
            continue
        try:
            seconds = calendar.timegm((*(int(part) for part in value[:6]), 0, 0, 0))
        except (TypeError, ValueError, OverflowError):
            continue
        if 0 < seconds < _YEAR_10000:
            return seconds
    return None


# --------------------------------------------------------------------------------------------------
# Poll timing


def _rng(rng: random.Random | None) -> random.Random:
    return rng if rng is not None else random.Random()


def jittered_interval(interval: float, rng: random.Random | None = None, spread: float = 0.1) -> float:
    """``interval`` stretched by up to ``spread`` (10 %) at random.

    Feeds added together would otherwise be polled in lock-step forever; the jitter only ever lengthens
    the interval so a feed is never polled more often than configured.
    """
    if interval <= 0:
        raise ValueError("interval must be positive")
    return interval * (1.0 + _rng(rng).uniform(0.0, spread))


def next_delay(
    consecutive_failures: int,
    interval: float,
    cap: float = DEFAULT_BACKOFF_CAP,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll after ``consecutive_failures`` failures in a row.

    Exponential backoff with "equal jitter": the ceiling doubles per failure from ``interval`` up to
    ``cap`` and the delay is drawn from the upper half of ``[interval, ceiling]``. The result is never
    below ``interval`` (a failing feed is not polled more often than a healthy one) and never above
    ``max(interval, cap)`` (a configured interval longer than the cap is kept). Zero failures gives the
    jittered interval.
    """
    if interval <= 0:
        raise ValueError("interval must be positive")
    if consecutive_failures <= 0:
        return min(jittered_interval(interval, rng), max(interval, cap))
    # 2**60 * any sane interval is far above any cap; bounding the exponent avoids float overflow.
    ceiling = max(interval, min(cap, interval * 2.0 ** min(consecutive_failures, 60)))
    floor = max(interval, ceiling / 2.0)
    return _rng(rng).uniform(floor, ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None.

    Dates in the past give 0; values are clamped to ``MAX_HINT_SECONDS``; garbage gives None (the
    header is advisory, so a malformed one is ignored rather than failing the fetch).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(text), MAX_HINT_SECONDS)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; parsedate gives naive for "-0000"
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    seconds = (when - reference).total_seconds()
    return min(max(seconds, 0.0), MAX_HINT_SECONDS)


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,12})\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:[,=]|$)", re.IGNORECASE)


def parse_max_age(cache_control: str | None, age: str | None = None) -> float | None:
    """Remaining freshness in seconds from ``Cache-Control: max-age`` minus ``Age``, or None.

    ``no-store``/``no-cache`` mean "no lower bound". ``s-maxage`` is for shared caches and is ignored.
    Clamped to ``MAX_HINT_SECONDS``.
    """
    if not cache_control or _NO_CACHE.search(cache_control):
        return None
    match = _MAX_AGE.search(cache_control)
    if match is None:
        return None
    seconds = float(match.group(1))
    if age is not None and age.strip().isdigit():
        seconds -= float(age.strip())
    return min(max(seconds, 0.0), MAX_HINT_SECONDS)


# --------------------------------------------------------------------------------------------------
# Include / exclude filters


def _sre_parser() -> Any:
    """The stdlib regex parser, used only to inspect a pattern's structure.

    It is a private module (``re._parser``, formerly ``sre_parse``); if a future Python moves it, the
    structural checks are skipped and the match-time timeout still bounds the cost.
    """
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - depends on the Python version
        return None


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_BACKREFS = frozenset({"GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE"})
_GROUPREF_UNI = "GROUPREF_UNI_IGNORE"


def _children(op: str, av: Any) -> Iterable[Any]:
    """Sub-patterns (lists of (op, av) items) directly below one parse-tree node."""
    if op in _REPEATS:
        yield av[2]
    elif op == "SUBPATTERN":
        yield av[3]
    elif op == "BRANCH":
        yield from av[1]
    elif op in ("ASSERT", "ASSERT_NOT"):
        yield av[1]
    elif op == "ATOMIC_GROUP":
        yield av


def _contains_repeat(items: Any) -> bool:
    for op_code, av in items:
        op = str(op_code)
        if op in _REPEATS and av[1] > 1:
            return True
        if any(_contains_repeat(child) for child in _children(op, av)):
            return True
    return False


def _first_chars(items: Any) -> set[int] | None:
    """Literal characters an alternative can start with, or None if it can start with anything."""
    if not items:
        return None
    op_code, av = items[0]
    op = str(op_code)
    if op == "LITERAL":
        return {av}
    if op == "IN" and all(str(sub_op) == "LITERAL" for sub_op, _ in av):
        return {value for _, value in av}
    if op == "SUBPATTERN":
        return _first_chars(av[3])
    return None


def _ambiguous_branch(items: Any) -> bool:
    """True if an alternation below ``items`` has alternatives that may start with the same character."""
    for op_code, av in items:
        op = str(op_code)
        if op == "BRANCH":
            seen: set[int] = set()
            for alternative in av[1]:
                first = _first_chars(alternative)
                if first is None or first & seen:
                    return True
                seen |= first
        if any(_ambiguous_branch(child) for child in _children(op, av)):
            return True
    return False


def _check_structure(items: Any) -> None:
    for op_code, av in items:
        op = str(op_code)
        if op in _BACKREFS or op == _GROUPREF_UNI:
            raise ValueError("backreferences like \\1 or (?P=name) are not allowed in filters")
        if op in _REPEATS and av[1] > 1:
            body = av[2]
            if _contains_repeat(body):
                raise ValueError(
                    "nested quantifiers like (a+)+ or (.*)* are not allowed: they can take exponential time"
                )
            if _ambiguous_branch(body):
                raise ValueError(
                    "a repeated group with overlapping alternatives like (a|ab)+ is not allowed: "
                    "it can take exponential time"
                )
        for child in _children(op, av):
            _check_structure(child)


def validate_regex(pattern: str) -> regex.Pattern[str]:
    """Compile a moderator-supplied filter regex, refusing patterns that could stall the bot.

    Strategy (Python regexes cannot be interrupted, and the bot runs filters on its event loop):

    1. length cap (``REGEX_MAX_LENGTH``) and a clear message for syntax errors;
    2. structural checks on the parsed pattern: no backreferences (they make matching NP-hard and have no
       use in keyword filters), no quantifier nested inside a repeated group (``(a+)+``, ``(.*)*``), no
       repeated alternation whose alternatives can start alike (``(a|a)*``);
    3. at match time the text is capped at ``MATCH_TEXT_LIMIT`` characters and the search runs in the
       ``regex`` engine with ``REGEX_TIMEOUT``, which also bounds the polynomial cases (``.*.*x``) that
       no simple structural rule catches.
    """
    if len(pattern) > REGEX_MAX_LENGTH:
        raise ValueError(f"regex is longer than {REGEX_MAX_LENGTH} characters")
    if not pattern:
        raise ValueError("regex is empty")
    try:
        re.compile(pattern)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ValueError(f"invalid regex: {exc.msg}{where}") from exc
    parser = _sre_parser()
    if parser is not None:
        _check_structure(parser.parse(pattern))
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:  # pragma: no cover - stdlib re accepted it, regex normally does too
        raise ValueError(f"invalid regex: {exc}") from exc


def _compile_words(value: str) -> regex.Pattern[str]:
    terms = [" ".join(term.split()) for term in value.split(",")]
    terms = [term for term in terms if term]
    if not terms:
        raise ValueError("filter has no words")
    # Phrases match across any whitespace; lookarounds instead of \b so "c++" or "#tag" still work.
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in term.split(" ")) for term in terms)
    return regex.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", regex.IGNORECASE | regex.VERSION0)


def _compile_value(value: str | None) -> regex.Pattern[str] | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > FILTER_MAX_LENGTH:
        raise ValueError(f"filter is longer than {FILTER_MAX_LENGTH} characters")
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return validate_regex(text[1:-1])
    return _compile_words(text)


_TAG = re.compile(r"<[^<>]{0,2000}>")


def filter_text(entry: Mapping[str, Any]) -> str:
    """Text a filter sees: title, summary (tags stripped, entities decoded) and category terms, capped."""
    parts = [_text(entry.get("title"))]
    summary = _text(entry.get("summary") or entry.get("description"))[: MATCH_TEXT_LIMIT * 4]
    parts.append(html.unescape(_TAG.sub(" ", summary)))
    tags = entry.get("tags")
    if isinstance(tags, (list, tuple)):
        for tag in tags:
            if isinstance(tag, Mapping):
                parts.append(_text(tag.get("term")))
            elif isinstance(tag, str):
                parts.append(tag.strip())
    categories = entry.get("categories")
    if isinstance(categories, (list, tuple)):
        parts.extend(_text(category) for category in categories)
    return "\n".join(part for part in parts if part)[:MATCH_TEXT_LIMIT]


@dataclass(slots=True)
class _TimeoutBudget:
    timeouts: int = 0


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Compiled include/exclude rules; build with ``compile_filter``.

    An entry passes if it matches ``include`` (when set) and does not match ``exclude`` (when set).
    A search that hits the timeout counts against the entry in both directions (not included, or
    excluded): posting something a moderator wanted filtered is worse than skipping one article. After
    ``MAX_TIMEOUTS`` timeouts the filter stops searching and answers that way straight away.
    """

    include: regex.Pattern[str] | None
    exclude: regex.Pattern[str] | None
    _budget: _TimeoutBudget = field(default_factory=_TimeoutBudget, compare=False, repr=False)

    @property
    def timeouts(self) -> int:
        return self._budget.timeouts

    @property
    def is_empty(self) -> bool:
        return self.include is None and self.exclude is None

    def _search(self, pattern: regex.Pattern[str], text: str, *, on_timeout: bool) -> bool:
        if self._budget.timeouts >= MAX_TIMEOUTS:
            return on_timeout
        try:
            return pattern.search(text, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            self._budget.timeouts += 1
            log.warning(
                "filter %r timed out after %.0f ms (%d of %d)",
                pattern.pattern,
                REGEX_TIMEOUT * 1000,
                self._budget.timeouts,
                MAX_TIMEOUTS,
            )
            return on_timeout

    def matches(self, entry: Mapping[str, Any]) -> bool:
        if self.is_empty:
            return True
        text = filter_text(entry)
        if self.include is not None and not self._search(self.include, text, on_timeout=False):
            return False
        return self.exclude is None or not self._search(self.exclude, text, on_timeout=True)


def compile_filter(include: str | None, exclude: str | None) -> EntryFilter:
    """Compile moderator filters; raises ``ValueError`` with a message fit to show them.

    Each value is either comma-separated words/phrases (case-insensitive, matched as whole words) or a
    regex written ``/.../`` (case-insensitive, validated by ``validate_regex``). Empty values mean
    "no rule".
    """
    try:
        include_pattern = _compile_value(include)
    except ValueError as exc:
        raise ValueError(f"include filter: {exc}") from exc
    try:
        exclude_pattern = _compile_value(exclude)
    except ValueError as exc:
        raise ValueError(f"exclude filter: {exc}") from exc
    return EntryFilter(
        include=include_pattern,
        exclude=exclude_pattern,
    )
