"""Run a command while a busy loop keeps every core busy: the test suite on a loaded laptop.

    python -m tests.cpu_hog -- python -m pytest -n auto

One busy-looping process per core runs for as long as the command does; they are stopped
however the command ends (also on Ctrl+C or SIGTERM, and they stop by themselves if this
process is killed outright), and the exit code is the command's.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from types import FrameType


def _spin(parent: int) -> None:
    """Burn one core until the parent stops us, or is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    while os.getppid() == parent:
        for _ in range(1_000_000):  # a few tens of milliseconds between looks
            pass


class _Terminated(Exception):
    pass


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def run(command: list[str], hogs: int | None = None) -> int:
    """Run ``command`` with ``hogs`` busy loops (one per core by default); its exit code,
    as a shell gives it (128 + N for a command ended by signal N)."""
    count = hogs if hogs is not None else (os.cpu_count() or 1)
    processes = [
        multiprocessing.Process(target=_spin, args=(os.getpid(),), name=f"cpu-hog-{n}")
        for n in range(count)
    ]
    previous = signal.signal(signal.SIGTERM, _terminated)
    child: subprocess.Popen[bytes] | None = None
    try:
        for process in processes:
            process.start()
        print(f"cpu_hog: {count} busy loop(s) running", file=sys.stderr, flush=True)
        child = subprocess.Popen(command)
        try:
            code = child.wait()
        except KeyboardInterrupt:  # the terminal sent SIGINT to the command too: let it end
            try:
                code = child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
        return code if code >= 0 else 128 - code
    except _Terminated:
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        return 128 + signal.SIGTERM
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join()
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m tests.cpu_hog -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        return run(command)
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
