"""The one module a plugin imports from: everything a framework plugin builds or reads.

Internal modules may move; these names stay, so a third-party plugin written against
this module keeps working (``API_VERSION`` changes its major number when one goes).
``__all__`` is the list, sorted and guarded by a test, so adding or removing a name is
a deliberate act. A plugin's tests use the fixtures of ``assessor_tui.testing``.

    from assessor_tui.plugin_api import Finding, Framework, Visit, hookimpl

- **hooks**: ``hookimpl`` (the marker for a hook implementation), ``API_VERSION``.
- **the framework** (read-only): ``Framework`` (``item(id)``, ``items()``, ``criteria()``,
  ``scale(id)``, ``next_item(after, among)``), ``Section``, ``Scale``, ``VisitType`` and
  the item kinds ``Item`` = ``Criterion | TableItem | ListItem | Checklist | TextPrompt |
  Actions``. ``TableItem`` is the framework's table; ``Table`` is the record's block.
- **the visit** (read-only): ``Visit`` (``judgements``, ``level(id)``, ``notes_for(id)``,
  ``evidence_for(id)``…), its ``Note``, ``Evidence`` and ``ActionPoint``.
- **rules and checks**: ``Finding``.
- **commands**: ``CommandResult``, ``CommandFunction``; an ``Edit`` is a function of the
  ``Editor`` returning its ``Change``; ``EditRefused`` is how an edit says no.
- **the record of visit**: the blocks (``Block`` = ``Heading | Paragraph | BulletList |
  Table | NoteList``) and the builders that compose them the standard way
  (``criterion_blocks``, ``generic_body``…).
"""

from __future__ import annotations

from assessor_tui.domain.checks import EditRefused
from assessor_tui.domain.edits import Editor
from assessor_tui.domain.findings import Finding
from assessor_tui.domain.records import Change
from assessor_tui.domain.visit import ActionPoint, Evidence, Note, Visit
from assessor_tui.frameworks.model import (
    Actions,
    Checklist,
    Criterion,
    Framework,
    Item,
    ListItem,
    Scale,
    Section,
    TextPrompt,
    VisitType,
)
from assessor_tui.frameworks.model import Table as TableItem
from assessor_tui.plugins.commands import CommandFunction, CommandResult, Edit
from assessor_tui.plugins.markers import API_VERSION, hookimpl
from assessor_tui.record.blocks import (
    NOT_RECORDED,
    actions_blocks,
    answer_blocks,
    checklist_blocks,
    criterion_blocks,
    generic_body,
    item_blocks,
    item_heading,
    level_label,
    list_blocks,
    notes_block,
    recommendations_blocks,
    summary_blocks,
    table_blocks,
    text_blocks,
    visit_sections,
    visit_type,
)
from assessor_tui.record.document import Block, BulletList, Heading, NoteList, Paragraph, Table

__all__ = [
    "API_VERSION",
    "NOT_RECORDED",
    "ActionPoint",
    "Actions",
    "Block",
    "BulletList",
    "Change",
    "Checklist",
    "CommandFunction",
    "CommandResult",
    "Criterion",
    "Edit",
    "EditRefused",
    "Editor",
    "Evidence",
    "Finding",
    "Framework",
    "Heading",
    "Item",
    "ListItem",
    "Note",
    "NoteList",
    "Paragraph",
    "Scale",
    "Section",
    "Table",
    "TableItem",
    "TextPrompt",
    "Visit",
    "VisitType",
    "actions_blocks",
    "answer_blocks",
    "checklist_blocks",
    "criterion_blocks",
    "generic_body",
    "hookimpl",
    "item_blocks",
    "item_heading",
    "level_label",
    "list_blocks",
    "notes_block",
    "recommendations_blocks",
    "summary_blocks",
    "table_blocks",
    "text_blocks",
    "visit_sections",
    "visit_type",
]
