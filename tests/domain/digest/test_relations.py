"""Victim x harm relations in a clause, in either voice, over lemmatised words (domain.digest.cw_relations)."""

from __future__ import annotations

import pytest

from domain.digest import detect_warnings
from domain.digest.cw_relations import lemma


def found(text: str) -> dict[str, tuple[str, ...]]:
    return {w.category: w.evidence for w in detect_warnings("", text)}


@pytest.mark.parametrize(
    ("text", "expected", "evidence"),
    [
        (
            "The boy is kidnapped and beaten by the traffickers.",
            {"child-harm"},
            "the boy is kidnapped and beaten",
        ),
        ("In the second act he beats the boy.", {"child-harm", "violence"}, "beats the boy"),
        ("A deer is gutted on screen.", {"animal-harm", "gore"}, "A deer is gutted"),
        ("The hunter guts a deer by the fire.", {"animal-harm", "gore"}, "guts a deer"),
        ("We see a deer gutted on screen.", {"animal-harm"}, "a deer gutted"),
        (
            "It shows a man being burned alive and a woman's throat slit in close-up.",
            {"gore", "violence"},
            "a man being burned alive",
        ),
        ("The finale kills off two main characters.", {"violence"}, "kills off two main characters"),
        ("The film opens with the abduction of a child.", {"child-harm"}, "abduction of a child"),
        ("Two puppies are drowned by the farmer.", {"animal-harm"}, "Two puppies are drowned"),
        ("The soldiers executed the prisoners at dawn.", {"violence"}, "executed the prisoners"),
        ("Her daughter was repeatedly molested by a neighbour.", {"child-harm", "sexual-violence"}, ""),
        # Session 11: killing a group, and harms that are harm only to animals.
        (
            "A young hunter journeys to Ireland to wipe out the last wolf pack.",
            {"animal-harm", "violence"},
            "wipe out the last wolf",
        ),
        ("The settlers hunt the wolves across the valley.", {"animal-harm"}, "hunt the wolves"),
        ("He traps a fox and sells the pelt.", {"animal-harm"}, "traps a fox"),
        ("The regime exterminates the villagers.", {"violence"}, "exterminates the villagers"),
    ],
)
def test_relations_in_either_voice(text: str, expected: set[str], evidence: str) -> None:
    result = found(text)
    assert expected <= set(result), result
    if evidence:
        assert any(evidence.casefold() in e.casefold() for c in expected for e in result[c]), result


@pytest.mark.parametrize(
    "text",
    [
        "A thriller about a boy who beat the odds.",
        "They shoot a family drama in Rome.",
        "The sequel beat the competition with ease.",
        "The studio executed the plan perfectly.",
        "She hangs out with the boys from the band.",
        "The girl who shot the film on 16mm won the prize.",
        "He shoots a horse opera in Spain every summer.",
        "No animals were killed, and no child was harmed.",
        "The boy never beats his brother at chess.",
        "The underdogs beat the boys from the rival school at their own game.",
        "The team beats the kids from the city in the final.",
        "He shoots the kids' birthday party on a camcorder.",
        "The detective hunts the killer through the city.",
        "A woman is trapped in her apartment by the storm.",
        "She wipes the table and leaves.",
        "The sequel wiped out the competition.",
        "The mother smothers her son with affection.",
        "Critics slaughter the remake.",
        "The boy is beaten at chess by his grandmother.",
        "She kills time before the screening.",
        "The director executes a perfect plan in the heist film.",
        "He hangs the portrait of his mother in the hall.",
    ],
)
def test_no_relation_without_a_victim_of_the_harm(text: str) -> None:
    assert found(text) == {}


def test_lemmas_come_from_the_lemmatiser() -> None:
    assert lemma("kidnapped") == "kidnap"
    assert lemma("gutted") == "gut"
    assert lemma("children") == "child"
    assert lemma("wolves") == "wolf"


def test_a_contest_in_one_clause_does_not_hide_violence_in_the_next() -> None:
    result = found("The girls beat the boys at football, then a boy is beaten to death.")
    assert {"violence", "child-harm"} <= set(result)


def test_passive_subject_pronouns_are_victims_and_evidence_merges() -> None:
    assert found("After she is beaten by her captors, she escapes.") == {"violence": ("she is beaten",)}
    assert found("They are slaughtered in the church.")["violence"] == ("They are slaughtered",)
    # An adult's kidnapping is not violence by itself; a child's is harm to a child.
    assert found("She is kidnapped by a cult.") == {}
    assert "child-harm" in found("A toddler is abducted from the park.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "There's a new Bad Bunny in town, and this one isn't dropping hits; it's dropping bodies.",
            {"violence"},
        ),
        ("The sequel is rated R for strong bloody violence, and language.", {"gore", "violence"}),
        ("The survivors discover the cult's cannibalism.", {"gore"}),
        ("Heart Eyes trades the chocolates for a tasty bloodbath.", {"violence"}),
    ],
)
def test_library_tuning_phrases(text: str, expected: set[str]) -> None:
    # Session 11: wording from the library's tuning third, generalised to a class of phrases.
    assert set(found(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Genre labels name a film's kind, not what it shows; two of them do not add up to a warning.
        ("The Serial Killer Thriller 'The Huntsman' is Out Now!", set()),
        ("Watch an action-packed home invasion horror short, made for slasher lovers.", set()),
        ("Ryan Murphy leans into his favourite themes: vanity, obsession and body horror.", set()),
        ("Do you remember when Saw was a think piece instead of a gore gimmick?", set()),
        ("The film traces a grim line between America's violent past and present.", set()),
        # ... while what they show still counts.
        ("The film revels in gruesome body horror.", {"gore"}),
        ("Two teenage girls lost their lives in a series of horrific attacks.", {"violence"}),
        ("The film explores a century of racial trauma.", {"hate"}),
        # Bare "murder" is a topic; a murder, someone's murder, a murder victim is an act.
        ("The true crime industry profits from real murder.", set()),
        ("A mother travels through parallel universes to avenge her daughter's murder.", {"violence"}),
        ("The documentary revisits a brutal murder in 1990s Idaho.", {"violence"}),
        ("Police find the murder victim in the lake.", {"violence"}),
        # Round 2's tuning half (session 11).
        ("A weary traveler's motel room is invaded by masked killers in the opening scene.", {"violence"}),
        ("The spinach-eating psycho is back with a little time to kill.", set()),
        ("The term torture porn was coined during that time (thank you, Hostel).", set()),
        ("He tells us why a BDSM relationship comedy promised all that.", {"sexual-content"}),
        ("A woman throws herself from a bridge.", {"self-harm"}),
        # Round 3's tuning half: a family of serial killers is a premise; captivity is violence; teenagers
        # are people (child harm needs a text that says the victim is a minor).
        ("The slasher horror pic follows a family of serial killers.", set()),
        ("The thriller finds its young star all grown up and chained up in a basement.", {"violence"}),
        ("He likes to kill partying teenagers.", {"violence"}),
        # Round 4's tuning half (session 12): rating descriptors, real crimes, genre labels of series.
        ("The film is rated R for bloody violence and some gore.", {"gore", "violence"}),
        ("The drama tells the story of convicted killer Jane Doe.", {"violence"}),
        ("Her brother asked the abductors to contact the family.", {"violence"}),
        ("The cannibalistic trilogy comes to a close this weekend.", set()),
        ("A home invasion romance that mixes genres with ease.", set()),
        ("A sexually perverse black comedy from the Greek Weird Wave.", {"sexual-content"}),
        ("The new trailer for the horny sci-fi horror comedy is here.", {"sexual-content"}),
        ("A hilarious, delirious, beautiful, horny and original tale.", set()),
        # Round 5's tuning half (session 12): deaths told as fates, being eaten alive, plans that failed.
        ("You grew up watching a puppet cackle while people met their gruesome ends.", {"violence"}),
        ("The hiker suffers a grisly death in the woods.", {"violence"}),
        ("A farmer is eaten alive by his own pigs.", {"gore"}),
        ("The assassination scheme crumbled before anyone was hurt.", set()),
        ("The senator survived an assassination attempt in 1981.", {"violence"}),
        # Round 6's tuning half.
        ("Prosthetic penises. This week the podcast revisits the sequel.", {"sexual-content"}),
        ("A brutal death metal score drives the chase.", set()),
        ("The alien abductors return for a third film.", set()),
    ],
)
def test_genre_labels_and_the_content_they_name(text: str, expected: set[str]) -> None:
    assert set(found(text)) == expected
