"""One escaper: ``domain/markdown.py`` is the only module that escapes text for Discord.

Four escapers with different guarantees used to coexist (the domain one, ``cogs/polls.safe``,
``cogs/watchparty._escape`` and raw ``discord.utils.escape_markdown``/``escape_mentions`` calls), and the
weaker ones let a film titled ``@everyone || Heat`` come back as a live ``@everyone``. This test reads every
product module with :mod:`ast` and fails when a second escaper appears: a call to discord.py's escapers, a
function of our own whose name says it escapes, or the one escaper re-exported or imported under another
name (an alias hides which escaper a call site uses).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cogs", "services", "domain", "storage")
THE_ESCAPER = Path("domain/markdown.py")
DISCORD_ESCAPERS = {"escape_markdown", "escape_mentions"}


def product_modules() -> list[Path]:
    files = [ROOT / "bot.py", ROOT / "settings.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def violations(source: str, path: Path) -> list[str]:
    """What in ``source`` escapes text outside the one escaper (``path`` is relative to the repository)."""
    if path == THE_ESCAPER:
        return []
    found: list[str] = []
    tree = ast.parse(source, filename=str(path))
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr.startswith("escape_"):
            # discord.utils.escape_markdown(...), utils.escape_mentions(...), or any module's escape_* helper
            base = ast.unparse(node.value)
            if base.endswith("utils") or node.attr in DISCORD_ESCAPERS:
                found.append(f"{where}: {base}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module.startswith("discord") and alias.name.startswith("escape_"):
                    found.append(f"{where}: from {node.module} import {alias.name}")
                elif alias.name == "escape_markdown" and alias.asname not in (None, "escape_markdown"):
                    found.append(f"{where}: escape_markdown imported as {alias.asname}")
                elif alias.name == "escape_markdown" and node.module != "domain.markdown":
                    found.append(f"{where}: escape_markdown imported from {node.module}, not domain.markdown")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            name = getattr(node, "name", "")
            if "escape" in name.lower():
                found.append(f"{where}: defines its own escaper {name}()")
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if "__all__" in targets and isinstance(node.value, ast.List | ast.Tuple):
                names = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
                found += [f"{where}: re-exports {n}" for n in names if isinstance(n, str) and "escape" in n]
            elif any(re.search(r"escape(?!d)", t.lower()) for t in targets):  # "escaped = ..." is a value
                found.append(f"{where}: binds an escaper to {', '.join(targets)}")
    return found


def test_no_module_but_domain_markdown_escapes() -> None:
    found = []
    for file in product_modules():
        found += violations(file.read_text(encoding="utf-8"), file.relative_to(ROOT))
    assert found == []


def test_every_product_package_is_scanned() -> None:
    scanned = {f.relative_to(ROOT).parts[0] for f in product_modules()}
    assert {"bot.py", "settings.py", *PACKAGES} <= scanned
    assert (ROOT / THE_ESCAPER) in product_modules()


@pytest.mark.parametrize(
    "source",
    [
        "import discord\nx = discord.utils.escape_markdown(t)",
        "import discord\nx = discord.utils.escape_mentions(t)",
        "from discord import utils\nx = utils.escape_markdown(t)",
        "from discord.utils import escape_markdown\n",
        "from discord.utils import escape_mentions as em\n",
        "def _escape(text):\n    return text\n",
        "async def escape_title(text):\n    return text\n",
        "def safe(text):\n    def escape_inner(t):\n        return t\n    return text\n",
        "from domain.markdown import escape_markdown as escape_text\n",
        "from domain.digest.render import escape_markdown\n",
        "__all__ = ['escape_markdown']\n",
        "escape = str.strip\n",
    ],
)
def test_the_rule_catches_each_kind_of_second_escaper(source: str) -> None:
    assert violations(source, Path("cogs/example.py")) != []


@pytest.mark.parametrize(
    "source",
    [
        "from domain.markdown import escape_markdown\nx = escape_markdown(t, limit=200)",
        "import html\nx = html.escape(t)",  # HTML for the full-article fetcher, not Discord
        "import re\nx = re.escape(t)",
    ],
)
def test_the_rule_allows_the_one_escaper_and_unrelated_escapes(source: str) -> None:
    assert violations(source, Path("cogs/example.py")) == []
