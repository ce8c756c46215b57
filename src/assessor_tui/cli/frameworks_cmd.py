"""``assessor frameworks list|show|validate|schema``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError, print_json, print_table, warn

if TYPE_CHECKING:
    from assessor_tui.frameworks.model import Framework


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("frameworks", help="list, show, validate frameworks")
    fsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = fsub.add_parser("list", parents=[common], help="the installed frameworks")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)
    show = fsub.add_parser("show", parents=[common], help="one framework's outline")
    show.add_argument("id", help="framework id, e.g. ba-sef")
    show.add_argument("--json", action="store_true", help="the loaded framework in format 1")
    show.set_defaults(func=cmd_show)
    val = fsub.add_parser("validate", parents=[common], help="check framework files")
    val.add_argument("files", nargs="+", type=Path, metavar="FILE")
    val.add_argument("--json", action="store_true", help="print problems as JSON")
    val.set_defaults(func=cmd_validate)
    schema = fsub.add_parser("schema", parents=[common], help="print the JSON Schema")
    schema.set_defaults(func=cmd_schema)


def _report_problems(ctx: Context) -> None:
    for problem in ctx.host.problems:
        warn(f"skipped {problem}")


def cmd_list(ctx: Context) -> int:
    host = ctx.host
    rows = sorted(host.frameworks.values(), key=lambda r: r.framework.id)
    if ctx.args.json:
        print_json(
            [
                {
                    "id": r.framework.id,
                    "version": r.framework.version,
                    "title": r.framework.title,
                    "publisher": r.framework.publisher,
                    "criteria": len(r.framework.criteria()),
                    "items": len(r.framework.items()),
                    "plugin": r.owner,
                    "source": r.source,
                }
                for r in rows
            ]
        )
    else:
        print_table(
            ["ID", "VERSION", "CRITERIA", "ITEMS", "PLUGIN", "TITLE"],
            [
                (
                    r.framework.id,
                    r.framework.version,
                    len(r.framework.criteria()),
                    len(r.framework.items()),
                    r.owner,
                    r.framework.title,
                )
                for r in rows
            ],
        )
    _report_problems(ctx)
    return 0


def _framework(ctx: Context, framework_id: str) -> Framework:
    framework = ctx.host.framework(framework_id)
    if framework is None:
        known = ", ".join(sorted(ctx.host.frameworks)) or "none"
        raise CommandError(f"no framework '{framework_id}' (installed: {known})")
    return framework


def cmd_show(ctx: Context) -> int:
    framework = _framework(ctx, ctx.args.id)
    if ctx.args.json:
        print_json(framework.to_dict())
    else:
        from assessor_tui.frameworks.outline import outline

        print("\n".join(outline(framework)))
    return 0


def cmd_validate(ctx: Context) -> int:
    from assessor_tui.frameworks.errors import FrameworkInvalid
    from assessor_tui.frameworks.loader import load_file

    failed = 0
    results = []
    for path in ctx.args.files:
        name = str(path)
        try:
            fw = load_file(path, name)
        except FrameworkInvalid as exc:
            failed += 1
            results.append(
                {"file": name, "valid": False, "problems": [p.to_dict() for p in exc.problems]}
            )
            if not ctx.args.json:
                for problem in exc.problems:
                    print(problem)
            continue
        results.append({"file": name, "valid": True, "id": fw.id, "version": fw.version})
        if not ctx.args.json:
            print(
                f"{name}: valid: {fw.id} {fw.version}, {len(fw.sections)} sections, "
                f"{len(fw.criteria())} criteria, {len(fw.items())} items"
            )
    if ctx.args.json:
        print_json(results)
    elif failed:
        print(f"{failed} of {len(ctx.args.files)} files invalid", file=sys.stderr)
    return 1 if failed else 0


def cmd_schema(ctx: Context) -> int:
    from assessor_tui.frameworks.schema import schema_text

    sys.stdout.write(schema_text())
    return 0
