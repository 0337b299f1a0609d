"""Extractive summaries: pick the few sentences that best cover the article, keep them in order.

Scoring is a centroid method: the article's content words (stopwords removed, lightly stemmed) are counted
once over the whole text; a candidate sentence scores by the cosine between its words and that centroid,
plus a prior for early sentences (news is written lede-first) and a bonus for sharing words with the
headline. Selection is greedy MMR, so the second pick is not a paraphrase of the first, under a character
budget. Candidates are the first :data:`MAX_CANDIDATES` prose sentences: the centroid still covers the whole
article, and this keeps the cost linear in its length (one regex pass plus a dictionary lookup per word).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

from domain.digest.sentences import iter_sentences

_TERMINALS = frozenset(".!?…")
_CLOSERS = "\"'”’)]"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ANAPHORIC = _word_set(
    "but however he she it they this that these those also and so his her their its meanwhile still "
    "yet instead then there such both"
)
_STOPWORDS = _word_set(
    """a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't
    it it's its itself just let's me more most mustn't my myself no nor not of off on once only or other
    ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some
    such than that that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those through to too under until up very was wasn't we we'd we'll we're we've
    were weren't what what's when when's where where's which while who who's whom why why's will with
    won't would wouldn't you you'd you'll you're you've your yours yourself yourselves said says say told
    according would also one two new first last year years like just get got make made even much many
    well back way still really says film movie"""
)
_POSITION_WEIGHT = 0.3
_TITLE_WEIGHT = 0.7
_MMR_LAMBDA = 0.7
_ELLIPSIS = "…"


MAX_CANDIDATES = 40
_STEMS: dict[str, str] = {}
_ZEROS = itertools.repeat(0)


def _stem(word: str) -> str:
    # A deliberately tiny stemmer: enough to fold "killers"/"killer", "films"/"film", "stories"/"story".
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_PUNCTUATION = ".,;:!?\"'“”‘’()[]{}…—–-/|*#@&%+=<>~^`\\«»"


def _stem_token(token: str) -> str:
    """The stem of a whitespace-split token, or "" for stopwords, numbers and punctuation.

    Memoised per raw token (before lower-casing): articles repeat their words a lot, and splitting on
    whitespace (then lower-casing and stripping punctuation once per distinct token) is several times
    cheaper than a regex word scan, and than lower-casing the whole article. Lower-casing token by token
    gives the tokens of the lower-cased text: no character lower-cases to whitespace, and the one
    context-dependent rule (a final sigma) does not look across whitespace.
    """
    word = token.lower().strip(_PUNCTUATION)
    ok = len(word) > 1 and word[0].isalpha() and word not in _STOPWORDS
    stem = _STEMS[token] = _stem(word) if ok else ""
    return stem


def _term_counts(text: str) -> dict[str, int]:
    # Count tokens first (in C), then stem each distinct token once. Every token of the text is in the
    # memo afterwards, which is what lets :func:`_bag` look the sentences' tokens up without stemming.
    if len(_STEMS) > 100_000:  # bounded: a long-running bot sees an open vocabulary
        _STEMS.clear()
    stems = _STEMS
    counts: dict[str, int] = {}
    for token, n in Counter(text.split()).items():
        stem = stems.get(token)
        if stem is None:
            stem = _stem_token(token)
        if stem:
            counts[stem] = counts.get(stem, 0) + n
    return counts


def _term_set(text: str) -> frozenset[str]:
    return frozenset(_stem_set(text.split()))


def _stem_set(tokens: list[str]) -> set[str]:
    stems = _STEMS
    out = set()
    for token in tokens:
        stem = stems.get(token)
        if stem is None:
            stem = _stem_token(token)
        if stem:
            out.add(stem)
    return out


def _bag(tokens: list[str]) -> set[str]:
    """The stems of a sentence's tokens, from the text just counted by :func:`_term_counts` (so all in the
    memo: no stemming, and the lookups run in C)."""
    bag: set[str | None] = set(map(_STEMS.get, tokens))
    if None in bag:  # a token the memo lost (cleared by another thread): stem it properly
        return _stem_set(tokens)
    bag.discard("")
    return bag  # type: ignore[return-value]  # no None left


def truncate_words(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` on a word boundary, marking the cut with an ellipsis. Only a
    single word longer than the budget (a URL, a run of emoji) is cut inside: there is no other way."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return _ELLIPSIS[:max_chars]
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    if space > 0 and (text[max_chars - 1] != " "):
        cut = cut[:space]
    cut = cut.rstrip(" ,;:–—-(\"'“‘")
    return (cut or text[: max_chars - 1]) + _ELLIPSIS


def _is_prose(sentence: str, words: int) -> bool:
    # Ends in terminal punctuation, maybe then closing quotes or brackets.
    return words >= 10 or (words >= 4 and sentence.rstrip(_CLOSERS)[-1:] in _TERMINALS)


_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


def restates_title(text: str, title: str) -> bool:
    """True when ``text`` says nothing beyond ``title`` and links: "Smurfs: https://tv.apple.com/…", or
    the title again. Such a description is no summary at all."""
    words = _WORD.findall(_URL.sub(" ", text).casefold())
    if not words:
        return True
    title_words = set(_WORD.findall(title.casefold()))
    return bool(title_words) and all(word in title_words for word in words)


def summarize(text: str, title: str = "", sentences: int = 3, max_chars: int = 600) -> str:
    """Return an extractive summary of ``text``: up to ``sentences`` sentences, at most ``max_chars`` chars.

    Sentences keep their original order. A text with no more prose sentences than asked for (a feed teaser)
    is returned as it is, cut on a word boundary with "…" only if it is over ``max_chars``. A text that only
    restates the title or a URL gives no summary ("").
    """
    if len(text) < 2000 and restates_title(text, title):
        return ""
    every: list[str] = []
    prose: list[str] = []
    tokens: list[list[str]] = []
    for sentence in iter_sentences(text):
        every.append(sentence)
        words = sentence.split()
        if _is_prose(sentence, len(words)):
            prose.append(sentence)
            tokens.append(words)
            if len(prose) >= MAX_CANDIDATES:
                break
    if len(prose) <= sentences:
        # A teaser (or a few fragments): used as it is, only cut to fit.
        return truncate_words(" ".join(every), max_chars)

    centroid = _term_counts(text)
    bags = [_bag(words) for words in tokens]
    scores = _scores(prose, bags, centroid, _term_set(title))
    chosen = _select(prose, bags, scores, sentences, max_chars)
    if not chosen:
        # Every sentence is longer than the budget: cut the best one rather than post nothing.
        top = max(range(len(prose)), key=scores.__getitem__)
        return truncate_words(prose[top], max_chars)
    return " ".join(prose[i] for i in sorted(chosen))


def _scores(
    prose: list[str], bags: list[set[str]], centroid: dict[str, int], title_terms: frozenset[str]
) -> list[float]:
    centroid_norm = math.sqrt(sum(n * n for n in centroid.values()))
    count = len(prose)
    scores: list[float] = []
    for index, (sentence, bag) in enumerate(zip(prose, bags, strict=True)):
        # Cosine between the sentence's set of words and the article's word counts (every stem of a
        # sentence is in the centroid, which counts the whole text; ``get`` keeps that a fact, not a rule).
        relevance = (
            sum(map(centroid.get, bag, _ZEROS)) / (math.sqrt(len(bag)) * centroid_norm) if bag else 0.0
        )
        position = 1.0 - index / count
        overlap = len(title_terms & bag) / len(title_terms) if title_terms else 0.0
        score = relevance + _POSITION_WEIGHT * position * position + _TITLE_WEIGHT * overlap
        words = sentence.count(" ") + 1
        # Readability penalties: a pick that opens with "But"/"He" dangles without its predecessor;
        # questions and very long or very short sentences make poor teasers.
        space = sentence.find(" ")
        lead = (sentence if space < 0 else sentence[:space]).strip("\"'“‘").lower()
        if lead in _ANAPHORIC and index:
            score *= 0.8
        if sentence.rstrip("\"'”’)").endswith("?"):
            score *= 0.8
        if words < 8 or words > 45:
            score *= 0.85
        scores.append(score)
    return scores


def _select(
    prose: list[str], bags: list[set[str]], scores: list[float], sentences: int, max_chars: int
) -> list[int]:
    """Greedy MMR under the character budget: each round picks the sentence of highest
    ``λ·score − (1−λ)·redundancy`` (its largest overlap with a pick), the earliest one on a tie.

    Candidates are visited best score first, and a round stops at the first whose ``λ·score`` is below
    the best value found: redundancy only lowers a value. Redundancy is brought up to date only for the
    candidates a round gets to, so most overlaps are never computed.
    """
    count = len(prose)
    order = sorted(range(count), key=lambda i: (-scores[i], i))
    taken = [False] * count
    redundancy = [0.0] * count
    known = [0] * count  # how many of the picks ``redundancy[i]`` covers
    chosen: list[int] = []
    used = 0
    while len(chosen) < sentences:
        best, best_value = -1, -math.inf
        separator = 1 if chosen else 0
        for i in order:
            if taken[i]:
                continue
            bound = _MMR_LAMBDA * scores[i]
            if bound < best_value:
                break
            if used + len(prose[i]) + separator > max_chars:
                continue
            while known[i] < len(chosen):
                overlap = _overlap(bags[i], bags[chosen[known[i]]])
                if overlap > redundancy[i]:
                    redundancy[i] = overlap
                known[i] += 1
            value = bound - (1 - _MMR_LAMBDA) * redundancy[i]
            if value > best_value or (value == best_value and i < best):
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        taken[best] = True
        used += len(prose[best]) + (1 if len(chosen) > 1 else 0)
    return chosen


def _overlap(a: set[str], b: set[str]) -> float:
    # Cosine similarity of two word sets.
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
