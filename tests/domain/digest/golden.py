"""Golden outputs of the digest, so a speed-up can prove it changed nothing a reader or a moderator sees.

Three sets of inputs, each item reduced to a short hash of everything the digest produces for it:

* ``bench``: the articles of ``benchmarks.digest`` at its defaults (300 articles, seed 1234), each as the
  one-entry feed the benchmark parses;
* ``real``: every entry of every feed in ``shared/corpus/realfeeds`` (and the HTML pages beside them);
* ``fuzz``: seeded random markup built from the pieces that make the text stages branch (tags that skip
  content, furniture classes, entities, double escaping, invisible characters, abbreviations, captions,
  share bars, CMS stamps), run through the text stages and the summary only.

For a feed entry the hash covers the cleaned text, three summaries (the default and two other budgets), and
the whole :class:`~domain.digest.models.Digest`: summary, warnings with their evidence, spoiler reasons,
language, ``warnings_checked`` and the payload. The fixture ``fixtures/golden_digest.json`` was recorded
from the code before the speed-ups of Dec 2026; ``test_golden.py`` recomputes and compares.

Re-record (only when an output is *meant* to change, and say so in the commit):
``.venv/bin/python -m tests.domain.digest.golden --write``
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.digest import make_articles
from domain.digest import DigestOptions, article_from_entry, clean_text, digest_entry, html_to_text, summarize
from domain.digest.worktitles import title_index
from services.feedparse import parse_bytes
from tests.domain.digest.realfeeds.labels import CORPUS

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "golden_digest.json"
BENCH_ARTICLES, BENCH_SEED, BENCH_MIN, BENCH_MAX = 300, 1234, 2_000, 20_000
FUZZ_ITEMS, FUZZ_SEED = 600, 20261206
_OPTIONS = DigestOptions()
# Summary budgets besides the default (3 sentences, 600 chars): the teaser cut and a roomy selection.
_SUMMARY_VARIANTS = ((1, 140), (5, 1200))


def _hash(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _text_outputs(title: str, markup: str) -> list[Any]:
    raw = html_to_text(markup)
    text = clean_text(raw)
    summaries = [summarize(text, title)]
    summaries += [summarize(text, title, n, chars) for n, chars in _SUMMARY_VARIANTS]
    return [raw, text, summaries]


def entry_record(entry: Mapping[str, Any], source: str | None) -> dict[str, str]:
    """``t``: the text stages and summaries; ``d``: the whole digest (what ``DigestService`` posts)."""
    article = article_from_entry(entry, source)
    title_index.cache_clear()
    digest = digest_entry(article, _OPTIONS)
    fields = dataclasses.asdict(digest)
    return {"t": _hash(_text_outputs(article.title, article.html)), "d": _hash(fields)}


def bench_items() -> Iterator[tuple[str, dict[str, str]]]:
    for index, (_, feed) in enumerate(make_articles(BENCH_ARTICLES, BENCH_SEED, BENCH_MIN, BENCH_MAX)):
        yield f"bench/{index}", entry_record(parse_bytes(feed).entries[0], "Film news")


def real_items(corpus: Path = CORPUS) -> Iterator[tuple[str, dict[str, str]]]:
    for path in sorted(corpus.glob("*.xml")):
        parsed = parse_bytes(path.read_bytes())
        for index, entry in enumerate(parsed.entries):
            yield f"real/{path.name}/{index}", entry_record(entry, parsed.title)
    for path in sorted((corpus / "pages").glob("*.html")):
        yield f"page/{path.name}", {"t": _hash(_text_outputs("", path.read_text(errors="replace")))}


# Pieces of markup and text that exercise the branches of html_to_text, clean_text and the sentence splitter.
_FRAGMENTS = (
    "<p>",
    "</p>",
    "<div class='share-bar'>",
    '<div class="related-posts">',
    "</div>",
    "<span class=ad>",
    "</span>",
    "<span hidden>",
    "<em>",
    "</em>",
    "<i>Red Rooms</i>",
    "<br>",
    "<br/>",
    "<hr>",
    "<li>",
    "</li>",
    "<ul>",
    "</ul>",
    "<td>",
    "<th>",
    "<pre>",
    "</pre>",
    "<script>var a = '<p>x</p>';</script>",
    "<style>p{}</style>",
    "<!-- note -->",
    "<!-- open",
    "<![CDATA[raw]]>",
    "<figure><img src=x.jpg><figcaption>A still from Alien</figcaption></figure>",
    "<iframe src=y>player</iframe>",
    '<a href="https://example.com/a?b=1&amp;c=2">link</a>',
    "<p style='display:none'>hidden</p>",
    "<?php echo 1 ?>",
    "<noscript>",
    "</noscript>",
    "<textarea>",
    "&lt;p&gt;escaped&lt;/p&gt;",
    "&amp;amp;",
    "&amp;#8217;",
    "&#8203;",
    "&nbsp;",
    "&mdash;",
    "&eacute;",
    "\u200b",
    "\u202e",
    "\u00ad",
    "\r\n",
    "\n",
    "\n\n",
    "\u2028",
    "\t",
    "  ",
    " ",
    " ",
    " ",
    "Dr. Smith met J. R. R. Tolkien.",
    " The U.S. box office rose. ",
    " The U.S. The film opened. ",
    " No. 1 at the box office. ",
    " Mr. Jones vs. Ms. Park. ",
    "… And then? ",
    " It was great! Really. ",
    " “Quoted.” She said. ",
    " (Photo: Netflix) ",
    "Photo Credit: Special Arrangement",
    "ALSO READ: Another story",
    "Read more »",
    "Share this article",
    "Share Tweet Email",
    "By Jane Doe | Variety",
    "Published - November 25, 2024 04:41 pm IST",
    "© 2024 All rights reserved",
    "HINDI NEWS",
    "#RedRooms #Horror",
    "horror, thriller, slasher, Netflix, streaming",
    "Sign up for our newsletter to get it in your inbox",
    "The post Red Rooms review appeared first on Site.",
    "Tags: horror",
    "Advertisement",
    "A still from 'Red Rooms'",
    "Watch the official trailer below",
    "[…]",
    "[Read more]",
    "SPOILERS AHEAD",
    "The killer is revealed in the finale.",
    "A woman is murdered and her body dumped in the woods.",
    "The boy is kidnapped and beaten by the traffickers.",
    "The film premiered at Cannes in May to a standing ovation that lasted ten minutes.",
    "Critics praised the performances, though some found the second half too slow.",
    "The director, who also wrote the screenplay, spent six years developing the project.",
    "It opens in cinemas on Friday.",
    "However, the studio has not confirmed a sequel.",
    "Is this the best horror film of the year?",
    "Película de terror.",
    "https://tv.apple.com/movie/x",
    "Smurfs:",
)


def fuzz_markup(rng: random.Random) -> str:
    return "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 60)))


def fuzz_items() -> Iterator[tuple[str, dict[str, str]]]:
    rng = random.Random(FUZZ_SEED)
    for index in range(FUZZ_ITEMS):
        markup = fuzz_markup(rng)
        title = rng.choice(("", "Red Rooms", "Smurfs", "The film premiered at Cannes"))
        yield f"fuzz/{index}", {"t": _hash(_text_outputs(title, markup))}


def compute(corpus: Path = CORPUS) -> dict[str, dict[str, str]]:
    items = dict(bench_items())
    if corpus.is_dir():
        items.update(real_items(corpus))
    items.update(fuzz_items())
    return items


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        sys.stderr.write(__doc__ or "")
        return 2
    if not CORPUS.is_dir():
        sys.stderr.write(
            f"the real-feed corpus is missing ({CORPUS}): refusing to record a partial fixture\n"
        )
        return 1
    items = compute()
    lines = ",\n".join(
        f"{json.dumps(key)}: {json.dumps(items[key], sort_keys=True)}" for key in sorted(items)
    )
    FIXTURE.write_text("{\n" + lines + "\n}\n")
    sys.stderr.write(f"wrote {FIXTURE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
