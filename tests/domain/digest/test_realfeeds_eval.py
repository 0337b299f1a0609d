"""Content warnings and spoilers on real film writing: labelled items of real feeds.

Each labelled item (``realfeeds/tune.json``, ``realfeeds/unseen.json``; policy and history in
``realfeeds/GUIDE.md``) is read from its feed file at run time and goes the bot's own way: bytes ->
``parse_bytes`` (feedparser) -> ``article_from_entry`` -> ``digest_entry``, so the warnings and the spoiler
flag measured are the ones the bot would post. The tuning items come from the shared corpus
(``shared/corpus/realfeeds``, skipped with its path when absent); the held-out items from the library of
feed snapshots kept in the repository (``realfeeds/library/``), so they are evaluated on every run. The
numbers are printed in the terminal summary next to the synthetic sets (``conftest.py``); only the tune
split's misses are listed, the held-out split is reported in aggregate.

The issue's targets on the held-out items are asserted once ``ENFORCE_UNSEEN_TARGETS`` is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pytest

from domain.digest import CATEGORIES, Digest, article_from_entry, digest_entry
from domain.digest.digest import CW_REASON_PREFIX
from domain.feedrules import entry_key
from services.feedparse import parse_bytes
from tests.domain.digest.cw_dataset import DEVELOPMENT, Case
from tests.domain.digest.cw_eval import Counts, evaluate, rule_detector
from tests.domain.digest.cw_heldout import HELD_OUT
from tests.domain.digest.realfeeds import split as split_history
from tests.domain.digest.realfeeds.labels import (
    CORPUS,
    EVAL_OPTIONS,
    LIBRARY_PREFIX,
    SPLITS,
    Label,
    feed_path,
    load_labels,
    load_second_labels,
    round_ids,
)
from tests.domain.digest.realfeeds.report import REAL_REPORT_KEY, RealReport, SplitResult

#: Flipped to True by the coordinator when the rules are done; until then the numbers are only printed.
ENFORCE_UNSEEN_TARGETS = False
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.9
#: The newest round of held-out library items (GUIDE.md, History), reported on its own.
LATEST_ROUND = 6

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"real-feed corpus not found at {CORPUS}: real-writing evaluation skipped"
)


@cache
def corpus_digests(file: str) -> dict[str, Digest]:
    """Every entry of one feed file, digested as the bot would post it, by entry key."""
    parsed = parse_bytes(feed_path(file).read_bytes())
    return {
        entry_key(entry): digest_entry(article_from_entry(entry, parsed.title), EVAL_OPTIONS)
        for entry in parsed.entries
    }


def plot_spoiler(digest: Digest) -> bool:
    return any(not reason.startswith(CW_REASON_PREFIX) for reason in digest.spoiler_reasons)


def warnings_checked(digest: Digest) -> bool:
    # A digest in a language the detector does not cover says so (issue 12, deliverable 6); until that
    # field exists every digest counts as checked.
    return bool(getattr(digest, "warnings_checked", True))


def evaluate_split(split: str, labels: Iterable[Label]) -> tuple[SplitResult, list[str]]:
    cases: list[Case] = []
    predicted: dict[str, frozenset[str]] = {}
    spoiler = Counts()
    result_missing: list[str] = []
    plain_items = unchecked_items = unchecked_expected = 0
    plain_warned: list[str] = []
    spoiler_errors: list[tuple[str, bool, bool]] = []
    for label in labels:
        digest = corpus_digests(label.file).get(label.key)
        if digest is None:
            result_missing.append(label.id)
            continue
        got = frozenset(w.category for w in digest.warnings)
        if label.plain:
            plain_items += 1
            if got:
                plain_warned.append(f"{label.id} ({label.title}): {sorted(got)}")
        if warnings_checked(digest):
            # cw_eval's evaluate() calls the detector with a case's text; here the text is the item's id
            # and the "detector" looks up what the bot's digest said for it.
            cases.append(Case(label.id, label.id, label.warnings))
            predicted[label.id] = got
        else:
            unchecked_items += 1
            unchecked_expected += len(label.warnings)
        found = plot_spoiler(digest)
        if label.spoiler and found:
            spoiler.tp += 1
        elif found:
            spoiler.fp += 1
        elif label.spoiler:
            spoiler.fn += 1
        if found != label.spoiler:
            spoiler_errors.append((label.id, label.spoiler, found))
    evaluation = evaluate(f"real: {split}", cases, predicted.__getitem__)
    result = SplitResult(
        name=split,
        warnings=evaluation,
        spoiler=spoiler,
        plain_items=plain_items,
        plain_warned=plain_warned,
        unchecked_items=unchecked_items,
        unchecked_expected=unchecked_expected,
        spoiler_errors=spoiler_errors,
    )
    return result, result_missing


@pytest.fixture(scope="module")
def report(pytestconfig: pytest.Config) -> RealReport:
    synthetic = [
        evaluate("synthetic: development", DEVELOPMENT, rule_detector),
        evaluate("synthetic: held-out", HELD_OUT, rule_detector),
    ]
    splits: dict[str, SplitResult] = {}
    missing: list[str] = []
    for split in SPLITS:
        # Without the shared corpus only the library items (kept in the repository) can be evaluated.
        labels = [label for label in load_labels(split) if feed_path(label.file).is_file()]
        if labels:
            splits[split], lost = evaluate_split(split, labels)
            missing.extend(lost)
    # The newest round's held-out items alone: the only ones no rule change has been measured against.
    latest = round_ids(LATEST_ROUND)
    fresh = [label for label in load_labels("unseen") if label.id in latest]
    if fresh:
        name = f"unseen, round {LATEST_ROUND} only"
        splits[name], _ = evaluate_split(name, fresh)
    result = RealReport(synthetic, splits, missing, labeller_agreement())
    pytestconfig.stash[REAL_REPORT_KEY] = result
    return result


def labeller_agreement() -> str:
    """How far a second blind labeller agrees with the first on the items both labelled: the first library
    fold (tuning items) and rounds 5-6 (tuning halves and held-out halves alike; printed in aggregate only)."""
    second = load_second_labels()
    first = {label.id: label for split in SPLITS for label in load_labels(split) if label.id in second}
    later = round_ids(5) | round_ids(6)
    groups = {
        "the first library fold": [i for i in first if i not in later],
        "rounds 5-6": [i for i in first if i in later],
    }
    parts = []
    for name, ids in groups.items():
        if not ids:
            continue
        shared = only_first = only_second = 0
        for item in ids:
            mine, other = first[item].warnings, second[item].warnings
            shared += len(mine & other)
            only_first += len(mine - other)
            only_second += len(other - mine)
        f1 = 2 * shared / max(1, 2 * shared + only_first + only_second)
        same_spoiler = sum(first[i].spoiler == second[i].spoiler for i in ids)
        same_plain = sum(first[i].plain == second[i].plain for i in ids)
        parts.append(
            f"{name} ({len(ids)} items): warning labels F1 {f1:.2f} ({shared} shared, {only_first} first "
            f"only, {only_second} second only) · spoiler {same_spoiler} of {len(ids)} · plain {same_plain} "
            f"of {len(ids)}"
        )
    return "labeller agreement on library items labelled twice: " + "; ".join(parts)


def test_the_second_labelling_covers_library_items() -> None:
    second = load_second_labels()
    library = {
        label.id for split in SPLITS for label in load_labels(split) if label.file.startswith(LIBRARY_PREFIX)
    }
    assert set(second) <= library
    # The first library fold (split.py) and every item of rounds 5 and 6, labelled a second time.
    assert len(second) == 103 + len(round_ids(5) | round_ids(6))
    assert all(label.warnings <= set(CATEGORIES) for label in second.values())


@needs_corpus
def test_every_labelled_item_is_in_the_corpus(report: RealReport) -> None:
    assert not report.missing, f"labelled items not found in {CORPUS} (entry key changed?): {report.missing}"


def test_labels_are_many_and_a_third_is_held_out() -> None:
    tune, unseen = load_labels("tune"), load_labels("unseen")
    labels = tune + unseen
    assert sum(1 for label in labels if not label.file.startswith(LIBRARY_PREFIX)) >= 300
    assert len(unseen) >= len(labels) / 3
    # The held-out set is the library: feed versions nobody here had read when the rules were last tuned.
    assert all(label.file.startswith(LIBRARY_PREFIX) for label in unseen)
    ids = [label.id for label in labels]
    assert len(ids) == len(set(ids)), "an item is labelled twice (or sits in both splits)"
    for label in labels:
        assert label.lang.isalpha() and len(label.lang) == 2, label.id


def test_the_split_history_holds() -> None:
    # The first held-out third is still the one the seeded draw gives, and the held-out set is the library.
    assert split_history.main([]) == 0


def test_every_held_out_item_is_in_the_library(report: RealReport) -> None:
    labelled = load_labels("unseen")
    assert all(feed_path(label.file).is_file() for label in labelled)
    assert report.splits["unseen"].warnings.cases + report.splits["unseen"].unchecked_items == len(labelled)


@needs_corpus
def test_every_split_is_evaluated_and_reported(report: RealReport) -> None:
    for split in SPLITS:
        result = report.splits[split]
        labelled = {label.id for label in load_labels(split)}
        lost = sum(1 for item in report.missing if item in labelled)
        assert result.warnings.cases > 0
        assert result.warnings.cases + result.unchecked_items + lost == len(labelled)
    assert set(report.splits["tune"].warnings.per_category) == set(CATEGORIES)


@pytest.mark.skipif(
    not ENFORCE_UNSEEN_TARGETS, reason="unseen real-feed targets not enforced yet (numbers printed)"
)
def test_unseen_real_items_meet_the_targets(report: RealReport) -> None:
    unseen = report.splits["unseen"]
    micro = unseen.warnings.micro
    assert micro.precision >= TARGET_PRECISION, micro
    assert micro.recall >= TARGET_RECALL, micro
    assert not unseen.plain_warned, unseen.plain_warned
