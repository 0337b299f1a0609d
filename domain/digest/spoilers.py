"""Spoiler-prone articles: explainers, recaps, finales, twists and post-credits scenes.

Each rule is a pattern and the reason shown to the club. Negative phrases ("spoiler-free review", "no
spoilers") are blanked out first so that they cannot satisfy a rule. Title-only rules catch headline
conventions ("Recap:", "S02E05") that mean nothing inside body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.digest.worktitles import TitleIndex, clean_titles, lower_same_length, mask_spans, title_index

_I = re.IGNORECASE

_NOT_SPOILERS = re.compile(
    r"\b(?:spoiler[-\s]?free|spoiler[-\s]?light|non[-\s]?spoiler(?:y)?|no\s+(?:major\s+)?spoilers|"
    r"without\s+(?:any\s+)?spoil(?:ers|ing)|(?:won't|will\s+not|don't|do\s+not)\s+spoil|avoid(?:ing)?\s+spoilers|"
    r"free\s+of\s+spoilers|minimal\s+spoilers|(?:as\s+|very\s+|with\s+)?few\s+spoilers(?:\s+as\s+possible)?|"
    r"light\s+on\s+spoilers)\b",
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
            # Not the rhetorical "but here's the twist:".
            r"(?<!here['’]s\s)(?<!here\sis\s)\b(?:the|that|this|its|final|big|shocking|major|late|last[-\s]minute|third[-\s]act|plot|ending|"
            r"surprise|huge|massive|mid[-\s]credits|jaw[-\s]dropping|killer)\s+twists?\b(?!\s+on\b)(?!,?\s+(?:and\s+)?turns\b)|"
            r"\btwist\s+ending\b|\b(?:big|final|shocking|major|surprising|surprise|stunning|unexpected|"
            r"jaw[-\s]dropping|secret)\s+reveal\b|"
            r"\b(?:surprise|secret|hidden|unexpected|blink[-\s]and[-\s](?:miss|you['’]ll[-\s]miss)[-\s]it)\s+cameos?\b",
        ),
        "discusses a twist",
        ("twist", "reveal", "cameo"),
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
            # "Solves A Huge Mystery From The Games", "the mystery of the box, answered"; not a premise's
            # "must solve the mystery" or "tries to solve a murder".
            r"(?<!\bto\s)(?<!must\s)(?<!will\s)(?<!can\s)\b(?:solves|solved|answers|answered|unravels|cracks|"
            r"cracked)\s+(?:a|the|that|its|one|an|this)\s+(?:\w+\s+){0,2}myster(?:y|ies)\b(?!\s+(?:case|cases))|"
            r"\bmyster(?:y|ies),?\s+(?:solved|explained|answered|finally\s+solved)\b|"
            r"\bfinally\s+(?:have|has|get|gets|got|know|knows|learn|learns)\s+(?:the|an)\s+answers?\s+to\b",
        ),
        "reveals a mystery's answer",
        ("myster", "answer"),
    ),
    (
        re.compile(
            r"\b(?:identity\s+of\s+the|reveals?\s+(?:the\s+)?|unmask(?:s|ed|ing)?\s+the)\s*(?:killer|murderer|culprit|"
            r"villain|mole|traitor)\b|\bthe\s+(?:killer|murderer|culprit)\s+(?:is|was)\s+revealed\b|"
            # "the killer in that movie was Pamela Voorhees"; not "the killer was never caught".
            r"\bthe\s+(?:real\s+)?(?:killer|murderer|culprit)\s+(?:in\s+(?:that|the|this)\s+(?:movie|film|original|"
            r"book|episode)\s+)?(?:was|is)\s+(?:actually\s+|really\s+)?(?!(?:a|an|the|never|not|still|on|at|in|out|"
            r"back|revealed|loose|caught|dead|alive|unknown|coming|after|so|very|also|just)\b)(?=[a-z])",
        ),
        "reveals the culprit",
        ("identity", "reveal", "unmask", "killer", "murderer", "culprit"),
    ),
)
#: The words that carry the rules' keywords, for a caller whose own word scan reports where they occur
#: (the content-warning phrase scan does: see :func:`reasons_at`), so no keyword search is needed here.
KEYWORD_WORDS: frozenset[str] = frozenset(
    """spoil spoils spoiled spoilt spoiler spoilers spoiling spoilery ending endings twist twists cameo cameos
    reveal reveals revealed revealing finale finales recap recaps who dies died killed death deaths survive
    survives survived surviving survivor survivors fate fates credit credits credited identity unmask unmasks
    unmasked unmasking mystery mysteries answer answers killer murderer culprit""".split()  # noqa: SIM905 - a word list reads better as words
)
# Per rule, the keyword words that carry one of its keywords.
_RULE_WORDS: tuple[frozenset[str], ...] = tuple(
    frozenset(w for w in KEYWORD_WORDS if any(k.strip() in w for k in keywords))
    for _, _, keywords in SPOILER_RULES
)
TITLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brecap\b", _I), "finale or recap"),
    # An episode code, unless it is a release calendar's line whose episode title is a placeholder
    # ("[TV] Neagley — S01E01 — Episode 1", "... — TBA"): that reveals nothing.
    (
        re.compile(
            r"\b(?:S\d{1,2}\s?E\d{1,3}|season\s+\d+,?\s+episode\s+\d+)\b"
            r"(?!\s*[—–-]\s*(?:tba|tbd|tbc|untitled|episode\s+\d+|ep\.?\s*\d+|part\s+\d+|chapter\s+\d+)\s*$)",
            _I,
        ),
        "episode discussion",
    ),
    (re.compile(r"\bspoilers?\b", _I), "marked as containing spoilers"),
    (
        re.compile(r"\bending\b.{0,40}\b(?:explained|meaning|means)\b|\bexplained\b.{0,40}\bending\b", _I),
        "ending explained",
    ),
    # A TV interview about one episode: "Star Unpacks Clark's Episode 2 Interrogation".
    (
        re.compile(
            r"\b(?:unpacks?|breaks?\s+down|reacts?\s+to|explains?|talks?|on)\b.{0,60}\bepisode\s+\d+\b(?!\s*(?:recap|review))",
            _I,
        ),
        "episode discussion",
    ),
    # What an adaptation changed: "Project Hail Mary Changes a Dark Moment from the Book".
    (
        re.compile(
            r"\bchang(?:es|ed|ing)\s+(?:a|the|that|its|one)\s+(?:\w+\s+){0,2}(?:moment|scene|ending|death|twist|"
            r"finale|fate)\b",
            _I,
        ),
        "discusses a change to the story",
    ),
    # A headline naming one twist it discusses: "The Pawbert Twist, Andy Samberg, and ..."; not "a fresh twist
    # on", "with a twist", nor trade news's "the latest twist in the saga".
    (
        re.compile(
            r"\b(?:the|that|this|its)\s+(?!(?:latest|newest|new|next|another|last|strange|weird|odd|bizarre|"
            r"ironic|cruel|fresh|modern|fun|clever|unique|little|surprising|unexpected)\b)(?:[\w'’]+\s+){1,2}"
            r"twists?\b(?!\s+(?:on|in|to|for|of)\b)(?!,?\s+(?:and|&)\s+turns\b)",
            _I,
        ),
        "discusses a twist",
    ),
    # A headline about a character leaving a show: "How 'The Pitt' Explains Dr. Collins' Season 2 Exit".
    (
        re.compile(r"\bseason\s+\d+\s+(?:exit|departure|death|demise|send[-\s]?off)\b", _I),
        "discusses a character's fate",
    ),
    # A headline about one scene: "Directors Break Down Judy and Nick's Big Confession Scene" (not "explains
    # the moment she got the part").
    (
        re.compile(r"\b(?:breaks?\s+down|unpacks?|dissects?)\s+(?:[\w'’]+\s+){1,6}?scene\b", _I),
        "discusses a key scene",
    ),
    # A headline about how it ends: "Ends On An Ambiguous, Satisfying Note", "... with Different Ending".
    (
        re.compile(
            # How the ending is, not that one exists ("Will Include A Brand New Ending" reveals nothing).
            r"\b(?:ambiguous|surprise|surprising|shocking|happy|sad|bleak|dark|tragic|twist|heartbreaking|"
            r"devastating|downbeat|hopeful|open)\s+ending\b|\bends\s+on\s+an?\s+(?:\w+,?\s+){0,3}note\b|"
            r"\b(?:series|season|show)\s+ends\s+(?:with|on)\b",
            _I,
        ),
        "discusses the ending",
    ),
)


# Promises not to give the game away: "Don't Give Away the Twist", "without revealing the ending".
_NOT_REVEALING = re.compile(
    r"\b(?:don['’]t|do\s+not|won['’]t|will\s+not|without|not\s+to|never|no\s+need\s+to)\s+"
    r"(?:give|giving|gives|reveal|revealing|spoil|spoiling|ruin|ruining|tell|telling|say|saying|discuss|"
    r"discussing)\s+(?:away\s+)?(?:the|that|its|this|any|his|her|their|what)\s+(?:big\s+|final\s+|major\s+)?"
    r"(?:twists?|ending|reveal|surprises?|mystery|identity|fate|who\s+dies)\b"
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _without_denials(lowered: str, spoil_positions: Sequence[int] | None = None) -> str:
    """``lowered`` with "spoiler-free", "no spoilers"... blanked out (same length, so positions still point
    into the original text). Every denial contains "spoil", so only windows around those words are searched."""
    if spoil_positions is None:
        spoil_positions = list(_find_all(lowered, "spoil"))
    return _blank_near(lowered, _NOT_SPOILERS, spoil_positions, 40, 40)


_PROMISE_TARGETS = ("twist", "ending", "reveal", "myster", "identity", "fate", "dies")


def _without_promises(lowered: str, keyword_hits: Sequence[tuple[int, str]] | None) -> str:
    """``lowered`` with promises not to reveal ("don't give away the twist") blanked out, searched only just
    before the words they end in (the keyword hits when known)."""
    if keyword_hits is None:
        positions = sorted(p for target in _PROMISE_TARGETS for p in _find_all(lowered, target))
    else:
        positions = sorted(p for p, word in keyword_hits if word.startswith(_PROMISE_TARGETS))
    return _blank_near(lowered, _NOT_REVEALING, positions, 70, 20)


def _blank_near(
    lowered: str, pattern: re.Pattern[str], positions: Sequence[int], before: int, after: int
) -> str:
    """``lowered`` with every match of ``pattern`` in a window around the sorted ``positions`` blanked out
    (same length)."""
    if not positions:
        return lowered
    pieces: list[str] = []
    position = 0
    for at in positions:
        for match in pattern.finditer(lowered, max(position, at - before), at + after):
            pieces.append(lowered[position : match.start()])
            pieces.append(" " * (match.end() - match.start()))
            position = match.end()
    pieces.append(lowered[position:])
    return "".join(pieces)


def _find_all(lowered: str, needle: str) -> Iterable[int]:
    index = lowered.find(needle)
    while index != -1:
        yield index
        index = lowered.find(needle, index + len(needle))


def detect_spoilers(title: str, text: str, *, work_titles: Sequence[str] = ()) -> tuple[str, ...]:
    """Return why the article looks spoiler-prone (empty when it does not), in rule order, without repeats.

    Names of works do not count (see :mod:`domain.digest.worktitles`): "John Dies at the End, 2012"
    reveals nobody's death. ``work_titles`` are titles known to occur (italics, Letterboxd, the schedule).
    """
    # The same layout as the content-warning detector's, so the title index built for it is reused.
    head = (title or "").strip()
    combined = f"{head}\n\n{text or ''}" if head else text or ""
    titles = title_index(combined, clean_titles(work_titles))
    lowered = lower_same_length(mask_spans(combined, titles.spans))
    return reasons_at(lowered, len(head), titles, None)


def reasons_at(
    lowered: str, head_length: int, titles: TitleIndex, keyword_hits: Sequence[tuple[int, str]] | None
) -> tuple[str, ...]:
    """The spoiler reasons of ``lowered`` (the lower-cased, title-masked "headline, blank line, text"; the
    headline is its first ``head_length`` characters). ``keyword_hits`` are (position, word) of the
    :data:`KEYWORD_WORDS` in it when the caller already knows them; None searches for the keywords."""
    clean_title = _NOT_SPOILERS.sub(_blank, lowered[:head_length])
    spoil_positions = None if keyword_hits is None else [p for p, w in keyword_hits if w.startswith("spoil")]
    lowered = _without_denials(lowered, spoil_positions)
    lowered = _without_promises(lowered, keyword_hits)
    clean_title = _without_promises(clean_title, None)
    reasons: list[str] = []
    for pattern, reason in TITLE_RULES:
        if reason not in reasons and _first_outside_titles(pattern.finditer(clean_title), titles):
            reasons.append(reason)
    for (pattern, reason, keywords), words in zip(SPOILER_RULES, _RULE_WORDS, strict=True):
        if reason in reasons:
            continue
        if keyword_hits is None:
            found = _search_near(pattern, lowered, keywords, titles)
        else:
            found = _search_at(pattern, lowered, words, titles, keyword_hits)
        if found:
            reasons.append(reason)
    return tuple(reasons)


def _search_at(
    pattern: re.Pattern[str],
    lowered: str,
    words: frozenset[str],
    titles: TitleIndex,
    keyword_hits: Sequence[tuple[int, str]],
) -> bool:
    positions = [p for p, word in keyword_hits if word in words]
    if len(positions) >= _MAX_OCCURRENCES:  # pathological text: a full scan is cheaper than many windows
        return _first_outside_titles(pattern.finditer(lowered), titles)
    return any(
        _first_outside_titles(pattern.finditer(lowered, max(0, p - _WINDOW), p + _WINDOW + 20), titles)
        for p in positions
    )


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
