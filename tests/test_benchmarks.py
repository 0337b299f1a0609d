"""Every benchmark runs in its ``--smoke`` size and prints one JSON object with sane values.

No timed assertions: these prove the scripts work (and that their correctness checks pass), not how fast
anything is. The crash soak's full run is ``tests/test_soak.py`` (slow, skipped by default).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.pg import INSTALL_HINT, find_bindir


def run_smoke(name: str, *args: str, timeout: float = 120) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--smoke", "--json", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout[-2000:]  # --json prints exactly one object
    report = json.loads(lines[0])
    assert report["benchmark"] == f"benchmarks.{name}"
    assert report["machine"]["nproc"] >= 1 and report["machine"]["python"]
    assert report["args"]["smoke"] is True
    for target in report["targets"]:
        assert set(target) == {"name", "met", "detail"}
    return report


def target(report: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(t for t in report["targets"] if t["name"].startswith(prefix))


def test_feeds_benchmark_smoke() -> None:
    report = run_smoke("feeds")
    results = report["results"]
    c1, c2, c3, c3b = results["cycles"]
    assert c1["subscribed"] + c1["refused"] == results["feeds"] > 0
    assert c1["new_entries"] == 20 * c1["subscribed"] and c1["delivered"] == 0  # baselines, no posts
    assert c2["polled"] == c1["subscribed"]
    assert c2["not_modified"] + c2["changed_no_new"] + c2["failed"] == c2["polled"] and c2["parsed"] == 0
    assert c2["new_entries"] == 0 and c2["delivered"] == 0
    for cycle in (c3, c3b):
        assert cycle["new_entries"] == cycle["published"] == cycle["delivered"] > 0
    assert c3b["stored_entries"] >= 3000
    for cycle in results["cycles"]:
        assert cycle["wall_s"] > 0 and cycle["cpu_s"] >= 0 and cycle["feeds_per_s"] > 0
    assert results["exactly_once"] == {
        "cycle3": True,
        "cycle3b": True,
        "new_entry_cycle": True,
        "duplicates": 0,
    }
    # issue 13: CPU per feed by kind of poll, each kind's feeds counted as that kind and parsed only if new
    cpu = results["cpu_ms_per_feed"]
    assert set(cpu) >= {"not_modified", "unchanged_200", "changed_no_new", "new_entry"}
    assert all(value > 0 for value in cpu.values())
    for row in results["kind_cycles"]:
        assert row["counted_as_kind"] == row["polled"] > 0
        assert row["parsed"] == (row["polled"] if row["cycle"] == "new_entry" else 0)
    assert results["baseline"]["wall_s"] > 0 and results["baseline"]["entries_read"] > 0
    assert results["cycle1_speedup_vs_baseline"] > 0
    assert 0 < results["peak_rss_mb"]["bot_process"] < 4096
    assert results["integrity_check"] == "ok"
    assert target(report, "each new item posted exactly once")["met"]


def test_feeds_benchmark_scale_out_smoke() -> None:
    """``--backend postgresql --processes N`` (issue 15): SQLite x1 versus PostgreSQL x1 and xN, one run."""
    if find_bindir() is None:
        pytest.skip(INSTALL_HINT)
    report = run_smoke("feeds", "--backend", "postgresql", "--processes", "2", timeout=300)
    assert report["args"]["backend"] == "postgresql" and report["args"]["processes"] == [1, 2]
    rows = report["results"]["cycles"]
    feeds = report["args"]["feeds"]
    assert [(r["backend"], r["processes"]) for r in rows] == [
        ("sqlite", 1),
        ("postgresql", 1),
        ("postgresql", 2),
    ]
    for row in rows:
        assert row["polled"] == row["posted"] == feeds > 0 and row["duplicates"] == 0
        assert row["feeds_per_s"] > 0 and row["cpu_ms_per_feed"] > 0
    takeover = report["results"]["takeover"]
    assert takeover["posted"] == takeover["messages"] == feeds and takeover["duplicates"] == 0
    assert takeover["takeover_s"] >= 0
    assert target(report, "each new item posted exactly once")["met"]
    assert {t["name"] for t in report["targets"]} >= {"survivor takes over within lease_timeout + one cycle"}


def test_digest_benchmark_smoke() -> None:
    report = run_smoke("digest")
    overall = report["results"]["overall"]
    assert overall["articles"] == report["args"]["articles"] > 0
    for key in ("parse_ms", "bot_parse_ms", "digest_ms"):
        assert 0 < overall[key]["median"] <= overall[key]["p99"]
    assert overall["ratio"]["median"] > 0 and overall["ratio_vs_bot_parse"]["median"] > 0
    assert set(report["results"]["stage_median_ms"]) == {
        "text",
        "summary",
        "warnings",
        "spoilers",
        "one pass",
        "render",
    }
    assert report["results"]["articles_with_warnings"] >= 0


def test_votes_benchmark_smoke() -> None:
    report = run_smoke("votes")
    results = report["results"]
    assert results["events"] == report["args"]["events"] > 0
    assert sum(results["answers"].values()) == results["events"]
    assert results["events_per_s"] > 0 and results["latency_ms"]["p99"] >= results["latency_ms"]["median"] > 0
    assert results["tallies_match"], results["mismatches"]
    assert results["integrity_check"] == "ok"
    assert results["baseline_bare_writes"]["events_per_s"] > 0


def test_feedkeys_benchmark_smoke() -> None:
    results = run_smoke("feedkeys")["results"]
    farm = results["summary"]["farm"]
    assert farm["feeds"] == farm["scanned"] > 0  # the farm's feeds are ordinary RSS: the scan reads them all
    assert farm["parse_ms_per_feed"] > 0 and farm["scan_ms_per_feed"] > 0 and farm["ratio_of_totals"] > 0
    assert all(row["entries"] > 0 for row in results["per_feed"]["farm"])


def test_lemmas_benchmark_smoke() -> None:
    results = run_smoke("lemmas")["results"]
    assert results["same_warnings"] and results["texts"] > 0
    default, low = results["rss_mb"]["default"], results["rss_mb"]["low_memory"]
    assert list(default) == list(low) == ["import", "en", "es", "fr", "de", "pt"]
    assert all(value > 0 for value in (*default.values(), *low.values()))


def test_soak_smoke() -> None:
    report = run_smoke("soak", timeout=150)
    results = report["results"]
    assert results["kills"] == 3 and results["starts"] == 4
    feeds = results["workloads"]["feeds"]
    assert feeds["published"] > 0
    assert feeds["duplicates"] == 0 and feeds["lost"] == 0 and feeds["posted"] == feeds["published"]
    polls = results["workloads"]["polls"]
    assert polls["polls"] == 2 and polls["events"] > 0 and polls["missing"] == polls["extra"] == 0
    parties = results["workloads"]["watch parties"]
    assert parties["presses"] > 0 and parties["missing"] == parties["wrong"] == 0
    assert results["database"]["integrity_check"] == "ok"
    assert all(t["met"] for t in report["targets"]), report["targets"]
