"""How the real-feed labels are split into tuning and held-out sets: ``python -m tests.domain.digest.realfeeds.split``.

The rounds so far (``GUIDE.md``, "History"):

1. **2026-12-06.** The 345 corpus labels were split by :func:`split` (a seeded random third of each feed
   file's items held out). The held-out third was evaluated once, at the end of that session, and then
   *folded into tuning*: its items carry ``"origin"`` in ``tune.json``. Running this module checks that
   :func:`split` still draws exactly those items, so the first round stays auditable.
2. **2026-12-07.** The held-out set became the **library** (``library/``: other snapshots of the same
   publishers' feeds, labelled blind). All 341 library labels were evaluated once, in aggregate; then
   :func:`fold_library` drew a third of each library file's items (rounded down) into tuning (their misses
   were read and the rules mended); the other two thirds stay in ``unseen.json``, unread item by item.
   After a second aggregate evaluation, two thirds (rounded down) of each file's remaining items were drawn
   into tuning the same way (a second seed) and read.
3. **Round 2.** New snapshots (``library/SOURCES.md``, round 2), labelled blind, join ``unseen.json`` with
   ``"round": 2``; they were evaluated once, after that session's last rule change. Then
   :func:`fold_round` drew half of each file's round-2 items into tuning (read), the rest stay held out.
4. **Round 3.** Snapshots collected with round 2 but held back (``library/SOURCES.md``, round 3), labelled
   blind, join ``unseen.json`` with ``"round": 3``; evaluated once, after the rules were mended on round 2.
   Then half of each file's round-3 items were drawn into tuning (:func:`fold_round`) and read.
5. **Round 4.** A new collection (``library/SOURCES.md``, round 4), labelled blind, joins ``unseen.json``
   with ``"round": 4``; evaluated once, after the rules were mended on round 3. Then half of each file's
   round-4 items were drawn into tuning (:func:`fold_round`) and read.
6. **Round 5.** The rest of round 4's collection, held back unread, labelled blind, joins ``unseen.json``
   with ``"round": 5``; evaluated once, after the rules were mended on round 4's half. Then half of each
   file's round-5 items were drawn into tuning (:func:`fold_round`) and read.
7. **Round 6.** A new collection (``library/SOURCES.md``, round 6), labelled blind, joins ``unseen.json``
   with ``"round": 6``; evaluated once, after the rules were mended on round 5's half. Then half of each
   file's round-6 items were drawn into tuning (:func:`fold_round`) and read.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable
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


LIBRARY_SEED = "projectionist-library-2026-12-07"
SECOND_FOLD_SEED = "projectionist-library-2026-12-07-second"


def fold_library(labels: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(file, key) of the library labels drawn into tuning: a third of each file's items (rounded down),
    then two thirds (rounded down) of each file's remaining items."""
    first = _draw(labels, LIBRARY_SEED, lambda n: n // 3)
    rest = [label for label in labels if (label["file"], label["key"]) not in first]
    return first | _draw(rest, SECOND_FOLD_SEED, lambda n: n * 2 // 3)


ROUND_TWO_FOLD_SEED = "projectionist-library-round2-2026-12-07"
ROUND_FOLD_SEEDS = {
    2: ROUND_TWO_FOLD_SEED,
    3: "projectionist-library-round3-2026-12-07",
    4: "projectionist-library-round4-2026-12-07",
    5: "projectionist-library-round5-2026-12-07",
    6: "projectionist-library-round6-2026-12-07",
}


def fold_round(labels: list[dict[str, Any]], number: int) -> set[tuple[str, str]]:
    """(file, key) of a round's labels drawn into tuning after its one evaluation: half of each file's
    items, rounded down."""
    return _draw(labels, ROUND_FOLD_SEEDS[number], lambda n: n // 2)


def _draw(labels: list[dict[str, Any]], seed: str, count: Callable[[int], int]) -> set[tuple[str, str]]:
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in labels:
        by_file[label["file"]].append(label)
    drawn: set[tuple[str, str]] = set()
    for name in sorted(by_file):
        items = sorted(by_file[name], key=lambda item: item["key"])
        random.Random(f"{seed}:{name}").shuffle(items)
        drawn.update((item["file"], item["key"]) for item in items[: count(len(items))])
    return drawn


def load(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    # unseen.json starts with a header object that is not a label
    return [item for item in data if "key" in item]


def dump(path: Path, items: list[dict[str, Any]], header: str | None = None) -> None:  # used when labelling
    body: list[Any] = ([{"_comment": header}] if header else []) + items
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    tune = load(HERE / "tune.json")
    unseen = load(HERE / "unseen.json")
    corpus = [label for label in tune if not label["file"].startswith("library/")]
    library = [
        label for label in tune + unseen if label["file"].startswith("library/") and "round" not in label
    ]
    rounds = {
        number: (
            [label for label in tune + unseen if label.get("round") == number],
            {(label["file"], label["key"]) for label in tune if label.get("round") == number},
        )
        for number in ROUND_FOLD_SEEDS
    }
    _, first_round_unseen = split(corpus)
    drawn = {(label["file"], label["key"]) for label in first_round_unseen}
    folded = {(label["file"], label["key"]) for label in corpus if "origin" in label}
    library_tune = {
        (label["file"], label["key"])
        for label in tune
        if label["file"].startswith("library/") and "round" not in label
    }
    if (
        drawn != folded
        or fold_library(library) != library_tune
        or any(folded and fold_round(labels, number) != folded for number, (labels, folded) in rounds.items())
        or any(not label["file"].startswith("library/") for label in unseen)
    ):
        sys.stdout.write("the splits do not match their history (see this module's docstring)\n")
        return 1
    sys.stdout.write(
        f"{len(tune)} tune labels ({len(folded)} folded from the 2026-12-06 held-out third, "
        f"{len(library_tune)} from the library), {len(unseen)} held-out library labels"
        + "".join(
            f"; round {number}: {len(folded)} of {len(labels)} folded into tuning"
            for number, (labels, folded) in rounds.items()
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
