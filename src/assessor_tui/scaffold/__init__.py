"""``assessor plugin new NAME``: an installable framework plugin that works at once.

The templates beside this module are the files of a new plugin; ``$name``,
``$package``, ``$title`` and ``$framework_id`` are filled in. The result
validates, installs with ``pip install -e DIR`` and passes its own tests.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from string import Template

from assessor_tui.errors import AssessorError

TEMPLATES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "plugin.py.tmpl": "src/$package/__init__.py",
    "tui.py.tmpl": "src/$package/tui.py",
    "framework.yaml.tmpl": "src/$package/$framework_id.yaml",
    "test_plugin.py.tmpl": "tests/test_$package.py",
}
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class ScaffoldError(AssessorError, ValueError):
    """The plugin cannot be made as asked; the message says why."""


def scaffold(name: str, parent: Path) -> Path:
    """Write the plugin's files into ``parent/assessor-NAME``; returns that folder."""
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"'{name}' is not a plugin name: use lowercase words joined by hyphens, "
            "e.g. safeguarding-review")
    target = parent / f"assessor-{name}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing was written")
    values = {
        "name": name,
        "package": "assessor_" + name.replace("-", "_"),
        "framework_id": name,
        "title": name.replace("-", " ").capitalize(),
    }
    for template, relative in TEMPLATES.items():
        path = target / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = files(__name__).joinpath(template).read_text(encoding="utf-8")
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    return target
