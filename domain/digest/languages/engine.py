"""A small lemma-based content-warning and spoiler engine for the languages other than English.

Each language gives a :class:`Lexicon` (``es.py``, ``fr.py``, ``de.py``, ``pt.py``): words in their
dictionary form, and the engine matches them against the lemmas of the article's words, so one entry covers
every inflection ("asesinar" matches asesinado/asesinada/asesinados/asesinó). Lemmas come from
``simplemma`` through :mod:`domain.digest.lemmas` (its per-language dictionaries ship in the package; each
loads on first use, 0.1-0.5 s, in simplemma's low-memory form).
A word is looked up as written, as its lemma and as the lemma of that lemma, because simplemma sometimes
stops one step short ("tuée" -> "tué" -> "tuer"). An entry ending in ``*`` is a prefix, for compounds
("Kindesmissbrauch*" in German) that no dictionary lists.

What a match must survive before it warns:

* **idioms** are blanked out first ("arrasa en taquilla", "un carton", "Kassenschlager", "estreia
  matadora"): trade and figurative language warns about nothing;
* **quoted titles** (“…”, «…», „…“, '…', "…", up to eight words) are blanked too: a title alone is not
  evidence;
* **negation**: a negator of the language among the three words before the match, in the same clause
  ("sin violencia", "ne montre jamais", "keine Gewalt", "não há violência"), cancels it, unless an emphatic
  word sits between them ("no escatima en violencia": the film does *not hold back*, which warns);
* **weak words** ("sangre", "sang", "Blut", "sangue") warn only with a second, different weak word of the
  same category in the article.

Victim x harm: a child or animal word and a harm word in the same clause, at most :data:`PAIR_WINDOW`
words apart, in either order (so both voices: "el niño es secuestrado", "secuestran al niño"), label
``child-harm`` / ``animal-harm``. The labelling policy is the English one (``cw_dataset.py``): torture and
violence against an animal also label ``violence``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from domain.digest.lemmas import lemmatize
from domain.digest.models import CATEGORIES, CATEGORY_LABELS, ContentWarning

MAX_EVIDENCE = 5
NEGATION_WINDOW = 3
PAIR_WINDOW = 8
# Sentences past this many characters of cleaned text are not scanned: warnings live in the synopsis and
# the opening paragraphs, and the cost stays bounded on a 20 KB article.
MAX_SCAN_CHARS = 12_000

#: Categories that come with another one under the labelling policy.
IMPLIES: Mapping[str, tuple[str, ...]] = {"torture": ("violence",), "sexual-violence": ()}

# Apostrophes split words: French elisions ("l'homophobie", "n'épargne") are two words, the second the
# one that carries meaning (and "n" is a negator).
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CLAUSE_BREAK = re.compile(r"[.!?;:()\[\]…]|\s[–—]\s|\n")
_QUOTED = re.compile(
    r"“[^”\n]{1,80}”|«[^»\n]{1,80}»|„[^“”\n]{1,80}[“”]|‘[^’\n]{1,80}’|\"[^\"\n]{1,80}\"|(?<!\w)'[^'\n]{1,80}'(?!\w)"
)
_MAX_TITLE_WORDS = 8
VICTIM_CATEGORIES = ("child-harm", "animal-harm")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's words. Every word list holds dictionary forms (or ``prefix*``), case-insensitive.

    ``strong`` warns on one occurrence; a phrase of several words matches consecutive lemmas. ``weak`` needs
    two different weak words of the category. ``victims`` maps ``child-harm``/``animal-harm`` to their
    nouns; ``violent_harms`` also label ``violence`` when paired with an animal (policy), ``other_harms``
    (kidnap, abandon, die...) only the victim's category. ``idioms`` and ``not_spoilers`` are regular
    expressions over the lower-cased text.
    """

    code: str
    strong: Mapping[str, Sequence[str]]
    weak: Mapping[str, Sequence[str]]
    victims: Mapping[str, Sequence[str]]
    violent_harms: Sequence[str]
    other_harms: Sequence[str]
    negators: Sequence[str]
    emphatic: Sequence[str]
    idioms: Sequence[str]
    spoilers: Sequence[tuple[str, str]]
    not_spoilers: Sequence[str] = ()
    #: "show/see" verbs: a negator before one of them after the match negates it ("der Mord wird nie
    #: gezeigt", "le meurtre n'est jamais montré").
    offscreen: Sequence[str] = ()
    # Built from the lists above by ``compile_lexicon``.
    compiled: _Compiled | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class _Words:
    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, keys: object) -> bool:
        assert isinstance(keys, tuple)
        return any(k in self.exact or (self.prefixes and k.startswith(self.prefixes)) for k in keys)


@dataclass(frozen=True, slots=True)
class _Compiled:
    phrases: tuple[tuple[str, str, tuple[_Words, ...]], ...]  # (category, strength, one _Words per word)
    # Phrase indexes by the forms of their first word, so each token only tries the phrases it can start.
    first_exact: Mapping[str, tuple[int, ...]]
    first_prefixes: tuple[tuple[str, int], ...]
    idioms: re.Pattern[str] | None
    spoilers: tuple[tuple[re.Pattern[str], str], ...]
    not_spoilers: re.Pattern[str] | None
    # Every word list above as one lookup: form -> the roles it plays ("violent", "negator", "child-harm"...),
    # so each token is classified once instead of once per list.
    roles: Mapping[str, frozenset[str]]
    role_prefixes: tuple[tuple[str, str], ...]
    # word as written -> (lookup forms, roles, phrases it may start): articles repeat their words.
    words: dict[str, tuple[tuple[str, ...], frozenset[str], tuple[int, ...]]] = field(default_factory=dict)


# Participles the dictionaries lack ("degollado", "erwürgt"): when simplemma returns a word unchanged, these
# regular endings give candidate infinitives. They are guesses, so they only ever add lookup keys.
_GUESSES: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "es": (("ados", ("ar",)), ("adas", ("ar",)), ("ado", ("ar",)), ("ada", ("ar",)),
           ("idos", ("er", "ir")), ("idas", ("er", "ir")), ("ido", ("er", "ir")), ("ida", ("er", "ir"))),
    "pt": (("ados", ("ar",)), ("adas", ("ar",)), ("ado", ("ar",)), ("ada", ("ar",)),
           ("idos", ("er", "ir")), ("idas", ("er", "ir")), ("ido", ("er", "ir")), ("ida", ("er", "ir"))),
    "fr": (("ées", ("er",)), ("és", ("er",)), ("ée", ("er",)), ("é", ("er",)), ("ies", ("ir",)), ("ie", ("ir",))),
    "de": (("ten", ("en",)), ("te", ("en",)), ("tes", ("en",)), ("t", ("en",))),
}  # fmt: skip


def _guesses(folded: str, lang: str) -> tuple[str, ...]:
    out: list[str] = []
    for suffix, replacements in _GUESSES.get(lang, ()):
        if folded.endswith(suffix) and len(folded) > len(suffix) + 3:
            stem = folded[: -len(suffix)]
            if lang == "de" and stem.startswith("ge") and len(stem) > 5:
                out.extend(stem[2:] + r for r in replacements)  # ge-würg-t -> würgen
            out.extend(stem + r for r in replacements)
            break
    return tuple(out)


_WORD_CACHE_LIMIT = 50_000


@lru_cache(maxsize=65_536)
def _keys(word: str, lang: str) -> tuple[str, ...]:
    """The forms a word is looked up as: itself, its lemma and its lemma's lemma (casefolded), plus
    regular-participle guesses when the dictionary does not know the word."""
    folded = word.casefold()
    first = lemmatize(word, lang)
    second = lemmatize(first, lang)
    lowered = lemmatize(folded, lang).casefold()
    keys: tuple[str, ...] = (folded, first.casefold(), second.casefold(), lowered)
    if first.casefold() == folded and lowered == folded:
        keys += _guesses(folded, lang)
    return tuple(dict.fromkeys(keys))


def _words(entries: Iterable[str], lang: str) -> _Words:
    exact: set[str] = set()
    prefixes: list[str] = []
    for entry in entries:
        entry = entry.strip()
        if entry.endswith("*"):
            prefixes.append(entry[:-1].casefold())
        elif entry:
            exact.update(_keys(entry, lang))
    return _Words(frozenset(exact), tuple(prefixes))


def _regex(patterns: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def compile_lexicon(lexicon: Lexicon) -> Lexicon:
    lang = lexicon.code
    phrases: list[tuple[str, str, tuple[_Words, ...]]] = []
    for strength, table in (("strong", lexicon.strong), ("weak", lexicon.weak)):
        for category, entries in table.items():
            if category not in CATEGORY_LABELS:
                raise ValueError(f"{lang}: unknown category {category}")
            for entry in entries:
                parts = entry.split()
                phrases.append((category, strength, tuple(_words([p], lang) for p in parts)))
    first_exact: dict[str, list[int]] = {}
    first_prefixes: list[tuple[str, int]] = []
    for index, (_category, _strength, words) in enumerate(phrases):
        for key in words[0].exact:
            first_exact.setdefault(key, []).append(index)
        first_prefixes.extend((prefix, index) for prefix in words[0].prefixes)
    role_lists: dict[str, _Words] = {
        "violent": _words(lexicon.violent_harms, lang),
        "other": _words(lexicon.other_harms, lang),
        "negator": _words(lexicon.negators, lang),
        "emphatic": _words(lexicon.emphatic, lang),
        "offscreen": _words(lexicon.offscreen, lang),
        **{category: _words(nouns, lang) for category, nouns in lexicon.victims.items()},
    }
    roles: dict[str, set[str]] = {}
    role_prefixes: list[tuple[str, str]] = []
    for role, listed in role_lists.items():
        for key in listed.exact:
            roles.setdefault(key, set()).add(role)
        role_prefixes.extend((prefix, role) for prefix in listed.prefixes)
    compiled = _Compiled(
        phrases=tuple(phrases),
        first_exact={k: tuple(v) for k, v in first_exact.items()},
        first_prefixes=tuple(first_prefixes),
        idioms=_regex(lexicon.idioms),
        spoilers=tuple((re.compile(p), reason) for p, reason in lexicon.spoilers),
        not_spoilers=_regex(lexicon.not_spoilers),
        roles={k: frozenset(v) for k, v in roles.items()},
        role_prefixes=tuple(role_prefixes),
    )
    object.__setattr__(lexicon, "compiled", compiled)
    return lexicon


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    clause: int
    keys: tuple[str, ...]
    roles: frozenset[str] = frozenset()
    starts: tuple[int, ...] = ()


def _blank(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return text
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _blank_titles(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        inner = match.group()
        return " " * len(inner) if len(inner.split()) <= _MAX_TITLE_WORDS else inner

    return _QUOTED.sub(repl, text)


def _word(
    word: str, lang: str, compiled: _Compiled
) -> tuple[tuple[str, ...], frozenset[str], tuple[int, ...]]:
    cached = compiled.words.get(word)
    if cached is not None:
        return cached
    keys = _keys(word, lang)
    if "-" in word:  # "Kokain-Szene", "post-générique": each part counts as a word too
        parts = (k for part in word.split("-") if part for k in _keys(part, lang))
        keys = tuple(dict.fromkeys((*keys, *parts)))
    roles: set[str] = set()
    starts: set[int] = set()
    for key in keys:
        roles.update(compiled.roles.get(key, ()))
        roles.update(role for prefix, role in compiled.role_prefixes if key.startswith(prefix))
        starts.update(compiled.first_exact.get(key, ()))
        starts.update(n for prefix, n in compiled.first_prefixes if key.startswith(prefix))
    if len(compiled.words) >= _WORD_CACHE_LIMIT:
        compiled.words.clear()
    result = (keys, frozenset(roles), tuple(sorted(starts)))
    compiled.words[word] = result
    return result


def _tokens(text: str, lang: str, compiled: _Compiled) -> list[_Token]:
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    tokens: list[_Token] = []
    clause = 0
    index = 0
    for match in _TOKEN.finditer(text):
        while index < len(breaks) and breaks[index] < match.start():
            clause += 1
            index += 1
        keys, roles, starts = _word(match.group(), lang, compiled)
        tokens.append(_Token(match.group(), match.start(), match.end(), clause, keys, roles, starts))
    return tokens


class _Found:
    def __init__(self) -> None:
        self.strong: dict[str, list[str]] = {}
        self.weak: dict[str, dict[str, str]] = {}

    def add(self, category: str, evidence: str, strength: str = "strong") -> None:
        if strength == "strong":
            bucket = self.strong.setdefault(category, [])
            if evidence not in bucket:
                bucket.append(evidence)
        else:
            self.weak.setdefault(category, {}).setdefault(evidence.casefold(), evidence)

    def result(self) -> dict[str, list[str]]:
        found = {c: list(e) for c, e in self.strong.items()}
        for category, words in self.weak.items():
            if category in found:
                found[category].extend(w for w in words.values() if w not in found[category])
            elif len(words) >= 2:
                found[category] = list(words.values())
        for source, targets in IMPLIES.items():
            for target in targets:
                if source in found:
                    bucket = found.setdefault(target, [])
                    bucket.extend(e for e in found[source] if e not in bucket)
        return found


def _negated(tokens: list[_Token], at: int, compiled: _Compiled, end: int | None = None) -> bool:
    """Whether the match from ``at`` to ``end`` is negated within its clause.

    Before it: a negator among the :data:`NEGATION_WINDOW` words, unless an emphatic word sits right
    around the negator ("no escatima en violencia", "scheut nicht vor Gewalt"). After it: a negator followed
    by a show/see verb ("der Mord wird nie gezeigt").
    """
    clause = tokens[at].clause
    for back in range(1, NEGATION_WINDOW + 1):
        i = at - back
        if i < 0 or tokens[i].clause != clause:
            break
        if "emphatic" in tokens[i].roles:
            return False
        if "negator" in tokens[i].roles:
            nearby = range(max(0, i - 2), at)
            return not any("emphatic" in tokens[j].roles for j in nearby if tokens[j].clause == clause)
    last = at if end is None else end
    for ahead in range(last + 1, min(len(tokens), last + 5)):
        if tokens[ahead].clause != clause:
            break
        if "negator" in tokens[ahead].roles:
            follow = range(ahead + 1, min(len(tokens), ahead + 3))
            if any(tokens[j].clause == clause and "offscreen" in tokens[j].roles for j in follow):
                return True
    return False


def _span(text: str, tokens: list[_Token], first: int, last: int) -> str:
    return " ".join(text[tokens[first].start : tokens[last].end].split())


def _scan_phrases(text: str, tokens: list[_Token], compiled: _Compiled, found: _Found) -> None:
    # The longest phrase at a position wins and hides what it contains: "abuso sexual" is sexual violence,
    # not also "abuso"; "baño de sangre" is not also the weak "sangre".
    skip_until = -1
    for i, token in enumerate(tokens):
        if i <= skip_until:
            continue
        matches: list[tuple[int, str, str]] = []
        for n in token.starts:
            category, strength, words = compiled.phrases[n]
            last = i + len(words) - 1
            if last >= len(tokens) or tokens[last].clause != token.clause:
                continue
            if all(tokens[i + k].keys in w for k, w in enumerate(words)):
                matches.append((len(words), category, strength))
        if not matches:
            continue
        longest = max(m[0] for m in matches)
        if _negated(tokens, i, compiled, i + longest - 1):
            skip_until = i + longest - 1
            continue
        for size, category, strength in matches:
            if size == longest:
                found.add(category, _span(text, tokens, i, i + size - 1), strength)
        skip_until = i + longest - 1


def _scan_pairs(text: str, tokens: list[_Token], compiled: _Compiled, found: _Found) -> None:
    harms = [
        (i, "violent" in t.roles) for i, t in enumerate(tokens) if "violent" in t.roles or "other" in t.roles
    ]
    if not harms:
        return
    for v, token in enumerate(tokens):
        for category in VICTIM_CATEGORIES:
            if category not in token.roles:
                continue
            near = [
                (h, violent)
                for h, violent in harms
                if h != v
                and abs(h - v) <= PAIR_WINDOW
                and tokens[h].clause == token.clause
                and not _negated(tokens, min(h, v), compiled)
                and not _negated(tokens, h, compiled)
            ]
            if not near:
                continue
            # "kidnapped and beaten": the victim's category from any harm, violence from a violent one.
            h = min(near, key=lambda pair: abs(pair[0] - v))[0]
            found.add(category, _span(text, tokens, min(h, v), max(h, v)))
            for h, violent in near:
                if violent:
                    found.add("violence", _span(text, tokens, min(h, v), max(h, v)))
                    break


def _scan_custom(text: str, custom_terms: Mapping[str, Sequence[str]] | None, found: _Found) -> None:
    for category, terms in (custom_terms or {}).items():
        if category not in CATEGORY_LABELS or isinstance(terms, str):
            continue
        for term in terms:
            term = " ".join(str(term).split())
            if not term:
                continue
            pattern = r"(?<![^\W_])" + r"\s+".join(re.escape(p) for p in term.split()) + r"(?![^\W_])"
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                found.add(category, " ".join(match.group().split()))


def custom_warnings(
    title: str, text: str, custom_terms: Mapping[str, Sequence[str]] | None
) -> tuple[ContentWarning, ...]:
    """Only a club's own literal terms, for languages that have no rules: a club's word is still its word."""
    found = _Found()
    _scan_custom(f"{title}\n{text[:MAX_SCAN_CHARS]}", custom_terms, found)
    return _as_warnings(found.result())


def _as_warnings(found: Mapping[str, list[str]]) -> tuple[ContentWarning, ...]:
    return tuple(
        ContentWarning(c, CATEGORY_LABELS[c], tuple(found[c][:MAX_EVIDENCE]))
        for c in CATEGORIES
        if c in found
    )


def detect(
    lexicon: Lexicon, title: str, text: str, custom_terms: Mapping[str, Sequence[str]] | None = None
) -> tuple[ContentWarning, ...]:
    """Content warnings for one article in ``lexicon``'s language, in canonical category order."""
    compiled = lexicon.compiled
    assert compiled is not None, "compile_lexicon first"
    combined = (
        f"{title.strip()}\n{text[:MAX_SCAN_CHARS]}" if title and title.strip() else text[:MAX_SCAN_CHARS]
    )
    masked = _blank_titles(_blank(combined.lower(), compiled.idioms))
    # Lower-casing keeps offsets for these scripts; the evidence is cut from the original text.
    if len(masked) != len(combined):  # pragma: no cover - a casing change of length (e.g. "İ")
        masked = _blank_titles(_blank(combined, compiled.idioms))
    tokens = _tokens(masked, lexicon.code, compiled)
    found = _Found()
    _scan_phrases(combined, tokens, compiled, found)
    _scan_pairs(combined, tokens, compiled, found)
    _scan_custom(combined, custom_terms, found)
    return _as_warnings(found.result())


def without_denials(lexicon: Lexicon, text: str) -> str:
    """``text`` with the language's "no spoilers" phrases blanked (lower-cased)."""
    compiled = lexicon.compiled
    assert compiled is not None, "compile_lexicon first"
    return _blank(text.lower(), compiled.not_spoilers)


def spoilers(lexicon: Lexicon, title: str, text: str) -> tuple[str, ...]:
    """Spoiler reasons (in English, like the English rules') from the language's own cues."""
    compiled = lexicon.compiled
    assert compiled is not None, "compile_lexicon first"
    lowered = _blank(f"{title}\n{text[:MAX_SCAN_CHARS]}".lower(), compiled.not_spoilers)
    reasons: list[str] = []
    for pattern, reason in compiled.spoilers:
        if reason not in reasons and pattern.search(lowered):
            reasons.append(reason)
    return tuple(reasons)
