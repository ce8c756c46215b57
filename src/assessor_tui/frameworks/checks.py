"""Cross-reference checks that a schema cannot express.

Each check yields ``(path, message)``; the loader adds the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from assessor_tui.frameworks.model import (
    Checklist,
    Column,
    Criterion,
    Framework,
    Table,
    TextPrompt,
)

PathKey = tuple[str | int, ...]
Found = Iterator[tuple[PathKey, str]]


def _unique(things: Iterable[Any], path: PathKey, what: str) -> Found:
    seen: dict[str, int] = {}
    for index, thing in enumerate(things):
        if thing.id in seen:
            yield (
                (*path, index, "id"),
                (f"duplicate {what} id '{thing.id}' (first at {path[-1]}[{seen[thing.id]}])"),
            )
        else:
            seen[thing.id] = index


def _scale_exists(fw: Framework, scale_id: str, path: PathKey) -> Found:
    if fw.scale(scale_id) is None:
        known = ", ".join(s.id for s in fw.scales) or "none"
        yield path, f"unknown scale '{scale_id}'; defined scales: {known}"


def _criterion(fw: Framework, item: Criterion, path: PathKey) -> Found:
    yield from _scale_exists(fw, item.scale, (*path, "scale"))
    scale = fw.scale(item.scale)
    if scale is not None and item.descriptors is not None:
        level_ids = [lv.id for lv in scale.levels]
        for key in item.descriptors:
            if key not in level_ids:
                yield (
                    (*path, "descriptors", key),
                    (
                        f"descriptor for level '{key}', which scale '{scale.id}' does not have "
                        f"(levels: {', '.join(level_ids)})"
                    ),
                )
        rated = [lv for lv in scale.levels if not lv.unrated]
        for level in rated:
            if level.id not in item.descriptors:
                yield (
                    (*path, "descriptors"),
                    (
                        f"level '{level.id}' has no descriptor; scale '{scale.id}' has "
                        f"{len(rated)} levels"
                    ),
                )
    if item.checklist is not None:
        yield from _unique(item.checklist.items, (*path, "checklist", "items"), "checklist entry")
        yield from _minimum(
            item.checklist.min_checked,
            len(item.checklist.items),
            (*path, "checklist", "min_checked"),
        )
    yield from _unique(item.fields, (*path, "fields"), "field")
    for index, spec in enumerate(item.fields):
        if spec.kind == "choice" and not spec.options:
            yield (*path, "fields", index, "options"), "a choice field needs options"


def _minimum(minimum: int | None, count: int, path: PathKey) -> Found:
    if minimum is not None and minimum > count:
        items = "item" if count == 1 else "items"
        yield path, f"min_checked is {minimum} but the checklist has {count} {items}"


def _column(fw: Framework, column: Column, path: PathKey) -> Found:
    if column.kind == "level":
        if column.scale is None:
            yield (*path, "scale"), "a column of kind 'level' needs a scale"
        else:
            yield from _scale_exists(fw, column.scale, (*path, "scale"))
    if column.kind == "choice" and not column.options:
        yield (*path, "options"), "a choice column needs options"


def cross_reference_problems(fw: Framework) -> list[tuple[PathKey, str]]:
    return list(_all(fw))


def _all(fw: Framework) -> Found:
    yield from _unique(fw.scales, ("scales",), "scale")
    for s_index, scale in enumerate(fw.scales):
        yield from _unique(scale.levels, ("scales", s_index, "levels"), "level")
    yield from _unique(fw.context, ("context",), "context")
    yield from _unique(fw.sections, ("sections",), "section")
    item_ids: dict[str, PathKey] = {}
    for s_index, section in enumerate(fw.sections):
        for i_index, item in enumerate(section.items):
            path: PathKey = ("sections", s_index, "items", i_index)
            if item.id in item_ids:
                first = item_ids[item.id]
                yield (
                    (*path, "id"),
                    (
                        f"duplicate item id '{item.id}' "
                        f"(first at sections[{first[1]}].items[{first[3]}])"
                    ),
                )
            else:
                item_ids[item.id] = path
            if isinstance(item, Criterion):
                yield from _criterion(fw, item, path)
            elif isinstance(item, Checklist):
                yield from _unique(item.items, (*path, "items"), "checklist entry")
                yield from _minimum(item.min_checked, len(item.items), (*path, "min_checked"))
            elif isinstance(item, Table):
                yield from _unique(item.columns, (*path, "columns"), "column")
                yield from _unique(item.rows, (*path, "rows"), "row")
                for c_index, column in enumerate(item.columns):
                    yield from _column(fw, column, (*path, "columns", c_index))
                if not item.rows and not item.extendable:
                    yield (*path, "rows"), "a table with no rows must be extendable"
            elif isinstance(item, TextPrompt) and item.scale is not None:
                yield from _scale_exists(fw, item.scale, (*path, "scale"))
    yield from _unique(fw.visit_types, ("visit_types",), "visit type")
    section_ids = [s.id for s in fw.sections]
    for v_index, visit_type in enumerate(fw.visit_types):
        for n, section_id in enumerate(visit_type.sections):
            if section_id not in section_ids:
                yield (
                    ("visit_types", v_index, "sections", n),
                    (
                        f"visit type '{visit_type.id}' names section '{section_id}', "
                        "which does not exist"
                    ),
                )
