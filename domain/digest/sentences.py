"""Sentence splitting tuned for film journalism: names with initials, titles, abbreviations and quotes.

A boundary is a run of terminal punctuation (``.``, ``!``, ``?``, ``…``) with any closing quotes or brackets,
then whitespace, then something that can start a sentence (not a lower-case letter). A full stop is then
vetoed when it ends an abbreviation ("Dr.", "vs.", "Jan."), an initial ("J. R. R. Tolkien") or a dotted
acronym that runs on into the sentence ("the U.S. box office"). Line breaks always end a sentence: headings
and list items carry no punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CANDIDATE = re.compile(r"([.!?‽…]+)[\"'”’»)\]]*\s+(?=(\S))")

# Abbreviations after which a full stop never ends a sentence in news copy. "May", "June", "July" are whole
# words and so are not here; "Inc.", "Ltd." and "etc." often do end sentences, so the general rule decides.
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "st",
        "mt",
        "ft",
        "jr",
        "sr",
        "vs",
        "v",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "rev",
        "hon",
        "pres",
        "gov",
        "sen",
        "rep",
        "supt",
        "messrs",
        "mme",
        "mlle",
        "fig",
        "figs",
        "approx",
        "dept",
        "est",
        "ca",
        "cf",
        "al",
        "vol",
        "vols",
        "ch",
        "pp",
        "feat",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "viz",
    }
)
# Abbreviations that only stay glued to what follows when a number follows ("No. 1", "pt. 2", "Ep. 4").
_NUMERIC_ABBREVIATIONS = frozenset({"no", "nos", "pt", "ep", "eps", "art", "sec", "ss", "p"})
# After a dotted acronym ("U.S.", "p.m."), these words show that a new sentence has started.
_SENTENCE_STARTERS = frozenset(
    {
        "the",
        "a",
        "an",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "these",
        "those",
        "there",
        "in",
        "on",
        "at",
        "but",
        "and",
        "as",
        "for",
        "his",
        "her",
        "their",
        "our",
        "what",
        "when",
        "while",
        "after",
        "before",
        "so",
        "now",
        "meanwhile",
        "however",
        "still",
        "yet",
        "if",
        "then",
        "since",
        "with",
        "during",
    }
)
_INITIAL = re.compile(r"[^\W\d_]")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LEADING_PUNCT = "\"'“‘«([{¿¡"


def _previous_token(text: str, end: int) -> str:
    start = text.rfind(" ", 0, end) + 1
    return text[start:end].lstrip(_LEADING_PUNCT)


def _first_word(text: str, start: int) -> str:
    end = text.find(" ", start)
    return text[start : end if end != -1 else len(text)].strip(_LEADING_PUNCT + ".,;:!?\"'”’)").lower()


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    punctuation, nxt = match.groups()
    if nxt.islower():
        return False
    if punctuation != ".":
        return True  # "!", "?", and ellipses followed by a capital end the sentence
    token = _previous_token(text, match.start())
    lowered = token.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if nxt.isdigit() or nxt == "#":
        return lowered not in _NUMERIC_ABBREVIATIONS
    if len(token) == 1 and _INITIAL.fullmatch(token) and token.isupper():
        return False  # an initial: "J. R. R. Tolkien", "M. Night Shyamalan"
    if "." in token and _DOTTED.fullmatch(token):
        return _first_word(text, match.end()) in _SENTENCE_STARTERS
    return True


def iter_sentences(text: str) -> Iterator[str]:
    """Yield the sentences of ``text`` lazily (a caller that needs the first few stops early)."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _CANDIDATE.finditer(line):
            if _is_boundary(line, match):
                sentence = line[start : match.end()].strip()
                if sentence:
                    yield sentence
                start = match.end()
        rest = line[start:].strip()
        if rest:
            yield rest


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping their original wording and punctuation."""
    return list(iter_sentences(text))
