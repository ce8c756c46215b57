"""``assessor plugins list``: every plugin found, what it provides, its status."""

from __future__ import annotations

import argparse

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import print_json, print_table


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("plugins", help="the plugins found")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = psub.add_parser("list", parents=[common], help="every plugin and its status")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)


def cmd_list(ctx: Context) -> int:
    infos = sorted(ctx.host.plugins.values(), key=lambda i: i.name)
    if ctx.args.json:
        print_json([i.to_dict() for i in infos])
        return 0
    rows = []
    for info in infos:
        provides = ", ".join(info.frameworks) or "-"
        status = info.status if not info.reason else f"{info.status}: {info.reason}"
        rows.append((info.name, info.version or "-", provides, status))
    print_table(["NAME", "VERSION", "FRAMEWORKS", "STATUS"], rows)
    return 0
