"""A visit's workspace: criteria tree, the current item, notes; the clock and save state."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Tree

from assessor_tui.domain.checks import EditRefused
from assessor_tui.frameworks.model import Criterion, TextPrompt
from assessor_tui.plugins.commands import CommandFailed
from assessor_tui.store import StoreError
from assessor_tui.tui.failures import tell_failure
from assessor_tui.tui.screens.form import FormScreen
from assessor_tui.tui.screens.link_note import LinkNoteScreen
from assessor_tui.tui.screens.note import NoteDraft, NoteScreen
from assessor_tui.tui.screens.plugin_panel import PluginPanelScreen, build_panel
from assessor_tui.tui.screens.preview import PreviewScreen
from assessor_tui.tui.screens.search import SearchScreen
from assessor_tui.tui.screens.submit import SubmitScreen
from assessor_tui.tui.screens.writeup import WriteUpScreen
from assessor_tui.tui.widgets.criteria_tree import CriteriaTree
from assessor_tui.tui.widgets.item_parts import Edit, EditRequested
from assessor_tui.tui.widgets.item_view import ItemView
from assessor_tui.tui.widgets.panels import Panel, TextPanel
from assessor_tui.tui.widgets.read_only import header_notice, read_only_reason, refused
from assessor_tui.tui.widgets.visit_header import WARN_AT, VisitHeader, clock_text, sync_state

if TYPE_CHECKING:
    from textual.timer import Timer

    from assessor_tui.plugins.commands import Command
    from assessor_tui.session import OpenVisit
    from assessor_tui.tui.state import AppState

SAVE_EVERY = 0.5
"""Seconds between save checks: every change is durable within a second."""
ANSWER_IDLE = 2.0


class WorkspaceScreen(Screen[None]):
    app: AppState
    BINDINGS = [
        Binding("j", "step(1)", "Next", id="workspace.next", tooltip="Next item"),
        Binding("k", "step(-1)", "Previous", id="workspace.previous", tooltip="Previous item"),
        *[
            Binding(
                str(n),
                f"level({n})",
                f"Level {n}",
                id=f"workspace.level-{n}",
                show=False,
                tooltip=f"Set the level to the scale's level {n}",
            )
            for n in range(1, 10)
        ],
        Binding(
            "0",
            "level(0)",
            "Clear level",
            id="workspace.level-0",
            show=False,
            tooltip="Clear the level",
        ),
        Binding("a", "note", "Note", id="workspace.note", tooltip="Add a note to the current item"),
        Binding(
            "l",
            "link_note",
            "Link note",
            id="workspace.link",
            tooltip="Link an earlier note to the current item as well",
        ),
        Binding("s", "start", "Start clock", id="workspace.start", tooltip="Start the visit clock"),
        Binding(
            "p",
            "preview",
            "Preview",
            id="workspace.preview",
            tooltip="The record of visit as it will read; e exports it",
        ),
        Binding(
            "w",
            "writeup",
            "Write-up",
            id="workspace.writeup",
            tooltip="Summary, recommendations, action points and findings",
        ),
        Binding(
            "U",
            "submit",
            "Submit",
            id="workspace.submit",
            tooltip="Quality check, then submit to the moderator; frozen until returned",
        ),
        Binding(
            "slash", "search", "Search", id="workspace.search", tooltip="Search criteria and notes"
        ),
        Binding(
            "escape",
            "leave",
            "Visits",
            id="workspace.leave",
            tooltip="Save and return to the visits",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.save_failures = 0
        self.warned: set[int] = set()
        self.timers: list[Timer] = []
        self.copy = False
        """A read-only copy of an earlier visit (read once: it does not change while open)."""

    @property
    def opened(self) -> OpenVisit:
        return self.app.require_opened()

    def compose(self) -> ComposeResult:
        opened = self.opened
        fw = opened.framework
        visit_type = fw.visit_type(opened.visit.visit_type) if opened.visit.visit_type else None
        yield VisitHeader(id="visit-header")
        with Horizontal(id="workspace-body"):
            yield CriteriaTree(fw, set(visit_type.sections) if visit_type else None, id="criteria")
            yield ItemView(fw, id="item-view")
        yield Footer()

    async def on_mount(self) -> None:
        opened = self.opened
        visit = opened.visit
        self.sub_title = visit.school.name
        header = self.query_one(VisitHeader)
        vt = opened.framework.visit_type(visit.visit_type) if visit.visit_type else None
        header.title = f"{visit.school.name} · {opened.framework.title}" + (
            f" · {vt.title}" if vt else ""
        )
        self.copy = opened.read_only
        tree = self.query_one(CriteriaTree)
        tree.build(visit)
        self._refresh_header()
        self._show_lock()
        self.timers = [
            self.set_interval(SAVE_EVERY, self._autosave),
            self.set_interval(1, self._tick),
        ]
        first = next(iter(tree.item_nodes), None)
        if first:
            # the first item is on screen in the first frame; the cursor follows it there
            item = opened.framework.item(first)
            assert item is not None
            await self.query_one(ItemView).show(item, visit)
            self.call_after_refresh(self._cursor_to_first, first)
        tree.focus()
        if visit.moderator_comment and visit.status == "returned":
            self.notify(f"Returned by the moderator: {visit.moderator_comment}", timeout=15)

    def _cursor_to_first(self, first: str) -> None:
        """The cursor joins the first item, unless a key or a jump has moved it already
        (before the first frame): that move is the assessor's, and wins."""
        tree = self.query_one(CriteriaTree)
        if tree.cursor_node is None:
            tree.select_item(first)

    # ------------------------------------------------------------ state shown

    def _refresh_header(self) -> None:
        opened, header = self.opened, self.query_one(VisitHeader)
        cov = opened.coverage()
        header.coverage = f"Done {cov.judged}/{cov.total}" + (
            f" · {len(cov.without_evidence)} lack evidence" if cov.without_evidence else ""
        )
        header.sync_state = self._sync_words()
        self._tick()

    def _sync_words(self) -> str:
        """Conflicts and refusals in words, as the visits list says them; counted from the
        open file's tables (not summary(): this runs on every keystroke)."""
        opened = self.opened
        return sync_state({
            "conflicts": len(opened.file.tables.get("conflicts", {})),
            "rejected": len(opened.file.tables.get("rejected", {})),
            "pending_changes": opened.pending_changes,
        })

    def read_only_reason(self) -> str | None:
        return read_only_reason(self.opened, copy=self.copy)

    def refuse(self) -> bool:
        """True, having said why in one notification, when the visit cannot be edited."""
        return refused(self, copy=self.copy)

    def _show_lock(self) -> None:
        """The header says read-only (and why), or shows the moderator's comment; the text
        boxes of a read-only visit take no typing."""
        self.query_one(VisitHeader).notice = header_notice(self.opened, copy=self.copy)
        self.query_one(ItemView).set_locked(self.read_only_reason() is not None)  # no typing

    def _tick(self) -> None:
        if self.app.opened is None:  # closed; the screen is on its way out
            return
        visit = self.opened.visit
        text, left = clock_text(
            visit.started_at, visit.planned_minutes, self.app.now(), visit.ended_at
        )
        header = self.query_one(VisitHeader)
        header.clock, header.minutes_left = text, left
        if visit.started_at is not None:
            for mark in WARN_AT:
                if left <= mark and mark not in self.warned:
                    self.warned.add(mark)
                    self.notify(f"{mark} minutes of the visit left", severity="warning", timeout=10)

    # ------------------------------------------------------------ editing

    def stage(self, edit: Edit | list[Edit], item_ids: list[str]) -> bool:
        """Validate and apply in memory at once (a list: all or none); the autosave makes it
        durable."""
        opened = self.opened
        if self.refuse():
            self.query_one(ItemView).update_state(opened.visit)  # a refused tick is put back
            return False
        try:
            changes = opened.stage(*(edit if isinstance(edit, list) else [edit]))
        except EditRefused as exc:
            self.notify(str(exc), severity="error")
            self.query_one(ItemView).update_state(opened.visit)
            return False
        if opened.visit.started_at is None and changes[0].type != "visit":
            opened.stage(lambda e: e.start(at=self.app.now()))  # the first edit starts the clock
        visit = opened.visit
        self.query_one(CriteriaTree).relabel(visit, item_ids)
        self.query_one(ItemView).update_state(visit)
        self.query_one(VisitHeader).save_state = "unsaved"
        self._refresh_header()
        return True

    @on(EditRequested)
    def _edit_requested(self, event: EditRequested) -> None:
        self.stage(event.edit, [event.item_id])

    @on(Panel.FormWanted)
    def _form_wanted(self, event: Panel.FormWanted) -> None:
        self.app.push_screen(FormScreen(event.title, event.fields), event.answered)

    def _autosave(self) -> None:
        if self.app.opened is None:  # closed (and saved) already; the screen is on its way out
            return
        for panel in self.query(TextPanel):
            panel.stage_if_idle(ANSWER_IDLE)
        if self.opened.unsaved:
            self._save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="save", description="Saving")
    def _save(self) -> None:
        opened = self.app.opened
        if opened is None:
            return
        said = partial(self.app.call_from_thread, self._save_failed)
        with tell_failure(self.app, tell=said) as failed:  # shown and retried; edits stay staged
            opened.flush()
        if not failed:
            self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.save_failures = 0
        opened = self.app.opened
        if opened is not None and not opened.unsaved:
            header = self.query_one(VisitHeader)
            header.save_state = "✓ saved"
            header.sync_state = self._sync_words()

    def _save_failed(self, why: str) -> None:
        self.save_failures += 1
        self.query_one(VisitHeader).save_state = f"NOT SAVED: {why}; retrying"
        if self.save_failures == 1:
            self.notify(
                f"Could not save: {why}. Your work is kept and saving is retried.",
                severity="error",
                timeout=15,
            )

    def stage_typed_text(self) -> None:
        for panel in self.query(TextPanel):
            panel.action_save_answer()

    def save_drafts(self) -> None:
        """Answers still being typed are staged (HoldsDrafts: the app calls this on quit,
        lock and an ending from outside)."""
        if self.app.opened is not None:  # closed (and saved) already
            self.stage_typed_text()

    # ------------------------------------------------------------ moving

    @on(Tree.NodeHighlighted, "#criteria")
    async def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        item_id = event.node.data
        if item_id:
            item = self.opened.framework.item(item_id)
            view = self.query_one(ItemView)
            if item is not None and (view.item is None or view.item.id != item_id):
                self.stage_typed_text()
                await view.show(item, self.opened.visit)

    def current_item_id(self) -> str | None:
        view = self.query_one(ItemView)
        return view.item.id if view.item else None

    def action_step(self, delta: int) -> None:
        self.query_one(CriteriaTree).step(delta, self.current_item_id())

    def jump_to(self, item_id: str) -> None:
        self.query_one(CriteriaTree).select_item(item_id)
        self.query_one(CriteriaTree).focus()

    def action_level(self, position: int) -> None:
        item_id = self.current_item_id()
        item = self.opened.framework.item(item_id) if item_id else None
        if item is None or not (
            isinstance(item, Criterion) or (isinstance(item, TextPrompt) and item.scale)
        ):
            self.notify("Levels are set on criteria.", severity="warning")
            return
        self.stage(lambda e: e.set_level_by_position(item.id, position), [item.id])

    def action_note(self) -> None:
        if self.refuse():
            return
        item_id = self.current_item_id()
        item = self.opened.framework.item(item_id) if item_id else None
        title = f"{item.id} {item.title}" if item else "the visit"

        def done(draft: NoteDraft | None) -> None:
            if draft is not None:
                self.save_note(draft)

        note = NoteScreen((item_id,) if item_id else (), title, keep=self.save_note)
        self.app.push_screen(note, done)

    def action_link_note(self) -> None:
        if self.refuse():
            return
        item_id = self.current_item_id()
        item = self.opened.framework.item(item_id) if item_id else None
        candidates = [n for n in self.opened.visit.notes if item_id not in n.item_ids]
        if item is None or not candidates:
            self.notify("No other note to link here: press a to write one.")
            return

        def done(note_id: str | None) -> None:
            if note_id:
                self.stage(lambda e: e.link_note(note_id, [item.id]), [item.id])

        self.app.push_screen(LinkNoteScreen(candidates, f"{item.id} {item.title}"), done)

    def save_note(self, draft: NoteDraft) -> None:
        if self.app.opened is None:  # closed (and saved) already: the screen is on its way out
            return
        self.stage(
            lambda e: e.add_note(
                draft.text,
                draft.item_ids,
                source=draft.source,
                with_whom=draft.with_whom,
                at=self.app.now(),
            ),
            list(draft.item_ids),
        )

    def action_start(self) -> None:
        if self.refuse():
            return
        if self.opened.visit.started_at is not None:
            self.notify("The clock is already running.")
            return
        self.stage(lambda e: e.start(at=self.app.now()), [])

    def action_writeup(self) -> None:
        self.stage_typed_text()
        self.app.push_screen(WriteUpScreen())

    def action_panel(self, index: int) -> None:
        """Open the index-th panel the framework's plugins offer (the palette lists them)."""
        panels = self.app.host.panels_for(self.opened.framework.id)
        if not 0 <= index < len(panels):
            return
        widget = build_panel(self.app, panels[index])
        if widget is not None:
            self.app.push_screen(PluginPanelScreen(panels[index], widget))

    async def run_command(self, command: Command) -> None:
        """Run a plugin's command (the palette lists them): its edits are staged like the
        assessor's own, so they are validated, autosaved and may start the clock; then it may
        move to an item and say something. One that fails is disabled, with the reason."""
        self.stage_typed_text()
        opened = self.opened
        try:
            outcome = self.app.host.run_command(
                command, opened.visit, opened.framework, self.current_item_id()
            )
        except CommandFailed as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        view = self.query_one(ItemView)
        if outcome.edits:
            if not self.stage(list(outcome.edits), []):
                return
            if view.item is not None:  # its text boxes show what the command wrote
                await view.show(view.item, self.opened.visit)
        if outcome.jump_to:
            self.jump_to(outcome.jump_to)
        if outcome.message or not (outcome.edits or outcome.jump_to):
            self.notify(outcome.message or f"{command.title}: nothing to do.")

    def action_preview(self) -> None:
        self.stage_typed_text()
        self.app.push_screen(PreviewScreen())

    def action_search(self) -> None:
        def done(item_id: str | None) -> None:
            if item_id:
                self.jump_to(item_id)

        self.app.push_screen(SearchScreen(self.opened), done)

    def on_screen_resume(self) -> None:
        visit = self.opened.visit
        self.query_one(CriteriaTree).relabel(visit)
        self.query_one(ItemView).update_state(visit)
        self._refresh_header()
        self._show_lock()

    # ------------------------------------------------------------ submitting

    def action_submit(self) -> None:
        """Show the quality check and the findings, ask, then freeze the visit."""
        self.stage_typed_text()
        if self.refuse():
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.submit_now()

        self.app.push_screen(SubmitScreen(self.opened), done)

    def submit_now(self) -> None:
        """`Session.submit`, as `assessor submit` does it. The session opens the visit
        afresh, so it is saved and let go first, then opened again, now frozen."""
        session = self.app.require_session()
        visit_id = self.opened.file.visit_id
        for timer in self.timers:
            timer.pause()
        with tell_failure(self.app, tell=self._save_failed) as failed:
            self.app.close_visit()
        if failed:  # not saved: nothing is submitted, the edits stay staged
            for timer in self.timers:
                timer.resume()
            return
        error: StoreError | EditRefused | None = None
        try:
            session.submit(visit_id)
        except (StoreError, EditRefused) as exc:  # refused, or not written: said below
            error = exc
        with tell_failure(self.app, "Could not open the visit again: {}") as failed:
            self.app.open_visit(visit_id)
        if failed:  # saved and closed: back to the list, which shows its state
            self.app.pop_screen()
            return
        for timer in self.timers:
            timer.resume()
        self.on_screen_resume()
        if error is not None:
            self.notify(f"Not submitted: {error}", severity="error", timeout=10)
            return
        self.query_one(VisitHeader).save_state = "✓ saved"
        self.notify(
            "Submitted: the visit is frozen (read-only) until the moderator returns it. "
            "It is sent at the next sync.",
            timeout=10,
        )

    def action_leave(self) -> None:
        """Save at once on leaving; a failed save keeps the workspace open."""
        self.stage_typed_text()
        for timer in self.timers:
            timer.pause()
        with tell_failure(self.app, tell=self._save_failed) as failed:
            self.app.close_visit()
        if failed:
            for timer in self.timers:
                timer.resume()
            return
        self.app.pop_screen()
