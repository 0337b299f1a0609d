"""The watch-party package has one public surface: every name imported from ``services.watchparties`` anywhere
in the repository is in its ``__all__``, and nothing outside the package reaches into its private modules."""

from __future__ import annotations

import ast
from pathlib import Path

import services.watchparties as package
from tests.conftest import REPO_ROOT

SCANNED = ("bot.py", "cogs", "services", "domain", "storage", "tests", "benchmarks")


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = REPO_ROOT / name
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [f for f in files if "services/watchparties/" not in f.as_posix()]


def _imports() -> list[tuple[str, int, str, str]]:
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("services.watchparties"):
                rel = path.relative_to(REPO_ROOT).as_posix()
                found.extend((rel, node.lineno, node.module or "", alias.name) for alias in node.names)
    return found


def test_every_imported_name_is_public() -> None:
    imports = _imports()
    assert imports, "no importers found: is REPO_ROOT right?"
    private = [i for i in imports if i[2] != "services.watchparties"]
    assert not private, f"imports of private modules: {private}"
    missing = [i for i in imports if i[3] not in package.__all__]
    assert not missing, f"names imported but not in services.watchparties.__all__: {missing}"


def test_all_names_exist() -> None:
    assert all(hasattr(package, name) for name in package.__all__)
