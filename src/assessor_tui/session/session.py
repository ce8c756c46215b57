"""The session: an unlocked store plus the installed plugins, and the visits in it.

It opens visits (`OpenVisit`, in opened.py), creates, migrates, archives, submits,
exports and imports them, and keeps the sync account in the encrypted index.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor_tui.plugins.loading import HostLoader
from assessor_tui.session.errors import SessionError
from assessor_tui.session.exchange import export_file, read_export
from assessor_tui.session.opened import OpenVisit
from assessor_tui.store import StoreError, Vault
from assessor_tui.store.repository import Repository, VisitExists, VisitNotFound

if TYPE_CHECKING:
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost


class Session:
    """An unlocked store and the installed plugins: the visits, and what is done to them."""

    def __init__(self, vault: Vault, host: PluginHost | HostLoader) -> None:
        self.vault = vault
        self.host_loader = host if isinstance(host, HostLoader) else HostLoader.ready(host)
        self.repo = Repository(vault)

    @classmethod
    def unlock(cls, data_dir: Path, passphrase: str, host: PluginHost | HostLoader) -> Session:
        return cls(Vault.unlock(data_dir, passphrase), host)

    @property
    def host(self) -> PluginHost:
        """The installed plugins and frameworks (waits for them while they load)."""
        return self.host_loader()

    def close(self) -> None:
        self.vault.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ frameworks

    def framework(self, framework_id: str) -> Framework:
        framework = self.host.framework(framework_id)
        if framework is None:
            known = ", ".join(sorted(self.host.frameworks)) or "none"
            raise SessionError(f"no framework '{framework_id}' is installed (installed: {known})")
        return framework

    # ------------------------------------------------------------ visits

    def new_visit(
        self,
        framework_id: str,
        *,
        school: str,
        urn: str = "",
        local_authority: str = "",
        address: str = "",
        scheduled: date | None = None,
        visit_type: str | None = None,
        assessor: str = "",
        planned_minutes: int = 180,
    ) -> OpenVisit:
        from assessor_tui.domain.new_visit import new_visit_change

        framework = self.framework(framework_id)
        change = new_visit_change(
            framework,
            self.repo.clock,
            school=school,
            urn=urn,
            local_authority=local_authority,
            address=address,
            scheduled=scheduled,
            visit_type=visit_type,
            assessor=assessor,
            planned_minutes=planned_minutes,
        )
        file = self.repo.create(change, {})
        opened = OpenVisit(self, file, framework)
        opened.save_summary()
        return opened

    def resolve(self, visit_ref: str) -> str:
        """A visit id from its full id or a unique prefix of it (as git does)."""
        ref = visit_ref.strip().lower()
        ids = self.vault.visit_ids()
        if ref in ids:
            return ref
        matches = [i for i in ids if i.startswith(ref)] if len(ref) >= 4 else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SessionError(f"'{visit_ref}' matches {len(matches)} visits; give more of the id")
        raise VisitNotFound(visit_ref)

    def open(self, visit_ref: str) -> OpenVisit:
        file = self.repo.open(self.resolve(visit_ref))
        header = file.records[file.visit_id].data
        framework = self.host.framework(header["framework_id"])
        if framework is None:
            raise SessionError(self.host.missing_plugin_message(
                header["framework_id"], header["framework_version"]
            ))
        return OpenVisit(self, file, framework)

    def migrate(self, visit_ref: str) -> str | None:
        """Move a visit to the installed version of its framework; returns the old version,
        or None when it was already current. Plugins say how item ids changed."""
        from assessor_tui.domain.edits import migration_changes

        opened = self.open(visit_ref)
        old = opened.visit.framework_version
        if old == opened.framework.version:
            return None
        mapping: dict[str, str | None] = {}
        for name, answer in self.host.call_each(
            "migrate_visit", visit=opened.visit, framework=opened.framework, from_version=old
        ):
            if answer is None:
                continue
            if not isinstance(answer, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in answer.items()
            ):
                self.host.returned_wrong(name, "migrate_visit", answer, "a mapping of item ids")
                continue
            mapping = answer
            break
        opened.file.apply(migration_changes(opened.editor, mapping))
        OpenVisit(self, opened.file, opened.framework).close()
        return old

    def visits(self) -> list[dict[str, Any]]:
        """Summaries for the visits list; any left stale by a crash are rebuilt first. A
        visit whose file cannot be read is listed as damaged (its last summary kept), so
        the list does not pass it off as usable; `assessor doctor` says what is wrong."""
        damaged = set()
        for visit_id in list(self.repo.stale()):
            try:
                opened = self.open(visit_id)
            except (StoreError, SessionError, ValueError):  # SessionError: its plugin is gone
                damaged.add(visit_id)
                continue
            opened.close()
        return [{**s, "damaged": True} if s["id"] in damaged else s
                for s in self.repo.summaries()]

    def archive(self, visit_ref: str, archived: bool = True) -> None:
        """Hide a visit from the visits list; it stays in the store."""
        opened = self.open(visit_ref)
        self.repo.put_summary(opened.file, {**opened.summary(), "archived": archived})

    # ------------------------------------------------------------ sync

    def sync_account(self) -> dict[str, Any] | None:
        """The server this store syncs with: URL, user, role, device token, pinned CA.
        Kept only in the encrypted index, never in a plain file."""
        account = self.repo.setting("sync")
        return dict(account) if isinstance(account, dict) and account.get("token") else None

    @property
    def moderator(self) -> bool:
        """Whether the sync account logged in as a moderator (the server decides in the
        end: it refuses anyone else)."""
        account = self.sync_account()
        return account is not None and account.get("role") == "moderator"

    def set_sync_account(self, account: dict[str, Any]) -> None:
        self.repo.set_setting("sync", dict(account))

    def read_only_visits(self) -> set[str]:
        return set(self.repo.setting("read_only_visits", []))

    def submit(self, visit_ref: str) -> OpenVisit:
        """Freeze a visit for the moderator; the next sync sends it."""
        opened = self.open(visit_ref)
        if opened.read_only:
            raise SessionError("this is a read-only copy of an earlier visit")
        opened.edit(lambda e: e.move_to("submitted"))
        opened.close()
        return opened

    # ------------------------------------------------------------ export / import

    def export(self, visit_ref: str) -> dict[str, Any]:
        return export_file(self.open(visit_ref), self.vault)

    def import_visit(self, data: Any) -> str:
        export, visit_id, framework = read_export(data, self.host)
        if self.repo.has(visit_id):
            raise VisitExists(visit_id)
        # Attachments keep their ids, so the evidence records and the change log that name
        # them stay exactly as exported (an id already here holds the same bytes, or the
        # import is refused before the visit is written).
        for blob_id, encoded in export.blobs.items():
            self.vault.put_blob(base64.b64decode(encoded, validate=True), blob_id=blob_id)
        file = self.repo.import_records(visit_id, export.records, export.outbox)
        OpenVisit(self, file, framework).save_summary()
        return visit_id


def visit_rows(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summaries sorted for display: newest scheduled first, then by school; without the
    store's own bookkeeping (the file time a summary was made from)."""
    rows = [{k: v for k, v in s.items() if k not in _BOOKKEEPING} for s in summaries]
    return sorted(
        rows, key=lambda s: (s.get("scheduled") or "", s.get("school") or ""), reverse=True
    )


_BOOKKEEPING = frozenset({"file_mtime_ns"})
