"""The dependency rule, enforced by reading every product module's imports (no module is executed).

Layers and what each may import of ours::

    domain    -> domain                                  (pure logic)
    settings  -> domain                                  (a leaf: typed config; parses durations with domain)
    storage   -> storage, domain                         (settings values arrive as arguments)
    services  -> services, domain, storage, settings
    cogs      -> cogs, services, domain, settings        (never storage, never bot.py)
    bot.py    -> everything

Third-party libraries: ``domain`` may import the standard library (minus I/O and concurrency modules) and
the pure libraries in ``DOMAIN_LIBRARIES`` only; ``discord`` only in ``bot.py`` and ``cogs``; database
drivers only in ``storage``; HTTP clients only in ``services`` and ``bot.py``. Imports under
``TYPE_CHECKING`` and inside functions count too: they are still dependencies. ``importlib.import_module``
and ``__import__`` with a literal name are read as imports.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PRODUCT = ("bot.py", "settings.py", "domain", "storage", "services", "cogs")

OURS: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "settings": frozenset({"settings", "domain"}),
    "storage": frozenset({"storage", "domain"}),
    "services": frozenset({"services", "domain", "storage", "settings"}),
    "cogs": frozenset({"cogs", "services", "domain", "settings"}),
    "bot": frozenset({"bot", "cogs", "services", "domain", "storage", "settings"}),
}

# Pure libraries (no I/O of their own, no event loop) that domain logic may use.
# feedparser: its encoding and URL helpers (domain/feedkeys.py mirrors its key path); simplemma and py3langid:
# lemma tables and a language model that ship in their packages and only compute.
DOMAIN_LIBRARIES = frozenset(
    {"dateparser", "feedparser", "icalendar", "idna", "py3langid", "regex", "simplemma"}
)
# Standard-library modules that do I/O or concurrency: the domain stays pure without them. (threading is
# allowed for one thing: a Lock around a lazily loaded table, since digests may run in worker threads.)
DOMAIN_FORBIDDEN_STDLIB = frozenset(
    {
        "asyncio",
        "sqlite3",
        "socket",
        "ssl",
        "http",
        "subprocess",
        "multiprocessing",
        "urllib.request",
    }
)

# Infrastructure libraries and the only layers that may import them.
RESTRICTED: dict[str, frozenset[str]] = {
    "discord": frozenset({"bot", "cogs"}),
    "aiosqlite": frozenset({"storage"}),
    "asyncpg": frozenset({"storage"}),
    "sqlite3": frozenset({"storage", "bot"}),
    "aiohttp": frozenset({"services", "bot"}),
    "yarl": frozenset({"services", "bot"}),
}


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: imports {self.imported}: {self.why}"


def product_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in PRODUCT:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def _package_of(root: Path, path: Path) -> list[str]:
    # the package a relative import starts from: the folder, for a module and for an __init__ alike
    return list(path.relative_to(root).parent.parts)


def imported_modules(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, absolute dotted name) for every import in ``path``, relative ones resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(root, path)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # `from pkg import mod` may name a submodule: record both so either can be checked
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def _reasons(layer: str, module: str) -> list[str]:
    """Why ``layer`` may not import ``module`` (empty: it may)."""
    top = module.split(".")[0]
    if top in OURS:
        return [] if top in OURS[layer] else [f"{layer} may import only {sorted(OURS[layer])} of ours"]
    reasons = []
    if top in RESTRICTED and layer not in RESTRICTED[top]:
        reasons.append(f"only {sorted(RESTRICTED[top])} may import {top}")
    if layer == "domain":
        if top in sys.stdlib_module_names:
            if top in DOMAIN_FORBIDDEN_STDLIB or module in DOMAIN_FORBIDDEN_STDLIB:
                reasons.append("domain is pure: no I/O or concurrency modules")
        elif top not in DOMAIN_LIBRARIES:
            reasons.append(f"domain may import only the standard library and {sorted(DOMAIN_LIBRARIES)}")
    return reasons


def check(root: Path) -> list[Violation]:
    # `from x import y` records x and x.y: one report per line and reason
    violations: dict[tuple[str, int, str], Violation] = {}
    for path in product_files(root):
        rel = path.relative_to(root).as_posix()
        layer = rel.split("/")[0].removesuffix(".py")
        for line, module in imported_modules(root, path):
            for why in _reasons(layer, module):
                violations.setdefault((rel, line, why), Violation(rel, line, module, why))
    return sorted(violations.values(), key=lambda v: (v.path, v.line, v.imported))


def test_product_code_follows_the_dependency_rule() -> None:
    assert product_files(REPO_ROOT), "no product files found: is REPO_ROOT right?"
    problems = check(REPO_ROOT)
    assert not problems, "dependency rule broken:\n" + "\n".join(map(str, problems))


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "source", "why"),
    [
        ("domain/a.py", "import discord\n", "only ['bot', 'cogs'] may import discord"),
        ("domain/a.py", "from storage.db import Database\n", "domain may import only ['domain']"),
        ("domain/a.py", "import aiohttp\n", "only ['bot', 'services'] may import aiohttp"),
        ("domain/a.py", "import asyncio\n", "domain is pure"),
        ("domain/a.py", "from urllib import request\n", "domain is pure"),
        ("domain/a.py", "import requests\n", "domain may import only the standard library"),
        ("domain/a.py", "from settings import Settings\n", "domain may import only ['domain']"),
        ("storage/a.py", "from services.feeds import FeedService\n", "storage may import only"),
        ("storage/a.py", "from settings import Settings\n", "storage may import only"),
        ("services/a.py", "import discord\n", "only ['bot', 'cogs'] may import discord"),
        ("services/a.py", "from cogs._ui import reply\n", "services may import only"),
        ("services/a.py", "import aiosqlite\n", "only ['storage'] may import aiosqlite"),
        ("services/a.py", "import asyncpg\n", "only ['storage'] may import asyncpg"),
        ("cogs/a.py", "from storage import polls\n", "cogs may import only"),
        ("cogs/a.py", "from bot import Projectionist\n", "cogs may import only"),
        ("cogs/a.py", "if TYPE_CHECKING:\n    from bot import Projectionist\n", "cogs may import only"),
        ("cogs/a.py", "def f():\n    from storage.db import Database\n", "cogs may import only"),
        ("cogs/a.py", "import importlib\nimportlib.import_module('storage.polls')\n", "cogs may import only"),
        ("storage/sub/a.py", "from ...services import x\n", "storage may import only"),
    ],
)
def test_the_checker_reports_each_kind_of_violation(tmp_path: Path, name: str, source: str, why: str) -> None:
    root = _tree(tmp_path, {name: source})
    problems = check(root)
    assert any(why in p.why for p in problems), problems


def test_the_checker_accepts_what_the_rule_allows(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "domain/a.py": "import re, json\nfrom urllib.parse import urlsplit\nimport regex\nfrom domain import b\n",
            "domain/b.py": "from .a import x\n",
            "settings.py": "from domain.schedule import parse_compact_duration\n",
            "storage/a.py": "import aiosqlite, sqlite3\nfrom domain.models import Poll\nfrom . import b\n",
            "services/a.py": "import aiohttp\nfrom storage import polls\nfrom settings import S\n",
            "cogs/a.py": "import discord\nfrom services.polls import P\nfrom domain.models import Poll\n",
            "bot.py": "import discord, aiohttp, sqlite3\nfrom cogs import EXTENSIONS\nfrom storage.db import D\n",
        },
    )
    assert check(root) == []
