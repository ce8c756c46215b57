"""``assessor visits …``: create, list, show, judge, note, export, import."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assessor_tui.cli import passphrase as pw
from assessor_tui.cli.context import Context
from assessor_tui.cli.output import CommandError, print_json, print_table
from assessor_tui.domain.kinds import NOTE_SOURCES

if TYPE_CHECKING:
    from assessor_tui.session import OpenVisit

MAX_IMPORT_BYTES = 256 * 1024 * 1024


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("visits", help="create, list, show and edit visits")
    vsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def leaf(name: str, help_: str, func: Callable[[Context], int]) -> argparse.ArgumentParser:
        parser = vsub.add_parser(name, parents=[common], help=help_)
        pw.add_arguments(parser)
        parser.set_defaults(func=func)
        return parser

    new = leaf("new", "create a visit; prints its id", cmd_new)
    new.add_argument("--framework", required=True, metavar="ID")
    new.add_argument("--school", required=True, metavar="NAME")
    new.add_argument("--urn", default="", help="the school's unique reference number")
    new.add_argument("--la", default="", dest="local_authority", help="local authority")
    new.add_argument("--date", type=_date, help="scheduled date (YYYY-MM-DD)")
    new.add_argument("--type", dest="visit_type", help="visit type, where the framework has them")
    new.add_argument(
        "--duration",
        type=int,
        default=180,
        metavar="MINUTES",
        help="planned duration (default 180)",
    )
    new.add_argument("--assessor", default="", metavar="NAME")
    new.add_argument("--json", action="store_true")

    submit = leaf("submit", "submit a visit for moderation (freezes it)", cmd_submit)
    submit.add_argument("id", help="visit id (or a unique prefix of it)")

    ls = leaf("list", "every visit in the store", cmd_list)
    ls.add_argument("--json", action="store_true")

    show = leaf("show", "one visit: judgements, notes, findings", cmd_show)
    show.add_argument("id", help="visit id (or a unique prefix of it)")
    show.add_argument("--json", action="store_true")

    judge = leaf("judge", "set a criterion's level ('-' clears it)", cmd_judge)
    judge.add_argument("id")
    judge.add_argument("criterion")
    judge.add_argument("level")
    judge.add_argument("--rationale", help="why: the assessor's reasoning")

    note = leaf("note", "add a timestamped note", cmd_note)
    note.add_argument("id")
    note.add_argument("text")
    note.add_argument(
        "--criterion",
        "-c",
        action="append",
        default=[],
        dest="criteria",
        metavar="ID",
        help="link to a criterion (repeatable)",
    )
    note.add_argument("--source", default="other", choices=NOTE_SOURCES)
    note.add_argument("--with", dest="with_whom", default="", metavar="WHO")

    tick = leaf("tick", "tick a checklist entry (an ICE Mark sector, an agenda item)", cmd_tick)
    tick.add_argument("id")
    tick.add_argument("item", help="the criterion or checklist item")
    tick.add_argument("entry", help="the entry's id")
    tick.add_argument("--off", action="store_true", help="untick it")

    evidence = leaf(
        "evidence", "record a document or data seen, optionally with the file", cmd_evidence
    )
    evidence.add_argument("id")
    evidence.add_argument("title")
    evidence.add_argument("--kind", default="", help="e.g. policy, minutes, data")
    evidence.add_argument("--ref", default="", dest="reference", help="its reference")
    evidence.add_argument("--file", type=Path, help="attach the file (stored encrypted)")
    evidence.add_argument(
        "--criterion",
        "-c",
        action="append",
        default=[],
        dest="criteria",
        metavar="ID",
        help="a criterion it evidences (repeatable)",
    )

    export = leaf("export", "export a visit: its record of visit, or the lossless JSON", cmd_export)
    export.add_argument("id")
    export.add_argument(
        "--format",
        choices=["md", "html", "docx", "pdf", "json", "csv"],
        default="json",
        help="md, html, docx or pdf: the record of visit; json: lossless, for import; "
        "csv: a table for spreadsheets (default: json)",
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    export.add_argument(
        "--table",
        choices=["judgements", "actions"],
        default="judgements",
        help="with --format csv: the judgements (and answers) or the action points",
    )
    export.add_argument(
        "--final",
        action="store_true",
        help="refuse unless the record passes the framework's quality check (before sending it)",
    )

    resolve = leaf("resolve", "settle a sync conflict: keep yours, theirs, or a value", cmd_resolve)
    resolve.add_argument("id")
    resolve.add_argument("conflict", help="the conflict's id, as `visits show` lists it")
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument("--yours", action="store_true", help="keep this device's value")
    choice.add_argument("--theirs", action="store_true", help="keep the other device's value")
    choice.add_argument("--value", help="keep this value instead (an edited merge)")

    migrate = leaf("migrate", "move a visit to the installed version of its framework", cmd_migrate)
    migrate.add_argument("id")

    imp = leaf("import", "import an exported visit", cmd_import)
    imp.add_argument("file", type=Path)


def cmd_new(ctx: Context) -> int:
    a = ctx.args
    opened = ctx.session().new_visit(
        a.framework,
        school=a.school,
        urn=a.urn,
        local_authority=a.local_authority,
        scheduled=a.date,
        visit_type=a.visit_type,
        assessor=a.assessor,
        planned_minutes=a.duration,
    )
    if a.json:
        print_json({"id": opened.visit.id, **opened.summary()})
    else:
        print(opened.visit.id)
    return 0


def cmd_list(ctx: Context) -> int:
    from assessor_tui.session import visit_rows

    rows = visit_rows(ctx.session().visits())
    if ctx.args.json:
        print_json(rows)
        return 0
    print_table(
        ["ID", "SCHOOL", "FRAMEWORK", "TYPE", "DATE", "STATUS", "JUDGED", "SYNC"],
        [
            (
                r["id"][:13],
                r.get("school", "?"),
                r.get("framework_id", "?"),
                r.get("visit_type") or "-",
                r.get("scheduled") or "-",
                "damaged" if r.get("damaged") else r.get("status", "?"),
                f"{r.get('judged', 0)}/{r.get('total', 0)}",
                "local" if r.get("pending_changes") else "synced",
            )
            for r in rows
        ],
    )
    return 0


def _show_text(opened: OpenVisit) -> list[str]:
    v, fw, cov = opened.visit, opened.framework, opened.coverage()
    out = [
        f"{v.school.name}" + (f" (URN {v.school.urn})" if v.school.urn else ""),
        f"  visit {v.id}",
        f"  {fw.title} ({fw.id} {v.framework_version})"
        + (f", {v.visit_type}" if v.visit_type else ""),
        f"  {v.status.replace('_', ' ')}; scheduled {v.scheduled or '-'}; "
        f"planned {v.planned_minutes} min",
        f"  judged {cov.judged} of {cov.total}; "
        f"{len(cov.without_evidence)} criteria have no evidence yet",
    ]
    for section in fw.sections:
        lines = []
        for item in section.items:
            level = v.level(item.id)
            notes = v.notes_for(item.id)
            if level is None and not notes:
                continue
            scale = fw.scale(item.scale) if item.kind == "criterion" else None
            found = scale.level(level) if scale and level else None
            label = found.label if found else "-"
            lines.append(f"  {item.id:>8}  {label:<14} {item.title}")
            j = v.judgements.get(item.id)
            if j and j.rationale:
                lines.append(f"            rationale: {j.rationale}")
            for note in notes:
                lines.append(f"            note {note.at:%H:%M}: {note.text}")
        if lines:
            out += [f"\n{section.id}  {section.title}", *lines]
    unlinked = [n for n in v.notes if not n.item_ids]
    if unlinked:
        out.append("\nNotes")
        out += [f"  {n.at:%Y-%m-%d %H:%M} {n.text}" for n in unlinked]
    sync = opened.sync_state()
    if sync["moderator_comment"]:
        out.append(f"\nModerator's comment: {sync['moderator_comment']}")
    if sync["conflicts"]:
        out.append(
            "\nConflicts (settle with `assessor visits resolve ID CONFLICT --yours|"
            "--theirs|--value V`)"
        )
        for c in sync["conflicts"]:
            out.append(
                f"  {c['id']}: {c['record_type']} {c['field']}: yours {c['yours']!r}, "
                f"theirs {c['theirs']!r}"
            )
    for r in sync["rejected"]:
        out.append(f"\nRefused by the server: {r}")
    findings = opened.findings()
    if findings:
        out.append("\nFindings")
        out += [f"  [{f.severity}] {f.message}" for f in findings]
    return out


def cmd_show(ctx: Context) -> int:
    opened = ctx.session().open(ctx.args.id)
    if ctx.args.json:
        print_json(
            {
                "visit": opened.visit.model_dump(mode="json"),
                "coverage": {
                    "judged": opened.coverage().judged,
                    "total": opened.coverage().total,
                    "without_evidence": list(opened.coverage().without_evidence),
                },
                "findings": [f.to_dict() for f in opened.findings()],
                "pending_changes": len(opened.file.tables["outbox"]),
                "sync": opened.sync_state(),
            }
        )
    else:
        print("\n".join(_show_text(opened)))
    return 0


def cmd_judge(ctx: Context) -> int:
    a = ctx.args
    opened = ctx.session().open(a.id)
    level = None if a.level in ("-", "none") else a.level
    edits = [lambda e: e.set_level(a.criterion, level)]
    if a.rationale is not None:
        edits.append(lambda e: e.set_rationale(a.criterion, a.rationale))
    if opened.visit.status == "planned":
        edits.insert(0, lambda e: e.start())
    opened.edit(*edits)
    opened.close()
    return 0


def cmd_note(ctx: Context) -> int:
    a = ctx.args
    opened = ctx.session().open(a.id)
    edits = [lambda e: e.add_note(a.text, a.criteria, source=a.source, with_whom=a.with_whom)]
    if opened.visit.status == "planned":
        edits.insert(0, lambda e: e.start())
    (*_, change) = opened.edit(*edits)
    opened.close()
    print(change.record_id)
    return 0


def cmd_export(ctx: Context) -> int:
    """Any format through `assessor_tui.reports`; a binary format goes to a file or a pipe,
    never to a terminal, and nothing is written when the export is refused."""
    import os

    from assessor_tui import reports
    from assessor_tui.files import BINARY

    a = ctx.args
    if a.format in reports.BINARY_FORMATS and a.output is None and sys.stdout.isatty():
        raise CommandError(
            f"a {a.format} file cannot be shown in a terminal: give -o FILE or redirect the output"
        )
    session = ctx.session()
    visit_id = session.resolve(a.id)
    header = session.repo.open(visit_id).records[visit_id].data
    if ctx.host.framework(header.get("framework_id", "")) is None:
        raise CommandError(
            ctx.host.missing_plugin_message(
                header.get("framework_id", "?"), header.get("framework_version", "?")
            )
        )
    opened = session.open(visit_id)
    if a.final:
        for warning in reports.ensure_ready(opened.visit, opened.framework, ctx.host):
            print(f"warning: {warning.message}", file=sys.stderr)
    data = reports.export_visit(
        opened.visit,
        opened.framework,
        ctx.host,
        a.format,
        table=a.table,
        lossless=session.export(visit_id) if a.format == "json" else None,
    )
    if a.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        fd = os.open(a.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | BINARY, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise CommandError(f"cannot write {a.output}: {exc.strerror}") from None
    print(f"Exported to {a.output}", file=sys.stderr)
    return 0


def _write_new(path: Path, text: str) -> None:
    import os

    from assessor_tui.files import BINARY

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | BINARY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None


def cmd_import(ctx: Context) -> int:
    path: Path = ctx.args.file
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} is not a JSON export: {exc}") from None
    print(ctx.session().import_visit(data))
    return 0


def cmd_migrate(ctx: Context) -> int:
    session = ctx.session()
    old = session.migrate(ctx.args.id)
    opened = session.open(ctx.args.id)
    if old is None:
        print(f"already on {opened.framework.id} version {opened.framework.version}")
    else:
        print(f"moved from {opened.framework.id} version {old} to {opened.framework.version}")
    return 0


def cmd_resolve(ctx: Context) -> int:
    a = ctx.args
    opened = ctx.session().open(a.id)
    conflict = next((c for c in opened.conflicts() if c["id"] == a.conflict), None)
    if conflict is None:
        raise CommandError(f"no conflict '{a.conflict}' in this visit")
    value = conflict["yours"] if a.yours else conflict["theirs"] if a.theirs else a.value
    opened.resolve_conflict(a.conflict, value)
    opened.close()
    print(f"kept {value!r} for {conflict['field']}; the choice syncs as an edit")
    return 0


MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


def cmd_evidence(ctx: Context) -> int:
    a = ctx.args
    session = ctx.session()
    opened = session.open(a.id)
    blob_id = None
    if a.file is not None:
        try:
            if a.file.stat().st_size > MAX_ATTACHMENT_BYTES:
                raise CommandError(
                    f"{a.file} is larger than "
                    f"{MAX_ATTACHMENT_BYTES // 2**20} MB; attach a smaller copy"
                )
            data = a.file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {a.file}: {exc.strerror}") from None
        blob_id = session.vault.put_blob(data)
    (change,) = opened.edit(
        lambda e: e.add_evidence(
            a.title, kind=a.kind, reference=a.reference, blob_id=blob_id, item_ids=a.criteria
        )
    )
    opened.close()
    print(change.record_id)
    return 0


def cmd_tick(ctx: Context) -> int:
    a = ctx.args
    opened = ctx.session().open(a.id)
    opened.edit(lambda e: e.tick(a.item, a.entry, checked=not a.off))
    opened.close()
    return 0


def cmd_submit(ctx: Context) -> int:
    """The same gate as the app's: the framework's quality check first, problems refuse."""
    from assessor_tui import reports

    session = ctx.session()
    opened = session.open(ctx.args.id)
    try:
        warnings = reports.ensure_ready(opened.visit, opened.framework, session.host)
        warnings += [f for f in opened.findings() if f.severity != "info"]
    except reports.RecordNotReady as exc:
        raise CommandError(f"not submitted: {exc}") from None
    finally:
        opened.close()
    for finding in warnings:  # shown, as the app's submit dialog shows them; not blocking
        print(f"{finding.severity}: {finding.message}", file=sys.stderr)
    opened = session.submit(ctx.args.id)
    print(f"Submitted {opened.file.visit_id}; it is frozen. Run `assessor sync` to send it.")
    return 0
