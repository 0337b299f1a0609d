"""Precision/recall of the content-warning detector (and of a naive keyword baseline) on labelled sets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest

from domain.digest import CATEGORIES, detect_warnings
from tests.domain.digest.cw_dataset import Case

Detector = Callable[[str], frozenset[str]]

#: Where the content-warning test leaves its evaluations for the terminal report (see conftest.py).
REPORT_KEY = pytest.StashKey[list["Evaluation"]]()

# What a first attempt usually looks like: one keyword list per category, matched on word prefixes. It is
# here so the report shows what the disambiguation buys; it is not tuned.
# fmt: off
NAIVE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "violence": (
        "kill", "murder", "shot", "shoot", "violen", "massacre", "slaughter", "execution", "bomb",
        "explosive",
        "attack", "gun", "stab", "fight", "war", "cut", "slasher", "brutal",
    ),
    "gore": ("gore", "gory", "blood", "guts", "splatter", "dismember", "decapitat"),
    "torture": ("tortur", "torment", "waterboard"),
    "sexual-violence": ("rape", "sexual assault", "harass", "molest", "grop"),
    "sexual-content": ("sex", "nude", "nudity", "naked", "erotic", "steamy"),
    "child-harm": ("child", "children", "kid", "baby", "girl", "boy"),
    "self-harm": ("suicid", "self-harm", "cutting"),
    "abuse": ("abuse", "abusive", "gaslight"),
    "animal-harm": ("animal", "dog", "horse", "cat ", "elephant", "whale"),
    "drugs": ("drug", "cocaine", "heroin", "meth", "weed", "high", "addict", "alcohol"),
    "flashing-lights": ("flash", "strob", "epilep", "seizure", "flicker"),
    "hate": ("hate", "racis", "slur", "nazi", "homophob", "antisemit", "klan"),
}
# fmt: on
_NAIVE_PATTERNS = {
    category: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + ")", re.IGNORECASE)
    for category, keywords in NAIVE_KEYWORDS.items()
}


def naive_detector(text: str) -> frozenset[str]:
    return frozenset(c for c, pattern in _NAIVE_PATTERNS.items() if pattern.search(text))


def rule_detector(text: str) -> frozenset[str]:
    return frozenset(w.category for w in detect_warnings("", text))


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    name: str
    cases: int
    per_category: dict[str, Counts]
    micro: Counts
    errors: list[tuple[str, frozenset[str], frozenset[str]]] = field(default_factory=list)


def evaluate(name: str, cases: Iterable[Case], detector: Detector) -> Evaluation:
    per_category = {c: Counts() for c in CATEGORIES}
    micro = Counts()
    errors: list[tuple[str, frozenset[str], frozenset[str]]] = []
    count = 0
    for item in cases:
        count += 1
        got = detector(item.text)
        if got != item.expected:
            errors.append((item.id, item.expected, got))
        for category in CATEGORIES:
            expected, found = category in item.expected, category in got
            counts = per_category[category]
            if expected and found:
                counts.tp += 1
                micro.tp += 1
            elif found:
                counts.fp += 1
                micro.fp += 1
            elif expected:
                counts.fn += 1
                micro.fn += 1
    return Evaluation(name, count, per_category, micro, errors)


def format_misses(evaluation: Evaluation) -> list[str]:
    return [
        f"  {case_id}: expected {sorted(expected) or '-'}, got {sorted(got) or '-'}"
        for case_id, expected, got in evaluation.errors
    ]


def format_table(evaluations: list[Evaluation]) -> str:
    """One row per category, a precision/recall column pair per evaluation, micro averages last."""
    header = f"{'category':<16}" + "".join(f" | {e.name[:22]:^22}" for e in evaluations)
    sub = f"{'':<16}" + "".join(f" | {'P':>6} {'R':>6} {'n':>7}" for _ in evaluations)
    lines = [header, sub, "-" * len(sub)]
    for category in CATEGORIES:
        row = f"{category:<16}"
        for e in evaluations:
            c = e.per_category[category]
            row += f" | {c.precision:6.2f} {c.recall:6.2f} {c.tp + c.fn:7d}"
        lines.append(row)
    lines.append("-" * len(sub))
    row = f"{'micro':<16}"
    for e in evaluations:
        row += f" | {e.micro.precision:6.2f} {e.micro.recall:6.2f} {e.cases:>5}tx"
    lines.append(row)
    return "\n".join(lines)
