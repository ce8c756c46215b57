"""``assessor login|sync|submit|review …``: the client side of sync.

The server URL, the device token and a pinned CA live only in the encrypted
store's index; nothing about the account is written to a plain file.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.cli import passphrase as pw
from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError, print_json, print_table
from assessor_tui.cli.visits_cmd import cmd_submit

if TYPE_CHECKING:
    from assessor_tui.sync.client import SyncClient

MAX_CA_BYTES = 1024 * 1024


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    def leaf(
        parent: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        help_: str,
        func: Callable[[Context], int],
    ) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, parents=[common], help=help_)
        pw.add_arguments(parser)
        parser.set_defaults(func=func)
        return parser

    login = leaf(sub, "login", "log this store in to a sync server with an enrolment code",
                 cmd_login)
    login.add_argument("url", help="the server, e.g. https://sync.example.org")
    login.add_argument("--user", metavar="NAME")
    login.add_argument("--code", metavar="CODE", help="the one-time enrolment code")
    login.add_argument("--ca-file", type=Path, metavar="FILE",
                       help="trust only this CA certificate (PEM) for the server")
    login.add_argument("--device-name", default=None, metavar="NAME")

    sync = leaf(sub, "sync", "push local changes and pull what the server has", cmd_sync)
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")

    submit = leaf(sub, "submit", "submit a visit for moderation (freezes it)", cmd_submit)
    submit.add_argument("id", help="visit id (or a unique prefix of it)")

    review = sub.add_parser("review", help="moderators: review submitted visits")
    rsub = review.add_subparsers(dest="review_action", required=True, metavar="ACTION")
    ls = leaf(rsub, "list", "submitted visits waiting for review", cmd_review_list)
    ls.add_argument("--json", action="store_true")
    show = leaf(rsub, "show", "one submitted visit's records (the read is logged)",
                cmd_review_show)
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    ret = leaf(rsub, "return", "return a visit to its assessor with comments", cmd_review_return)
    ret.add_argument("id")
    ret.add_argument("--comment", required=True, metavar="TEXT")
    acc = leaf(rsub, "accept", "accept a submitted visit", cmd_review_accept)
    acc.add_argument("id")
    acc.add_argument("--comment", default="", metavar="TEXT")


def _ask(label: str, value: str | None) -> str:
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError(f"no {label}: pass --{label.split()[-1]} or run in a terminal")
    return input(f"{label.capitalize()}: ").strip()


def _read_ca(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_CA_BYTES:
            raise CommandError(f"{path} is too large for a CA certificate")
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a PEM certificate") from None
    if "BEGIN CERTIFICATE" not in text:
        raise CommandError(f"{path} is not a PEM certificate")
    return text


def cmd_login(ctx: Context) -> int:
    from assessor_tui.sync.client import SyncClient, check_url

    a = ctx.args
    url = check_url(a.url)
    ca_pem = _read_ca(a.ca_file)
    user = _ask("user", a.user)
    code = _ask("enrolment code", a.code)
    session = ctx.session()
    device_name = a.device_name or socket.gethostname()[:100]
    with SyncClient(url, ca_pem=ca_pem) as client:
        result = client.login(user, code, device_name)
    session.set_sync_account(
        {
            "url": url,
            "user": result.user,
            "role": result.role,
            "device_id": result.device_id,
            "token": result.token,
            "ca_pem": ca_pem,
        }
    )
    print(f"Logged in to {url} as {result.user} ({result.role}); device {result.device_id}.")
    return 0


def client_for(ctx: Context) -> SyncClient:
    from assessor_tui.sync.client import SyncClient

    account = ctx.session().sync_account()
    if account is None:
        raise CommandError("this store is not logged in: run `assessor login URL` first")
    return SyncClient(account["url"], account["token"], ca_pem=account.get("ca_pem"))


class _Progress:
    """A bar on a terminal, a line per step otherwise; always on stderr."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total:
            filled = int(30 * done / total)
            text = f"{phase} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        else:
            text = f"{phase} {done} changes"
        if self.tty:
            sys.stderr.write("\r" + text.ljust(60))
            sys.stderr.flush()
        elif text != self.last:
            print(text, file=sys.stderr)
        self.last = text

    def end(self) -> None:
        if self.tty and self.last:
            sys.stderr.write("\n")


def cmd_sync(ctx: Context) -> int:
    from assessor_tui.sync.engine import SyncEngine

    client = client_for(ctx)
    progress = _Progress()
    try:
        with client:
            report = SyncEngine(ctx.session(), client, progress).run()
    finally:
        progress.end()
    if ctx.args.json:
        print_json(report.to_dict())
    else:
        print(
            f"Pushed {report.pushed}, pulled {report.pulled}, conflicts {report.conflicts}"
            + (f", refused {report.rejected}" if report.rejected else "")
            + (f", new visits {report.new_visits}" if report.new_visits else "")
            + (" (the server was restored: resynced in full)" if report.reset else "")
        )
        print(f"Next: {report.next_step}")
    return 0


def cmd_review_list(ctx: Context) -> int:
    with client_for(ctx) as client:
        visits = client.review_list()
    if ctx.args.json:
        print_json([v.model_dump() for v in visits])
    else:
        print_table(
            ["ID", "SCHOOL", "URN", "FRAMEWORK", "ASSESSOR", "STATUS"],
            [(v.id, v.school, v.urn, v.framework_id, v.owner, v.status) for v in visits],
        )
    return 0


def _visit_id(text: str) -> str:
    """The visit id a review command names, checked here so a typo is told in words."""
    from assessor_tui.sync.protocol import UUID_PATTERN

    if not re.fullmatch(UUID_PATTERN, text.strip()):
        raise CommandError(
            f"'{text[:60]}' is not a visit id: copy one from `assessor review list`"
        )
    return text.strip().lower()


def cmd_review_show(ctx: Context) -> int:
    visit_id = _visit_id(ctx.args.id)
    with client_for(ctx) as client:
        detail = client.visit(visit_id)
    if ctx.args.json:
        print_json(detail.model_dump())
        return 0
    s = detail.summary
    print(f"{s.school} (URN {s.urn or '-'}), {s.framework_id}, by {s.owner}: {s.status}")
    for record in detail.records:
        if record.deleted or record.type == "visit":
            continue
        text = record.data.get("text") or record.data.get("level") or record.data.get("title")
        item = record.data.get("item_id") or ""
        print(f"  {record.type:<14} {item:<8} {text if text is not None else ''}")
    return 0


def _decide(ctx: Context, decision: str) -> int:
    visit_id = _visit_id(ctx.args.id)
    if decision == "returned" and not ctx.args.comment.strip():
        raise CommandError("returning a visit needs a --comment that says what to change")
    with client_for(ctx) as client:
        summary = client.review(visit_id, decision, ctx.args.comment)
    print(f"Visit {summary.id} is {summary.status}; the assessor sees it at their next sync.")
    return 0


def cmd_review_return(ctx: Context) -> int:
    return _decide(ctx, "returned")


def cmd_review_accept(ctx: Context) -> int:
    return _decide(ctx, "accepted")
