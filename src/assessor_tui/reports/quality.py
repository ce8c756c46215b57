"""The quality check a record must pass before it is finalised (sent, or submitted).

Frameworks say what "good enough" means through the ``check_record`` hook; the
Norfolk programme, for instance, wants activities summarised, evaluative
statements, and an owner and a date on every action point. Findings of
severity "problem" block finalising; the message lists each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessor_tui.domain.findings import Finding

if TYPE_CHECKING:
    from assessor_tui.domain.visit import Visit
    from assessor_tui.frameworks.model import Framework
    from assessor_tui.plugins.host import PluginHost


class ReportError(Exception):
    """A record that cannot be produced; the message says why and what to do."""


class RecordNotReady(ReportError):
    """The framework's quality check found problems: the record cannot be finalised yet."""

    def __init__(self, problems: list[Finding]) -> None:
        self.problems = problems
        listed = "; ".join(f.message for f in problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"the record cannot be finalised yet ({count}): {listed}")


def check_record(visit: Visit, framework: Framework, host: PluginHost | None) -> list[Finding]:
    """Every plugin's quality findings for this record (none without a host)."""
    if host is None:
        return []
    findings: list[Finding] = []
    for _, result in host.call_each("check_record", visit=visit, framework=framework):
        if result is not None:
            findings.extend(f for f in result if isinstance(f, Finding))
    return findings


def ensure_ready(visit: Visit, framework: Framework, host: PluginHost | None) -> list[Finding]:
    """Raise `RecordNotReady` when the check finds a problem; otherwise return the
    warnings, for the caller to show. Call it before submitting a visit."""
    findings = check_record(visit, framework, host)
    problems = [f for f in findings if f.severity == "problem"]
    if problems:
        raise RecordNotReady(problems)
    return [f for f in findings if f.severity == "warning"]


def missing_plugin_message(host: PluginHost, framework_id: str, version: str) -> str:
    """Which plugin a visit needs, and why it is not there (absent, disabled, failed,
    or providing another version of the framework)."""
    wanted = f"framework '{framework_id}' version {version}"
    installed = host.framework(framework_id)
    if installed is not None and installed.version != version:
        owner = host.frameworks[framework_id].owner
        return (f"this visit was recorded against {wanted}, but plugin '{owner}' provides "
                f"version {installed.version}: install the version of '{owner}' that provides "
                f"{version} to export the record (the JSON export works without it)")
    info = host.plugins.get(framework_id)
    if info is not None and info.status != "ok":
        return (f"this visit needs plugin '{framework_id}' ({wanted}), which is "
                f"{info.status}: {info.reason}")
    return (f"this visit needs {wanted}, which no installed plugin provides: install the "
            f"plugin that provides '{framework_id}' (usually named '{framework_id}')")
