"""Spoiler-prone articles: explainers, recaps, finales, twists and post-credits scenes.

Each rule is a pattern and the reason shown to the club. Negative phrases ("spoiler-free review", "no
spoilers") are blanked out first so that they cannot satisfy a rule. Title-only rules catch headline
conventions ("Recap:", "S02E05") that mean nothing inside body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.digest.worktitles import TitleIndex, clean_titles, mask_spans, title_index

_I = re.IGNORECASE

_NOT_SPOILERS = re.compile(
    r"\b(?:spoiler[-\s]?free|spoiler[-\s]?light|non[-\s]?spoiler(?:y)?|no\s+(?:major\s+)?spoilers|"
    r"without\s+(?:any\s+)?spoil(?:ers|ing)|(?:won't|will\s+not|don't|do\s+not)\s+spoil|avoid(?:ing)?\s+spoilers|"
    r"free\s+of\s+spoilers|minimal\s+spoilers)\b",
    _I,
)

# (pattern, reason, keywords) over title and text. A rule's regex only runs when one of its keywords occurs
# in the lower-cased text: a substring test is far cheaper than a regex scan, and most articles have none.
SPOILER_RULES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        re.compile(
            r"\bendings?,?\s+(?:explained|breakdown|analysis|decoded|meaning)\b|"
            r"\bexplain(?:s|ed|ing)?\s+(?:the|that|its|this|his|her)\s+(?:\w+\s+){0,2}ending\b|"
            r"\bwhat\s+(?:the|that)\s+ending\s+(?:means|really\s+means)\b|\bthe\s+ending,\s+explained\b",
        ),
        "ending explained",
        ("ending",),
    ),
    (
        re.compile(
            r"\bspoilers?\s+(?:ahead|alert|warning|below|follow|abound|galore)\b|"
            r"\b(?:major|massive|huge|full|heavy|big|mild|minor|some|light|plot)\s+spoilers\b|"
            r"\bcontains?\s+spoilers\b|\bspoiler[-\s](?:filled|heavy|laden|packed|y)\b|\bspoilers\s+for\b|"
            r"[\[(]\s*spoilers?\s*[\])]|\bwarning:?\s+spoilers?\b|^\s*spoilers?\s*[:!]|\bspoiler\s+territory\b",
            re.MULTILINE,
        ),
        "marked as containing spoilers",
        ("spoil",),
    ),
    (
        re.compile(
            r"\b(?:the|that|this|its|final|big|shocking|major|late|last[-\s]minute|third[-\s]act|plot|ending|"
            r"surprise|huge|massive|mid[-\s]credits|jaw[-\s]dropping|killer)\s+twists?\b(?!\s+on\b)|"
            r"\btwist\s+ending\b|\b(?:big|final|shocking|major)\s+reveal\b",
        ),
        "discusses a twist",
        ("twist", "reveal"),
    ),
    (
        re.compile(
            r"\b(?:season|series|mid[-\s]?season|show)\s+finale\b|\bfinale\s+(?:recap|explained|review|breakdown)\b|"
            r"\b(?:episode|finale|season|premiere|chapter|part)\s+(?:\d+\s+)?recap\b|\brecap\s*[:|–—]",
        ),
        "finale or recap",
        ("finale", "recap"),
    ),
    (
        re.compile(
            # "find out who dies", "who lives and who dies"; not an obituary's "the singer who died in 2005".
            r"\bwho\s+(?:dies|survives|lives|gets\s+killed)\b(?!\s+(?:in|on)\s+(?:\d|jan|feb|mar|apr|may|jun|jul|"
            r"aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|saturday|sunday))|"
            r"\b(?:reveals?|revealed|find\s+out|found\s+out|learn|learned|know|knowing|guess|explains?|spoils?)\s+"
            r"who\s+(?:died|survived|lived|was\s+killed|got\s+killed)\b|"
            r"\b(?:dies|is\s+killed|gets\s+killed|was\s+killed)\s+(?:in|at)\s+the\s+(?:end|finale|ending|last\s+episode)\b|"
            r"\bkilled\s+off\b(?!\s+(?:the\s+|its\s+|their\s+)?(?:competition|rivals?|projections|franchise|"
            r"series|show|sequel|spinoff|spin-off|deal|project|plans?|chances|hopes))|\bdeath\s+explained\b|\b(?:shocking|surprise|major)\s+death\b",
        ),
        "reveals who dies",
        ("who ", "dies", "died", "killed", "death", "surviv"),
    ),
    (
        re.compile(
            r"\bfate\s+of\s+(?!the\s+(?:franchise|film|movie|sequel|series|show|project|studio|industry|cinema|"
            r"theaters|theatres|box\s+office|deal|merger)\b)|"
            r"\b(?!(?:film|movie|studio|franchise|show|series|sequel|project|industry|cinema|deal)['’]s)\w+['’]s\s+fate\b",
        ),
        "discusses a character's fate",
        ("fate",),
    ),
    (
        re.compile(
            r"\b(?:post|mid|after|end)[-\s]?credits?\s+(?:scenes?|sequences?|stingers?|teases?)\b|\bpost[-\s]credits?\b",
        ),
        "post-credits scene",
        ("credit",),
    ),
    (
        re.compile(
            r"\b(?:identity\s+of\s+the|reveals?\s+(?:the\s+)?|unmask(?:s|ed|ing)?\s+the)\s*(?:killer|murderer|culprit|"
            r"villain|mole|traitor)\b|\bthe\s+(?:killer|murderer|culprit)\s+(?:is|was)\s+revealed\b",
        ),
        "reveals the culprit",
        ("identity", "reveal", "unmask"),
    ),
)
TITLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brecap\b", _I), "finale or recap"),
    (re.compile(r"\bS\d{1,2}\s?E\d{1,3}\b|\bseason\s+\d+,?\s+episode\s+\d+\b", _I), "episode discussion"),
    (re.compile(r"\bspoilers?\b", _I), "marked as containing spoilers"),
    (
        re.compile(r"\bending\b.{0,40}\b(?:explained|meaning|means)\b|\bexplained\b.{0,40}\bending\b", _I),
        "ending explained",
    ),
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _without_denials(lowered: str) -> str:
    # Same length out as in, so positions still point into the original text.
    return _NOT_SPOILERS.sub(_blank, lowered) if "spoil" in lowered else lowered


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters grow when lower-cased ("İ"): keep offsets aligned
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered


def detect_spoilers(title: str, text: str, *, work_titles: Sequence[str] = ()) -> tuple[str, ...]:
    """Return why the article looks spoiler-prone (empty when it does not), in rule order, without repeats.

    Names of works do not count (see :mod:`domain.digest.worktitles`): "John Dies at the End, 2012"
    reveals nobody's death. ``work_titles`` are titles known to occur (italics, Letterboxd, the schedule).
    """
    # The same layout as the content-warning detector's, so the title index built for it is reused.
    head = (title or "").strip()
    combined = f"{head}\n\n{text or ''}" if head else text or ""
    titles = title_index(combined, clean_titles(work_titles))
    masked = mask_spans(combined, titles.spans)
    clean_title = _NOT_SPOILERS.sub(_blank, masked[: len(head)])
    lowered = _without_denials(_lower(masked))
    reasons: list[str] = []
    for pattern, reason in TITLE_RULES:
        if reason not in reasons and _first_outside_titles(pattern.finditer(clean_title), titles):
            reasons.append(reason)
    for pattern, reason, keywords in SPOILER_RULES:
        if reason not in reasons and _search_near(pattern, lowered, keywords, titles):
            reasons.append(reason)
    return tuple(reasons)


_WINDOW = 120
_MAX_OCCURRENCES = 50


def _first_outside_titles(matches: Iterable[re.Match[str]], titles: TitleIndex) -> bool:
    # A match inside a title that a film cue marks ("the film Who Dies Next") is a name, not a cue.
    return any(not titles.covers(*match.span()) for match in matches)


def _search_near(
    pattern: re.Pattern[str], lowered: str, keywords: tuple[str, ...], titles: TitleIndex
) -> bool:
    # Every rule's matches contain one of its keywords, so the regex only needs to run in a window around
    # each keyword occurrence: a few short searches instead of scanning the whole article per rule.
    for keyword in keywords:
        index = lowered.find(keyword)
        seen = 0
        while index != -1 and seen < _MAX_OCCURRENCES:
            window = pattern.finditer(lowered, max(0, index - _WINDOW), index + len(keyword) + _WINDOW)
            if _first_outside_titles(window, titles):
                return True
            seen += 1
            index = lowered.find(keyword, index + len(keyword))
        if seen >= _MAX_OCCURRENCES and _first_outside_titles(pattern.finditer(lowered), titles):
            return True  # pathological text: fall back to a full scan
    return False
