"""Content-warning detection: the labelled sets (with a report), film jargon, negation, custom terms."""

from __future__ import annotations

import pytest

from domain.digest import CATEGORIES, CATEGORY_LABELS, detect_warnings
from tests.domain.digest.cw_dataset import DEVELOPMENT, FIRST_HELD_OUT, MAIN
from tests.domain.digest.cw_eval import REPORT_KEY, Evaluation, evaluate, naive_detector, rule_detector
from tests.domain.digest.cw_heldout import HELD_OUT


def categories(text: str, title: str = "", custom: dict[str, tuple[str, ...]] | None = None) -> set[str]:
    return {w.category for w in detect_warnings(title, text, custom)}


@pytest.fixture(scope="module")
def evaluations(pytestconfig: pytest.Config) -> dict[str, Evaluation]:
    results = {
        "rules dev": evaluate("rules: development", DEVELOPMENT, rule_detector),
        "rules held-out": evaluate("rules: held-out", HELD_OUT, rule_detector),
        "naive dev": evaluate("naive: development", DEVELOPMENT, naive_detector),
        "naive held-out": evaluate("naive: held-out", HELD_OUT, naive_detector),
    }
    pytestconfig.stash[REPORT_KEY] = list(results.values())
    return results


def test_labelled_sets_are_big_enough_and_cover_every_category() -> None:
    assert len(MAIN) >= 80 and len(HELD_OUT) >= 25 and len(FIRST_HELD_OUT) >= 25
    ids = [c.id for c in DEVELOPMENT + HELD_OUT]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in DEVELOPMENT + HELD_OUT:
        assert case.expected <= set(CATEGORIES), case.id
    for category in CATEGORIES:
        assert sum(category in c.expected for c in MAIN) >= 3, category
    assert sum(not c.expected for c in MAIN) >= 30, "tricky negatives and negations"


def test_development_set_precision_and_recall(evaluations: dict[str, Evaluation]) -> None:
    micro = evaluations["rules dev"].micro
    assert micro.precision >= 0.95 and micro.recall >= 0.9, (micro.precision, micro.recall)


def test_held_out_set_precision_and_recall(evaluations: dict[str, Evaluation]) -> None:
    micro = evaluations["rules held-out"].micro
    assert micro.precision >= 0.9 and micro.recall >= 0.8, (micro.precision, micro.recall)


def test_rules_are_far_more_precise_than_a_keyword_list(evaluations: dict[str, Evaluation]) -> None:
    for split in ("dev", "held-out"):
        assert (
            evaluations[f"rules {split}"].micro.precision
            >= evaluations[f"naive {split}"].micro.precision + 0.25
        )


def test_category_ids_and_labels_are_the_contract() -> None:
    assert CATEGORIES == (
        "violence",
        "gore",
        "torture",
        "sexual-violence",
        "sexual-content",
        "child-harm",
        "self-harm",
        "abuse",
        "animal-harm",
        "drugs",
        "flashing-lights",
        "hate",
    )
    assert CATEGORY_LABELS["sexual-violence"] == "sexual violence"
    assert CATEGORY_LABELS["self-harm"] == "self-harm/suicide"
    assert CATEGORY_LABELS["flashing-lights"] == "flashing lights"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The so-called red rooms are snuff films.", "violence"),
        ("Viewers paid to watch live-streamed torture.", "torture"),
        ("The finale is all blood splattering across the walls.", "gore"),
        ("Behind the door, a child's screams.", "child-harm"),
        ("Be warned: the dog dies.", "animal-harm"),
        ("He takes his own life in the last reel.", "self-harm"),
        ("The documentary doesn't shy away from violence.", "violence"),
        ("There is no shortage of gore.", "gore"),
        ("It is not without its violence.", "violence"),
        ("The horse is shot dead by the sheriff.", "animal-harm"),
        ("The film depicts domestic violence.", "abuse"),
        ("She is raped in the second act.", "sexual-violence"),
        ("The strobe effects may trouble viewers with photosensitive epilepsy.", "flashing-lights"),
        ("The Klan rally is staged in full.", "hate"),
        ("He deals cocaine out of a video store.", "drugs"),
        ("The erotic thriller has several nude scenes.", "sexual-content"),
    ],
)
def test_detects(text: str, expected: str) -> None:
    assert expected in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "A killer performance from Lily Gladstone.",
        "The explosive finale is pure fun.",
        "It was a box-office slaughter for the sequel.",
        "The box-office massacre continued in week two.",
        "The horror section of the festival is strong this year.",
        "A bloody good time at the movies.",
        "Slasher fans will be pleased.",
        "Shot on 35mm film by a great cinematographer.",
        "The director's cut runs four hours.",
        "A gripping execution of a simple idea.",
        "The film bombed at the box office.",
        "Gus Van Sant's Drugstore Cowboy returns to cinemas.",
        "No animals were harmed in the making of this film.",
        "There is no gore in this ghost story.",
        "A thriller without any violence.",
        "The child actor gives a wonderful performance.",
        "The dog shelter documentary is heartwarming.",
        "It has a killer soundtrack.",
        "Explosive chemistry between the leads.",
        "Gore Verbinski directs.",
        "Al Gore introduces the documentary.",
        "The studio killed the planned sequel.",
        "'Suicide Squad' is getting a reboot.",
        "A gore-free ghost story.",
        "Tortured artist dramas are back in fashion.",
    ],
)
def test_film_language_and_negation_warn_about_nothing(text: str) -> None:
    assert categories(text) == set()


def test_negation_does_not_cross_a_clause() -> None:
    assert categories("There is no gore, but the violence is relentless.") == {"violence"}
    assert categories("No Country for Old Men's violence is quiet and sudden.") == {"violence"}


def test_title_counts_and_evidence_keeps_the_matched_phrases() -> None:
    warnings = detect_warnings(
        "Inside the snuff films of the dark web", "A quiet interview with the director."
    )
    assert [w.category for w in warnings] == ["violence"]
    assert warnings[0].label == "violence"
    assert warnings[0].evidence == ("snuff films",)


def test_torture_implies_violence_with_its_evidence() -> None:
    warnings = {w.category: w for w in detect_warnings("", "The prisoner is waterboarded.")}
    assert set(warnings) == {"torture", "violence"}
    assert warnings["violence"].evidence == ("waterboarded",)


def test_weak_words_need_company() -> None:
    assert categories("A slasher set at a summer camp.") == set()
    assert categories("In the slasher, a masked killer stalks campers.") == {"violence"}


def test_results_come_in_category_order() -> None:
    found = [
        w.category for w in detect_warnings("", "Heroin, a racist gang and a gunfight, with strobe lights.")
    ]
    assert found == sorted(found, key=CATEGORIES.index)


class TestCustomTerms:
    def test_literal_case_insensitive_and_word_bounded(self) -> None:
        custom = {"animal-harm": ("cat",)}
        assert categories("The CAT is hurt.", custom=custom) == {"animal-harm"}
        assert categories("Concatenate the cats.", custom=custom) == set()

    def test_regex_characters_are_literal(self) -> None:
        custom = {"hate": ("c.t", "(slur)", "a+b")}
        assert categories("The cat sat.", custom=custom) == set()
        assert categories("He shouts (slur) twice.", custom=custom) == {"hate"}
        assert categories("a+b again", custom=custom) == {"hate"}

    def test_punctuation_edges_and_spacing(self) -> None:
        custom = {"drugs": ("#420", "space  cake")}
        assert categories("Tagged #420 online.", custom=custom) == {"drugs"}
        assert categories("They eat space cake.", custom=custom) == {"drugs"}

    def test_custom_terms_ignore_negation_and_keep_evidence(self) -> None:
        (warning,) = detect_warnings("", "There are no clowns here.", {"violence": ("clowns",)})
        assert warning.evidence == ("clowns",)

    def test_unknown_categories_and_blank_terms_are_ignored(self) -> None:
        assert categories("spiders everywhere", custom={"spiders": ("spiders",), "gore": ("  ",)}) == set()

    def test_a_lone_string_is_one_term(self) -> None:
        assert categories("a spider appears", custom={"animal-harm": "spider"}) == {"animal-harm"}  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "text",
    [
        "A traumatic coming-of-age story.",
        "The traumatic events leave their trauma on the whole family.",  # two tone words are still tone
        "A brutal, dark and unforgiving film.",
        "A brutal film, savage in its satire.",
        "Gruesome, grisly fun.",
        "A sadistic game show host torments the contestants' egos.",
    ],
)
def test_words_of_tone_never_warn_alone(text: str) -> None:
    assert categories(text) == set()


def test_evidence_is_concrete_and_tone_words_are_not_shown() -> None:
    (warning,) = detect_warnings("", "A traumatic drama about an abusive marriage.")
    assert warning.category == "abuse"
    assert warning.evidence == ("abusive marriage",)
    warnings = {
        w.category: w.evidence for w in detect_warnings("", "A brutal film in which he is shot dead.")
    }
    assert warnings["violence"] == ("he is shot dead",)  # overlapping evidence merges into one phrase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marvel was considering him for a role before abuse allegations.", "abuse"),
        ("The teachers maintain a constant level of intoxication, fuelled by alcohol.", "drugs"),
        ("A Valentine slasher with stalk-and-slash thrills.", "violence"),
        ("The film is now streaming and delivering blood, laughs and a new icon.", "gore"),
        ("The filmmaker's home was damaged in an airstrike.", "violence"),
    ],
)
def test_real_feed_phrasings(text: str, expected: str) -> None:
    assert expected in categories(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Expect decapitations, disembowelments and plenty of arterial spray.", "gore"),
        ("Art the Clown saws a victim in half.", "gore"),
        ("The sequel ups the body count with more inventive kills.", "violence"),
        ("Victims are strung up and skinned.", "gore"),
        ("The documentary includes graphic footage of an execution.", "violence"),
        ("There is a scene where the dog gets run over.", "animal-harm"),
        ("Her stepfather sexually abuses her for years.", "sexual-violence"),
        ("A family is slaughtered in their home.", "violence"),
    ],
)
def test_horror_site_writing(text: str, expected: str) -> None:
    assert expected in categories(text)


def test_overlapping_evidence_becomes_one_phrase() -> None:
    (warning,) = detect_warnings("", "The killer's latest victim is found with her eyes gouged out.")
    assert warning.evidence == ("eyes gouged out",)


def test_a_genre_word_and_a_character_are_no_act() -> None:
    assert categories("A new slasher about a killer doll.") == set()
    assert categories("The killer claims three more victims in the sequel.") == {"violence"}
