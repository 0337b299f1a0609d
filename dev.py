#!/usr/bin/env python3
"""Bootstrap and run Projectionist with nothing but Python 3.11+.

    python3 dev.py run [bot.py arguments]   # start the bot (creates .venv on first use)
    python3 dev.py test [pytest arguments]  # run the whole test suite
    python3 dev.py lint                      # ruff check + ruff format --check + mypy + vulture

The virtual environment in ``.venv`` is (re)built whenever the dependencies in pyproject.toml change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def requirements(extras: tuple[str, ...]) -> list[str]:
    import tomllib  # imported here so that Python < 3.11 reaches the version message in main()

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project.get("optional-dependencies", {}).get(extra, [])
    return reqs


def ensure_venv(extras: tuple[str, ...]) -> None:
    reqs = requirements(extras)
    digest = hashlib.sha256("\n".join([sys.version, *reqs]).encode()).hexdigest()
    stamp = VENV / f".installed-{'-'.join(extras) or 'runtime'}"
    if stamp.exists() and stamp.read_text() == digest and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"dev.py: creating {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print(f"dev.py: installing {len(reqs)} packages into {VENV}", file=sys.stderr)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs], check=True
    )
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - explain instead of failing on an old Python
        print("Projectionist needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command == "run":
        ensure_venv(())
        cmd = [str(PYTHON), str(ROOT / "bot.py"), "run", *rest]
    elif command == "test":
        ensure_venv(("test",))
        cmd = [str(PYTHON), "-m", "pytest", *rest]
    elif command == "lint":
        ensure_venv(("test",))
        # vulture (unused code) reads its paths, confidence and whitelist from [tool.vulture] in pyproject.toml
        steps = (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"], ["vulture"])
        for step in steps:
            result = subprocess.run([str(BIN / step[0]), *step[1:]], cwd=ROOT)
            if result.returncode:
                return result.returncode
        return 0
    elif command in ("bot", "cli"):
        ensure_venv(())
        cmd = [str(PYTHON), str(ROOT / "bot.py"), *rest]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return subprocess.run(cmd, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
