"""The B&A SEF profile panel: current ratings per strand at a glance.

Loaded only by the app (it imports Textual); the plugin registers it by name.
"""

from __future__ import annotations

from textual.widgets import DataTable

from assessor_tui.plugin_api import Framework, Visit

STRANDS = ("1", "2", "3", "4")


class ProfilePanel(DataTable[str]):
    """Strands down, levels across: how many sub-elements sit at each rating."""

    def __init__(self, visit: Visit, framework: Framework) -> None:
        super().__init__(id="ba-sef-profile", cursor_type="row", zebra_stripes=True)
        self.framework = framework
        self.visit = visit

    def on_mount(self) -> None:
        scale = self.framework.scale("ba-level")
        levels = [lv.label for lv in scale.levels] if scale else []
        self.add_columns("Strand", *levels, "Not rated")
        self.refresh_from(self.visit)

    def refresh_from(self, visit: Visit) -> None:
        self.visit = visit
        self.clear()
        scale = self.framework.scale("ba-level")
        level_ids = [lv.id for lv in scale.levels] if scale else []
        for section in self.framework.sections:
            if section.id not in STRANDS:
                continue
            ids = [item.id for item in section.items if item.kind == "criterion"]
            counts = [sum(1 for i in ids if visit.level(i) == lv) for lv in level_ids]
            unrated = len(ids) - sum(counts)
            self.add_row(
                f"{section.id} {section.title}", *map(str, counts), str(unrated), key=section.id
            )
