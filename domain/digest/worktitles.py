"""Names of works are not evidence: find film titles in a headline and text so the detectors can skip them.

"David Dastmalchian Joins Technohorror KILL SCREEN From WOLF CREEK Director" says nothing about harm to
animals, and "John Dies at the End, 2012 - ★★" reveals nobody's death. The content-warning and spoiler
detectors build a :class:`TitleIndex` of the text they scan (:func:`title_index`, cached so both share it)
and mask its spans with :func:`mask_spans`: a copy **of the same length** in which every title is one opaque
word, so offsets, clause punctuation and the words around the title are kept ("the boy in 'Kill Screen' is
beaten" still warns about the beating).

Titles come from:

* **known titles**: ``<em>``/``<i>``/``<cite>`` text and links to film pages in the source HTML,
  Letterboxd's ``filmTitle``, the club's scheduled films. A known title is masked wherever it occurs (short
  everyday-word titles such as "Her" or "Up" only when capitalised mid-sentence: see
  :func:`domain.titles.is_short_title`);
* **typography**: a quoted Title Case run (‘Kill Bill’, “The Hunt”, "Saw", 'Sisu'; in a Title Case headline
  at most seven words, longer quotes there are speech), an ALL-CAPS run in mixed-case writing ("Joins KILL
  SCREEN From"; not "SPOILER ALERT", "CW: RAPE" or an all-caps line);
* **labelled headlines**: "Title, 2012 - ★★" (Letterboxd), "Title: Trailer", "Title (2012 Documentary)",
  "Title Review: ...", "[TV] Show — S01E02 — Episode";
* **film cues**: a Title Case run after a cue in running prose ("stars in", "director of", "the film",
  "sequel to") or before one ("the Wolf Creek director"). Scanning every capital of an article for cues
  would cost more than the whole warning scan, so the index checks cues lazily, only for the detectors'
  capitalised hits (:meth:`TitleIndex.covers`); :func:`title_spans` does the full scan for tests and tools.

Lower-case or sentence-like quotes ("kills it", “I would never put a frame of that on screen.”) are not
titles and stay.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache

from domain.titles import is_short_title

__all__ = [
    "MASK_CHAR",
    "TitleIndex",
    "clean_titles",
    "lower_same_length",
    "mask_spans",
    "mask_titles",
    "title_index",
    "title_spans",
]

#: The character a masked title is made of: a lower-case letter no phrase, negator or cue contains, so the
#: masked title reads as one neutral word.
MASK_CHAR = "ŧ"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that may stay lower-case inside a Title Case title ("Night of the Living Dead").
_SMALL_LIST = "a an the and or nor but of in on at to for by with from as into vs de la le du von van"
_SMALL = "(?:" + "|".join(_SMALL_LIST.split()) + ")"
_SMALL_WORDS = _words(_SMALL_LIST)
# One capitalised title word: a capital or digit first, then letters/digits/apostrophes/inner hyphens.
_CAP = r"(?:[A-Z0-9][\w'’.&-]*[\w'’]|[A-Z0-9])"
_JOIN = r"(?:[ \t]+|[:,][ \t]+|[ \t]*[-–&][ \t]*)"
_TITLE_RUN = rf"{_CAP}(?:{_JOIN}(?:{_SMALL}[ \t]+)*{_CAP})*"
_TITLE_AT = re.compile(_TITLE_RUN)
_QUOTED_TITLE = re.compile(rf"{_TITLE_RUN}[!?]?")

# Quoted titles. Every branch starts with its quote character (and checks what precedes it only after), so
# the engine skips straight to quote characters instead of testing a look-behind at every position.
_QUOTED = re.compile(
    r"'(?<![\w'’]')(?P<a>[A-Z0-9][^'\n]{0,80}?)'(?![\w’])"
    r"|‘(?P<b>[A-Z0-9][^’\n]{0,80}?)’(?!\w)"
    r"|“(?P<c>[A-Z0-9][^”\n]{0,80}?)”"
    r"|\"(?<!\w\")(?P<d>[A-Z0-9][^\"\n]{0,80}?)\"(?!\w)"
    r"|\*(?P<e>[A-Z0-9][^*\n]{0,80}?)\*"
)
# ALL-CAPS runs: two or more capital letters per word, optional digits/small joiners inside, a trailing
# number ("FIVE NIGHTS AT FREDDY'S 2"). Starts with two capitals, the word-start check after them.
_CAPS_WORD = r"(?:[A-Z][A-Z0-9]*(?:['’][A-Z]+)?[A-Z0-9]|[A-Z]['’]S)(?:['’]S)?"
_CAPS_RUN = re.compile(
    r"[A-Z][A-Z0-9'’](?<![\w'’][A-Z][A-Z0-9'’])[A-Z0-9'’]*(?:['’]S)?"
    rf"(?:(?:[ \t]+|:[ \t]+|[ \t]*[-–&][ \t]*){_CAPS_WORD})*"
    r"(?:[ \t]+\d{1,4}|[ \t]+[IVX]{1,4})?(?![\w'’])"
)
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z]{2,}(?![\w'’])")
_WARNING_LABEL = re.compile(r"(?i)\b(?:cw|tw|content warnings?|trigger warnings?|warnings?)[ \t]*:[^.,;\n]*$")
_WARNING_RUN = re.compile(r"(?:CW|TW|CWS|TWS|WARNING|WARNINGS|CONTENT WARNINGS?|TRIGGER WARNINGS?)[ \t]*:")
_CAPS_LABELS = _words(
    """SPOILER SPOILERS ALERT WARNING WARNINGS CW TW NSFW UPDATE UPDATED EXCLUSIVE BREAKING WATCH REVIEW
    TRAILER TEASER NEW RECAP VIDEO PHOTOS PHOTO INTERVIEW FIRST LOOK LIVE OFFICIAL NEWS SPECIAL TBA TBD TBC"""
)

# Film cues (lower-case words in running prose) that a title follows: "stars in Kill Screen", "director of
# Wolf Creek", "the film Kill Bill", "sequel to Saw".
_CUE_WORDS = _words(
    """film movie feature documentary thriller horror comedy drama series sequel remake reboot slasher
    musical western biopic franchise novel titled entitled watched rewatched rewatch reviewed directs
    directed helms helmed joins joined boards"""
)
_CUE_PAIRS: dict[str, frozenset[str]] = {
    "in": _words("stars star starring starred appears appeared cameos"),
    "of": _words(
        """director directors writer creator producer makers filmmaker remake reboot sequel prequel
        adaptation version spinoff trailer teaser poster review screening premiere restoration cast star"""
    ),
}
_CUE_PAIRS["for"] = _CUE_PAIRS["of"]
_CUE_PAIRS["to"] = _words("sequel prequel follow-up followup successor")
# Roles a title gives someone, after it: "the Wolf Creek director", "Kill Bill star Uma Thurman".
_CUES_AFTER = (" director", " filmmaker", " star ", " helmer")
# A lower-case word (or comma) then a capital: where a mid-sentence Title Case run can start.
_TRANSITION = re.compile(r"[a-z,] [A-Z0-9]")
_MAX_CUE_HITS = 60
# Headlines that are a work's name plus a label: "Memories of Murder: Trailer", "How to Make Money Selling
# Drugs (2012 Documentary)", "[TV] Lioness — S03E04 — Murder Hornets" (a release calendar).
_LABELLED_HEADLINES = (
    re.compile(
        r"[ \t]*(?P<title>[^\n]{1,120}?)[ \t]*(?::|[ \t][-–—|])[ \t]*(?:(?:Official|Final|New|International|"
        r"Red[- ]Band|Main|Extended|Teaser|UK|US|Japanese)[ \t]+)*(?:Trailer|Teaser|TV[ \t]Spot|Clip|"
        r"Featurette|Promo|Sneak[ \t]Peek|Spot)\b[^\n]*$"
    ),
    re.compile(r"[ \t]*(?P<title>[^\n(]{1,120}?)[ \t]*\((?:19|20)\d\d\b[^)\n]{0,30}\)[ \t]*$"),
    # "Untitled Home Invasion Romance Review: Jason Biggs' Debut Impresses"; not "Game Review: ..." (a label).
    re.compile(
        rf"[ \t]*(?!(?:Movie|Film|Game|TV|Series|Show|Book|Album|Blu-ray|4K)[ \t]+Review\b)(?P<title>{_TITLE_RUN})"
        r"[ \t]+(?:(?:Movie|Film|Series|TV|Season[ \t]+\d+)[ \t]+)?Review[ \t]*(?::|[ \t][-–—|])"
    ),
    re.compile(
        r"[ \t]*\[(?:TV|FILM|MOVIE|ANIME|GAME|DOC|SERIES)\][ \t]*(?P<title>[^\n]+?)"
        r"(?:[ \t]+[—–-][ \t]+S\d+[ \t]?E\d+(?:[ \t]+[—–-][ \t]+(?P<episode>[^\n]+?))?)?[ \t]*$"
    ),
)
# "TBA", "Episode 3": a calendar's placeholder names no work (and the spoiler rules need to see it).
_PLACEHOLDER_EPISODE = re.compile(
    r"(?i)tba|tbd|tbc|untitled|episode\s+\d+|ep\.?\s*\d+|part\s+\d+|chapter\s+\d+"
)
_DIARY_HEADLINE = re.compile(
    r"[ \t]*(?P<title>[^\n]{1,120}?),[ \t]+(?:19|20)\d\d(?:[ \t]*[-–—][^\n]*)?[ \t]*$"
)

# Capitalised words that begin clauses, not titles.
_NOT_TITLE_START = _words(
    """I A An The This That These Those He She It We They You His Her Its Our Their My Your Who What When
    Where Why How And But Or So Yet If As In On At By For From With To Of After Before While Although
    Because"""
)


class _Lines:
    """Per-line judgements, computed only for the lines that have a candidate title (cached per line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._mixed: dict[int, tuple[bool, bool]] = {}

    def bounds(self, position: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, position) + 1
        end = self.text.find("\n", position)
        return start, len(self.text) if end == -1 else end

    def kind(self, position: int) -> tuple[bool, bool]:
        """(not all capitals, written in running prose): capitals mark titles only in mixed-case writing."""
        start, end = self.bounds(position)
        found = self._mixed.get(start)
        if found is None:
            line = self.text[start:end]
            lower = _LOWER_WORD.findall(line)
            not_caps = len(lower) >= 2 or sum(1 for w in _LETTERS.findall(line) if not w.isupper()) >= 2
            prose = sum(1 for w in lower if w not in _SMALL_WORDS) >= 2
            found = self._mixed[start] = (not_caps, prose)
        return found


def _quoted_spans(text: str, lines: _Lines) -> Iterable[tuple[int, int]]:
    for match in _QUOTED.finditer(text):
        group = match.lastgroup or ""
        content = match.group(group).rstrip()
        words = len(content.split())
        if words > 10 or not _QUOTED_TITLE.fullmatch(content):
            continue
        # In a Title Case headline every quote looks like a title; a long one (over seven words: "Once Upon a
        # Time in Hollywood" is six) there is speech ("SZA Says
        # It's 'Dystopian' While “People Are Getting Snatched Up and Shot in the Face”").
        if words > 7 and not lines.kind(match.start())[1]:
            continue
        yield match.start(group), match.start(group) + len(content)


_BRACKETED = re.compile(r"\[([A-Z0-9][^\]\n]{2,80})\]")


def _bracket_spans(text: str) -> Iterable[tuple[int, int]]:
    # A bracketed Title Case run in the headline names a column, a podcast or a label ("[Murder Made Fiction
    # Podcast]", "[Exclusive]"): it says nothing about the item's content.
    end = text.find("\n")
    for match in _BRACKETED.finditer(text, 0, len(text) if end == -1 else end):
        content = match.group(1)
        # "[Spoilers]", "[CW: Rape]", "[Trigger Warning: Suicide]" are labels that mean what they say.
        if ":" in content or any(word.strip("!?.") in _CAPS_LABELS for word in content.upper().split()):
            continue
        if _QUOTED_TITLE.fullmatch(content):
            yield match.span(1)


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


# Acronyms that name content, not works: "a BDSM relationship comedy", "the KKK", "on LSD".
_CONTENT_ACRONYMS = _words("BDSM KKK LSD MDMA PCP PTSD CSA NSFW")


def _caps_spans(text: str, lines: _Lines) -> Iterable[tuple[int, int]]:
    for match in _CAPS_RUN.finditer(text):
        span = match.group()
        if sum(c.isalpha() for c in span) < 3 and " " not in span:  # "TV", "UK": acronyms
            continue
        if span.strip() in _CONTENT_ACRONYMS:
            continue
        if not lines.kind(match.start())[0]:
            continue  # an all-caps line (a keysmash review, a shouted headline) says nothing
        line_start, _ = lines.bounds(match.start())
        if _WARNING_RUN.match(span) or _WARNING_LABEL.search(
            text, max(line_start, match.start() - 40), match.start()
        ):
            continue  # "CW: RAPE" is a warning, not a title
        trimmed = _trim_labels(text, match.start(), match.end())
        if trimmed is not None:
            yield trimmed


def _occurrences(lowered: str, needle: str) -> Iterable[int]:
    index = lowered.find(needle)
    count = 0
    while index != -1 and count < _MAX_CUE_HITS:
        yield index
        count += 1
        index = lowered.find(needle, index + len(needle))


def _is_cue(text: str, position: int) -> bool:
    """Do the words just before ``position`` (a capital) make a film cue?"""
    words = text[max(0, position - 40) : position].split()[-2:]
    if not words:
        return False
    last = words[-1]
    if last in _CUE_WORDS:
        return True
    partners = _CUE_PAIRS.get(last)
    return partners is not None and len(words) == 2 and words[0] in partners


def _run_start(text: str, position: int) -> int:
    """Start of the Title Case run that the capitalised word at ``position`` belongs to."""
    start = position
    pending = start
    line_start = text.rfind("\n", 0, position) + 1
    for _ in range(12):
        space = pending - 1
        if space <= line_start or text[space] not in " \t":
            break
        word_start = max(text.rfind(" ", line_start, space), text.rfind("\t", line_start, space)) + 1
        word = text[word_start:space]
        if not word or not (word[0].isupper() or word[0].isdigit() or word in _SMALL_WORDS):
            break
        pending = word_start
        if word not in _SMALL_WORDS:
            start = pending  # small words join a run only between capitalised words
    return start


def cue_title_span(text: str, position: int, lines: _Lines | None = None) -> tuple[int, int] | None:
    """The title span containing the capitalised word at ``position`` when a film cue marks it as a title
    ("stars in Kill Screen", "the film Kill Bill", "the Wolf Creek director"), else None. Cheap: the
    detectors call it only for their few capitalised hits instead of scanning every capital."""
    if not (text[position : position + 1].isupper() or text[position : position + 1].isdigit()):
        return None
    lines = lines or _Lines(text)
    start = _run_start(text, position)
    match = _TITLE_AT.match(text, start)
    if match is None or match.end() <= position:
        return None
    end = match.end()
    first = match.group().split()[0]
    if _is_cue(text, start) and first not in _NOT_TITLE_START and lines.kind(position)[1]:
        return start, end
    if any(text.startswith(cue, end) for cue in _CUES_AFTER) and lines.kind(position)[1]:
        if first in _NOT_TITLE_START:  # "The Wolf Creek director": the article is not the title
            start += len(first)
            while start < end and text[start] in " \t":
                start += 1
        if start <= position < end:
            return start, end
    return None


def _cue_spans(text: str, lines: _Lines) -> Iterable[tuple[int, int]]:
    # The full scan (for tests and tools): every capital after a lower-case word or comma.
    seen = -1
    for transition in _TRANSITION.finditer(text):
        position = transition.end() - 1
        if position < seen:
            continue
        span = cue_title_span(text, position, lines)
        if span is not None:
            seen = span[1]
            yield span


def _diary_span(text: str) -> Iterable[tuple[int, int]]:
    first_line_end = text.find("\n")
    end = len(text) if first_line_end == -1 else first_line_end
    for pattern in (_DIARY_HEADLINE, *_LABELLED_HEADLINES):
        match = pattern.match(text, 0, end)
        if match is not None:
            yield match.span("title")
            episode = match.group("episode") if "episode" in pattern.groupindex else None
            if episode and not _PLACEHOLDER_EPISODE.fullmatch(episode):
                yield match.span("episode")
            return


def _known_spans(text: str, lowered: str, titles: tuple[str, ...]) -> Iterable[tuple[int, int]]:
    # str.find per title: far cheaper than a case-insensitive regex over the whole article.
    for title in titles:
        short = is_short_title(title)
        needle = title if short else title.lower()
        haystack = text if short else lowered
        for index in _occurrences(haystack, needle):
            end = index + len(needle)
            if (index and haystack[index - 1].isalnum()) or (end < len(text) and haystack[end].isalnum()):
                continue
            if short:
                # "Her", "Up", "Us": only a capitalised mention that does not start a sentence.
                before = text[:index].rstrip(" \t\"'‘“*_(")
                if not before or before[-1] in ".!?:\n":
                    continue
            yield index, end


def lower_same_length(text: str) -> str:
    """``text`` lower-cased with every offset kept: the few characters that grow ("İ") stay as they are."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased ("İ")
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered


class TitleIndex:
    """The work titles of one text: ``spans`` found eagerly (known titles, quotes, capitals, a diary
    headline: a few C-level scans), and :meth:`covers` for a detector's hit, which also asks the lazy
    cue check (:func:`cue_title_span`) when the hit is capitalised."""

    __slots__ = ("_lines", "_starts", "spans", "text")

    def __init__(self, text: str, titles: tuple[str, ...]) -> None:
        self.text = text
        self._lines = _Lines(text)
        typographic = [
            *_quoted_spans(text, self._lines),
            *_caps_spans(text, self._lines),
            *_bracket_spans(text),
        ]
        # A title marked once (quoted in the headline, in capitals) is a title wherever it recurs: "the
        # movie I Killed Him in My Sleep" under the headline "... Thriller 'I Killed Him in My Sleep'".
        # Only titles of two words or more: a one-word title ('Saw') is also an everyday word.
        recurring = tuple(
            sorted(
                {found for found in (text[a:b] for a, b in typographic) if len(found.split()) >= 2}
                - set(titles)
            )
        )
        known = titles + recurring
        lowered = lower_same_length(text) if known else ""
        self.spans = _merge(
            [
                *_known_spans(text, lowered, known),
                *typographic,
                *_diary_span(text),
            ]
        )
        self._starts = [span[0] for span in self.spans]

    def covers(self, start: int, end: int, *, names: bool = True) -> bool:
        """Does ``text[start:end]`` (a detector's hit) lie in a work title? With ``names``, a capitalised hit
        inside a Title Case run in the middle of a sentence of prose counts too ("wrapping up our coverage
        on Murder Made Fiction"): mid-sentence capitals in running prose make a name. Callers pass False
        for words that are proper nouns by nature ("Jim Crow", "Nazi")."""
        index = bisect_right(self._starts, start) - 1
        if index >= 0 and self.spans[index][1] >= end:
            return True
        text = self.text
        position = start
        while position < end:
            if text[position].isupper() or text[position].isdigit():
                if cue_title_span(text, position, self._lines) is not None:
                    return True
                return names and self._mid_sentence_name(position, end)
            next_space = text.find(" ", position, end)
            if next_space == -1:
                break
            position = next_space + 1
        return False

    def _mid_sentence_name(self, position: int, end: int) -> bool:
        text = self.text
        if not self._lines.kind(position)[1]:
            return False  # a Title Case headline: every word is capitalised there
        start = _run_start(text, position)
        before = text[max(0, start - 8) : start].rstrip(" \t")
        if not before or before[-1] in ".!?:;\n\"“‘'(" or (not before[-1].isalpha() and before[-1] != ","):
            return False  # a sentence (or quote) starts here: its first capital says nothing
        match = _TITLE_AT.match(text, start)
        if match is None or match.end() < end:
            return False
        return sum(1 for word in match.group().split() if word[:1].isupper() or word[:1].isdigit()) >= 2


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


# The warning and spoiler detectors both index the same article: build the index once.
@lru_cache(maxsize=8)
def title_index(text: str, titles: tuple[str, ...] = ()) -> TitleIndex:
    return TitleIndex(text, titles)


def clean_titles(titles: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({" ".join(t.split()) for t in titles if t and t.strip()}))


def title_spans(text: str, titles: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Every work title span in ``text``, cue-led runs included (a full scan: for tests and tools; the
    detectors use :func:`title_index`, which checks cue-led runs only at their hits)."""
    index = title_index(text, clean_titles(titles))
    return list(_merge([*index.spans, *_cue_spans(text, _Lines(text))]))


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
