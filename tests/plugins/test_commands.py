"""Plugin commands: the hook, the built-in plugins' commands, the palette that runs them,
and commands that misbehave (the app goes on, the command is disabled with the reason)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

import assessor_ba_sef
import assessor_ice_mark
import assessor_norfolk_sipp
import assessor_tui
from assessor_tui.domain.checks import EditRefused
from assessor_tui.frameworks.loader import load_bytes
from assessor_tui.plugins.commands import CommandFailed, CommandResult
from assessor_tui.plugins.host import PluginHost
from tests.notifications import told
from tests.tui.helpers import paste, type_text, wait_for, wait_for_screen

YAML = b"""\
format: 1
id: commands-test
version: "1"
title: Commands test framework
publisher: Tests
source: Tests
scales:
  - id: yn
    levels: [{id: "no", label: "No"}, {id: "yes", label: "Yes"}]
sections:
  - id: s
    title: Only section
    items:
      - {kind: criterion, id: c1, title: Criterion one, scale: yn}
      - {kind: criterion, id: c2, title: Criterion two, scale: yn}
      - {kind: criterion, id: c3, title: Criterion three, scale: yn}
"""
FRAMEWORK = load_bytes(YAML, "commands-test.yaml")


class Provides:
    @assessor_tui.hookimpl
    def register_frameworks(self, register):
        register(FRAMEWORK)


def commands(**runs: Any) -> object:
    """A plugin offering one command per keyword: its title, then its function."""

    class Commands:
        @assessor_tui.hookimpl
        def register_commands(self, register):
            for title, run in runs.items():
                register("commands-test", title, run)

    return Commands()


def only(host: PluginHost, framework_id: str = "commands-test"):
    (command,) = host.commands_for(framework_id)
    return command


# ---------------------------------------------------------------- the hook


def test_hook_register_commands(assessor_host, assessor_visit) -> None:
    def next_no(visit, framework, current):
        waiting = [c.id for c in framework.criteria() if visit.level(c.id) != "yes"]
        return CommandResult(
            edits=[lambda e: e.set_level(current, "yes")],
            jump_to=next((c for c in waiting if c != current), None),
            message=f"{current} is yes",
        )

    host = assessor_host(("provider", Provides()), ("mine", commands(Next=next_no)))
    command = only(host)
    assert (command.title, command.owner, command.label) == ("Next", "mine", "mine: Next")
    assert command.argnames == ("visit", "framework", "current")
    assert host.commands_for("ice-mark") == []
    visit = assessor_visit(host, "commands-test")
    result = host.run_command(command, visit.visit, visit.framework, "c1")
    assert (result.jump_to, result.message) == ("c2", "c1 is yes")
    visit.edit(*result.edits)
    assert visit.visit.level("c1") == "yes"
    assert host.plugins["mine"].status == "ok"


def test_a_command_may_take_fewer_arguments_by_name(assessor_host, assessor_visit) -> None:
    host = assessor_host(
        ("provider", Provides()),
        ("mine", commands(Framework=lambda framework: CommandResult(message=framework.id))),
    )
    command = only(host)
    assert command.argnames == ("framework",)
    visit = assessor_visit(host, "commands-test")
    assert host.run_command(command, visit.visit, visit.framework).message == "commands-test"


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (None, CommandResult()),
        ([], CommandResult()),
        (CommandResult(jump_to="c3"), CommandResult(jump_to="c3")),
    ],
)
def test_nothing_to_do_and_jumps_alone_are_fine(
    assessor_host, assessor_visit, returned, expected
) -> None:
    host = assessor_host(("provider", Provides()), ("mine", commands(Do=lambda: returned)))
    visit = assessor_visit(host, "commands-test")
    assert host.run_command(only(host), visit.visit, visit.framework) == expected


@pytest.mark.parametrize(
    ("run", "reason"),
    [
        (
            "not a function",
            "register() takes a function of (visit, framework), not 'not a function'",
        ),
        (
            lambda visit, school: None,
            "command 'Bad' takes school; a command may take visit, framework, current",
        ),
    ],
)
def test_a_command_that_could_never_run_is_refused_at_load(assessor_host, run, reason) -> None:
    host = assessor_host(("provider", Provides()), ("bad", commands(Bad=run)))
    assert host.plugins["bad"].status == "failed"
    assert host.plugins["bad"].reason == f"hook register_commands raised TypeError: {reason}"
    assert host.commands_for("commands-test") == []
    assert host.plugins["provider"].status == "ok"


# ---------------------------------------------------------------- misbehaving commands


def boom(visit, framework):
    raise KeyError("no such thing")


@pytest.mark.parametrize(
    ("run", "reason"),
    [
        (boom, "it raised KeyError: 'no such thing'"),
        (lambda: 42, "it returned int, not a CommandResult or a list of edits"),
        (lambda: "c2", "it returned str, not a CommandResult or a list of edits"),
        (lambda: [42], "it returned an edit of type int, not a function"),
        (
            lambda: CommandResult(jump_to="nowhere"),
            "it jumps to 'nowhere', which is not an item of commands-test",
        ),
        (lambda: CommandResult(message=7), "its message is of type int, not text"),
        (
            lambda: CommandResult(edits=lambda e: None),
            "its edits are of type function, not a list",
        ),
    ],
)
def test_a_misbehaving_command_is_disabled_for_the_session(
    assessor_host, assessor_visit, run, reason
) -> None:
    host = assessor_host(("provider", Provides()), ("bad", commands(Bad=run, Fine=lambda: None)))
    bad = next(c for c in host.commands_for("commands-test") if c.title == "Bad")
    visit = assessor_visit(host, "commands-test")
    with pytest.raises(CommandFailed) as info:
        host.run_command(bad, visit.visit, visit.framework, "c1")
    assert str(info.value) == (
        f"The bad plugin's command 'Bad' failed and is disabled for this session: {reason}"
    )
    assert [c.title for c in host.commands_for("commands-test")] == ["Fine"]
    assert host.plugins["bad"].status == "ok"  # its other hooks and commands carry on
    assert host.framework("commands-test") is FRAMEWORK
    with pytest.raises(CommandFailed):  # asked again (a stale palette): still refused
        host.run_command(bad, visit.visit, visit.framework)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda e: e.no_such_edit("c1"), "an edit raised AttributeError: "),
        (lambda e: "a change", "an edit returned str, not a Change"),
    ],
)
def test_an_edit_that_misbehaves_fails_its_command_and_changes_nothing(
    assessor_host, assessor_visit, edit, reason
) -> None:
    host = assessor_host(
        ("provider", Provides()),
        ("bad", commands(Bad=lambda: [lambda e: e.set_level("c1", "yes"), edit])),
    )
    visit = assessor_visit(host, "commands-test")
    result = host.run_command(only(host), visit.visit, visit.framework)
    with pytest.raises(CommandFailed) as info:
        visit.edit(*result.edits)
    assert isinstance(info.value, EditRefused)  # the app's staging shows it as a refusal
    assert str(info.value).startswith(
        f"The bad plugin's command 'Bad' failed and is disabled for this session: {reason}"
    )
    assert host.commands_for("commands-test") == []
    assert visit.visit.level("c1") is None  # all or none


def test_a_refused_edit_is_refused_as_usual_and_the_command_stays(
    assessor_host, assessor_visit
) -> None:
    host = assessor_host(
        ("provider", Provides()),
        ("mine", commands(Odd=lambda: [lambda e: e.set_level("c1", "maybe")])),
    )
    visit = assessor_visit(host, "commands-test")
    result = host.run_command(only(host), visit.visit, visit.framework)
    with pytest.raises(EditRefused) as info:
        visit.edit(*result.edits)
    assert not isinstance(info.value, CommandFailed)
    assert str(info.value) == "level 'maybe' is not on scale 'yn' of c1 (no, yes)"
    assert only(host).title == "Odd"


# ---------------------------------------------------------------- the built-in commands


def built_in(host: PluginHost, framework_id: str):
    return only(host, framework_id)


def test_ice_mark_jumps_round_the_criteria_not_yet_met(assessor_host, assessor_visit) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark))
    visit = assessor_visit(host, "ice-mark")
    command = built_in(host, "ice-mark")
    assert command.title == "Jump to the next criterion not yet met"
    ids = [c.id for c in visit.framework.criteria()]
    visit.edit(*[lambda e, i=i: e.set_level(i, "met") for i in ids if i != "partnerships-2"],
               lambda e: e.set_level("partnerships-2", "partly-met"))
    result = host.run_command(command, visit.visit, visit.framework, ids[-1])  # wraps round
    assert result.jump_to == "partnerships-2"
    assert result.message.endswith(f": Partly met (1 of {len(ids)} not yet met)")
    visit.edit(lambda e: e.set_level("partnerships-2", "met"))
    done = host.run_command(command, visit.visit, visit.framework, "partnerships-2")
    assert (done.jump_to, done.message) == (None, f"All {len(ids)} criteria are met.")


def test_ba_sef_jumps_to_the_next_sub_element_without_a_rating(
    assessor_host, assessor_visit
) -> None:
    host = assessor_host(("ba-sef", assessor_ba_sef))
    visit = assessor_visit(host, "ba-sef")
    command = built_in(host, "ba-sef")
    visit.edit(lambda e: e.set_level("1.2", "developed"), lambda e: e.set_level("1.3", "enhancing"))
    result = host.run_command(command, visit.visit, visit.framework, "1.1")
    assert result.jump_to == "1.4"
    assert host.run_command(command, visit.visit, visit.framework, None).jump_to == "1.1"


def test_norfolk_drafts_the_summary_from_the_ticked_agenda(assessor_host, assessor_visit) -> None:
    host = assessor_host(("norfolk-sipp", assessor_norfolk_sipp))
    visit = assessor_visit(host, "norfolk-sipp", visit_type="visit-1")
    command = built_in(host, "norfolk-sipp")
    nothing = host.run_command(command, visit.visit, visit.framework)
    assert (nothing.edits, nothing.jump_to) == ((), "visit-1-agenda")
    visit.edit(lambda e: e.tick("visit-1-agenda", "1.3"), lambda e: e.set_answer(
        "visit-1-summary", "Met the head and the chair of governors."))
    visit.edit(*host.run_command(command, visit.visit, visit.framework).edits)
    assert visit.visit.answers["visit-1-summary"].text == (
        "Met the head and the chair of governors.\n"
        "- To agree targets for 2013 with the headteacher and chair of governors."
    )
    again = host.run_command(command, visit.visit, visit.framework)
    assert again.edits == ()
    assert again.message == "Every ticked agenda item is in the summary already."


def test_norfolk_visit_4_has_no_record_to_draft(assessor_host, assessor_visit) -> None:
    host = assessor_host(("norfolk-sipp", assessor_norfolk_sipp))
    visit = assessor_visit(host, "norfolk-sipp", visit_type="visit-4")
    result = host.run_command(built_in(host, "norfolk-sipp"), visit.visit, visit.framework)
    assert result == CommandResult(
        message="Support for Head Teacher Performance Management has no summary of "
        "activities to draft."
    )


# ---------------------------------------------------------------- through the palette


async def run_from_palette(pilot: Pilot, title: str) -> None:
    """ctrl+p, type the command's title, wait until it is the first hit, run it."""
    await pilot.press("ctrl+p")
    await wait_for_screen(pilot, "CommandPalette")
    await type_text(pilot, title)
    hits = pilot.app.screen.query_one("CommandList")
    await wait_for(
        pilot,
        lambda: hits.option_count > 0 and title in str(hits.get_option_at_index(0).prompt),
        what=f"{title!r} in the palette",
    )
    await pilot.press("enter")
    await wait_for_screen(pilot, "WorkspaceScreen")


def current(pilot: Pilot) -> str | None:
    return pilot.app.screen.current_item_id()


def notified(pilot: Pilot, text: str) -> bool:
    return any(text in m for m in told(pilot.app))


async def test_palette_runs_ice_marks_jump(assessor_host, assessor_visit, assessor_pilot) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark))
    visit = assessor_visit(host, "ice-mark")
    visit.edit(lambda e: e.set_level("partnerships-2", "met"),
               lambda e: e.set_level("partnerships-3", "met"))
    async with assessor_pilot(visit, item="partnerships-1") as pilot:
        await run_from_palette(pilot, "Jump to the next criterion not yet met")
        await wait_for(pilot, lambda: current(pilot) == "partnerships-4", what="the jump")
        assert notified(pilot, "partnerships-4 ")


async def test_palette_runs_ba_sefs_jump(assessor_host, assessor_visit, assessor_pilot) -> None:
    host = assessor_host(("ba-sef", assessor_ba_sef))
    visit = assessor_visit(host, "ba-sef")
    visit.edit(lambda e: e.set_level("1.3", "established"))
    async with assessor_pilot(visit, item="1.2") as pilot:
        await run_from_palette(pilot, "Jump to the next sub-element without a rating")
        await wait_for(pilot, lambda: current(pilot) == "1.4", what="the jump")


async def test_palette_runs_norfolks_draft_and_it_is_saved(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("norfolk-sipp", assessor_norfolk_sipp))
    visit = assessor_visit(host, "norfolk-sipp", visit_type="visit-1")
    visit.edit(lambda e: e.tick("visit-1-agenda", "1.1"), lambda e: e.tick("visit-1-agenda", "3"))
    assert visit.visit.started_at is None
    async with assessor_pilot(visit) as pilot:
        await run_from_palette(pilot, "Draft the summary of activities from the ticked agenda")
        await wait_for(pilot, lambda: current(pilot) == "visit-1-summary", what="the jump")
        await wait_for(pilot, lambda: not pilot.app.opened.unsaved, what="the autosave")
        box = pilot.app.screen.query_one("#answer")
        assert box.text.startswith("- By reference to RAISEonline")  # shown as saved
    stored = visit.session.open(visit.visit.id).visit
    lines = stored.answers["visit-1-summary"].text.splitlines()
    assert [line[:30] for line in lines] == [
        "- By reference to RAISEonline ",
        "- To briefly review the impact",
    ]
    assert stored.started_at is not None  # the first edit of the visit started its clock


async def test_palette_names_only_the_open_frameworks_commands(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("ice-mark", assessor_ice_mark), ("ba-sef", assessor_ba_sef))
    visit = assessor_visit(host, "ba-sef")
    async with assessor_pilot(visit) as pilot:
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, "CommandPalette")
        await type_text(pilot, "Jump to the next")
        hits = pilot.app.screen.query_one("CommandList")
        await wait_for(pilot, lambda: hits.option_count > 0, what="the hits")
        prompts = [str(hits.get_option_at_index(n).prompt) for n in range(hits.option_count)]
        assert "ba-sef: Jump to the next sub-element without a rating" in prompts
        assert not any("criterion not yet met" in p for p in prompts)


@pytest.mark.parametrize(
    ("run", "reason"),
    [
        (boom, "it raised KeyError: 'no such thing'"),
        (lambda: {"jump": "c2"}, "it returned dict, not a CommandResult or a list of edits"),
        (lambda: [lambda e: e.no_such_edit()], "an edit raised AttributeError"),
    ],
)
async def test_a_misbehaving_command_in_the_app_is_reported_and_the_visit_goes_on(
    assessor_host, assessor_visit, assessor_pilot, run, reason
) -> None:
    host = assessor_host(("provider", Provides()), ("bad", commands(**{"Break things": run})))
    visit = assessor_visit(host, "commands-test")
    async with assessor_pilot(visit, item="c1") as pilot:
        await run_from_palette(pilot, "Break things")
        expected = "The bad plugin's command 'Break things' failed and is disabled for this session"
        await wait_for(pilot, lambda: notified(pilot, expected), what="the failure message")
        assert notified(pilot, reason)
        assert host.commands_for("commands-test") == []
        await pilot.press("2")  # the visit carries on: Yes
        await wait_for(pilot, lambda: pilot.app.opened.visit.level("c1") == "yes")
    assert visit.session.open(visit.visit.id).visit.level("c1") == "yes"


async def test_a_refused_command_edit_shows_the_usual_message(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(
        ("provider", Provides()),
        ("mine", commands(**{"Say maybe": lambda: [lambda e: e.set_level("c1", "maybe")]})),
    )
    visit = assessor_visit(host, "commands-test")
    async with assessor_pilot(visit, item="c2") as pilot:
        await run_from_palette(pilot, "Say maybe")
        await wait_for(
            pilot,
            lambda: notified(pilot, "level 'maybe' is not on scale 'yn' of c1 (no, yes)"),
            what="the refusal",
        )
        assert [c.title for c in host.commands_for("commands-test")] == ["Say maybe"]
        assert current(pilot) == "c2"
    stored = visit.session.open(visit.visit.id).visit
    assert (stored.level("c1"), stored.started_at) == (None, None)


async def test_a_command_writing_the_answer_being_typed_keeps_both(
    assessor_host, assessor_visit, assessor_pilot
) -> None:
    host = assessor_host(("norfolk-sipp", assessor_norfolk_sipp))
    visit = assessor_visit(host, "norfolk-sipp", visit_type="visit-1")
    visit.edit(lambda e: e.tick("visit-1-agenda", "1.3"))
    async with assessor_pilot(visit, item="visit-1-summary") as pilot:
        pilot.app.screen.query_one("#answer").focus()
        await paste(pilot, "Met the head.")
        await run_from_palette(pilot, "Draft the summary of activities from the ticked agenda")
        drafted = "Met the head.\n- To agree targets for 2013 with the headteacher and chair"
        await wait_for(
            pilot,
            lambda: pilot.app.screen.query_one("#answer").text.startswith(drafted),
            what="the box showing the draft",
        )
        pilot.app.screen.query_one("#answer").focus()
        pilot.app.screen.query_one("#criteria").focus()  # leaving the box saves what it shows
        await wait_for(pilot, lambda: not pilot.app.opened.unsaved, what="the autosave")
    stored = visit.session.open(visit.visit.id).visit
    assert stored.answers["visit-1-summary"].text.startswith(drafted)
