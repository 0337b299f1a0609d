"""CPU per feed of the entry-key scan against the full feedparser parse, on the same bytes in one run.

    python -m benchmarks.feedkeys                # the 26 real feeds + 20 generated farm feeds, 5 repeats
    python -m benchmarks.feedkeys --json
    python -m benchmarks.feedkeys --smoke --json

For every feed the script measures, best of ``--repeat`` runs each, the process CPU time of

* ``services.feedparse.parse_bytes`` (what the engine runs today, in its workers): feedparser without
  sanitising or the relative-URI pass, then ``entry_key`` over the entries;
* ``domain.feedkeys.scan_keys`` on the same bytes.

Feeds: the real feeds of the shared corpus (``<...>/shared/corpus/realfeeds``, found by walking up from
this file; skipped if absent) and feeds generated exactly as the benchmark farm serves them
(``benchmarks._feedfarm.build_feeds``: 20 entries, 5-100 KB). Where the scan answers, its keys are checked
against the feedparser path (a mismatch fails the run); where it declines, the cost of finding that out is
reported, since the engine then pays it on top of the parse.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import Report, Target, base_parser, log, median, table
from benchmarks._feedfarm import FarmSpec, build_feeds
from domain.feedkeys import explain_scan, scan_keys
from domain.feedrules import entry_key
from services.feedparse import parse_bytes
from tests.helpers.corpus import shared_corpus

FEED_URL = "https://feeds.example/feed.xml"


def _realfeeds() -> list[Path]:
    folder = shared_corpus("realfeeds")
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []


def _cpu_ms(action: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best * 1000


def _parse_keys(body: bytes) -> list[str]:
    return [entry_key(entry) for entry in parse_bytes(body, url=FEED_URL).entries]


def _measure(name: str, body: bytes, repeat: int) -> dict[str, Any]:
    scan, reason = explain_scan(body, url=FEED_URL)
    expected = _parse_keys(body)
    if scan is not None and list(scan.keys) != expected:
        raise SystemExit(f"{name}: the scan's keys differ from the feedparser path's")
    parse_ms = _cpu_ms(lambda: _parse_keys(body), repeat)
    scan_ms = _cpu_ms(lambda: scan_keys(body, url=FEED_URL), repeat)
    return {
        "feed": name,
        "bytes": len(body),
        "entries": len(expected),
        "scanned": scan is not None,
        "declined": reason,
        "parse_ms": round(parse_ms, 3),
        "scan_ms": round(scan_ms, 3),
        "ratio": round(parse_ms / scan_ms, 1) if scan_ms > 0 else None,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scanned = [row for row in rows if row["scanned"]]
    declined = [row for row in rows if not row["scanned"]]
    out: dict[str, Any] = {"feeds": len(rows), "scanned": len(scanned)}
    if scanned:
        parse_total = sum(row["parse_ms"] for row in scanned)
        scan_total = sum(row["scan_ms"] for row in scanned)
        out.update(
            parse_ms_per_feed=round(parse_total / len(scanned), 3),
            scan_ms_per_feed=round(scan_total / len(scanned), 3),
            ratio_of_totals=round(parse_total / scan_total, 1) if scan_total else None,
            ratio_median=round(median([row["ratio"] for row in scanned if row["ratio"]]), 1),
            ratio_min=min(row["ratio"] for row in scanned if row["ratio"]),
        )
    if declined:
        out["declined_scan_ms_per_feed"] = round(sum(row["scan_ms"] for row in declined) / len(declined), 3)
        out["declined_parse_ms_per_feed"] = round(sum(row["parse_ms"] for row in declined) / len(declined), 3)
    return out


def run(args: Any) -> Report:
    report = Report("benchmarks.feedkeys", vars(args))
    groups: dict[str, list[dict[str, Any]]] = {}
    real = _realfeeds()[: 3 if args.smoke else None]
    if real:
        log(f"real feeds: {len(real)}")
        groups["realfeeds"] = [_measure(path.name, path.read_bytes(), args.repeat) for path in real]
    else:
        report.notes.append("shared/corpus/realfeeds not found: real feeds skipped")
    log(f"farm feeds: {args.farm_feeds}")
    farm = build_feeds(FarmSpec(count=args.farm_feeds, seed=args.seed))
    groups["farm"] = [_measure(f"farm-{i}", feed.body, args.repeat) for i, feed in enumerate(farm)]

    report.results = {"per_feed": groups, "summary": {name: _summary(rows) for name, rows in groups.items()}}
    for name, rows in groups.items():
        report.tables.append(
            table(
                f"{name}: CPU ms per feed, best of {args.repeat}",
                ["feed", "KB", "entries", "parse_bytes ms", "scan ms", "ratio", "declined because"],
                [
                    (
                        row["feed"],
                        round(row["bytes"] / 1024, 1),
                        row["entries"],
                        row["parse_ms"],
                        row["scan_ms"],
                        f"{row['ratio']}x" if row["scanned"] else "-",
                        row["declined"] or "",
                    )
                    for row in rows
                ],
            )
        )
    summary = report.results["summary"]
    report.tables.append(
        table(
            "summary (feeds the scan answers)",
            ["feeds", "scanned", "parse ms/feed", "scan ms/feed", "ratio of totals", "median", "min"],
            [
                (
                    name,
                    f"{s['scanned']} / {s['feeds']}",
                    s.get("parse_ms_per_feed"),
                    s.get("scan_ms_per_feed"),
                    s.get("ratio_of_totals"),
                    s.get("ratio_median"),
                    s.get("ratio_min"),
                )
                for name, s in summary.items()
            ],
        )
    )
    for name, s in summary.items():
        report.targets.append(
            Target(
                f"{name}: scan >= 10x cheaper than parse_bytes (ratio of CPU totals)",
                bool(s.get("ratio_of_totals")) and s["ratio_of_totals"] >= 10,
                f"{s.get('ratio_of_totals')}x over {s['scanned']} of {s['feeds']} feeds "
                f"(median {s.get('ratio_median')}x, min {s.get('ratio_min')}x)",
            )
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--farm-feeds", type=int, default=20, help="generated feeds, as the farm serves them")
    parser.add_argument("--repeat", type=int, default=5, help="runs per feed and path; the best counts")
    args = parser.parse_args(argv)
    if args.smoke:
        args.farm_feeds, args.repeat = 3, 1
    run(args).emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
