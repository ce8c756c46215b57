"""Parse the command line and run one command; errors are one line, never a traceback.

This is the one place in the CLI that catches broad errors: an ``AssessorError``
(assessor_tui/errors.py) from any command is printed as its one line; anything
else is a bug, reported as "internal error: TypeName". Commands catch only what
they turn into a sentence with more context than the error has.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from assessor_tui import __version__
from assessor_tui.cli import (
    app_cmd,
    frameworks_cmd,
    plugin_cmd,
    plugins_cmd,
    server_cmd,
    store_cmd,
    sync_cmd,
    visits_cmd,
)
from assessor_tui.cli.context import Context
from assessor_tui.cli.output import utf8_output
from assessor_tui.errors import AssessorError

DEBUG_ENV = "ASSESSOR_DEBUG"


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the data folder (default: the platform's, or $ASSESSOR_DATA_DIR)",
    )
    common.add_argument(
        "--frameworks-dir",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="extra framework files (default: DATA_DIR/frameworks)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="assessor",
        parents=[common],
        description="An offline-first assessor's companion. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"assessor {__version__}")
    parser.add_argument("--high-contrast", action="store_true",
                        help="open the app with the high-contrast theme")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    app_cmd.add_parser(sub, common)
    store_cmd.add_parser(sub, common)
    visits_cmd.add_parser(sub, common)
    frameworks_cmd.add_parser(sub, common)
    plugins_cmd.add_parser(sub, common)
    plugin_cmd.add_parser(sub, common)
    sync_cmd.add_parser(sub, common)
    server_cmd.add_parser(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(args)
    func = getattr(args, "func", None)
    try:
        return app_cmd.run_app(ctx) if func is None else int(func(ctx) or 0)
    except AssessorError as exc:
        print(f"assessor: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assessor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # a closed pager is not an error
        return 0
    except Exception as exc:  # a bug: one line here, the traceback with ASSESSOR_DEBUG=1
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"assessor: internal error: {type(exc).__name__}: {exc} "
            f"(set {DEBUG_ENV}=1 for details)",
            file=sys.stderr,
        )
        return 70
    finally:
        # A damaged file that was put back is said, whatever the command went on to do.
        if not sys.stderr.closed:
            for message in ctx.restorations():
                print(f"assessor: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
