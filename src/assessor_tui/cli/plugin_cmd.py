"""``assessor plugin new NAME``: scaffold an installable framework plugin."""

from __future__ import annotations

import argparse
from pathlib import Path

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("plugin", help="make a framework plugin")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = psub.add_parser("new", parents=[common],
                          help="scaffold an installable plugin package with tests")
    new.add_argument("name", help="lowercase words joined by hyphens, e.g. safeguarding-review")
    new.add_argument("--path", type=Path, default=Path("."), metavar="DIR",
                     help="the folder to create it in (default: here)")
    new.set_defaults(func=cmd_new)


def cmd_new(ctx: Context) -> int:
    from assessor_tui.scaffold import scaffold

    try:
        target = scaffold(ctx.args.name, ctx.args.path)
    except OSError as exc:
        raise CommandError(f"cannot write the plugin: {exc.strerror}") from None
    print(f"Created {target}. Next:")
    print(f"  cd {target} && pip install -e '.[test]' && pytest")
    print("  assessor frameworks list    # it is there")
    return 0
