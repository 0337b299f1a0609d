"""Lemmas for the content-warning rules: one place that calls simplemma, with its low-memory dictionaries.

simplemma ships its per-language dictionaries in the package (no download). Its default backend expands a
language's dictionary into a Python ``dict`` on first use: about 90 MB resident for Spanish, 140 MB for
German, ~400 MB for the five languages the digest checks. The bot posts a few hundred articles a day and
lemmatises only their candidate words (English: harm words of the relation rules; other languages: every
word once, then from simplemma's own cache of 65,536 lemmas), so it uses simplemma's front-coded stream backend
(``low_memory=True``): the same lemmas from ~10 MB per language, at a few microseconds per uncached lookup.
"""

from __future__ import annotations

__all__ = ["LOW_MEMORY", "lemmatize"]

#: simplemma's front-coded dictionaries instead of in-memory dicts (``benchmarks/lemmas.py`` turns it off in
#: a child process to measure what it saves, and checks both give the same warnings).
LOW_MEMORY = True


def lemmatize(token: str, lang: str) -> str:
    """simplemma's lemma of ``token`` in ``lang`` (an ISO 639-1 code); the token itself when it has none."""
    import simplemma  # lazy: a language's data loads on its first word (0.1-0.5 s), never at import

    return simplemma.lemmatize(token, lang=lang, low_memory=LOW_MEMORY)
