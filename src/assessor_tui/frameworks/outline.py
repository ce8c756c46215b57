"""A framework as a readable plain-text outline, for the CLI and the app."""

from __future__ import annotations

from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Criterion,
    Framework,
    Guidance,
    Point,
    Table,
    TextPrompt,
)


def point_lines(points: tuple[str | Point, ...], indent: str = "", bullet: str = "-",
                sub_bullet: str = "-") -> list[str]:
    """Bullets with one level of sub-bullets, for plain text and the app alike."""
    out: list[str] = []
    for point in points:
        if isinstance(point, Point):
            out.append(f"{indent}{bullet} {point.text}")
            out.extend(f"{indent}  {sub_bullet} {sub}" for sub in point.points)
        else:
            out.append(f"{indent}{bullet} {point}")
    return out


def _guidance(block: Guidance, indent: str) -> list[str]:
    lines = [f"{indent}{block.title}"]
    if block.text:
        lines.append(f"{indent}  {_first_line(block.text)}")
    return lines + point_lines(block.points, indent + "  ")


def _first_line(text: str, width: int = 96) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def outline(fw: Framework) -> list[str]:
    """A readable outline: what an assessor or author checks at a glance."""
    lines = [
        f"{fw.title}",
        f"  id {fw.id}, version {fw.version}, {fw.publisher}",
        f"  source: {_first_line(fw.source)}",
    ]
    if fw.scales:
        lines.append("\nScales")
        for scale in fw.scales:
            rated = " < ".join(lv.label for lv in scale.levels if not lv.unrated)
            extra = [lv.label for lv in scale.levels if lv.unrated]
            lines.append(
                f"  {scale.id}: {rated}" + (f" (also: {', '.join(extra)})" if extra else "")
            )
    if fw.context:
        lines.append("\nContext")
        for block in fw.context:
            lines.extend(_guidance(block, "  "))
    for section in fw.sections:
        lines.append(f"\n{section.id}  {section.title}")
        for item in section.items:
            detail = ""
            if isinstance(item, Criterion):
                detail = f"scale {item.scale}"
                if item.descriptors:
                    detail += f", {len(item.descriptors)} descriptors"
                if item.checklist:
                    detail += f", checklist of {len(item.checklist.items)}"
                    if item.checklist.min_checked is not None:
                        detail += f" (at least {item.checklist.min_checked})"
            elif isinstance(item, Table):
                detail = f"{len(item.rows)} rows × {len(item.columns)} columns"
                detail += ", extendable" if item.extendable else ""
            elif isinstance(item, Checklist):
                detail = f"{len(item.items)} items"
            elif isinstance(item, TextPrompt) and item.scale:
                detail = f"scale {item.scale}"
            elif isinstance(item, Actions):
                detail = "text, owner, due date"
            mark = "*" if isinstance(item, Criterion) and item.key else " "
            lines.append(
                f" {mark}{item.id:>6}  [{item.kind}] {_first_line(item.title, 80)}"
                + (f"  ({detail})" if detail else "")
            )
    for vt in fw.visit_types:
        if vt is fw.visit_types[0]:
            lines.append("\nVisit types")
        term = f", {vt.term}" if vt.term else ""
        lines.append(
            f"  {vt.id}: {vt.title}{term}; sections {', '.join(vt.sections)}; record: {vt.record}"
        )
    return lines
