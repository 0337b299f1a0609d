"""Shows the content-warning precision/recall table in the normal pytest output (no -s needed)."""

from __future__ import annotations

import pytest

from tests.domain.digest.cw_eval import REPORT_KEY, format_misses, format_table


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    evaluations = config.stash.get(REPORT_KEY, None)
    if not evaluations:
        return
    terminalreporter.section("content warnings: precision / recall per category (micro-averaged last)")
    terminalreporter.write_line(format_table(evaluations))
    for evaluation in evaluations:
        if evaluation.name.startswith("rules") and evaluation.errors:
            terminalreporter.write_line(f"misses of {evaluation.name}:")
            for line in format_misses(evaluation):
                terminalreporter.write_line(line)
