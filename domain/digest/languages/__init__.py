"""Content warnings and spoiler cues for Spanish, French, German and Portuguese.

English has its own, richer rules in ``domain.digest.content_warnings`` and ``domain.digest.spoilers``;
every other language gets nothing here and the digest says so on the post.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from domain.digest.languages import de, es, fr, pt
from domain.digest.languages.engine import (
    Lexicon,
    compile_lexicon,
    custom_warnings,
    detect,
    spoilers,
    without_denials,
)
from domain.digest.models import ContentWarning

LEXICONS: Mapping[str, Lexicon] = {
    lexicon.code: lexicon for lexicon in (es.LEXICON, fr.LEXICON, de.LEXICON, pt.LEXICON)
}
_LOCK = threading.Lock()


def _lexicon(language: str) -> Lexicon:
    # Compiled on first use: that loads the language's simplemma dictionary (0.1-0.5 s, ~10 MB), which
    # a club that only follows English feeds never needs.
    lexicon = LEXICONS[language]
    if lexicon.compiled is None:
        with _LOCK:
            if lexicon.compiled is None:
                compile_lexicon(lexicon)
    return lexicon


def detect_warnings_in(
    language: str, title: str, text: str, custom_terms: Mapping[str, Sequence[str]] | None = None
) -> tuple[ContentWarning, ...]:
    """Content warnings for a Spanish, French, German or Portuguese article (KeyError for others)."""
    return detect(_lexicon(language), title, text, custom_terms)


def detect_spoilers_in(language: str, title: str, text: str) -> tuple[str, ...]:
    """Spoiler reasons for a Spanish, French, German or Portuguese article (KeyError for others)."""
    return spoilers(_lexicon(language), title, text)


def title_without_denials(language: str, title: str) -> str:
    """The title with the language's "no spoilers" phrases blanked, for the language-neutral English title
    rules ("S02E05", "Spoilers:"), which would otherwise read "sin spoilers" as a spoiler marker."""
    return without_denials(_lexicon(language), title)


__all__ = ["LEXICONS", "custom_warnings", "detect_spoilers_in", "detect_warnings_in", "title_without_denials"]
