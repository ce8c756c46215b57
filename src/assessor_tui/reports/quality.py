"""The quality check a record must pass before it is finalised (sent, or submitted).

Frameworks say what "good enough" means through the ``check_record`` hook; the
Norfolk programme, for instance, wants activities summarised, evaluative
statements, and an owner and a date on every action point. Findings of
severity "problem" block finalising; the message lists each one. A plugin that failed
during the session cannot check the record, so while it is disabled a record it would check
(of its own framework, or any if it has a ``check_record`` hook) cannot be finalised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessor_tui.domain.findings import Finding
from assessor_tui.errors import AssessorError

if TYPE_CHECKING:
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost


class ReportError(AssessorError):
    """A record that cannot be produced; the message says why and what to do."""


class RecordNotReady(ReportError):
    """The framework's quality check found problems: the record cannot be finalised yet."""

    def __init__(self, problems: list[Finding]) -> None:
        self.problems = problems
        listed = "; ".join(f.message for f in problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"the record cannot be finalised yet ({count}): {listed}")


def check_record(visit: Visit, framework: Framework, host: PluginHost | None) -> list[Finding]:
    """Every plugin's quality findings for this record (none without a host), and a problem
    for each plugin that failed in use and so cannot check it."""
    if host is None:
        return []
    findings: list[Finding] = []
    for _, result in host.call_each("check_record", visit=visit, framework=framework):
        if result is not None:
            findings.extend(f for f in result if isinstance(f, Finding))
    return findings + unchecked(framework, host)


def unchecked(framework: Framework, host: PluginHost) -> list[Finding]:
    """Plugins disabled in use whose check of this record is missing: the framework's own
    plugin (its check and its layout of the record are gone), and any with a quality check.
    Each is a problem, so the record is not finalised unchecked."""
    registered = host.frameworks.get(framework.id)
    owner = registered.owner if registered is not None else None
    return [
        Finding(
            f"plugin-failed.{name}",
            f"the {name} plugin failed and is disabled for this session, so it cannot check "
            f"this record: {reason}",
            "problem",
        )
        for name, reason in host.failed_in_use.items()
        if name == owner or "check_record" in host.plugins[name].hooks
    ]


def ensure_ready(visit: Visit, framework: Framework, host: PluginHost | None) -> list[Finding]:
    """Raise `RecordNotReady` when the check finds a problem; otherwise return the
    warnings, for the caller to show. Call it before submitting a visit."""
    findings = check_record(visit, framework, host)
    problems = [f for f in findings if f.severity == "problem"]
    if problems:
        raise RecordNotReady(problems)
    return [f for f in findings if f.severity == "warning"]

