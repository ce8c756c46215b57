"""Before a visit is submitted: the framework's quality check, the findings and what is not
done, then one question. A problem the quality check marks ✗ must be fixed first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from assessor_tui import reports
from assessor_tui.domain.edits import STATUS_MOVES
from assessor_tui.tui.screens.writeup import SEVERITY

if TYPE_CHECKING:
    from assessor_tui.domain.findings import Finding
    from assessor_tui.session import OpenVisit


def finding_lines(findings: list[Finding], empty: str) -> str:
    """One line per finding, its severity said by a glyph and a word, not colour alone."""
    return (
        "\n".join(f"{SEVERITY.get(f.severity, '·')} {f.severity}: {f.message}" for f in findings)
        or empty
    )


class SubmitScreen(ModalScreen[bool]):
    """Dismissed with True when the assessor confirms; nothing is changed here."""

    DEFAULT_CSS = """
    #submit-dialog {
        width: 90;
    }
    #submit-verdict {
        margin-top: 1;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding(
            "y",
            "submit",
            "Submit",
            id="submit.yes",
            tooltip="Submit: the visit is frozen until the moderator returns it",
        ),
        Binding(
            "n,escape",
            "cancel",
            "Back",
            id="submit.no",
            tooltip="Back to the visit; nothing is changed",
        ),
    ]

    def __init__(self, opened: OpenVisit) -> None:
        super().__init__()
        visit, framework, host = opened.visit, opened.framework, opened.session.host
        self.school = visit.school.name
        self.quality = reports.check_record(visit, framework, host)
        self.findings = opened.findings()
        self.coverage = opened.coverage()
        self.blocker = ""
        if "submitted" not in STATUS_MOVES.get(visit.status, set()):
            self.blocker = (
                "The visit has not started: there is nothing to submit yet."
                if visit.status == "planned"
                else f"A {visit.status.replace('_', ' ')} visit cannot be submitted."
            )
        else:
            try:
                reports.ensure_ready(visit, framework, host)
            except reports.RecordNotReady as exc:
                count = len(exc.problems)
                self.blocker = (
                    f"Fix the {count} problem{'s' if count != 1 else ''} marked ✗ first: "
                    "the record cannot be submitted yet."
                )

    def compose(self) -> ComposeResult:
        cov = self.coverage
        with VerticalScroll(classes="dialog", id="submit-dialog"):
            yield Label(f"Submit the visit to {self.school}?", classes="dialog-title",
                        markup=False)
            yield Label("Quality check", classes="subtitle")
            yield Static(
                finding_lines(self.quality, "Passed: nothing to fix."),
                id="submit-quality",
                markup=False,
            )
            yield Label("Findings", classes="subtitle")
            yield Static(finding_lines(self.findings, "No findings."), id="submit-findings",
                         markup=False)
            yield Static(
                f"Judged {cov.judged} of {cov.total}"
                + (
                    f"; {len(cov.without_evidence)} without evidence."
                    if cov.without_evidence
                    else "; every criterion has evidence."
                ),
                id="submit-coverage",
            )
            yield Static(
                self.blocker
                or "Submitting freezes the visit: no more edits unless the moderator returns "
                "it. It is sent to the moderator at the next sync.",
                id="submit-verdict",
                classes="message" if self.blocker else "",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                if not self.blocker:
                    yield Button("Submit (y)", id="yes", variant="warning")
                yield Button("Back (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#submit-dialog").focus()  # arrows scroll long findings; y or n answers

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "yes":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        if self.blocker:
            self.notify(f"Not submitted: {self.blocker}", severity="warning")
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
