"""The installed frameworks, and the outline of the one under the cursor."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from assessor_tui.frameworks.outline import outline
from assessor_tui.plugins.host import PluginHost


class FrameworksScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "j", "cursor_down", "Down", id="frameworks.down", tooltip="Next framework", show=False
        ),
        Binding(
            "k", "cursor_up", "Up", id="frameworks.up", tooltip="Previous framework", show=False
        ),
        Binding(
            "escape", "app.pop_screen", "Back", id="frameworks.back", tooltip="Back to the visits"
        ),
    ]

    def __init__(self, host: PluginHost) -> None:
        super().__init__()
        self.host = host

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="frameworks", cursor_type="row", zebra_stripes=True)
        if self.host.problems:
            yield Static("\n".join(f"Skipped {p}" for p in self.host.problems), id="problems")
        with VerticalScroll(id="outline"):
            yield Static(id="outline-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Framework", "Version", "Items", "Title")
        for fid in sorted(self.host.frameworks):
            fw = self.host.frameworks[fid].framework
            table.add_row(fw.id, fw.version, str(len(fw.items())), fw.title, key=fw.id)
        table.focus()
        if table.row_count:
            self._show(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(str(event.row_key.value))

    def _show(self, framework_id: str) -> None:
        framework = self.host.framework(framework_id)
        if framework is not None:
            self.query_one("#outline-text", Static).update("\n".join(outline(framework)))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
