"""Small helpers shared by the benchmarks: repeat, take percentiles, print a table."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timings(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def process_time(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_to_mark(argv: Sequence[str]) -> float:
    """From spawning a process to the wall-clock time it prints (its first frame, say), so
    what it does after that moment (exiting, background loading) is not counted."""
    started = time.time()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1]) - started


def interleaved(
    commands: dict[str, Sequence[str]],
    repeat: int,
    measure: Callable[[Sequence[str]], float] = process_time,
) -> dict[str, list[float]]:
    """Run whole processes in turn, so machine noise hits each command alike."""
    results: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the page cache
        measure(argv)
    for _ in range(repeat):
        for name, argv in commands.items():
            results[name].append(measure(argv))
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def print_rows(title: str, rows: Sequence[tuple[str, str, str]]) -> None:
    print(f"\n## {title}\n")
    print("| measure | figure | goal |")
    print("| --- | --- | --- |")
    for measure, figure, goal in rows:
        print(f"| {measure} | {figure} | {goal} |")


def python() -> str:
    return sys.executable
