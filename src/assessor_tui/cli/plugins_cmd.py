"""``assessor plugins list``: every plugin found, what it provides, its status."""

from __future__ import annotations

import argparse

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import print_json, print_table

PROVIDES = {
    "evaluate_visit": "rules",
    "check_record": "record checks",
    "report_sections": "report",
    "register_panels": "panels",
    "register_commands": "commands",
    "migrate_visit": "migrations",
}
"""Hooks as the table names what they provide; frameworks are named by their ids."""


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("plugins", help="the plugins found")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = psub.add_parser("list", parents=[common], help="every plugin and its status")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)


def provides(frameworks: list[str], hooks: list[str]) -> str:
    """Its frameworks, then what its other hooks add: a plugin with rules or panels only
    is not shown as providing nothing."""
    parts = [", ".join(frameworks)] if frameworks else []
    extras = [label for hook, label in PROVIDES.items() if hook in hooks]
    if extras:
        parts.append(", ".join(extras))
    return "; ".join(parts) or "-"


def cmd_list(ctx: Context) -> int:
    infos = sorted(ctx.host.plugins.values(), key=lambda i: i.name)
    if ctx.args.json:
        print_json([i.to_dict() for i in infos])
        return 0
    rows = []
    for info in infos:
        status = info.status if not info.reason else f"{info.status}: {info.reason}"
        rows.append((info.name, info.version or "-", provides(info.frameworks, info.hooks), status))
    print_table(["NAME", "VERSION", "PROVIDES", "STATUS"], rows)
    return 0
