"""Tune-split report for whoever tunes the content-warning and spoiler rules: never reads ``unseen.json``.

    python -m tests.domain.digest.tune_report          # all tune items
    python -m tests.domain.digest.tune_report en       # one language

The test run (``test_realfeeds_eval.py``) evaluates both splits and prints the unseen one in aggregate; while
tuning, the unseen third must not even be evaluated, so this runs the same evaluation on the tune labels only
and lists every miss with its evidence and the labeller's note.
"""

from __future__ import annotations

import sys

from tests.domain.digest.cw_eval import format_table
from tests.domain.digest.realfeeds.labels import load_labels
from tests.domain.digest.test_realfeeds_eval import corpus_digests, evaluate_split


def main(argv: list[str]) -> int:
    labels = load_labels("tune")
    if argv:
        labels = [label for label in labels if label.lang == argv[0]]
    result, missing = evaluate_split("tune", labels)
    by_id = {label.id: label for label in labels}
    lines = [f"{len(labels)} tune items; not found in the corpus: {missing or 'none'}"]
    lines.append(format_table([result.warnings]))
    spoiler = result.spoiler
    lines.append(
        f"spoilers: P {spoiler.precision:.2f} R {spoiler.recall:.2f} (tp {spoiler.tp}, fp {spoiler.fp})"
    )
    lines.append(f"plain items: {result.plain_items}, with a warning: {len(result.plain_warned)}")
    lines.extend(f"  {item}" for item in result.plain_warned)
    lines.append("warning misses:")
    for case_id, expected, _ in result.warnings.errors:
        label = by_id[case_id]
        digest = corpus_digests(label.file)[label.key]
        got = {w.category: w.evidence for w in digest.warnings}
        lines.append(f"  [{label.lang}] {label.title[:70]!r}: expected {sorted(expected)}, got {got}")
        if label.note:
            lines.append(f"      note: {label.note}")
    lines.append("spoiler misses:")
    for case_id, expected_spoiler, _ in result.spoiler_errors:
        label = by_id[case_id]
        reasons = corpus_digests(label.file)[label.key].spoiler_reasons
        lines.append(f"  [{label.lang}] {label.title[:70]!r}: expected {expected_spoiler}, reasons {reasons}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
