"""A visit's export file: written whole (records, change log, attachments), and checked
whole before an import writes anything."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assessor_tui.session.errors import SessionError
from assessor_tui.store import Vault

if TYPE_CHECKING:
    from assessor_tui.domain.exchange import ExportFile
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost
    from assessor_tui.session.opened import OpenVisit


def export_file(opened: OpenVisit, vault: Vault) -> dict[str, Any]:
    """The lossless export of a visit, as JSON data: what `import_visit` takes back."""
    from assessor_tui.domain.exchange import EXPORT_FORMAT, ExportFile

    blobs = {
        e.blob_id: base64.b64encode(vault.get_blob(e.blob_id)).decode()
        for e in opened.visit.evidence
        if e.blob_id
    }
    return ExportFile(
        format=EXPORT_FORMAT,
        version=1,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        visit=opened.visit.model_dump(mode="json"),
        records=sorted(opened.file.records.values(), key=lambda r: (r.created, r.id)),
        outbox=opened.file.outbox(),
        blobs=blobs,
    ).model_dump(mode="json")


def read_export(data: Any, host: PluginHost) -> tuple[ExportFile, str, Framework]:
    """The export, its visit's id and its installed framework; SessionError when it is not
    an export of one visit, or its framework's plugin is not installed."""
    from pydantic import ValidationError

    from assessor_tui.domain.exchange import ExportFile

    try:
        export = ExportFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SessionError(f"not an exported visit: {where}: {first['msg']}") from None
    headers = [r for r in export.records if r.type == "visit"]
    if len(headers) != 1:
        raise SessionError("not an exported visit: it must hold exactly one visit header")
    visit_id = headers[0].id
    strays = [r.id for r in export.records if r.visit_id != visit_id]
    strays += [c.id for c in export.outbox if c.visit_id != visit_id]
    if strays:
        raise SessionError(f"not an exported visit: {strays[0]} belongs to another visit")
    framework_id = str(headers[0].data.get("framework_id", ""))
    framework = host.framework(framework_id)
    if framework is None:
        version = str(headers[0].data.get("framework_version", "?"))
        raise SessionError(host.missing_plugin_message(framework_id, version))
    return export, visit_id, framework
