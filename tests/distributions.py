"""Real installed distributions for plugin tests: what `pip install` leaves on a path."""

from __future__ import annotations

import textwrap
from pathlib import Path


def make_distribution(
    site: Path, dist: str, plugins: dict[str, str], version: str = "1.2.3"
) -> None:
    """A distribution on ``site``: one module per plugin (``{dist}_{name}``) and an
    entry-points file naming each in the ``assessor_tui`` group."""
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = ["[assessor_tui]"]
    for name, source in plugins.items():
        module = f"{dist}_{name.replace('-', '_')}"
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        lines.append(f"{name} = {module}")
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
