"""`python -m bench`: run every benchmark and print markdown tables."""

from __future__ import annotations

import platform
import sys

from bench import (
    bench_frameworks,
    bench_reports,
    bench_store,
    bench_sync,
    bench_sync_load,
    bench_tui,
)
from bench.harness import print_rows


def main() -> None:
    print(f"# assessor-tui benchmarks\n\nPython {sys.version.split()[0]} on "
          f"{platform.machine()}, {platform.system()}; `make bench`")
    print_rows("Frameworks", bench_frameworks.run())
    print("\n## Store (full-size visit: 60 judgements, 300 notes, 50 evidence items)\n")
    print("```")
    print(bench_store.table(bench_store.run()))
    print("```")
    print_rows("Reports (full-size visit: 60 judgements, 300 notes, 50 evidence items)",
               bench_reports.run())
    print_rows("App (TUI)", bench_tui.run())
    print_rows("Sync", bench_sync.run())
    print_rows(
        f"Sync under load ({bench_sync_load.CLIENTS} clients at once, "
        f"{bench_sync_load.ROUNDS} rounds)",
        bench_sync_load.run(),
    )


if __name__ == "__main__":
    main()
