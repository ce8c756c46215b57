"""A visit's workspace, driven by keys as the assessor drives it; every edit is then read
back from the store, reopened with the passphrase after the app quit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Input, SelectionList, TextArea

from assessor_tui.plugins.host import PluginHost
from assessor_tui.session import Session
from assessor_tui.tui.app import AssessorApp
from assessor_tui.tui.screens.workspace import WorkspaceScreen
from tests.notifications import told
from tests.tui.helpers import (
    NOW,
    add_visit,
    app_for,
    go_to,
    open_only_visit,
    paste,
    screen_text,
    stored_visit,
    type_text,
    wait_for,
    wait_for_screen,
)

CURSOR_TO_FIRST = WorkspaceScreen._cursor_to_first


def current(app: AssessorApp) -> str | None:
    return app.screen.current_item_id()


def tree_label(app: AssessorApp, item_id: str) -> str:
    return str(app.screen.query_one("#criteria").item_nodes[item_id].label)


async def quit_app(pilot) -> None:
    await pilot.press("ctrl+q")
    assert pilot.app.return_code == 0


# ---------------------------------------------------------------- moving and judging


async def test_a_move_made_before_the_first_frame_is_the_one_that_counts(
    host: PluginHost, store_dir: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cursor joins the first item once the first frame is drawn; a key or a jump that
    came sooner (a quick assessor, a busy laptop) moves from the item shown, and the late
    frame does not undo it."""
    late: list[Callable[[], None]] = []
    monkeypatch.setattr(  # hold the first frame's move back, as a busy laptop does
        WorkspaceScreen, "_cursor_to_first",
        lambda screen, first: late.append(lambda: CURSOR_TO_FIRST(screen, first)),
    )
    add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "VisitsScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: late, what="the first frame")
        tree = app.screen.query_one("#criteria")
        assert (current(app), tree.cursor_node) == ("secondary-schools", None)
        await pilot.press("j")
        await wait_for(pilot, lambda: current(app) == "primary-schools", what="the next item")
        app.screen.jump_to("1.3")
        (first_frame,) = late
        first_frame()
        await wait_for(pilot, lambda: current(app) == "1.3", what="the jump")
        assert tree.cursor_node.data == "1.3"
        await quit_app(pilot)


async def test_j_k_levels_and_descriptor_cards(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert current(app) == "secondary-schools"  # the first item of the first section
        await pilot.press(*["j"] * 8)
        assert current(app) == "1.1"
        await pilot.press("k")
        assert current(app) == "local-outcomes-table"
        await pilot.press("down", "down")  # arrows move too (here: the section row, then 1.1)
        assert current(app) == "1.1"

        cards = app.screen.query(".level-card")
        assert [str(c.border_title) for c in cards] == [
            "1 Developing",
            "2 Developed",
            "3 Established",
            "4 Enhancing",
        ]
        assert "Judgement: not judged" in screen_text(app, "#level-now")
        await pilot.press("3")
        assert [str(c.border_title) for c in cards][2] == "▶ 3 Established"
        assert [c.has_class("-selected") for c in cards] == [False, False, True, False]
        assert "Judgement: Established" in screen_text(app, "#level-now")
        assert tree_label(app, "1.1") == "✔!1.1 Engagement of all schools · Established"
        assert screen_text(app, "#vh-coverage") == "Done 1/21 · 21 lack evidence"
        # The first edit started the visit clock at the (fixed) time of the edit.
        assert screen_text(app, "#vh-clock") == "0:00 in, 3:00 left"

        await pilot.press("j", "2", "j", "4", "0")  # 1.2 Developed; 1.3 set then cleared
        assert current(app) == "1.3"
        assert "Judgement: not judged" in screen_text(app, "#level-now")
        await pilot.press("9")  # the scale has four levels: refused, said so
        assert "Judgement: not judged" in screen_text(app, "#level-now")
        await go_to(pilot, "secondary-schools")
        await pilot.press("2")  # not a criterion: nothing to judge
        await quit_app(pilot)

    visit = stored_visit(store_dir, host, visit_id)
    assert {k: j.level for k, j in visit.judgements.items()} == {
        "1.1": "established",
        "1.2": "developed",
        "1.3": None,
    }
    assert visit.started_at == NOW and visit.status == "in_progress"


async def test_checklist_live_finding_field_and_rationale(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """ICE Mark partnerships-1: tick sectors and see '3 of 7 — 5 needed' change live."""
    visit_id = add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert current(app) == "partnerships-1"
        assert screen_text(app, "#checklist-count") == "0 of 7 — 5 needed"
        checklist = app.screen.query_one("#checklist", SelectionList)
        checklist.focus()
        await pilot.press("space", "down", "space", "down", "down", "space")
        assert screen_text(app, "#checklist-count") == "3 of 7 — 5 needed"
        await pilot.press("down", "space", "down", "space")
        assert screen_text(app, "#checklist-count") == "5 of 7 — met"
        await pilot.press("up", "space")  # untick higher-education
        assert screen_text(app, "#checklist-count") == "4 of 7 — 5 needed"

        rationale = app.screen.query_one("#rationale", Input)
        rationale.focus()
        await type_text(pilot, "Four sectors seen")
        await pilot.press("enter")
        await quit_app(pilot)

    judgement = stored_visit(store_dir, host, visit_id).judgements["partnerships-1"]
    assert sorted(judgement.checked) == [
        "further-education",
        "primary-schools",
        "secondary-school",
        "statutory-agencies",
    ]
    assert judgement.rationale == "Four sectors seen"


async def test_development_focus_field(host: PluginHost, store_dir: Path, session: Session) -> None:
    """B&A: the development-focus field is saved on enter, and on leaving the field."""
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "2.1")
        app.screen.query_one("#field-development-focus", Input).focus()
        await type_text(pilot, "Peer review")
        await pilot.press("enter")
        await go_to(pilot, "2.2")
        app.screen.query_one("#field-development-focus", Input).focus()
        await type_text(pilot, "SEAL")
        app.screen.query_one("#criteria").focus()  # tab away: saved on blur
        await wait_for(
            pilot,
            lambda: app.opened.visit.judgements["2.2"].fields.get("development-focus") == "SEAL",
            what="the field saved on blur",
        )
        await quit_app(pilot)

    visit = stored_visit(store_dir, host, visit_id)
    assert visit.judgements["2.1"].fields == {"development-focus": "Peer review"}
    assert visit.judgements["2.2"].fields == {"development-focus": "SEAL"}


# ---------------------------------------------------------------- notes


async def test_note_on_the_current_criterion_and_linked_to_more(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "1.1")
        assert tree_label(app, "1.1").startswith("○!")  # no evidence yet
        await pilot.press("a")
        await wait_for_screen(pilot, "NoteScreen")
        assert app.screen.query_one("#note-items", Input).value == "1.1"
        await type_text(pilot, "All heads attend")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, "WorkspaceScreen")
        assert screen_text(app, "#notes") == "09:30 observation: All heads attend"
        assert tree_label(app, "1.1").startswith("○ 1.1")  # evidenced now

        await pilot.press("a")  # a second note, from an interview, also evidencing 1.2
        await wait_for_screen(pilot, "NoteScreen")
        await type_text(pilot, "Data shared termly")
        app.screen.query_one("#note-with", Input).focus()
        await type_text(pilot, "the chair")
        app.screen.query_one("#note-items", Input).focus()
        await pilot.press("end")
        await type_text(pilot, " 1.2")
        app.screen.query_one("#note-source").value = "interview"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("j")
        assert current(app) == "1.2"
        assert screen_text(app, "#notes") == "09:30 interview (the chair): Data shared termly"

        await pilot.press("a")  # escape with text typed keeps the dialog open
        await wait_for_screen(pilot, "NoteScreen")
        await type_text(pilot, "draft")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "NoteScreen"
        await pilot.press(*["backspace"] * 5, "escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await quit_app(pilot)

    notes = stored_visit(store_dir, host, visit_id).notes
    assert [(n.text, n.item_ids, n.source, n.with_whom, n.at) for n in notes] == [
        ("All heads attend", ("1.1",), "observation", "", NOW),
        ("Data shared termly", ("1.1", "1.2"), "interview", "the chair", NOW),
    ]


# ---------------------------------------------------------------- framework panels


async def test_key_outcomes_table_cell(host: PluginHost, store_dir: Path, session: Session) -> None:
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "key-outcomes-table")
        grid = app.screen.query_one("#grid", DataTable)
        assert grid.row_count == 8
        grid.focus()
        await pilot.press("down", "right", "enter")  # overall absence × baseline
        await wait_for_screen(pilot, "FormScreen")
        await type_text(pilot, "6.1%")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        assert str(grid.get_cell_at((1, 1))) == "6.1%"
        await quit_app(pilot)

    rows = stored_visit(store_dir, host, visit_id).rows
    assert [(r.item_id, r.row_id, r.cells) for r in rows] == [
        ("key-outcomes-table", "overall-absence", {"baseline": "6.1%"})
    ]


async def test_membership_list_entry(host: PluginHost, store_dir: Path, session: Session) -> None:
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert current(app) == "secondary-schools"
        assert screen_text(app, "#entries") == "No entries yet."
        app.screen.query_one("#add-entry", Input).focus()
        await type_text(pilot, "Northgate Academy")
        await pilot.press("enter")
        await type_text(pilot, "Hilltop High")
        await pilot.press("enter")
        assert screen_text(app, "#entries") == "• Northgate Academy\n• Hilltop High"
        await quit_app(pilot)

    entries = stored_visit(store_dir, host, visit_id).entries
    assert [(e.item_id, e.text) for e in entries] == [
        ("secondary-schools", "Northgate Academy"),
        ("secondary-schools", "Hilltop High"),
    ]


async def test_norfolk_agenda_and_action_points(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "norfolk-sipp", "Hilltop High", visit_type="visit-1")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert current(app) == "visit-1-agenda"
        assert screen_text(app, "#tick-count") == "0 of 6 done (space ticks)"
        app.screen.query_one("#ticks", SelectionList).focus()
        await pilot.press("space", "down", "space")
        assert screen_text(app, "#tick-count") == "2 of 6 done (space ticks)"

        await go_to(pilot, "visit-1-actions")
        app.screen.query_one("#actions", DataTable).focus()
        await pilot.press("plus")
        await wait_for_screen(pilot, "FormScreen")
        await type_text(pilot, "Share the data pack")
        await pilot.press("enter")  # on to the owner
        await type_text(pilot, "Head")
        await pilot.press("enter")
        await type_text(pilot, "2025-04-01")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await pilot.press("plus")  # a second one without owner or date
        await wait_for_screen(pilot, "FormScreen")
        await type_text(pilot, "Review targets")
        await pilot.press("enter", "enter", "enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        table = app.screen.query_one("#actions", DataTable)
        assert [str(c) for c in table.get_row_at(1)] == [
            "2",
            "Review targets",
            "⚠ no owner",
            "⚠ no date",
            "open",
        ]
        await pilot.press("up", "x")  # the first is done
        assert str(table.get_row_at(0)[4]) == "done"
        await quit_app(pilot)

    visit = stored_visit(store_dir, host, visit_id)
    assert sorted(visit.ticks["visit-1-agenda"]) == ["1.1", "1.2"]
    assert [(a.text, a.owner, str(a.due), a.status, a.item_id) for a in visit.actions] == [
        ("Share the data pack", "Head", "2025-04-01", "done", "visit-1-actions"),
        ("Review targets", "", "None", "open", "visit-1-actions"),
    ]


async def test_text_prompt_answer_and_progress_level(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """C4EO: q1 answered in its text area (ctrl+s, or leaving it, saves); priority-1 has a
    progress scale, set with the level keys from outside the text."""
    visit_id = add_visit(session, "c4eo-schools-communities", "Brook Infants")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        assert current(app) == "priority-1"
        await pilot.press("2")
        assert screen_text(app, "#answer-level").startswith("Progress: Developing")
        await go_to(pilot, "q1")
        answer = app.screen.query_one("#answer", TextArea)
        answer.focus()
        await type_text(pilot, "Every child known")
        await pilot.press("ctrl+s")
        assert app.opened.visit.answers["q1"].text == "Every child known"
        assert tree_label(app, "q1").startswith("✎✔q1 ")  # answered
        await paste(pilot, " by name")  # typed, then straight back to the visits
        app.screen.query_one("#criteria").focus()
        await pilot.press("escape")
        await wait_for_screen(pilot, "VisitsScreen")
        await quit_app(pilot)

    answers = stored_visit(store_dir, host, visit_id).answers
    assert answers["q1"].text == "Every child known by name"
    assert answers["priority-1"].level == "developing"


async def test_leaving_stops_the_save_timers_before_the_visit_closes(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """On a loaded machine the half-second autosave could fire between closing the visit and
    the workspace leaving the screen, and crash the app on the closed visit."""
    add_visit(session, "c4eo-schools-communities", "Brook Infants")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        workspace = app.screen
        closed_with_timers_running = []
        close_visit = app.close_visit

        def close_and_look() -> None:
            closed_with_timers_running.extend(t for t in workspace.timers if t._active.is_set())
            close_visit()
            workspace._autosave()  # a tick that was already due still runs, harmlessly
            workspace._tick()

        app.close_visit = close_and_look
        await pilot.press("escape")
        await wait_for_screen(pilot, "VisitsScreen")
        assert closed_with_timers_running == []
        await quit_app(pilot)


# ---------------------------------------------------------------- finding things


async def test_search_jumps_to_criteria_and_notes(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    opened = session.open(visit_id)
    opened.edit(lambda e: e.add_note("The SSP officer visits weekly", ["2.6"], at=NOW))
    opened.close()
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("slash")
        await wait_for_screen(pilot, "SearchScreen")
        await type_text(pilot, "1.3 annual")
        hits = app.screen.query_one("#hits")
        assert str(hits.get_option_at_index(0).prompt) == "1.3  Annual report requirement"
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: current(app) == "1.3")

        await pilot.press("slash")
        await wait_for_screen(pilot, "SearchScreen")
        await type_text(pilot, "weekly")
        prompts = [str(o.prompt) for o in app.screen.query_one("#hits")._options]
        assert prompts == ["note 09:30: The SSP officer visits weekly"]
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: current(app) == "2.6")
        await quit_app(pilot)


async def test_palette_jumps_to_a_criterion(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, "CommandPalette")
        await type_text(pilot, "Go to capacity-6")
        await wait_for(
            pilot,
            lambda: (
                app.screen.query("CommandList Option")
                or app.screen.query_one("CommandList").option_count > 0
            ),
        )
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: current(app) == "capacity-6", what="the palette's jump")
        await quit_app(pilot)


async def test_help_lists_every_key_of_the_screen(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        workspace = app.screen
        await pilot.press("question_mark")
        await wait_for_screen(pilot, "HelpScreen")
        keys = screen_text(app, "#help-keys")
        for binding in [*type(workspace).BINDINGS, *type(app).BINDINGS]:
            assert binding.description in keys, binding.id
        assert "Set the level to the scale's level 3" in keys
        assert "Save everything, then quit" in keys
        await pilot.press("escape")
        await wait_for_screen(pilot, "WorkspaceScreen")
        await quit_app(pilot)


# ---------------------------------------------------------------- saving


async def test_autosave_makes_an_edit_durable_with_no_further_key(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """The autosave (every SAVE_EVERY seconds) writes an edit with nothing else pressed;
    how soon is the timer's business, so the test waits for the state, not a deadline."""
    add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "1.1")
        assert not screen_text(app, "#vh-save").startswith("✓ saved")
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: screen_text(app, "#vh-save").startswith("✓ saved"),
            what="the autosave",
        )
        # What is on disk now, read back through the encrypted file, not the memory copy:
        on_disk = app.opened.file.storage.read()["records"].values()
        assert any(
            r["type"] == "judgement" and r["data"].get("level") == "developed" for r in on_disk
        )
        await quit_app(pilot)


async def test_quit_waits_for_a_durable_save(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """A save that fails (a full disk) keeps the app open and says so; once saving works
    again, ctrl+q saves and quits."""
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "1.4")
        opened = app.opened
        real_flush = opened.flush

        def full_disk() -> int:
            raise OSError(28, "No space left on device")

        opened.flush = full_disk
        await pilot.press("1", "ctrl+q")
        await wait_for(pilot, lambda: any("Not quitting: could not save" in m for m in told(app)),
                       what="the refusal")
        assert app.is_running and app.return_code is None
        opened.flush = real_flush
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert stored_visit(store_dir, host, visit_id).level("1.4") == "developing"


async def test_a_note_typed_in_one_burst_keeps_every_character(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """Keys that arrive together (a fast typist, a slow link, a busy app) are handled in
    order: ctrl+s must not overtake the characters typed before it."""
    visit_id = add_visit(session, "ice-mark", "Riverside Primary")
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await pilot.press("a")
        await wait_for_screen(pilot, "NoteScreen")
        typed = "Five sectors named by the head"
        for char in typed:  # no pause between keys, as a terminal delivers a burst
            app.post_message(events.Key("space" if char == " " else char, char))
        app.post_message(events.Key("ctrl+s", None))
        await wait_for_screen(pilot, "WorkspaceScreen")
        await wait_for(pilot, lambda: app.opened.visit.notes, what="the note")
        assert [n.text for n in app.opened.visit.notes] == [typed]
        await quit_app(pilot)
    assert [n.text for n in stored_visit(store_dir, host, visit_id).notes] == [typed]


async def test_an_earlier_note_is_linked_to_another_criterion(
    host: PluginHost, store_dir: Path, session: Session
) -> None:
    """l lists the notes not yet on this criterion; enter links the chosen one."""
    visit_id = add_visit(session, "ba-sef", "Northgate Academy")
    opened = session.open(visit_id)
    opened.edit(lambda e: e.add_note("Chair: data is shared every term", ["1.2"], at=NOW))
    opened.close()
    app = app_for(host, store_dir, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_only_visit(pilot)
        await go_to(pilot, "2.4")
        await pilot.press("l")
        await wait_for_screen(pilot, "LinkNoteScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "WorkspaceScreen")
        assert "Chair: data is shared every term" in screen_text(app, "#notes")
        await pilot.press("l")  # nothing left to link here: said, not a dead dialog
        await wait_for(pilot, lambda: any("No other note to link here" in m for m in told(app)),
                       what="the message")
        assert type(app.screen).__name__ == "WorkspaceScreen"
        await quit_app(pilot)
    (note,) = stored_visit(store_dir, host, visit_id).notes
    assert note.item_ids == ("1.2", "2.4")
