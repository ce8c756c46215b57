"""Malformed framework files: each gets its exact, located message and no traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

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


def test_huge_file_is_refused_quickly_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB, sparse: fast to make
    started = time.perf_counter()
    with pytest.raises(FrameworkInvalid) as info:
        load_file(path, "huge.yaml")
    assert time.perf_counter() - started < 1.0
    assert [str(p) for p in info.value.problems] == [
        "huge.yaml: file is 50.0 MB; framework files are limited to 2 MB"
    ]


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(FrameworkInvalid) as info:
        load_file(tmp_path / "nope.yaml", "nope.yaml")
    assert str(info.value) == "nope.yaml: cannot read: No such file or directory"
