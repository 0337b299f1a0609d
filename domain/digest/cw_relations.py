"""Victim × harm relations inside a clause, in either voice, over lemmatised words.

Word lists cannot tell "the boy is kidnapped and beaten by the traffickers" from "the boy who beat the odds";
a relation can: a **harm** (a verb such as *beat*, *gut*, *kill off*, or a noun such as *murder of*) and a
**victim** (a child, an animal, a person) in one clause, linked in one of four shapes:

* active: harm, an optional particle, up to three modifiers, victim ("beats the boy", "guts a deer",
  "kills off two main characters", "kills him");
* passive: victim, optional "who/that", an auxiliary (is/was/being/gets...), then harms joined by "and"
  or adverbs ("the boy is kidnapped and beaten", "a man being burned alive");
* reduced passive: victim, then a participle followed by "by/on/in/alive" or the clause end ("a deer gutted
  on screen");
* nominal: a harm noun, "of", up to three modifiers, victim ("the abduction of a child").

Words are lemmatised with simplemma (its English data ships in the package; loaded on first use, only when a
harm word occurs, and cached per token), so what a word is comes from the lemmatiser, not from tables here.
Speed: the content-warning phrase trie already scans every word, so it also reports the spellings a harm may
take (:data:`HARM_FORMS`, over-generated and confirmed by the lemmatiser); the Python work is per candidate.
Readings that only look like harm are dropped: a contest ("beat the boys at football"), fond excess
("smothers her son with affection"), a possessive ("shoots the kids' party") or a collective ("a family of
bears").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from domain.digest.lemmas import lemmatize

STRONG = 1.0
WEAK = 0.5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Victim classes by lemma.
# Teenagers are people, not children: a text has to say a victim is a minor ("kill partying teenagers" is
# violence, as the labelling guide and its labellers read it).
CHILD = _words("""child kid boy girl baby infant toddler newborn son daughter schoolboy schoolgirl schoolchild orphan
    minor youngster""")
ANIMAL = _words("""dog puppy pup cat kitten horse pony foal animal pet rabbit bunny cow calf pig piglet deer fawn
    elephant dolphin whale monkey chimp chimpanzee ape gorilla lamb sheep goat chicken bull donkey wolf
    orca bear seal fox bird parrot owl hamster mouse rat lion tiger shark""")
PERSON = _words("""man woman person people character victim wife husband father mother brother sister friend
    stranger cop officer soldier prisoner guard neighbour neighbor villager civilian protester hostage
    student rival gangster colleague family priest journalist passenger hero heroine protagonist
    villain lover boyfriend girlfriend partner patient nurse doctor worker refugee migrant inmate
    teacher witness survivor couple twin sibling parent dad mum mom uncle aunt cousin grandmother
    grandfather fiance fiancee bride groom samurai warrior knight explorer traveler traveller tourist
    camper hiker counselor counsellor babysitter hitchhiker townspeople resident guest classmate roommate
    sheriff detective agent scientist crew sailor settler local teenager teen wanderer monk nun""")
_PRONOUNS = {"him": "person", "them": "person", "her": "person", "himself": "", "herself": ""}
# Subjects of a passive harm: "she is kidnapped", "he is beaten to death".
_SUBJECT_PRONOUNS = {"he": "person", "she": "person", "they": "person"}

# Harm lemmas: what each does to each victim class, as (category, weight) effects.
_Effects = tuple[tuple[str, float], ...]
_V: _Effects = (("violence", STRONG),)
_VW: _Effects = (("violence", WEAK),)
_GORE: _Effects = (("gore", STRONG), ("violence", STRONG))
VIOLENT: dict[str, _Effects] = dict.fromkeys(
    _words("""kill murder slay slew beat stab shoot shot strangle butcher slaughter massacre execute behead
    decapitate maul bludgeon lynch drown hang poison suffocate smother maim crucify impale
    electrocute torture burn assault"""),
    _V,
)
VIOLENT.update(dict.fromkeys(_words("attack punch kick slap whip shove choke"), _VW))
# Kidnapping an adult is not violence by itself (a moderator wants the act); of a child it is child harm.
VIOLENT.update(dict.fromkeys(_words("kidnap abduct"), ()))
# Killing a group: "wipe out the last wolf pack", "exterminates the villagers" ("wipe" only with "out").
VIOLENT.update(dict.fromkeys(_words("exterminate wipe"), _V))
# Harms only to animals: hunting or trapping a person ("hunts the killer") is a chase, not an injury.
ANIMAL_ONLY: dict[str, _Effects] = dict.fromkeys(_words("hunt trap cull poach"), ())
# Verbs that are harm only with their particle: "wipe out the pack", not "wipe the table".
_PARTICLE_REQUIRED = {"wipe": "out"}
VIOLENT.update(
    dict.fromkeys(_words("gut guts disembowel eviscerate dismember mutilate flay skin scalp"), _GORE)
)
SEXUAL: dict[str, _Effects] = dict.fromkeys(_words("rape molest grope"), (("sexual-violence", STRONG),))
ABUSE: dict[str, _Effects] = dict.fromkeys(
    _words("abuse mistreat neglect starve traffick groom"), (("abuse", WEAK),)
)
HARMS: dict[str, _Effects] = {**VIOLENT, **SEXUAL, **ABUSE, **ANIMAL_ONLY}
# Harm nouns followed by "of": "the murder of a child", "the abduction of two girls".
NOMINAL: dict[str, str] = {
    "killing": "kill",
    "murder": "murder",
    "abduction": "abduct",
    "kidnapping": "kidnap",
    "beating": "beat",
    "execution": "execute",
    "drowning": "drown",
    "slaughter": "slaughter",
    "massacre": "massacre",
    "torture": "torture",
    "rape": "rape",
    "abuse": "abuse",
    "mutilation": "mutilate",
    "neglect": "neglect",
    "molestation": "molest",
    "shooting": "shoot",
    "stabbing": "stab",
}
# Harms a verb does to an animal or a child that are harm to them whatever the verb's weight.
_CHILD_HARM_ANY = frozenset(HARMS) - {"shove", "attack"} - frozenset(ANIMAL_ONLY)

_IRREGULAR = _words("slain slew hung beaten shot burnt stole shotgunned")


def _candidate_forms(word: str) -> set[str]:
    """Spellings a harm lemma may take in text, over-generated on purpose: each is only a candidate for the
    phrase scan, and a hit counts only if simplemma lemmatises it back to a harm (so a bogus form costs
    nothing, and the lemmatiser, not this function, decides what a word is)."""
    forms = {word, f"{word}s", f"{word}es", f"{word}ed", f"{word}d", f"{word}ing", f"{word}ings", f"{word}en"}
    if word.endswith("e"):
        forms |= {f"{word[:-1]}ing", f"{word[:-1]}ings"}
    if word.endswith("y"):
        forms |= {f"{word[:-1]}ied", f"{word[:-1]}ies"}
    if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {f"{word}{word[-1]}ed", f"{word}{word[-1]}ing", f"{word}{word[-1]}er"}
    return forms


#: Every spelling the phrase scan reports to :func:`find_relations` as a possible harm word.
HARM_FORMS: frozenset[str] = frozenset(
    {form for word in (*HARMS, *NOMINAL) for form in _candidate_forms(word)} | _IRREGULAR
)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_CLAUSE_END = re.compile(r"[.;:!?()\[\]\"“”\n—–]|, (?:but|while|and then|as|when|who|which)\b|,")

AUX = _words("is are was were be been being gets get got getting gotten becomes became")
_RELATIVE = _words("who that which")
_CHAIN = _words(
    "and or then also repeatedly brutally savagely viciously nearly almost later finally up down out off"
)
_PARTICLES = _words("off up down out")
# Words a modifier run may not contain: they end the noun phrase or change the relation.
_STOP = _words("""in on at with for by from into of and but or as that which who to than like about over after before
    while when because if is are was were be been being has have had will would can could may might not
    never no it its this these those there""")
# A victim word followed by one of these is a modifier in a film compound ("shoot a family drama").
_COMPOUND_HEADS = _words("""drama film movie group band comedy show series story portrait photo photos picture pictures scene
    scenes footage video videos actor actors actress star stars cast friendly audience audiences viewers
    fans section feature features flick documentary doc thriller horror movies films shots shoot cave
    names name role roles character characters opera race racing whisperer trainer owner owners lovers
    people""")
_DETERMINERS = _words("a an the his her their its my your our two three four five several some")
_REDUCED_PASSIVE_NEXT = _words("by on in alive onscreen to at")


@lru_cache(maxsize=8192)
def lemma(token: str) -> str:
    """The English lemma of a lower-case token (:mod:`domain.digest.lemmas`: its data loads on the first
    call, paid only once a harm word occurs)."""
    if "'" in token:
        token = token.split("'", 1)[0]
    return lemmatize(token, "en").lower()


def victim_class(token: str) -> str:
    if token in _PRONOUNS:
        return _PRONOUNS[token]
    word = lemma(token)
    if word in CHILD:
        return "child"
    if word in ANIMAL:
        return "animal"
    if word in PERSON:
        return "person"
    return ""


@dataclass(frozen=True, slots=True)
class Relation:
    start: int
    end: int
    harm: str  # the harm lemma
    victim: str  # "child", "animal" or "person"
    harm_start: int  # where the harm word is (for negation)


def effects(relation: Relation) -> list[tuple[str, float]]:
    """The (category, weight) evidence one relation gives."""
    out = list(HARMS.get(relation.harm, ()))
    if relation.victim == "child":
        if relation.harm in _CHILD_HARM_ANY or relation.harm in SEXUAL:
            out.append(("child-harm", STRONG))
        if relation.harm in ABUSE:
            out = [("child-harm", STRONG)]
    elif relation.victim == "animal":
        # Killing or beating an animal is violence as well as harm to it (the labelling policy); the
        # weaker verbs ("attack", "kick") and hunting or trapping are harm to the animal only.
        out = [(c, w) for c, w in out if c == "gore" or (c == "violence" and w == STRONG)]
        if relation.harm in _CHILD_HARM_ANY or relation.harm in ANIMAL_ONLY:
            out.append(("animal-harm", STRONG))
    return out


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def _clause(masked: str, position: int) -> tuple[int, int]:
    low = max(0, position - 160)
    start = low
    for match in _CLAUSE_END.finditer(masked, low, position):
        start = match.end()
    found = _CLAUSE_END.search(masked, position, position + 160)
    return start, found.start() if found else min(len(masked), position + 160)


def _active(after: list[tuple[int, int, str]], verb_lemma: str) -> tuple[int, str] | None:
    """Index into ``after`` of the victim of an active harm verb, and its class."""
    index = 0
    if after and after[0][2] in _PARTICLES:
        index = 1
    if index < len(after) and after[index][2] in _PRONOUNS:
        pronoun = after[index][2]
        following = after[index + 1][2] if index + 1 < len(after) else ""
        if pronoun == "her" and following and following not in _STOP:
            index += 1  # "beats her son": a possessive, go on to the noun
        elif pronoun == "them" and verb_lemma not in (
            "kill",
            "murder",
            "beat",
            "stab",
            "torture",
            "slaughter",
        ):
            return None  # "shot them on 16mm" is film talk
        else:
            kind = _PRONOUNS[pronoun]
            return (index, kind) if kind else None
    for offset in range(index, min(index + 4, len(after))):
        word = after[offset][2]
        if word in _STOP:
            return None
        if word.endswith("'s"):
            continue  # "kills the boy's father": the possessor is not the victim
        kind = victim_class(word)
        if kind:
            following = after[offset + 1][2] if offset + 1 < len(after) else ""
            return None if following in _COMPOUND_HEADS else (offset, kind)
    return None


def _passive(before: list[tuple[int, int, str]]) -> tuple[int, str] | None:
    """Index into ``before`` of the victim of a passive harm (``before`` ends just before the verb)."""
    index = len(before) - 1
    steps = 0
    while index >= 0 and steps < 5:
        word = before[index][2]
        if word in AUX:
            break
        if word in _CHAIN or word.endswith(("ly", "ed", "ung")) or lemma(word) in HARMS:
            index -= 1
            steps += 1
            continue
        return None
    else:
        return None
    index -= 1
    while index >= 0 and before[index][2] in _RELATIVE | {"now", "then", "also", "later"}:
        index -= 1
    if index < 0:
        return None
    word = before[index][2]
    kind = _SUBJECT_PRONOUNS.get(word) or victim_class(word)
    return (index, kind) if kind else None


def _reduced(
    before: list[tuple[int, int, str]], after: list[tuple[int, int, str]], verb: str
) -> tuple[int, str] | None:
    # "a deer gutted on screen": a participle right after its victim, then a preposition or nothing.
    if not before or not verb.endswith(("ed", "en", "t")):
        return None
    if after and after[0][2] not in _REDUCED_PASSIVE_NEXT:
        return None
    kind = victim_class(before[-1][2])
    return (len(before) - 1, kind) if kind else None


def _widen(masked: str, tokens: list[tuple[int, int, str]], index: int) -> int:
    """Start of the victim's noun phrase: take one determiner or number before it for readable evidence."""
    if index > 0 and (tokens[index - 1][2] in _DETERMINERS or tokens[index - 1][2].isdigit()):
        return tokens[index - 1][0]
    return tokens[index][0]


# Harm verbs that are also the verbs of contests and fond excess: "beat the boys at football", "the boy is
# beaten at chess", "smothers her son with affection". A clause with one of these words is not violence.
_CONTEST_VERBS = _words("beat crush smash slaughter kill murder destroy smother hit kick")
_CONTEST_WORDS = _words(
    """chess game games football soccer basketball baseball hockey tennis golf poker cards race match
    final finals semifinal contest competition tournament championship league polls odds heat record
    records election quiz spelling bee scrabble draw punch affection love kisses attention praise gifts
    kindness care"""
)
_COLLECTIVE = _words("family couple group pair generation crowd band")


def _excluded(masked: str, victim_end: int, clause_end: int, harm: str, victim_word: str) -> bool:
    """Readings that only look like harm: a possessive victim ("shoots the kids' party"), a collective
    before "of" ("a family of bears"), a contest or fond excess ("beat the boys at football")."""
    if masked[victim_end : victim_end + 1] == "'":
        return True
    after = _tokens(masked, victim_end, clause_end)[:10]
    if after and after[0][2] == "of" and lemma(victim_word) in _COLLECTIVE:
        return True
    return harm in _CONTEST_VERBS and any(t[2] in _CONTEST_WORDS for t in after)


def is_contest(masked: str, harm_start: int, harm_end: int) -> bool:
    """Is the harm word at ``masked[harm_start:harm_end]`` a contest verb in a clause about a contest?"""
    if lemma(masked[harm_start:harm_end]) not in _CONTEST_VERBS:
        return False
    _, clause_end = _clause(masked, harm_start)
    return any(t[2] in _CONTEST_WORDS for t in _tokens(masked, harm_end, clause_end)[:12])


def find_relations(
    masked: str, candidates: Iterable[tuple[int, int, str]], negated: Callable[[int, int], bool]
) -> Iterator[Relation]:
    """Relations in ``masked`` (folded text with titles and idioms blanked) around the ``candidates``
    (start, end, word) that the phrase scan found. ``negated(start, end)`` says whether a harm word is
    negated ("no animals were harmed" is handled by the phrase rules)."""
    for start, end, word in candidates:
        base = lemma(word)
        nominal = NOMINAL.get(word) or NOMINAL.get(base)
        if base not in HARMS and nominal is None:
            continue
        clause_start, clause_end = _clause(masked, start)
        after = _tokens(masked, end, clause_end)[:12]
        found: tuple[int, int, str, str] | None = None
        if nominal is not None and after and after[0][2] == "of":
            hit = _active(after[1:], nominal)
            if hit is not None:
                victim = after[1 + hit[0]]
                if not _excluded(masked, victim[1], clause_end, nominal, victim[2]):
                    found = (start, victim[1], nominal, hit[1])
        particle = _PARTICLE_REQUIRED.get(base)
        if particle is not None and not (after and after[0][2] == particle):
            continue
        if found is None and base in HARMS:
            hit = _active(after, base)
            if hit is not None:
                victim = after[hit[0]]
                if not _excluded(masked, victim[1], clause_end, base, victim[2]):
                    found = (start, victim[1], base, hit[1])
            elif not word.endswith("ing"):  # "shooting" is never a passive participle
                before = _tokens(masked, max(clause_start, start - 100), start)[-10:]
                back = _passive(before) or _reduced(before, after, word)
                if back is not None and not (
                    base in _CONTEST_VERBS and any(t[2] in _CONTEST_WORDS for t in after)
                ):
                    found = (_widen(masked, before, back[0]), end, base, back[1])
                    if after and after[0][2] == "alive":
                        found = (found[0], after[0][1], base, back[1])
        if found is None or negated(start, end):
            continue
        yield Relation(found[0], found[1], found[2], found[3], start)
