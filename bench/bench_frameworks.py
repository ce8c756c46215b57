"""Framework loading in-process, and `assessor frameworks list` as a whole process."""

from __future__ import annotations

from pathlib import Path

from bench.harness import (
    ROOT,
    interleaved,
    median,
    ms,
    percentile,
    print_rows,
    python,
    timings,
)


def run() -> list[tuple[str, str, str]]:
    from assessor_tui.frameworks.loader import load_file
    from assessor_tui.plugins.host import load_host

    files = sorted((ROOT / "frameworks").glob("*.yaml"))

    def load_all() -> None:
        for path in files:
            load_file(path)

    load = timings(load_all, repeat=30)
    host = timings(lambda: load_host(frameworks_dir=Path("/nonexistent")), repeat=30)
    assessor = str(Path(python()).with_name("assessor"))
    procs = interleaved(
        {
            "import": [python(), "-c", "import assessor_tui"],
            "list": [assessor, "frameworks", "list"],
            "bare": [python(), "-c", "pass"],
        },
        repeat=15,
    )
    list_ms, import_ms, bare_ms = (median(procs[k]) for k in ("list", "import", "bare"))
    return [
        (f"load + validate all {len(files)} framework files (median of 30; p90)",
         f"{ms(median(load))}; {ms(percentile(load, 90))}", "< 50 ms"),
        ("load_host(): entry points + plugins + frameworks (median of 30)",
         ms(median(host)), "-"),
        ("`assessor frameworks list`, whole process (median of 15)", ms(list_ms), "-"),
        ("`python -c 'import assessor_tui'`, whole process (median of 15)", ms(import_ms), "-"),
        ("`python -c pass`, whole process (median of 15)", ms(bare_ms), "-"),
        ("ratio list / import", f"{list_ms / import_ms:.2f}×", "report"),
        ("ratio (list − bare) / (import − bare)",
         f"{(list_ms - bare_ms) / max(import_ms - bare_ms, 1e-9):.2f}×", "report"),
    ]


if __name__ == "__main__":
    print_rows("Frameworks", run())
