"""Film title matching for the spoiler shield, and title normalisation for duplicate detection.

Normalising (:func:`normalise_title`): accents are stripped (``Amélie`` -> ``amelie``, ``Ø`` -> ``o``, ``ß`` ->
``ss``), case is folded, apostrophes vanish (``Schindler's`` -> ``schindlers``), ``&`` becomes ``and``, other
punctuation separates words (``Spider-Man`` -> ``spider man``), and one leading ``The`` is dropped
(``The Substance`` -> ``substance``). Only "The": dropping "A"/"An" would turn "A Ghost Story" into the
everyday phrase "ghost story".

Matching (:class:`TitleMatcher`): the title must appear as a whole phrase, word-bounded, with the same
normalisation applied to the text; up to three separator characters may sit between its words
(``Star Wars: Episode IV`` matches ``Star Wars - Episode IV``), a possessive is allowed at the end
(``Nosferatu's``), and a leading "The" is optional on both sides, so **The Substance matches "Substance
review"** (decided: the spec folds "The" away, and real headlines drop it).

*Short* titles collide with ordinary words ("Up", "Her", "It", "Us", "Nope"), so they need context. A title
is short when it has at most two words and at most 8 letters/digits in all (``Up``, ``Her``, ``Dune``,
``Amélie``, ``Parasite``, ``1917``), or at most three words that are all everyday English words
(``The Substance``, ``Inside Out``, ``Past Lives``). A short title counts only if, at that occurrence:

* the film's year is right next to it (``Her (2013)``, ``Up, 2009``, ``2009's Up``), or within 25
  characters of a capitalised mention (``Up is back in cinemas for its 2009 anniversary``); or
* it is quoted or italicised (``'Her'``, ``“Up”``, ``*Her*``, ``_Up_``); or
* its words are capitalised and one of these holds:
  - a film word is within three words (``Up sequel``, ``review: Her``, ``the movie Her``);
  - it follows a capitalised possessive (``Pixar's Up``, ``Spike Jonze's Her``);
  - it is mid-sentence in ordinary prose (not the first word of a sentence, and the sentence has some
    lowercase word, so Title Case headlines like "Prices Go Up as Inflation Bites" don't count).

So "Pixar's Up returns" matches, "prices went up" does not, "NOSFERATU" and "Nosferatu's" match
"Nosferatu", and "Amelie" matches "Amélie" (in prose: "I loved Amelie", "Amelie returns to cinemas").
Text should be plain (strip HTML from feed summaries first).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

from domain.errors import UserError

__all__ = ["TitleError", "TitleMatcher", "is_short_title", "mentions_film", "normalise_title", "title_key"]


class TitleError(UserError, ValueError):
    """A title with nothing to match (no letters or digits)."""


_SPECIAL_LETTERS: Final = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "&": " and ",
}
_APOSTROPHES: Final = frozenset("'’‘ʼ`´′")
_OPEN_QUOTES: Final = frozenset("'\"‘“«‹„‚*_")
_CLOSE_QUOTES: Final = frozenset("'\"’”»›*_")
_SENTENCE_END: Final = frozenset(".!?:;\n…•|–—")
_LEADING_JUNK: Final = " \t\"'‘“«‹„‚([{*_-"
YEAR_WINDOW: Final = 25
CUE_WINDOW: Final = 3


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SMALL_WORDS: Final = _words(
    "a an the and or nor but of in on at to for by with from as into onto over per vs via is are be"
)

# Words that make up many titles and also everyday prose or headlines.
COMMON_WORDS: Final = _words(
    """
    about above across act action after again against age ago air alive all alone along always american
    among angel angels animal animals another answer any apart apartment arrival art as attack autumn away
    baby back bad bank battle beach bear beast beautiful beauty because bed before began beginning behind
    being believe below best better between beyond big bird birds black blood blue boat body bond book born
    boss both bottom box boy boys brave bread break breaking breakfast bridge bright bring broken brother
    brothers brown build burn business busy call came camp can cannot captain car care carry cars case
    cast cat catch cause center central chance change charge chase cheap check child children choice
    circle city class clean clear close club coach code cold color come coming common company control cook
    cool cost could count country couple course court cover crash crazy creature crime cross crow crown
    cry cut dance danger dark daughter day days dead deal dear death deep desire detective die dirty do
    doctor dog dogs done door double down dream dreams dress drive driver drop dry dust each early earth
    east easy eat edge education end ending enemy energy enough escape even evening event ever every
    everybody everyone everything everywhere evil exit eye eyes face fact fair fall falling family far
    farm fast father fear feel few field fight fighter final find fine fire first fish five flight floor
    flower fly follow food for force forest forever forget free friday friend friends from front frozen
    full fun funny future game games garden gate get getting ghost gift girl girls give glass go god
    going gold golden gone good got grace grand gravity great green ground group grow guard guess gun
    guy guys hair half hall hand hands happy hard harm have he head heart heat heaven heavy hell hello help
    her here hero hidden high hill him his history hit hold hole holiday home honey hope horse hot hotel
    hour house how human hunt hunter hunting husband ice idea if inception inside interest into iron island
    it its jack job join joy judge jump jungle just justice keep key kid kids kill killer killing kind
    king kingdom kiss knight knock know lady lake land last late law lay lead learn leave left legend less
    let letter lie life light like line lion list little live lives living local lock long look lost
    love lover lovers low luck lucky mad made magic main make man manhattan many map mark market marriage
    mask master match matter may me mean meet member memory men middle might mile milk million mind
    minority mirror miss mission money monster month moon more morning most mother mountain mouse move
    movie much murder music must my mystery name nation nature near need network never new news next nice
    night nine no nobody noise none north nope nothing now number ocean off office old on once one only
    open order other our out outside over own pacific page paint paper paradise parasite parent park part
    party pass past path pay peace people perfect person phone picture piece pink place plan plane play
    player please point police poor power present president pretty price prince prisoner private problem
    program promise public pulp pure push put queen question quiet race rain rainbow raise rat reach read
    ready real reason red rest return revenge rich ride right ring rise river road rock room rose run
    running rush sad safe saint same save say school score sea season second secret see seen sense set
    seven shadow shadows shape share she ship shock shoot shop short shot show side sign signs silence
    silent simple sing single sister sisters sit six skin sky sleep sleeping slow small smile smoke snow
    so social soldier some someone something son song soul sound south space speed spirit split spotlight
    spring square stand star stars start state station stay steal step still stone stop storm story
    strange stranger street strong substance summer sun sunday sunset sunshine super surprise sweet
    swim table tail take tale talk tall taste teacher team tell ten test than that them then there these
    they thief thing things think this those three through time tiny today together tomorrow tonight top
    touch tough tower town toy toys trade train trap treasure tree trip trouble true trust truth try turn
    twelve twin two under until up upon us use valley very victory village violent visit voice wait wake
    walk wall want war warm warrior was watch water wave way we weapon wedding week weekend well west
    what wheel when where which while white who whole why wild will wind window winter wish with witch
    within without witness woman women wonder wood word work world worth would write wrong yard year
    yellow yes yesterday you young your youth zero zone
    """
)

_CUE_WORDS: Final = _words(
    """
    film films movie movies trailer trailers teaser review reviews reviewed sequel sequels prequel remake
    reboot director directors directed screening screenings rewatch rewatched rewatching watched watching
    starring cast premiere premieres cinema cinemas theater theaters theatre theatres oscar oscars bafta
    bluray dvd criterion 4k restoration spoiler spoilers ending imdb letterboxd boxoffice
    """
)

_CJK_RANGES: Final = (
    (0x2E80, 0x9FFF),  # CJK radicals .. unified ideographs, kana
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0x0E00, 0x0E7F),  # Thai (no spaces between words)
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    lower = ch.lower()
    if lower in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[lower]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character; ``origin[i]`` is the index in ``text`` of folded char ``i``."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = ch if ch.isascii() and not ch.isupper() and ch not in "'`&" else _fold_char(ch)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def _tokens(title: str) -> list[str]:
    folded, _ = _fold(title)
    return re.findall(r"[^\W_]+", folded.replace("'", ""))


def normalise_title(title: str) -> str:
    """Case-folded, accent-free, punctuation-free title without a leading "The" (``"The Amélie!"`` ->
    ``"amelie"``); empty if the title has no letters or digits."""
    tokens = _tokens(title)
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def title_key(title: str, year: int | None) -> tuple[str, int | None]:
    """Key for duplicate nominations: the normalised title and the year (None when unknown)."""
    return normalise_title(title), year


def is_short_title(title: str) -> bool:
    """Whether ``title`` needs context to count as a mention (see the module docstring)."""
    normalised = normalise_title(title)
    tokens = normalised.split()
    if not tokens:
        return False
    if any(_is_cjk(ch) for ch in normalised):  # no capitals or spaces to go by; 3+ ideographs are specific
        return len(normalised.replace(" ", "")) <= 2
    if len(tokens) <= 2 and sum(len(t) for t in tokens) <= 8:
        return True
    return len(tokens) <= 3 and all(t in COMMON_WORDS or t in _SMALL_WORDS for t in tokens)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _word_pattern(token: str) -> str:
    return "'?".join(re.escape(ch) for ch in token)


@dataclass(frozen=True, slots=True)
class TitleMatcher:
    """A precompiled matcher for one film: ``TitleMatcher("Her", 2013).matches(text)``."""

    title: str
    year: int | None = None
    normalised: str = field(init=False)
    short: bool = field(init=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _year_pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        normalised = normalise_title(self.title)
        if not normalised:
            raise TitleError("That title has no letters or digits to look for.")
        tokens = normalised.split()
        body = r"[\W_]{1,3}".join(_word_pattern(t) for t in tokens)
        start = "" if _is_cjk(normalised[0]) else r"(?<![^\W_])(?<![^\W_]')"
        end = "" if _is_cjk(normalised[-1]) else r"(?:'s)?(?![^\W_])(?!'[^\W_])"
        pattern = re.compile(start + r"(?P<the>the[\W_]{1,3})?(?P<body>" + body + ")" + end)
        year_pattern = re.compile(rf"(?<!\d){self.year}(?!\d)") if self.year is not None else None
        object.__setattr__(self, "normalised", normalised)
        object.__setattr__(self, "short", is_short_title(self.title))
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_year_pattern", year_pattern)

    def matches(self, text: str) -> bool:
        """Whether ``text`` mentions the film."""
        return self.search(text) is not None

    def search(self, text: str) -> tuple[int, int] | None:
        """The (start, end) span in ``text`` of the first accepted mention, or None."""
        if not text:
            return None
        folded, origin = _fold(text)
        for match in self._pattern.finditer(folded):
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            if not self.short:
                return start, end
            body_start = origin[match.start("body")]
            if self._has_context(text, folded, match, start, body_start, end):
                return start, end
        return None

    def _year_adjacent(self, text: str, start: int, end: int) -> bool:
        if self.year is None:
            return False
        year = str(self.year)
        after = re.match(r"[\s,(\[–—-]{0,3}" + year + r"(?!\d)", text[end : end + 12])
        before = re.search(
            r"(?<!\d)" + year + r"(?:['’]s)?[\s,)\]:–—-]{1,3}$", text[max(0, start - 12) : start]
        )
        return after is not None or before is not None

    def _has_context(
        self,
        text: str,
        folded: str,
        match: re.Match[str],
        start: int,
        body_start: int,
        end: int,
    ) -> bool:
        if self._year_adjacent(text, start, end):
            return True
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before in _OPEN_QUOTES and after in _CLOSE_QUOTES:
            return True
        if not _capitalised(text[body_start:end]):
            return False
        if self._year_pattern is not None:
            window = text[max(0, start - YEAR_WINDOW) : end + YEAR_WINDOW]
            if self._year_pattern.search(window):
                return True
        if _cue_nearby(folded, match.start(), match.end()):
            return True
        if _after_capitalised_possessive(text[:start]):
            return True
        if _sentence_initial(text[:start]):
            return False
        return not _headline_style(text, start, end)


def _capitalised(span: str) -> bool:
    words = re.findall(r"[^\W_][\w'’]*", span)
    significant = [w for i, w in enumerate(words) if i == 0 or w.casefold() not in _SMALL_WORDS]
    return bool(significant) and all(w[0].isupper() or w[0].isdigit() for w in significant)


def _cue_nearby(folded: str, start: int, end: int) -> bool:
    before = re.findall(r"[^\W_]+", folded[:start])[-CUE_WINDOW:]
    after = re.findall(r"[^\W_]+", folded[end:])[:CUE_WINDOW]
    return any(word in _CUE_WORDS for word in (*before, *after))


def _after_capitalised_possessive(prefix: str) -> bool:
    match = re.search(r"([^\W\d_][\w.-]*?)(?:['’]s|s['’])\s+$", prefix)
    return match is not None and match.group(1)[0].isupper()


def _sentence_initial(prefix: str) -> bool:
    stripped = prefix.rstrip(_LEADING_JUNK)
    return not stripped or stripped[-1] in _SENTENCE_END


def _headline_style(text: str, start: int, end: int) -> bool:
    """True when the sentence around text[start:end] has no lowercase word besides small words (Title Case or
    ALL CAPS), or nothing else to judge by: capitals there say nothing about a title."""
    left = max((text.rfind(ch, 0, start) for ch in ".!?\n"), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in ".!?\n") if i != -1]
    right = min(rights) if rights else len(text)
    words = re.findall(r"[^\W\d_][\w'’]*", text[left:start]) + re.findall(r"[^\W\d_][\w'’]*", text[end:right])
    if text[left:start].strip():
        words = words[1:]  # the sentence's first word is capitalised anyway
    judged = [w for w in words if w != "I" and w.casefold() not in _SMALL_WORDS]
    return not any(w[0].islower() for w in judged)


@functools.lru_cache(maxsize=256)
def _matcher(title: str, year: int | None) -> TitleMatcher:
    return TitleMatcher(title, year)


def mentions_film(text: str, title: str, year: int | None = None) -> bool:
    """Whether ``text`` mentions the film ``title`` (``year`` helps short titles); see :class:`TitleMatcher`."""
    return _matcher(title, year).matches(text)
