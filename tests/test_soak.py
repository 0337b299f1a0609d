"""The full crash soak (30 SIGKILLs of the real bot process, ~4 minutes): slow, run with ``--run-slow``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.slow
def test_crash_soak_posts_everything_exactly_once() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--json", "--kills", "30"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    results = report["results"]
    feeds = results["workloads"]["feeds"]
    assert results["kills"] == 30
    assert feeds["duplicates"] == 0, feeds
    assert feeds["lost"] == 0, feeds
    assert feeds["posted"] == feeds["published"] > 0
    polls = results["workloads"]["polls"]
    assert polls["votes"] > 0 and polls["missing"] == polls["extra"] == polls["multiple"] == 0, polls
    parties = results["workloads"]["watch parties"]
    assert parties["answered"] > 0 and parties["missing"] == parties["wrong"] == 0, parties
    assert parties["fired"] >= 1 and parties["pending_due"] == 0, parties
    assert parties["fired_without_message"] == parties["missed_but_posted"] == 0, parties
    assert results["database"]["integrity_check"] == "ok"
    assert results["database"]["foreign_key_errors"] == 0
    assert all(t["met"] for t in report["targets"]), report["targets"]
    assert done.returncode == 0, done.stderr[-3000:]
