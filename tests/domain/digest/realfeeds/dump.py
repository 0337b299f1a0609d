"""Print what the bot reads from a real feed, for labelling: ``python -m tests.domain.digest.realfeeds.dump FILE``.

For each entry: its stable key (the one the bot stores, ``domain.feedrules.entry_key``), its title and its
body as plain text (the same body ``article_from_entry`` picks, converted with ``html_to_text``). It does
not run the content-warning or spoiler detectors on purpose: labels are written blind to the rules.
FILE is a path, a bare file name inside the real-feeds corpus, or ``library/<name>``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import feedparser

from domain.digest import article_from_entry, html_to_text
from domain.feedrules import entry_key
from tests.domain.digest.realfeeds.labels import feed_path


def resolve(name: str) -> Path:
    path = Path(name)
    return path if path.exists() else feed_path(name)


def entries(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(key, entry) for every entry, parsed from bytes (a path string would make feedparser open it itself)."""
    parsed = feedparser.parse(path.read_bytes())
    for entry in parsed.entries:
        yield entry_key(entry), entry


def readable(entry: Mapping[str, Any]) -> tuple[str, str]:
    article = article_from_entry(entry)
    return article.title, html_to_text(article.html)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    path = resolve(argv[0])
    for index, (key, entry) in enumerate(entries(path)):
        title, text = readable(entry)
        sys.stdout.write(f"=== [{index}] {key}\nTITLE: {title}\nTEXT: {text}\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
