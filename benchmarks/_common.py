"""Shared helpers for the benchmark scripts: arguments, CPU and memory meters, tables and JSON output.

CPU time is counted for the benchmark process *and* its descendants: the parser's worker processes do the
feed parsing, and they are a forkserver's children (our grandchildren), so ``RUSAGE_CHILDREN`` does not
see them while they live, and a worker killed when its pool is recycled may vanish without being
accounted to anyone. :class:`Meter` therefore tracks each descendant by pid: ``utime + stime`` from
``/proc/<pid>/stat`` when the block starts, sampled every ``interval`` seconds by a thread while it runs
(the last sample stands for a process that exits), and once more at the end; plus ``time.process_time``
for this process. A process that starts and ends between two samples is missed (parse workers live for
hundreds of parses). Processes that are not part of what is measured (the benchmark's own feed server)
are excluded by pid, with their whole subtree. Linux only; elsewhere only this process is counted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: only proves the benchmark runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--seed", type=int, default=1234, help="seed for the generated data")
    return parser


def log(message: str) -> None:
    """Progress goes to stderr so that ``--json`` output stays one clean object on stdout."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# CPU and memory


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (any of its threads may have started them)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        except (OSError, ValueError):
            continue
    return found


def descendants(root: int | None = None, exclude: Iterable[int] = ()) -> list[int]:
    """Live descendants of ``root`` (default: this process), skipping the subtrees of ``exclude``."""
    skip = set(exclude)
    found: list[int] = []
    stack = _children(os.getpid() if root is None else root)
    while stack:
        pid = stack.pop()
        if pid in skip:
            continue
        found.append(pid)
        stack.extend(_children(pid))
    return found


def _own_cpu(pid: int) -> float | None:
    """utime + stime of one process in seconds (not its reaped children), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            raw = handle.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = raw[raw.rfind(")") + 2 :].split()
    try:
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (IndexError, ValueError):
        return None


def descendants_cpu(exclude: Iterable[int] = ()) -> dict[int, float]:
    out: dict[int, float] = {}
    for pid in descendants(exclude=exclude):
        cpu = _own_cpu(pid)
        if cpu is not None:
            out[pid] = cpu
    return out


def peak_rss_mb() -> float:
    """This process's peak resident set size (``ru_maxrss`` is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_of(pid: int) -> float:
    """Peak RSS (VmHWM) of a live process in MB, 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants_peak_rss_mb(exclude: Iterable[int] = ()) -> dict[int, float]:
    return {pid: peak_rss_of(pid) for pid in descendants(exclude=exclude)}


@dataclass(slots=True)
class Meter:
    """``with Meter() as m: ...`` then ``m.wall``, ``m.cpu`` (descendants included) and ``m.cpu_self``."""

    exclude: Sequence[int] = ()
    interval: float = 0.25
    wall: float = 0.0
    cpu: float = 0.0
    cpu_self: float = 0.0
    _wall0: float = 0.0
    _self0: float = 0.0
    _start: dict[int, float] = field(default_factory=dict)
    _last: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        for pid, cpu in descendants_cpu(self.exclude).items():
            self._last[pid] = cpu
            self._start.setdefault(pid, 0.0)  # born during the block: all of its CPU counts

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Meter:
        self._start = descendants_cpu(self.exclude)
        self._last = dict(self._start)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="meter", daemon=True)
        self._thread.start()
        self._self0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu_self = time.process_time() - self._self0
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        children = sum(self._last[pid] - self._start.get(pid, 0.0) for pid in self._last)
        self.cpu = self.cpu_self + max(0.0, children)


@contextmanager
def profiled(directory: str | None, name: str, top: int = 25) -> Iterator[None]:
    """cProfile the block (this thread only) into ``directory/name.prof`` and log the top functions."""
    if not directory:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(path / f"{name}.prof")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
        (path / f"{name}.txt").write_text(out.getvalue())
        log(f"profile of {name} written to {path / name}.prof/.txt")


# --------------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "uname": " ".join(platform.uname()),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.{digits}g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(
                (c.rjust(w) if i else c.ljust(w)) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


@dataclass(slots=True)
class Target:
    """One spec target: ``met`` and a human ``detail`` (what was measured against what)."""

    name: str
    met: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "met": self.met, "detail": self.detail}


@dataclass(slots=True)
class Report:
    benchmark: str
    args: Mapping[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "machine": machine(),
            "args": dict(self.args),
            "results": self.results,
            "targets": [t.as_dict() for t in self.targets],
            "notes": self.notes,
        }

    def emit(self, as_json: bool) -> None:
        if as_json:
            print(json.dumps(self.as_dict(), default=str))
            return
        info = machine()
        print(
            f"{self.benchmark} on {info['nproc']} CPUs, Python {info['python']}, load {info['loadavg_at_start']}"
        )
        print(f"args: {dict(self.args)}")
        for text in self.tables:
            print()
            print(text)
        if self.targets:
            print()
            print(
                table(
                    "targets",
                    ["target", "met", "measured"],
                    [(t.name, t.met, t.detail) for t in self.targets],
                )
            )
        for note in self.notes:
            print(f"note: {note}")


def run_main(main: Callable[[list[str] | None], int]) -> None:
    sys.exit(main(None))
