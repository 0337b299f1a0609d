"""The labelled real-feed items (``tune.json``, ``unseen.json``), where their feeds live, and the digest
options they are measured with.

Labels name an item by its feed file and its stable entry key (``domain.feedrules.entry_key``). A file
named ``library/<name>`` is a feed version kept in this repository (``library/SOURCES.md``: other snapshots
of the same publishers' feeds, taken from public repositories); any other name is a file of the shared
corpus, which is read-only and never copied here. See ``GUIDE.md`` for the policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from domain.digest import CATEGORIES, DigestOptions
from settings import DigestSettings
from tests.helpers.corpus import shared_corpus

HERE = Path(__file__).resolve().parent
SPLITS = ("tune", "unseen")


CORPUS = shared_corpus("realfeeds")
LIBRARY_PREFIX = "library/"

_DIGEST = DigestSettings()
#: The digest options every real-feed measurement uses (the evaluation, ``benchmarks/cw_learned.py``): a
#: server that changed nothing, except that no category is configured to hide the summary, so the spoiler
#: flag measures plot spoilers, not warnings that hide a summary.
EVAL_OPTIONS = DigestOptions(
    sentences=_DIGEST.summary_sentences,
    max_summary_chars=_DIGEST.max_summary_chars,
    spoiler_categories=frozenset(),
)


def feed_path(file: str) -> Path:
    """Where a label's feed file is: in the repository for ``library/...``, else in the shared corpus."""
    return HERE / file if file.startswith(LIBRARY_PREFIX) else CORPUS / file


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
    """The labels in ``<split>.json`` (a split, or ``second_labeller``); an unknown category id or a plain
    item with warnings is a ValueError."""
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
                title=item.get("title", ""),
                lang=item["lang"],
                warnings=warnings,
                spoiler=bool(item["spoiler"]),
                plain=bool(item["plain"]),
                note=item.get("note", ""),
            )
        )
    return labels


def load_second_labels() -> dict[str, Label]:
    """The second labeller's labels (``second_labeller.json``) by item id, for the agreement figure."""
    return {label.id: label for label in load_labels("second_labeller")}


def round_ids(number: int) -> frozenset[str]:
    """Ids of the items collected and labelled in round ``number`` (``"round": N``; GUIDE.md, History),
    whether still held out in ``unseen.json`` or folded into ``tune.json`` since."""
    ids: set[str] = set()
    for split in SPLITS:
        raw = json.loads((HERE / f"{split}.json").read_text(encoding="utf-8"))
        ids.update(f"{item['file']}#{item['key']}" for item in raw if item.get("round") == number)
    return frozenset(ids)
