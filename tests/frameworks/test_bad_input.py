"""Malformed framework files: each gets its exact, located message and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assessor_tui.frameworks import loader
from assessor_tui.frameworks.errors import FrameworkInvalid
from assessor_tui.frameworks.loader import load_file

GOOD = """\
format: 1
id: demo
version: "1"
title: Demo framework
publisher: Demo publisher
source: Demo source, 2024
scales:
  - id: lv
    levels:
      - {id: low, label: Low}
      - {id: high, label: High}
sections:
  - id: "1"
    title: First section
    items:
      - kind: criterion
        id: "1.1"
        title: First criterion
        scale: lv
        descriptors:
          low: Some of it.
          high: All of it.
      - kind: checklist
        id: agenda
        title: Agenda
        items:
          - {id: a, text: Item A}
          - {id: b, text: Item B}
        min_checked: 1
visit_types:
  - id: v1
    title: Visit one
    sections: ["1"]
"""


def problems_of(tmp_path: Path, text: str | bytes, name: str = "demo.yaml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(FrameworkInvalid) as info:
        load_file(path, name)
    return [str(p) for p in info.value.problems]


def test_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(GOOD)
    fw = load_file(path)
    assert fw.id == "demo"
    assert [c.id for c in fw.criteria()] == ["1.1"]


CASES = [
    (
        "yaml-syntax",
        GOOD.replace("title: First section", "title: [unclosed"),
        [
            "demo.yaml:15: YAML syntax error: did not find expected ',' or ']' "
            "(while parsing a flow sequence started on line 14)"
        ],
    ),
    (
        "missing-id",
        GOOD.replace("id: demo\n", ""),
        ["demo.yaml:1: id: missing"],
    ),
    (
        "duplicate-criterion-id",
        GOOD.replace("id: agenda", 'id: "1.1"'),
        [
            "demo.yaml:24: sections[0].items[1].id: duplicate item id '1.1' "
            "(first at sections[0].items[0])"
        ],
    ),
    (
        "unknown-scale",
        GOOD.replace("scale: lv", "scale: stars"),
        ["demo.yaml:19: sections[0].items[0].scale: unknown scale 'stars'; defined scales: lv"],
    ),
    (
        "descriptor-for-missing-level",
        GOOD.replace("high: All of it.", "high: All of it.\n          top: Beyond."),
        [
            "demo.yaml:23: sections[0].items[0].descriptors.top: descriptor for level 'top', "
            "which scale 'lv' does not have (levels: low, high)"
        ],
    ),
    (
        "missing-descriptor",
        GOOD.replace("          high: All of it.\n", ""),
        [
            "demo.yaml:20: sections[0].items[0].descriptors: level 'high' has no descriptor; "
            "scale 'lv' has 2 levels"
        ],
    ),
    (
        "unknown-item-kind",
        GOOD.replace("kind: checklist", "kind: gallery"),
        [
            "demo.yaml:23: sections[0].items[1]: unknown item kind 'gallery'; "
            "expected one of criterion, table, list, checklist, text, actions"
        ],
    ),
    (
        "wrong-types",
        GOOD.replace("min_checked: 1", "min_checked: lots").replace(
            "title: Demo framework", "title: [Demo]"
        ),
        [
            "demo.yaml:4: title: input should be a valid string",
            "demo.yaml:29: sections[0].items[1].min_checked: input should be a valid integer, "
            "unable to parse string as an integer",
        ],
    ),
    (
        "empty-sections",
        GOOD.split("sections:")[0] + "sections: []\n",
        ["demo.yaml:12: sections: must not be empty"],
    ),
    (
        "checklist-minimum-too-large",
        GOOD.replace("min_checked: 1", "min_checked: 5"),
        [
            "demo.yaml:29: sections[0].items[1].min_checked: min_checked is 5 "
            "but the checklist has 2 items"
        ],
    ),
    (
        "unknown-format-version",
        GOOD.replace("format: 1", "format: 2"),
        ["demo.yaml:1: format: unknown format version 2; this assessor reads format 1"],
    ),
    (
        "missing-format",
        GOOD.replace("format: 1\n", ""),
        ["demo.yaml:1: format: missing; this assessor reads format 1"],
    ),
    (
        "not-a-mapping",
        "- just\n- a list\n",
        ["demo.yaml:1: a framework file must be a mapping, not a list"],
    ),
    (
        "empty-file",
        "",
        ["demo.yaml:1: a framework file must be a mapping, not empty"],
    ),
    (
        "visit-type-names-missing-section",
        GOOD.replace('sections: ["1"]', 'sections: ["1", "9"]'),
        [
            "demo.yaml:33: visit_types[0].sections[1]: visit type 'v1' names section '9', "
            "which does not exist"
        ],
    ),
    (
        "non-utf8",
        GOOD.encode().replace(b"Demo publisher", b"Demo \xff publisher"),
        ["demo.yaml:5: not UTF-8 text (byte 0xff at offset 70)"],
    ),
    (
        "unknown-field",
        GOOD.replace("title: Demo framework", "title: Demo framework\ncolour: blue"),
        ["demo.yaml:5: colour: unknown field"],
    ),
    (
        "duplicate-key",
        GOOD.replace("title: Demo framework", "title: Demo framework\ntitle: Again"),
        ["demo.yaml:5: title: duplicate key 'title'"],
    ),
    (
        "bad-framework-id",
        GOOD.replace("id: demo", "id: Demo_Framework"),
        ["demo.yaml:2: id: 'Demo_Framework' is not a valid identifier"],
    ),
    (
        "item-without-kind",
        GOOD.replace("      - kind: checklist\n        id: agenda", "      - id: agenda"),
        [
            "demo.yaml:23: sections[0].items[1]: missing 'kind'; "
            "expected one of criterion, table, list, checklist, text, actions"
        ],
    ),
    (
        "criterion-checklist-minimum-too-large",
        GOOD.replace(
            "          high: All of it.\n",
            "          high: All of it.\n        checklist:\n"
            "          items: [{id: x, text: X}]\n          min_checked: 2\n",
        ),
        [
            "demo.yaml:25: sections[0].items[0].checklist.min_checked: min_checked is 2 "
            "but the checklist has 1 item"
        ],
    ),
    (
        "format-true",
        GOOD.replace("format: 1", "format: true"),  # True == 1 in Python
        ["demo.yaml:1: format: unknown format version true; this assessor reads format 1"],
    ),
    (
        "nul-character",
        GOOD.replace("Demo publisher", "Demo \x00 publisher"),
        [
            "demo.yaml:5: YAML syntax error: unacceptable character #x0000: "
            "control characters are not allowed"
        ],
    ),
    (
        "impossible-date",
        GOOD.replace('version: "1"', "version: 2009-13-01"),
        [
            "demo.yaml:3: cannot read '2009-13-01' as a date: month must be in 1..12; "
            "put it in quotes if it is text"
        ],
    ),
    (
        "nested-too-deep",
        GOOD + "notes: " + "[" * 60 + "]" * 60 + "\n",
        ["demo.yaml:34: nested more than 50 levels deep"],
    ),
    (
        "alias-inside-its-own-anchor",
        GOOD.replace("id: demo", "id: &name [*name]"),
        ["demo.yaml:2: alias '*name' is inside its own anchor '&name', so it never ends"],
    ),
    (
        "alias-bomb",  # "billion laughs": 1 KB that expands to 9^9 values
        GOOD
        + "".join(
            f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "lol"] * 9) + "]\n"
            for i in range(9)
        ),
        [
            "demo.yaml:38: more than 50,000 values, each alias counted as what it repeats; "
            "a framework file has a few thousand"
        ],
    ),
    (
        "several-problems-at-once",
        GOOD.replace("scale: lv", "scale: stars").replace("min_checked: 1", "min_checked: 3"),
        [
            "demo.yaml:19: sections[0].items[0].scale: unknown scale 'stars'; defined scales: lv",
            "demo.yaml:29: sections[0].items[1].min_checked: min_checked is 3 "
            "but the checklist has 2 items",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problem_is_reported_exactly(
    tmp_path: Path, text: str | bytes, expected: list[str]
) -> None:
    assert problems_of(tmp_path, text) == expected


DEEP = {
    # libyaml 0.2.6 reads a line of brackets ahead of its events and refuses past 1,000 levels
    # before the loader's walk reaches level 51
    "flow-on-one-line": (GOOD + "notes: " + "[" * 2000 + "]" * 2000 + "\n", 34),
    "flow-mapping-on-one-line": (GOOD + "notes: " + "{a: " * 2000 + "}" * 2000 + "\n", 34),
    "flow-100k-levels": (GOOD + "notes: " + "[" * 100_000 + "]" * 100_000 + "\n", 34),
    # one level a line: every event reaches the loader's walk before libyaml reads further
    "flow-one-per-line": (GOOD + "notes:\n" + " [\n" * 2000 + " ]\n" * 2000, 84),
    "block-mappings": (
        GOOD + "notes:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(1100)),
        84,
    ),
    "block-sequences-on-one-line": (GOOD + "notes:\n" + "- " * 2000 + "x\n", 35),
}

_LOAD = """
import sys
if sys.argv[1] == "without":
    sys.modules["yaml._yaml"] = None  # PyYAML then parses in Python, as without libyaml
import yaml
assert yaml.__with_libyaml__ == (sys.argv[1] == "with")
from assessor_tui.frameworks.errors import FrameworkInvalid
from assessor_tui.frameworks import loader
from assessor_tui.frameworks.loader import load_file
for name in sys.argv[2:]:
    try:
        load_file(name, name)
        print(name + ": loaded")
    except FrameworkInvalid as exc:
        print(exc)
"""


@pytest.mark.parametrize("libyaml", ["with", "without"])
def test_the_loaders_nesting_limit_wins_over_the_yaml_librarys(
    tmp_path: Path, libyaml: str
) -> None:
    """Too deep is the loader's own located message, whichever parser refuses first: flow
    or block, packed on one line or one level a line, with libyaml or PyYAML's Python."""
    if libyaml == "with":
        pytest.importorskip("yaml._yaml", reason="PyYAML was built without libyaml")
    for case, (text, _) in DEEP.items():
        (tmp_path / f"{case}.yaml").write_text(text)
    result = subprocess.run(
        [sys.executable, "-c", _LOAD, libyaml, *(f"{case}.yaml" for case in DEEP)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{case}.yaml:{line}: nested more than 50 levels deep" for case, (_, line) in DEEP.items()
    ]


def test_huge_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB, sparse: fast to make

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the loader opened {args[0]}")

    monkeypatch.setattr(loader, "open", no_open, raising=False)  # its size alone refuses it
    with pytest.raises(FrameworkInvalid) as info:
        load_file(path, "huge.yaml")
    assert [str(p) for p in info.value.problems] == [
        "huge.yaml: file is 50.0 MB; framework files are limited to 2 MB"
    ]


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(FrameworkInvalid) as info:
        load_file(tmp_path / "nope.yaml", "nope.yaml")
    assert str(info.value) == "nope.yaml: cannot read: No such file or directory"


def test_a_number_too_long_for_python_is_a_located_problem(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, GOOD.replace("min_checked: 1", "min_checked: " + "9" * 5000))
    assert problem.startswith(
        "demo.yaml:29: cannot read '" + "9" * 39 + "…' as an integer: exceeds the limit"
    )
    assert problem.endswith("; put it in quotes if it is text")


def test_a_pipe_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """A pipe has no size to check first; reading stops past 2 MB instead of at its end."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with fifo.open("wb") as f:
                f.write(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
        except BrokenPipeError:
            pass  # the loader stopped reading: what this test wants

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(FrameworkInvalid) as info:
        load_file(fifo, "pipe.yaml")
    writer.join(timeout=10)
    assert str(info.value) == "pipe.yaml: more than 2 MB; framework files are limited to 2 MB"


def test_validate_reports_every_bad_file_in_one_line_each_and_no_traceback(
    tmp_path: Path,
) -> None:
    """The CLI on all the malformed files at once, plus two that used to crash or hang the
    process (10^5 nested brackets; the 50 MB file): exact lines, exit 1, nothing else."""
    expected: list[str] = []
    names: list[str] = []
    for case_id, text, lines in CASES:
        name = f"{case_id}.yaml"
        (tmp_path / name).write_bytes(text.encode() if isinstance(text, str) else text)
        names.append(name)
        expected += [line.replace("demo.yaml", name, 1) for line in lines]
    (tmp_path / "deepest.yaml").write_text(GOOD + "notes: " + "[" * 100_000 + "]" * 100_000)
    with (tmp_path / "huge.yaml").open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    names += ["deepest.yaml", "huge.yaml"]
    expected += [
        "deepest.yaml:34: nested more than 50 levels deep",
        "huge.yaml: file is 50.0 MB; framework files are limited to 2 MB",
    ]
    result = subprocess.run(
        [str(Path(sys.executable).with_name("assessor")), "frameworks", "validate", *names],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == expected
    assert result.stderr == f"{len(names)} of {len(names)} files invalid\n"
