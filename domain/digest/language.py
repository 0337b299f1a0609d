"""Which language an article is written in, offline, so the digest knows which warning rules apply.

The detector is ``py3langid`` (langid.py's naive Bayes model over byte n-grams, ~100 languages, shipped
inside the package, numpy for the scoring). It was chosen over ``langdetect`` and ``simplemma``'s detector
on short film texts (``SHORT_TEXTS`` in ``tests/domain/digest/test_language.py``): it was the most accurate
of the three on titles and one-line blurbs (56/58 against 53/58 and 52/58), is deterministic, and costs
~60 µs for a headline and ~150 µs for the 400-character sample used here, against ~2 ms for
``langdetect``. Its model takes ~0.7 s to load, so it is loaded once, on first use. Plain English prose
(15+ words, 15 % of them English function words) skips the model: that is most articles (113 of 120 in
the digest benchmark), and the model would cost ~10 % of a feedparser parse. With the fast path, detection
is a median 18 µs per article and adds ~40 µs to the digest (A/B, same articles): 2 % of the 2.0 ms parse.

Short and mixed texts degrade in steps:

1. a sample with fewer than :data:`MIN_LETTERS` letters is not given to the detector at all;
2. a detection at or above :data:`CONFIDENT` wins, even over the feed's declared language (an English feed
   can carry a Spanish item);
3. otherwise the declared language (the entry's ``xml:lang``/``dc:language``, else the feed's
   ``<language>``) is used when there is one;
4. otherwise a detection at or above :data:`PLAUSIBLE` is used, and below that the language is unknown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

#: Languages whose content warnings and spoiler cues are checked (English by ``content_warnings``).
CHECKED_LANGUAGES: frozenset[str] = frozenset({"en", "es", "fr", "de", "pt"})

#: Characters of the body given to the detector after the title: enough for a stable answer on a synopsis,
#: and a fixed cost however long the article is.
SAMPLE_CHARS = 400
MIN_LETTERS = 12
# The fast path: English prose is recognised from its function words without running the model, which
# costs ~10 % of a feedparser parse per article (see the module docstring). None of these words is common in
# another language the bot meets ("a", "in", "is", "on", "as", "an" are, so they are left out).
# fmt: off
_ENGLISH_WORDS = frozenset({
    "the", "of", "and", "to", "that", "for", "with", "his", "her", "was", "are", "from", "this", "who", "has",
    "have", "their", "its", "which", "by", "it", "he", "she", "they", "were", "been", "will", "would", "not",
    "but", "at", "after", "about", "into", "out", "up", "what", "when", "there", "than", "like", "every",
    "just", "you", "we", "our", "your", "one", "more", "how",
})
# fmt: on
_FAST_MIN_WORDS = 15
_FAST_MIN_SHARE = 0.15
_WORD = re.compile(r"[^\W\d_]+")
CONFIDENT = 0.90
PLAUSIBLE = 0.50

#: English names of the ISO 639-1 languages the detector knows (and a few more a feed may declare).
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "af": "Afrikaans", "am": "Amharic", "an": "Aragonese", "ar": "Arabic", "as": "Assamese",
        "az": "Azerbaijani", "ba": "Bashkir", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali",
        "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish",
        "de": "German", "dz": "Dzongkha", "el": "Greek", "en": "English", "eo": "Esperanto",
        "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
        "fo": "Faroese", "fr": "French", "fy": "Western Frisian", "ga": "Irish", "gd": "Scottish Gaelic",
        "gl": "Galician", "gn": "Guarani", "gu": "Gujarati", "ha": "Hausa", "he": "Hebrew", "hi": "Hindi",
        "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian",
        "ig": "Igbo", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "jv": "Javanese",
        "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean", "ku": "Kurdish",
        "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lg": "Ganda", "ln": "Lingala", "lo": "Lao",
        "lt": "Lithuanian", "lv": "Latvian", "mg": "Malagasy", "mk": "Macedonian", "ml": "Malayalam",
        "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese",
        "nb": "Norwegian Bokmål", "ne": "Nepali", "nl": "Dutch", "nn": "Norwegian Nynorsk",
        "no": "Norwegian", "oc": "Occitan", "om": "Oromo", "or": "Odia", "pa": "Punjabi", "pl": "Polish",
        "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian", "ru": "Russian",
        "rw": "Kinyarwanda", "sa": "Sanskrit", "se": "Northern Sami", "si": "Sinhala", "sk": "Slovak",
        "sl": "Slovenian", "sn": "Shona", "so": "Somali", "sq": "Albanian", "sr": "Serbian",
        "st": "Southern Sotho", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu",
        "tg": "Tajik", "th": "Thai", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish", "tt": "Tatar",
        "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
        "vo": "Volapük", "wa": "Walloon", "xh": "Xhosa", "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu",
    }
)  # fmt: skip

# The detector's labels that are not ISO 639-1 but are a variety of a language that has a code.
_DETECTOR_ALIASES: Mapping[str, str] = MappingProxyType(
    {"ary": "ar", "arz": "ar", "gug": "gn", "uzs": "uz", "wuu": "zh", "yue": "zh", "sdh": "ku", "hbo": "he"}
)
# What feeds write in <language> besides BCP 47 tags: ISO 639-2 codes and English names.
_DECLARED_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "por": "pt",
        "ces": "cs", "cze": "cs", "ita": "it", "nld": "nl", "dut": "nl", "pol": "pl", "tgl": "tl",
        "fil": "tl", "iw": "he", "in": "id", "ji": "yi",
        **{name.casefold(): code for code, name in LANGUAGE_NAMES.items()},
    }
)  # fmt: skip
_TAG = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")


def language_name(code: str | None) -> str | None:
    """The English name of an ISO 639-1 code (the code itself when the table lacks it), None for None."""
    if not code:
        return None
    return LANGUAGE_NAMES.get(code, code)


def normalize_language(declared: object) -> str | None:
    """An ISO 639-1 code from a declared language ("cs-CZ", "en_us", "eng", "English"), or None."""
    if not isinstance(declared, str):
        return None
    value = declared.strip()
    if not value or len(value) > 40:
        return None
    alias = _DECLARED_ALIASES.get(value.casefold())
    if alias:
        return alias
    match = _TAG.match(value)
    if match is None:
        return None
    primary = match.group().lower()
    primary = _DECLARED_ALIASES.get(primary, primary)
    return primary if primary in LANGUAGE_NAMES else None


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language the digest goes by, and where that answer came from (for moderators and tests)."""

    code: str | None
    source: str  # "detected", "declared" or "unknown"
    detected: str | None = None
    confidence: float = 0.0


class _Detector:
    """The py3langid model, loaded on first use (once, even when two threads ask at the same time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._identifier: Any = None

    def classify(self, text: str) -> tuple[str, float]:
        identifier = self._identifier
        if identifier is None:
            with self._lock:
                if self._identifier is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier = self._identifier
        label, confidence = identifier.classify(text)
        return str(label), float(confidence)


_DETECTOR = _Detector()


def _sample(title: str, text: str) -> str:
    body = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS:
        body = body.rsplit(" ", 1)[0]  # no half word at the cut
    return f"{title}\n{body}" if title else body


def detect_language(title: str, text: str, declared: str | None = None) -> LanguageGuess:
    """The language of an article from its title and cleaned text, with the declared language as a hint."""
    hint = normalize_language(declared)
    sample = _sample(title or "", text or "")
    lowered = sample.lower()
    words = _WORD.findall(lowered, 0, 400)
    if sum(map(len, words)) < MIN_LETTERS:
        return LanguageGuess(hint, "declared") if hint else LanguageGuess(None, "unknown")
    words = words[:60]
    if len(words) >= _FAST_MIN_WORDS and sum(w in _ENGLISH_WORDS for w in words) >= _FAST_MIN_SHARE * len(
        words
    ):
        return LanguageGuess("en", "detected", "en", 1.0)
    # Lower case: headline Title Case and ALL CAPS otherwise read as a different language to the n-grams.
    label, confidence = _DETECTOR.classify(lowered)
    alias = _DETECTOR_ALIASES.get(label, label)
    code = alias if alias in LANGUAGE_NAMES else None
    if code is not None and confidence >= CONFIDENT:
        return LanguageGuess(code, "detected", code, confidence)
    if hint:
        return LanguageGuess(hint, "declared", code, confidence)
    if code is not None and confidence >= PLAUSIBLE:
        return LanguageGuess(code, "detected", code, confidence)
    return LanguageGuess(None, "unknown", code, confidence)
