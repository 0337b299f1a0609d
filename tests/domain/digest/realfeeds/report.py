"""The real-feed evaluation's results and their terminal report (shown by tests/domain/digest/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.domain.digest.cw_eval import Counts, Evaluation, format_misses, format_table


@dataclass
class SplitResult:
    """One split's numbers: content warnings (a cw_eval Evaluation), plot spoilers, warnings on plain items."""

    name: str
    warnings: Evaluation
    spoiler: Counts
    plain_items: int = 0
    plain_warned: list[str] = field(default_factory=list)
    unchecked_items: int = 0
    unchecked_expected: int = 0
    spoiler_errors: list[tuple[str, bool, bool]] = field(default_factory=list)


@dataclass
class RealReport:
    synthetic: list[Evaluation]
    splits: dict[str, SplitResult]
    missing: list[str]
    agreement: str = ""


#: Where test_realfeeds_eval.py leaves its report for the terminal summary.
REAL_REPORT_KEY = pytest.StashKey[RealReport]()

#: Only these splits list their misses item by item; the unseen split is reported in aggregate so that
#: nobody tunes rules on it by reading the test output.
LISTED_SPLITS = ("tune",)


def format_report(report: RealReport) -> list[str]:
    evaluations = report.synthetic + [split.warnings for split in report.splits.values()]
    lines = [format_table(evaluations), ""]
    for split in report.splits.values():
        s = split.spoiler
        lines.append(
            f"real {split.name}: spoiler P {s.precision:.2f} R {s.recall:.2f} "
            f"(tp {s.tp}, fp {s.fp}, fn {s.fn}) · plain items with a warning: "
            f"{len(split.plain_warned)} of {split.plain_items} · warnings not checked (language): "
            f"{split.unchecked_items} items, {split.unchecked_expected} labelled warnings on them"
        )
    if report.agreement:
        lines.append(report.agreement)
    if report.missing:
        lines.append(f"labelled items missing from the corpus: {len(report.missing)}")
    for split in report.splits.values():
        if split.name not in LISTED_SPLITS:
            continue
        if split.warnings.errors:
            lines.append(f"warning misses of real {split.name}:")
            lines.extend(format_misses(split.warnings))
        if split.spoiler_errors:
            lines.append(f"spoiler misses of real {split.name}:")
            lines.extend(
                f"  {item}: expected {'spoiler' if expected else '-'}, got {'spoiler' if got else '-'}"
                for item, expected, got in split.spoiler_errors
            )
        if split.plain_warned:
            lines.append(f"plain items warned in real {split.name}:")
            lines.extend(f"  {item}" for item in split.plain_warned)
    return lines
