"""Dead code stays gone: vulture finds no unused product code (the same check as ``python3 dev.py lint``).

Configuration (scanned paths, confidence, framework decorators) is ``[tool.vulture]`` in pyproject.toml; names
only discord.py or the standard library use are in ``vulture_whitelist.py``, each with the reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("vulture")


def run_vulture(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vulture", *paths], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_no_unused_product_code() -> None:
    result = run_vulture()
    assert result.returncode == 0, result.stdout + result.stderr


def test_vulture_reports_a_dead_function(tmp_path: Path) -> None:
    dead = tmp_path / "dead.py"
    dead.write_text("def never_called_anywhere() -> int:\n    return 1\n", encoding="utf-8")
    result = run_vulture(str(dead), "--min-confidence", "60")
    assert result.returncode == 3 and "never_called_anywhere" in result.stdout
