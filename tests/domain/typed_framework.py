"""A small framework with a column and a field of every type, for the typing checks.

No built-in framework has number, percent, date, boolean or choice values, but a
plugin's or a dropped-in framework may; the edits must type them all.
"""

from __future__ import annotations

from assessor_tui.frameworks.loader import load_bytes
from assessor_tui.frameworks.model import Framework

TYPED_YAML = """\
format: 1
id: typed-test
version: "1"
title: Typed values
publisher: Tests
source: Written for the tests
scales:
  - id: yes-no
    title: Yes or no
    levels:
      - {id: "no", label: "No"}
      - {id: "yes", label: "Yes"}
sections:
  - id: s1
    title: The only section
    items:
      - id: c1
        kind: criterion
        title: A criterion with extra fields
        scale: yes-no
        fields:
          - {id: count, kind: number, label: Pupils seen}
          - {id: when, kind: date, label: Date of the review}
          - {id: ok, kind: boolean, label: Policy in place}
          - {id: colour, kind: choice, label: Rating colour, options: [red, amber, green]}
      - id: t1
        kind: table
        title: Figures
        columns:
          - {id: pupils, label: Pupils, kind: number}
          - {id: attendance, label: Attendance, kind: percent}
          - {id: measured, label: Measured on, kind: date}
          - {id: band, label: Band, kind: choice, options: [low, high]}
          - {id: grade, label: Grade, kind: level, scale: yes-no}
        rows:
          - {id: r1, label: The first row}
"""


def typed_framework() -> Framework:
    return load_bytes(TYPED_YAML.encode(), "typed-test.yaml")
