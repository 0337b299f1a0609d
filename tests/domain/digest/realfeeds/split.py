"""Deterministic tune/unseen split of the real-feed labels: ``python -m tests.domain.digest.realfeeds.split``.

Reads every label from ``tune.json`` and ``unseen.json`` (or from the files given as arguments), then draws
a third of each feed file's items into ``unseen.json`` with a seeded random draw (stratified by file, so
every feed is represented in both sets in proportion) and writes the rest to ``tune.json``. Running it on
the committed files reproduces them exactly; it exists so the split is auditable, not to be re-drawn.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SEED = "projectionist-realfeeds-2026-12"
UNSEEN_SHARE = 1 / 3

UNSEEN_HEADER = (
    "HELD-OUT SET: do not read, print or evaluate item by item while tuning the content-warning or spoiler "
    "rules. Only the final evaluation (tests/domain/digest/test_realfeeds_eval.py) looks at it."
)


def split(labels: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in labels:
        by_file[label["file"]].append(label)
    tune: list[dict[str, Any]] = []
    unseen: list[dict[str, Any]] = []
    for name in sorted(by_file):
        items = sorted(by_file[name], key=lambda item: item["key"])
        rng = random.Random(f"{SEED}:{name}")
        rng.shuffle(items)
        cut = round(len(items) * UNSEEN_SHARE)
        unseen.extend(items[:cut])
        tune.extend(items[cut:])
    order = {label["key"] + "\x00" + label["file"]: i for i, label in enumerate(labels)}
    tune.sort(key=lambda item: order[item["key"] + "\x00" + item["file"]])
    unseen.sort(key=lambda item: order[item["key"] + "\x00" + item["file"]])
    return tune, unseen


def load(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    # unseen.json starts with a header object that is not a label
    return [item for item in data if "key" in item]


def dump(path: Path, items: list[dict[str, Any]], header: str | None = None) -> None:
    body: list[Any] = ([{"_comment": header}] if header else []) + items
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    sources = [Path(a) for a in argv] or [HERE / "tune.json", HERE / "unseen.json"]
    labels = [label for source in sources if source.exists() for label in load(source)]
    tune, unseen = split(labels)
    dump(HERE / "tune.json", tune)
    dump(HERE / "unseen.json", unseen, UNSEEN_HEADER)
    sys.stdout.write(f"{len(labels)} labels: {len(tune)} tune, {len(unseen)} unseen\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
