"""Names of works are not evidence: find film titles in a headline and text so the detectors can skip them.

"David Dastmalchian Joins Technohorror KILL SCREEN From WOLF CREEK Director" says nothing about harm to
animals, and "John Dies at the End, 2012 - ★★" reveals nobody's death. The content-warning and spoiler
detectors call :func:`mask_titles` on the text they scan; it returns a copy **of the same length** in which
every title span is one opaque word (so offsets, clause punctuation and the words around the title are
kept: "the boy in 'Kill Screen' is beaten" still warns about the beating).

Titles come from two places:

* **known titles**: ``<em>``/``<i>``/``<cite>`` text in the source HTML, Letterboxd's ``filmTitle``, the
  club's scheduled films. A known title is masked wherever it occurs (short everyday-word titles such as
  "Her" or "Up" only when capitalised mid-sentence: see :func:`domain.titles.is_short_title`);
* **typography and context**: a quoted Title Case run (‘Kill Bill’, “The Hunt”, "Saw", 'Sisu'), an ALL-CAPS
  run in mixed-case writing ("Joins KILL SCREEN From"), a Title Case run after a film cue ("stars in",
  "director of", "the film", "sequel to") or before one ("the Wolf Creek director"), and a Letterboxd-style
  headline "Title, 2012".

Lower-case or sentence-like quotes ("kills it", “I would never put a frame of that on screen.”) are not
titles and stay. Cost: a few C-level regex scans per text (no Python work per word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from domain.titles import is_short_title

__all__ = ["MASK_CHAR", "mask_spans", "mask_titles", "title_spans"]

#: The character a masked title is made of: a lower-case letter no phrase, negator or cue contains, so the
#: masked title reads as one neutral word.
MASK_CHAR = "ŧ"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that may stay lower-case inside a Title Case title ("Night of the Living Dead").
_SMALL = r"(?:a|an|the|and|or|nor|but|of|in|on|at|to|for|by|with|from|as|into|vs\.?|de|la|le|du|von|van)"
# One capitalised title word: a capital or digit first, then letters/digits/apostrophes/inner hyphens.
_CAP = r"(?:[A-Z0-9][\w'’.&-]*[\w'’]|[A-Z0-9])"
_TITLE_RUN = rf"{_CAP}(?:(?:[ \t]+|:[ \t]+|[ \t]*[-–][ \t]*)(?:{_SMALL}[ \t]+)*{_CAP})*"
_SPACE = r"[ \t]+"

# Quoted titles: the content is short and Title Case (the significant words capitalised).
_QUOTED = re.compile(
    r"(?:(?<![\w'’])'(?P<a>[A-Z0-9][^'\n]{0,80}?)'(?![\w’])"
    r"|‘(?P<b>[A-Z0-9][^’\n]{0,80}?)’(?!\w)"
    r"|“(?P<c>[A-Z0-9][^”\n]{0,80}?)”"
    r"|(?<!\w)\"(?P<d>[A-Z0-9][^\"\n]{0,80}?)\"(?!\w)"
    r"|\*(?P<e>[A-Z0-9][^*\n]{0,80}?)\*)"
)
# ALL-CAPS runs: two or more capital letters per word, optional digits/small joiners inside, a trailing
# number ("FIVE NIGHTS AT FREDDY'S 2").
_CAPS_WORD = r"(?:[A-Z][A-Z0-9]*(?:['’][A-Z]+)?[A-Z0-9]|[A-Z]['’]S)(?:['’]S)?"
_CAPS_RUN = re.compile(
    rf"(?<![\w'’]){_CAPS_WORD}(?:(?:[ \t]+|:[ \t]+|[ \t]*[-–&][ \t]*){_CAPS_WORD})*"
    r"(?:[ \t]+\d{1,4}|[ \t]+[IVX]{1,4})?(?![\w'’])"
)
_WARNING_LABEL = re.compile(r"(?i)\b(?:cw|tw|content warnings?|trigger warnings?|warnings?)[ \t]*:[^.,;\n]*$")
_WARNING_RUN = re.compile(r"(?:CW|TW|CWS|TWS|WARNING|WARNINGS|CONTENT WARNINGS?|TRIGGER WARNINGS?)[ \t]*:")
_SMALL_WORDS = frozenset(_SMALL.strip("(?:)").replace("\\.?", "").split("|"))
_CAPS_LABELS = _words(
    """SPOILER SPOILERS ALERT WARNING WARNINGS CW TW NSFW UPDATE UPDATED EXCLUSIVE BREAKING WATCH REVIEW
    TRAILER TEASER NEW RECAP VIDEO PHOTOS PHOTO INTERVIEW FIRST LOOK LIVE OFFICIAL NEWS SPECIAL"""
)
# Film cues followed by a title: "stars in Kill Screen", "director of Wolf Creek", "the film Kill Bill".
_CUE_BEFORE = re.compile(
    r"(?i:\b(?:stars?|starring|starred|appears?|appeared|cameos?)[ \t]+in"
    r"|\b(?:director|directors|writer|star|stars|creator|producer|maker|makers|helmer|filmmaker|remake|"
    r"reboot|sequel|prequel|adaptation|version|follow[- ]up|spinoff|spin-off|trailer|teaser|poster|review|"
    r"screening|premiere|release|rerelease|restoration|cast|director's cut)[ \t]+(?:of|for|to)"
    r"|\b(?:the|a|his|her|their|its|new|latest|upcoming|classic|cult)[ \t]+(?:[\w-]+[ \t]+){0,2}"
    r"(?:film|movie|feature|documentary|doc|short|thriller|horror|comedy|drama|series|show|sequel|"
    r"prequel|remake|reboot|adaptation|slasher|musical|western|biopic|anime|franchise|miniseries|"
    r"novel|book|game|play|episode|album|song|picture|flick)"
    r"|\b(?:titled|called|entitled|dubbed|watch|watched|rewatched|review:|reviewed|directs|directed|"
    r"helms|helmed|wrote|co-wrote|produced|joins|joined|lands|boards|exits|headlines|fronts))"
    rf"[ \t]+(?P<title>{_TITLE_RUN})"
)
# A title followed by the role it gives someone: "the Wolf Creek director", "Kill Bill star Uma Thurman".
_CUE_AFTER = re.compile(
    rf"(?<![\w'’])(?P<title>{_TITLE_RUN})[ \t]+"
    r"(?:director|directors|filmmaker|helmer|star|actor|actress|writer|writers|creator|creators|"
    r"producer|producers|showrunner|sequel|sequels|prequel|remake|reboot|trailer|teaser|franchise|"
    r"spinoff|spin-off|cast|review|screenwriter|composer|team|universe|saga|series|fans)\b"
)
# Letterboxd and similar diary headlines: "John Dies at the End, 2012 - ★★", "Pearl, 2022".
_DIARY_HEADLINE = re.compile(
    r"\A[ \t]*(?P<title>[^\n]{1,120}?),[ \t]+(?:19|20)\d\d(?:[ \t]*[-–—][^\n]*)?[ \t]*$"
)

# A cue run must start with a capital that is not just the start of a sentence-like word list: these
# capitalised words begin clauses, not titles.
_NOT_TITLE_START = _words(
    """I A An The This That These Those He She It We They You His Her Its Our Their My Your Who What When
    Where Why How And But Or So Yet If As In On At By For From With To Of After Before While Although
    Because"""
)


def _is_title_case(words: Sequence[str]) -> bool:
    significant = [w for i, w in enumerate(words) if i == 0 or not re.fullmatch(_SMALL, w, re.I)]
    return bool(significant) and all(w[0].isupper() or w[0].isdigit() for w in significant)


def _quoted_spans(text: str) -> Iterable[tuple[int, int]]:
    for match in _QUOTED.finditer(text):
        group = match.lastgroup or ""
        content = match.group(group)
        words = re.findall(r"[\w'’.&-]+", content)
        if not words or len(words) > 10 or content.rstrip()[-1:] in ",;":
            continue
        # A sentence in quotes ("I knew from the start.") is speech, not a title.
        if content.rstrip().endswith(".") and len(words) > 3:
            continue
        if _is_title_case(words):
            yield match.start(group), match.end(group)


def _caps_spans(text: str) -> Iterable[tuple[int, int]]:
    # Capitals mark a title only in mixed-case writing; an all-caps line (a keysmash review, a shouted
    # headline) says nothing.
    for line_match in re.finditer(r"[^\n]+", text):
        line = line_match.group()
        offset = line_match.start()
        if sum(1 for w in re.findall(r"[A-Za-z]{2,}", line) if not w.isupper()) < 2:
            continue
        for match in _CAPS_RUN.finditer(line):
            span = match.group()
            letters = sum(c.isalpha() for c in span)
            if letters < 3 and " " not in span:  # "TV", "UK": acronyms, not titles
                continue
            if _WARNING_RUN.match(span) or _WARNING_LABEL.search(
                line, max(0, match.start() - 40), match.start()
            ):
                continue  # "CW: RAPE" is a warning, not a title
            trimmed = _trim_labels(line, match.start(), match.end())
            if trimmed is not None:
                yield offset + trimmed[0], offset + trimmed[1]


def _trim_labels(line: str, start: int, end: int) -> tuple[int, int] | None:
    # "SPOILER ALERT", "EXCLUSIVE", "WATCH": shouted labels at either end of a run are not part of a title.
    words = list(re.finditer(r"[^\s:–-]+", line[start:end]))
    while words and words[0].group().rstrip("'’S").upper() in _CAPS_LABELS | {"SPOILER"}:
        words.pop(0)
    while words and words[-1].group().upper() in _CAPS_LABELS:
        words.pop()
    if not words or (len(words) == 1 and sum(c.isalpha() for c in words[0].group()) < 3):
        return None
    return start + words[0].start(), start + words[-1].end()


def _trim_run(text: str, start: int, end: int) -> tuple[int, int] | None:
    words = text[start:end].split()
    if not words or (words[0] in _NOT_TITLE_START and len(words) == 1):
        return None
    return start, end


def _mixed_case_lines(text: str) -> Iterable[tuple[int, str]]:
    """(offset, line) of each line written in ordinary mixed case: capitals there can mark a title."""
    for line_match in re.finditer(r"[^\n]+", text):
        line = line_match.group()
        lower = sum(1 for w in re.findall(r"[A-Za-z]{2,}", line) if w.islower() and w not in _SMALL_WORDS)
        if lower >= 2:
            yield line_match.start(), line


def _cue_spans(text: str) -> Iterable[tuple[int, int]]:
    # In a Title Case headline every word is capitalised, so a run after "Joins" would swallow the rest of
    # the headline: cue runs count only in mixed-case lines.
    for offset, line in _mixed_case_lines(text):
        yield from ((offset + a, offset + b) for a, b in _line_cue_spans(line))


def _line_cue_spans(text: str) -> Iterable[tuple[int, int]]:
    for pattern in (_CUE_BEFORE, _CUE_AFTER):
        for match in pattern.finditer(text):
            start, end = match.span("title")
            if pattern is _CUE_AFTER and text[start:end].split()[0] in _NOT_TITLE_START:
                # "The Wolf Creek director": skip a leading article, keep the rest.
                first = text[start:end].split()[0]
                start += len(first)
                while start < end and text[start] in " \t":
                    start += 1
                if start >= end:
                    continue
            span = _trim_run(text, start, end)
            if span is not None:
                yield span


def _diary_span(text: str) -> Iterable[tuple[int, int]]:
    first_line_end = text.find("\n")
    first_line = text if first_line_end == -1 else text[:first_line_end]
    match = _DIARY_HEADLINE.match(first_line)
    if match is not None:
        yield match.span("title")


@lru_cache(maxsize=512)
def _known_pattern(titles: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(case-insensitive pattern of the distinctive titles, case-sensitive pattern of the short ones)."""
    long_parts: list[str] = []
    short_parts: list[str] = []
    for title in titles:
        words = re.findall(r"[\w'’.&:-]+|[^\w\s]", title)
        if not words or not any(ch.isalnum() for ch in title):
            continue
        body = r"[\W_]{1,3}".join(re.escape(w) for w in words)
        (short_parts if is_short_title(title) else long_parts).append(body)

    def compile_(parts: list[str], flags: int) -> re.Pattern[str] | None:
        if not parts:
            return None
        parts.sort(key=len, reverse=True)
        return re.compile(r"(?<![\w'’])(?:" + "|".join(parts) + r")(?![\w])", flags)

    return compile_(long_parts, re.IGNORECASE), compile_(short_parts, 0)


def _known_spans(text: str, titles: Sequence[str]) -> Iterable[tuple[int, int]]:
    cleaned = tuple(sorted({" ".join(t.split()) for t in titles if t and t.strip()}))
    if not cleaned:
        return
    long_pattern, short_pattern = _known_pattern(cleaned)
    if long_pattern is not None:
        for match in long_pattern.finditer(text):
            yield match.span()
    if short_pattern is not None:
        # "Her", "Up", "Us": only a capitalised mention that does not start a sentence.
        for match in short_pattern.finditer(text):
            before = text[: match.start()].rstrip(" \t\"'‘“*_(")
            if before and before[-1] not in ".!?:\n":
                yield match.span()


def title_spans(text: str, titles: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of work titles in ``text`` (see the module docstring)."""
    spans = [
        *_known_spans(text, titles),
        *_quoted_spans(text),
        *_caps_spans(text),
        *_cue_spans(text),
        *_diary_span(text),
    ]
    if not spans:
        return []
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def mask_titles(text: str, titles: Sequence[str] = ()) -> str:
    """``text`` with every work title replaced by :data:`MASK_CHAR` characters (same length, one word)."""
    return mask_spans(text, title_spans(text, titles))


def mask_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each of the sorted, disjoint ``spans`` replaced by :data:`MASK_CHAR` characters."""
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(MASK_CHAR * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
