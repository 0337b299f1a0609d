"""Where the shared corpora are: ``shared/corpus/<name>`` beside the checkout, never copied into it.

The main checkout sits beside ``shared/`` (``/work/main``); a worktree sits deeper (``/work/wt/<name>``), so
the nearest ancestor holding the folder wins. When none does, the first candidate comes back, so that a
test's skip reason names where it looked.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_corpus(name: str) -> Path:
    candidates = [parent / "shared" / "corpus" / name for parent in REPO_ROOT.parents]
    return next((path for path in candidates if path.is_dir()), candidates[0])
