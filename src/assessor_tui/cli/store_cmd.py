"""``assessor init|passwd|recover|doctor``: the store and its keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.cli import passphrase as pw
from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError, print_json

if TYPE_CHECKING:
    from assessor_tui.store import Problem, Vault


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    init = sub.add_parser("init", parents=[common], help="create the encrypted store")
    pw.add_arguments(init)
    init.add_argument("--json", action="store_true", help="print the recovery key as JSON")
    init.set_defaults(func=cmd_init)

    passwd = sub.add_parser("passwd", parents=[common], help="change the passphrase")
    pw.add_arguments(passwd, new=True)
    passwd.set_defaults(func=cmd_passwd)

    recover = sub.add_parser(
        "recover",
        parents=[common],
        help="open the store with the recovery key and set a new passphrase",
    )
    recover.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help="read the recovery key from FILE (or $ASSESSOR_RECOVERY_KEY)",
    )
    pw.add_arguments(recover, new=True)
    recover.set_defaults(func=cmd_recover)

    doctor = sub.add_parser("doctor", parents=[common], help="check every file of the store")
    pw.add_arguments(doctor)
    doctor.add_argument("--json", action="store_true", help="print JSON")
    doctor.set_defaults(func=cmd_doctor)


def cmd_init(ctx: Context) -> int:
    from assessor_tui.store import Vault

    passphrase = pw.check_strength(pw.passphrase(ctx.args, confirm=True, prompt="New passphrase: "))
    vault, recovery_key = Vault.init(ctx.data_dir, passphrase)
    vault.close()
    if ctx.args.json:
        print_json({"data_dir": str(ctx.data_dir), "recovery_key": recovery_key})
        return 0
    print(f"Created an encrypted store in {ctx.data_dir}.")
    print("\nYour recovery key opens the store if you forget the passphrase.")
    print("It is shown this once: write it down and keep it apart from this computer.\n")
    print(f"    {recovery_key}\n")
    return 0


def cmd_passwd(ctx: Context) -> int:
    from assessor_tui.store import Vault

    old = pw.passphrase(ctx.args, prompt="Current passphrase: ")
    with Vault.unlock(ctx.data_dir, old) as vault:
        vault.change_passphrase(old, pw.new_passphrase(ctx.args))
    print("Passphrase changed.")
    return 0


def _recovery_key(ctx: Context) -> str:
    import os

    path = ctx.args.recovery_key_file
    if path:
        try:
            return pw.decode_text_file(Path(path).read_bytes()).strip()
        except OSError as exc:
            raise CommandError(f"cannot read recovery key file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"recovery key file {path} is not text") from None
    value = os.environ.get("ASSESSOR_RECOVERY_KEY")
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError("no recovery key: use --recovery-key-file FILE or run in a terminal")
    return input("Recovery key: ")


def cmd_recover(ctx: Context) -> int:
    from assessor_tui.store import Vault

    key = _recovery_key(ctx)
    new = pw.new_passphrase(ctx.args)
    Vault.unlock_with_recovery(ctx.data_dir, key, new).close()
    print("Store opened with the recovery key; the new passphrase is set.")
    return 0


def _doctor_findings(vault: Vault) -> tuple[list[Problem], list[str]]:
    """Every file's problems, including files restored while the store was being opened
    (store.key at unlock, index.db when the device id is read), which a later read finds
    good; and the visits whose summary is out of date (and that can be read), when the
    index can be read at all."""
    from assessor_tui.store import Problem, ProblemKind, StoreError
    from assessor_tui.store.repository import Repository

    try:
        repo: Repository | None = Repository(vault)
    except StoreError:
        repo = None  # an unreadable index is reported by check(), with every other file
    earlier = vault.restorations
    problems = vault.check()
    reported = {p.path for p in problems if p.kind is ProblemKind.RESTORED}
    restored = [
        Problem(r.path, ProblemKind.RESTORED, r.reason) for r in earlier if r.path not in reported
    ]
    lost = {p.path for p in problems if p.kind is ProblemKind.LOST}
    stale = [] if repo is None else [v for v in repo.stale() if f"visits/{v}.db" not in lost]
    return restored + problems, stale  # a lost visit is reported above, not as stale


def cmd_doctor(ctx: Context) -> int:
    """Check every file, even when the index cannot be read (then the session cannot open)."""
    from assessor_tui.store import Vault

    with Vault.unlock(ctx.data_dir, pw.passphrase(ctx.args)) as vault:
        problems, stale = _doctor_findings(vault)
    if ctx.args.json:
        print_json(
            {
                "problems": [
                    {"path": p.path, "kind": str(p.kind), "message": str(p)} for p in problems
                ],
                "stale_summaries": stale,
            }
        )
    else:
        for problem in problems:
            print(problem)
        if stale:
            print(
                f"{len(stale)} visit summaries are out of date; `assessor visits list` "
                "rebuilds them"
            )
        if not problems:
            print(f"All files of the store in {ctx.data_dir} are intact.")
    return 1 if problems else 0
