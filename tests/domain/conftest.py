"""Built frameworks and a fresh visit to edit, with a deterministic clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from assessor_tui.domain.assemble import assemble
from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.edits import Editor
from assessor_tui.domain.new_visit import new_visit_change
from assessor_tui.domain.records import Change, Record, apply_change
from assessor_tui.frameworks.model import Framework
from assessor_tui.plugins.host import PluginHost, load_host
from tests.tui.conftest import BUILT_INS


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return load_host(entry_points=False, plugins=BUILT_INS, blocked=())


class Session:
    """A visit being edited in memory: what the store does, minus the disk."""

    def __init__(self, framework: Framework, **visit: object) -> None:
        self.framework = framework
        ticks = iter(range(1_700_000_000_000, 1_800_000_000_000, 1000))
        self.clock = HybridClock("dev1", now_ms=lambda: next(ticks))
        self.records: dict[str, Record] = {}
        self.apply([new_visit_change(framework, self.clock, **visit)])  # type: ignore[arg-type]

    def apply(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.records[change.record_id] = apply_change(
                self.records.get(change.record_id), change
            )

    @property
    def visit(self):
        return assemble(self.records.values())

    @property
    def editor(self) -> Editor:
        return Editor(self.framework, self.visit, self.records, self.clock)

    def do(self, edit: Callable[[Editor], Change]) -> Change:
        change = edit(self.editor)
        self.apply([change])
        return change


@pytest.fixture
def session(host: PluginHost) -> Callable[..., Session]:
    def make(framework_id: str, **visit: object) -> Session:
        framework = host.framework(framework_id)
        assert framework is not None
        visit.setdefault("school", "Hill School")
        return Session(framework, **visit)

    return make
