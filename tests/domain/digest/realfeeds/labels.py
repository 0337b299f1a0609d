"""The labelled real-feed items (``tune.json``, ``unseen.json``) and where their corpus lives.

The corpus is read-only shared data and is never copied into the repository; labels name an item by its
feed file and its stable entry key (``domain.feedrules.entry_key``). See ``GUIDE.md`` for the policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from domain.digest import CATEGORIES
from tests.helpers.corpus import shared_corpus

HERE = Path(__file__).resolve().parent
SPLITS = ("tune", "unseen")


CORPUS = shared_corpus("realfeeds")


class Label(NamedTuple):
    split: str
    file: str
    key: str
    title: str
    lang: str
    warnings: frozenset[str]
    spoiler: bool
    plain: bool
    note: str

    @property
    def id(self) -> str:
        return f"{self.file}#{self.key}"


def load_labels(split: str) -> list[Label]:
    """The labels of one split; an unknown category id or a plain item with warnings is a ValueError."""
    raw = json.loads((HERE / f"{split}.json").read_text(encoding="utf-8"))
    labels: list[Label] = []
    for item in raw:
        if "key" not in item:  # unseen.json opens with a header comment object
            continue
        warnings = frozenset(item["warnings"])
        if not warnings <= set(CATEGORIES):
            raise ValueError(
                f"{item['file']}#{item['key']}: unknown categories {sorted(warnings - set(CATEGORIES))}"
            )
        if item["plain"] and warnings:
            raise ValueError(f"{item['file']}#{item['key']}: a plain item cannot carry warnings")
        labels.append(
            Label(
                split=split,
                file=item["file"],
                key=item["key"],
                title=item["title"],
                lang=item["lang"],
                warnings=warnings,
                spoiler=bool(item["spoiler"]),
                plain=bool(item["plain"]),
                note=item.get("note", ""),
            )
        )
    return labels
