"""Memory and time of the lemmatiser behind the content-warning rules: simplemma's low-memory dictionaries
(what the bot uses, ``domain.digest.lemmas``) against its default in-memory ones, each in a fresh process.

    python -m benchmarks.lemmas              # the synthetic multilingual sets, 5 rounds
    python -m benchmarks.lemmas --json
    python -m benchmarks.lemmas --smoke --json

Each child process imports the digest, then digests the labelled texts of ``tests/domain/digest``
(English development set, then the Spanish, French, German and Portuguese sets) one language after the
other, and records its resident memory (``/proc/self/statm``) after each language and the CPU time of the
first pass (which loads each language's data) and of ``--rounds`` further passes over new texts (each text
with a numbered suffix, so the digest's caches do not answer). Both children must give every text the same
warnings, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from benchmarks._common import Report, Target, base_parser, log, table

_PAGE = 4096


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * _PAGE / 2**20


def _texts(smoke: bool) -> dict[str, list[str]]:
    from tests.domain.digest.cw_dataset import DEVELOPMENT
    from tests.domain.digest.cw_multilingual import BY_LANGUAGE

    texts = {"en": [case.text for case in DEVELOPMENT]}
    texts.update({lang: [case.text for case in cases] for lang, cases in BY_LANGUAGE.items()})
    return {lang: items[:5] if smoke else items for lang, items in texts.items()}


def child(low_memory: bool, rounds: int, smoke: bool) -> dict[str, Any]:
    """One measured process: digest every language's texts, memory after each language."""
    from domain.digest import lemmas

    lemmas.LOW_MEMORY = low_memory
    from domain.digest import article_from_entry, digest_entry

    texts = _texts(smoke)
    out: dict[str, Any] = {"rss_mb": {"import": round(_resident_mb(), 1)}, "warnings": {}}
    start = time.process_time()
    for lang, items in texts.items():
        for index, text in enumerate(items):
            digest = digest_entry(article_from_entry({"title": "", "summary": text}))
            out["warnings"][f"{lang}:{index}"] = sorted(w.category for w in digest.warnings)
        out["rss_mb"][lang] = round(_resident_mb(), 1)
    out["first_pass_s"] = round(time.process_time() - start, 3)
    start = time.process_time()
    count = 0
    for number in range(rounds):
        for items in texts.values():
            for text in items:
                digest_entry(article_from_entry({"title": "", "summary": f"{text} ({number})"}))
                count += 1
    seconds = time.process_time() - start
    out["warm_ms_per_text"] = round(seconds * 1000 / count, 3) if count else None
    return out


def _run_child(low_memory: bool, rounds: int, smoke: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.lemmas", "--child", "low" if low_memory else "default"]
    command += ["--rounds", str(rounds)] + (["--smoke"] if smoke else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(args: Any) -> Report:
    report = Report("benchmarks.lemmas", vars(args))
    log("child: simplemma default dictionaries (baseline)")
    default = _run_child(False, args.rounds, args.smoke)
    log("child: low-memory dictionaries (the bot's)")
    low = _run_child(True, args.rounds, args.smoke)
    differing = sorted(k for k in default["warnings"] if default["warnings"][k] != low["warnings"].get(k))
    if differing:
        raise SystemExit(f"the two dictionaries give different warnings: {differing[:10]}")
    languages = list(default["rss_mb"])
    report.results = {
        "texts": len(default["warnings"]),
        "same_warnings": True,
        "rss_mb": {"default": default["rss_mb"], "low_memory": low["rss_mb"]},
        "first_pass_s": {"default": default["first_pass_s"], "low_memory": low["first_pass_s"]},
        "warm_ms_per_text": {"default": default["warm_ms_per_text"], "low_memory": low["warm_ms_per_text"]},
    }
    report.tables.append(
        table(
            "resident MB after each language (cumulative)",
            ["dictionaries", *languages],
            [
                ("simplemma default", *(default["rss_mb"][k] for k in languages)),
                ("low memory (bot)", *(low["rss_mb"][k] for k in languages)),
            ],
        )
    )
    report.tables.append(
        table(
            "CPU",
            ["dictionaries", "first pass s (loads data)", "warm ms per text"],
            [
                ("simplemma default", default["first_pass_s"], default["warm_ms_per_text"]),
                ("low memory (bot)", low["first_pass_s"], low["warm_ms_per_text"]),
            ],
        )
    )
    last = languages[-1]
    saved = default["rss_mb"][last] - low["rss_mb"][last]
    report.targets.append(
        Target(
            "low-memory dictionaries hold less than half the default's lemma data",
            saved > 0
            and low["rss_mb"][last] - low["rss_mb"]["import"]
            < (default["rss_mb"][last] - default["rss_mb"]["import"]) / 2,
            f"{low['rss_mb'][last]} MB vs {default['rss_mb'][last]} MB resident after all languages "
            f"(import: {low['rss_mb']['import']} / {default['rss_mb']['import']} MB)",
        )
    )
    warm_default, warm_low = default["warm_ms_per_text"], low["warm_ms_per_text"]
    if warm_default and warm_low:
        report.targets.append(
            Target(
                "warm digest no more than 10 % slower with low-memory dictionaries",
                warm_low <= warm_default * 1.1,
                f"{warm_low} ms vs {warm_default} ms per text",
            )
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm passes over the texts")
    parser.add_argument("--child", choices=("low", "default"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child == "low", args.rounds, args.smoke)))
        return 0
    if args.smoke:
        args.rounds = 1
    run(args).emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
