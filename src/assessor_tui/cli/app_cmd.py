"""Opening the app: ``assessor`` with no command, and ``assessor demo``."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    demo = sub.add_parser(
        "demo", parents=[common], help="open the app on a throwaway store of sample visits"
    )
    demo.add_argument("--high-contrast", action="store_true", help="the high-contrast theme")
    demo.set_defaults(func=cmd_demo)


def load_keymap() -> dict[str, str]:
    """The user's key rebindings by binding id; a bad file is one clear error."""
    import tomllib

    from assessor_tui.paths import keymap_file

    path = keymap_file()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"cannot read the keymap {path}: {exc}") from None
    keys = data.get("keys", data)
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise CommandError(f"the keymap {path} must map binding ids to keys, as text")
    return keys


def run_app(ctx: Context) -> int:
    from assessor_tui.plugins.loading import HostLoader
    from assessor_tui.tui.app import make_app

    app = make_app(
        host=HostLoader(lambda: ctx.host),  # loaded after the first frame
        data_dir=ctx.data_dir,
        keymap=load_keymap(),
        high_contrast=getattr(ctx.args, "high_contrast", False),
    )
    app.run()
    return app.return_code or 0


def cmd_demo(ctx: Context) -> int:
    from assessor_tui.demo import make_demo_store
    from assessor_tui.tui.app import make_app

    # Windows cannot delete a file that is still open (the lock, a scanner's handle): the
    # store is closed before the folder goes, and what cannot go is left to the OS's cleanup
    with tempfile.TemporaryDirectory(prefix="assessor-demo-", ignore_cleanup_errors=True) as folder:
        store = Path(folder) / "store"
        with make_demo_store(store, ctx.host) as session:
            app = make_app(
                host=ctx.host,
                data_dir=store,
                session=session,
                keymap=load_keymap(),
                high_contrast=ctx.args.high_contrast,
            )
            app.run()
        return app.return_code or 0
