"""Shows the content-warning precision/recall tables in the normal pytest output (no -s needed)."""

from __future__ import annotations

import pytest

from tests.domain.digest.cw_eval import REPORT_KEY, format_misses, format_table
from tests.domain.digest.realfeeds.report import REAL_REPORT_KEY, format_report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    evaluations = config.stash.get(REPORT_KEY, None)
    if evaluations:
        terminalreporter.section("content warnings: precision / recall per category (micro-averaged last)")
        terminalreporter.write_line(format_table(evaluations))
        for evaluation in evaluations:
            if evaluation.name.startswith("rules") and evaluation.errors:
                terminalreporter.write_line(f"misses of {evaluation.name}:")
                for line in format_misses(evaluation):
                    terminalreporter.write_line(line)
    real = config.stash.get(REAL_REPORT_KEY, None)
    skipped = _realfeeds_skip_reasons(terminalreporter)
    if real is not None or skipped:
        terminalreporter.section(
            "content warnings and spoilers on real film feeds (synthetic sets for comparison)"
        )
        for line in format_report(real) if real is not None else []:
            terminalreporter.write_line(line)
        for reason in skipped:
            terminalreporter.write_line(f"skipped: {reason}")


def _realfeeds_skip_reasons(terminalreporter: pytest.TerminalReporter) -> list[str]:
    # Shown in the report itself: a missing corpus must not look like a passing evaluation.
    reasons: dict[str, None] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        if "test_realfeeds_eval" in getattr(report, "nodeid", "") and isinstance(longrepr, tuple):
            reasons[str(longrepr[2]).removeprefix("Skipped: ")] = None
    return list(reasons)
