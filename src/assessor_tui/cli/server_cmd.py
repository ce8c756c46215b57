"""``assessor server …``: run the sync server and manage its users, devices and visits.

Every command takes ``--db URL`` (default: SQLite in the server's data folder,
or ``$ASSESSOR_SERVER_DB``) and works on the database directly, so an admin
on the server machine needs no token.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError, print_json, print_table

if TYPE_CHECKING:
    from assessor_tui.server.service import Service

MAX_WORKERS = 64
SUPERVISOR_ENV = "ASSESSOR_SERVER_SUPERVISOR"
PR_SET_PDEATHSIG = 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("server", help="the central sync server and its administration")
    ssub = p.add_subparsers(dest="server_action", required=True, metavar="ACTION")

    def leaf(
        parent: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        help_: str,
        func: Callable[[Context], int],
    ) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, parents=[common], help=help_)
        parser.add_argument(
            "--db",
            metavar="URL",
            help="database URL, e.g. postgresql+psycopg://user@host/db "
            "(default: $ASSESSOR_SERVER_DB, else SQLite in the server's data folder)",
        )
        parser.set_defaults(func=func)
        return parser

    run = leaf(ssub, "run", "serve the sync API (migrates the database first)", cmd_run)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    run.add_argument("--tls-cert", metavar="FILE", help="TLS certificate chain (PEM)")
    run.add_argument("--tls-key", metavar="FILE", help="TLS private key (PEM)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the database (default 1; PostgreSQL for more "
        "than one machine, SQLite only on a local disk)",
    )

    leaf(ssub, "migrate", "create or upgrade the database schema", cmd_migrate)
    leaf(
        ssub, "new-epoch", "after restoring a backup: make every client resync", cmd_new_epoch
    )

    user = ssub.add_parser("user", help="users and their enrolment codes")
    usub = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = leaf(usub, "add", "create a user; prints a one-time enrolment code", cmd_user_add)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["assessor", "moderator", "admin"])
    add.add_argument("--json", action="store_true")
    enrol = leaf(usub, "enrol", "another one-time code for a user (one per device)", cmd_enrol)
    enrol.add_argument("name")
    enrol.add_argument("--json", action="store_true")
    ls = leaf(usub, "list", "every user", cmd_user_list)
    ls.add_argument("--json", action="store_true")

    device = ssub.add_parser("device", help="logged-in devices")
    dsub = device.add_subparsers(dest="device_action", required=True, metavar="ACTION")
    dls = leaf(dsub, "list", "devices and whether they are revoked", cmd_device_list)
    dls.add_argument("--user", metavar="NAME")
    dls.add_argument("--json", action="store_true")
    revoke = leaf(dsub, "revoke", "revoke a device's token at once", cmd_device_revoke)
    revoke.add_argument("device_id")

    assign = leaf(ssub, "assign", "assign a planned visit to an assessor", cmd_assign)
    assign.add_argument("--user", required=True, metavar="NAME")
    assign.add_argument("--framework", required=True, metavar="ID")
    assign.add_argument("--framework-version", default=None, metavar="V")
    assign.add_argument("--school", required=True, metavar="NAME")
    assign.add_argument("--urn", default="")
    assign.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    assign.add_argument("--type", dest="visit_type", default=None)
    assign.add_argument("--json", action="store_true")

    log = leaf(ssub, "access-log", "moderators' reads and decisions", cmd_access_log)
    log.add_argument("--visit", metavar="ID")
    log.add_argument("--json", action="store_true")


def _url(ctx: Context) -> str:
    from assessor_tui.server import db

    return ctx.args.db or db.default_url()


def _service(ctx: Context, *, migrate: bool = True) -> Service:
    from sqlalchemy.exc import SQLAlchemyError

    from assessor_tui.server import db
    from assessor_tui.server.service import Service

    try:
        engine = db.make_engine(_url(ctx))
        if migrate:
            db.migrate(engine)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise CommandError(f"cannot open the server database: {_first_line(exc)}") from None
    return Service(engine)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _call(fn: Any, *args: Any) -> Any:
    from assessor_tui.server.service import ServiceError

    try:
        return fn(*args)
    except ServiceError as exc:
        raise CommandError(exc.message) from None


def cmd_migrate(ctx: Context) -> int:
    _service(ctx)
    print("The server database is up to date.")
    return 0


def cmd_new_epoch(ctx: Context) -> int:
    epoch = _service(ctx).new_epoch()
    print(f"New epoch {epoch}: every client will resync in full at its next sync.")
    return 0


def cmd_run(ctx: Context) -> int:
    import uvicorn

    from assessor_tui.server import db

    a = ctx.args
    if bool(a.tls_cert) != bool(a.tls_key):
        raise CommandError("--tls-cert and --tls-key go together")
    if not 1 <= a.workers <= MAX_WORKERS:
        raise CommandError(f"--workers must be between 1 and {MAX_WORKERS}, not {a.workers}")
    if not 1 <= a.port <= 65535:
        raise CommandError(f"--port must be between 1 and 65535, not {a.port}")
    if a.tls_cert:
        _check_tls(a.tls_cert, a.tls_key)
    _check_listen(a.host, a.port)
    url = _url(ctx)
    # Migrate once, before any worker starts. The workers are stateless and share the
    # database only: PostgreSQL serialises pushes on the counter row, and SQLite (WAL,
    # BEGIN IMMEDIATE for writers) does the same across processes on one machine.
    _service(ctx).engine.dispose()
    os.environ[db.DB_ENV] = url
    scheme = "https" if a.tls_cert else "http"
    processes = f", {a.workers} processes" if a.workers > 1 else ""
    print(
        f"assessor server on {scheme}://{a.host}:{a.port} ({url.split(':', 1)[0]}{processes})",
        flush=True,
    )
    if a.workers > 1:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())
    uvicorn.run(
        "assessor_tui.cli.server_cmd:worker_app" if a.workers > 1
        else "assessor_tui.server.app:app_from_env",
        factory=True,
        host=a.host,
        port=a.port,
        workers=a.workers,
        ssl_certfile=a.tls_cert,
        ssl_keyfile=a.tls_key,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def _check_tls(cert: str, key: str) -> None:
    """Load the certificate and key once before serving, so a missing file or a key
    that does not match is one line here rather than a traceback from uvicorn."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        reason = f" ({exc.reason})" if exc.reason else ""
        raise CommandError(
            f"cannot load the TLS certificate or key ({cert} / {key}): not a PEM "
            f"certificate chain and its private key{reason}"
        ) from None
    except OSError as exc:
        name = exc.filename or f"{cert} / {key}"
        detail = exc.strerror or _first_line(exc)
        raise CommandError(f"cannot load the TLS certificate or key ({name}): {detail}") from None


def _check_listen(host: str, port: int) -> None:
    """Bind the address once before serving, to say plainly why it cannot be used (a
    host name that does not resolve, a port in use) instead of uvicorn's log lines."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise CommandError(f"cannot listen on {host}: {_first_line(exc)}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise CommandError(f"cannot listen on {host} port {port}: {reason}") from None


def worker_app() -> Any:
    """uvicorn's app factory in each of ``--workers N`` processes.

    uvicorn's supervisor stops its workers when it is stopped, but a supervisor killed
    outright (SIGKILL, OOM killer) would leave them serving on, orphaned. On Linux each
    worker therefore asks for SIGTERM when the supervisor dies, and stops at once if it
    already has.
    """
    from assessor_tui.server.app import app_from_env

    _end_with_supervisor()
    return app_from_env()


def _end_with_supervisor() -> None:
    import signal

    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    if not supervisor.isdigit() or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - not glibc/musl
        return
    if os.getppid() != int(supervisor):  # it died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def _print_enrolment(ctx: Context, enrolment: Any) -> None:
    if ctx.args.json:
        print_json({"user": enrolment.user, "role": enrolment.role, "code": enrolment.code})
        return
    print(f"User {enrolment.user} ({enrolment.role}). One-time enrolment code:\n")
    print(f"    {enrolment.code}\n")
    print(f"On their laptop: assessor login URL --user {enrolment.user} --code CODE")


def cmd_user_add(ctx: Context) -> int:
    _print_enrolment(ctx, _call(_service(ctx).add_user, ctx.args.name, ctx.args.role))
    return 0


def cmd_enrol(ctx: Context) -> int:
    _print_enrolment(ctx, _call(_service(ctx).enrol, ctx.args.name))
    return 0


def cmd_user_list(ctx: Context) -> int:
    users = _service(ctx).users()
    if ctx.args.json:
        print_json(users)
    else:
        rows = [(u["name"], u["role"], u["created"]) for u in users]
        print_table(["NAME", "ROLE", "CREATED"], rows)
    return 0


def cmd_device_list(ctx: Context) -> int:
    devices = _service(ctx).devices(ctx.args.user)
    if ctx.args.json:
        print_json([d.model_dump() for d in devices])
    else:
        print_table(
            ["ID", "USER", "NAME", "CREATED", "REVOKED"],
            [(d.id, d.user, d.name, d.created, "yes" if d.revoked else "") for d in devices],
        )
    return 0


def cmd_device_revoke(ctx: Context) -> int:
    _call(_service(ctx).revoke_device, ctx.args.device_id)
    print(f"Device {ctx.args.device_id} is revoked; its token no longer works.")
    return 0


def cmd_assign(ctx: Context) -> int:
    from pydantic import ValidationError

    from assessor_tui.sync.protocol import AssignmentCreate

    a = ctx.args
    version = a.framework_version
    if version is None:
        framework = ctx.host.framework(a.framework)
        if framework is None:
            raise CommandError(
                f"no framework '{a.framework}' is installed here; give --framework-version"
            )
        version = framework.version
        if framework.visit_types and a.visit_type is None:
            allowed = ", ".join(v.id for v in framework.visit_types)
            raise CommandError(f"{a.framework} needs --type ({allowed})")
    try:
        request = AssignmentCreate(
            user=a.user,
            framework_id=a.framework,
            framework_version=version,
            school=a.school,
            urn=a.urn,
            date=a.date,
            visit_type=a.visit_type,
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise CommandError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    result = _call(_service(ctx).assign, request)
    if a.json:
        print_json(result.model_dump())
    else:
        print(result.visit_id)
        if result.copies:
            print(f"with {len(result.copies)} earlier visits to URN {a.urn} (read-only)")
    return 0


def cmd_access_log(ctx: Context) -> int:
    entries = _service(ctx).access_log(ctx.args.visit)
    if ctx.args.json:
        print_json(entries)
    else:
        print_table(
            ["AT", "USER", "VISIT", "ACTION"],
            [(e["at"], e["user"], e["visit_id"], e["action"]) for e in entries],
        )
    return 0
