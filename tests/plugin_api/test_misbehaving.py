"""Plugins that misbehave in each hook: reported by name, disabled, and the visit goes on."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import assessor_tui
from assessor_tui.domain.findings import Finding
from assessor_tui.reports import RecordNotReady, ensure_ready, record_markdown
from assessor_tui.session import OpenVisit
from tests.plugin_api.test_hook_docs import hooks
from tests.plugin_api.test_hooks import Provides


def boom(hook: str) -> None:
    raise RuntimeError(f"{hook} broke")


RAISING: dict[str, Callable[..., Any]] = {
    "register_frameworks": lambda register: boom("register_frameworks"),
    "register_panels": lambda register: boom("register_panels"),
    "register_commands": lambda register: boom("register_commands"),
    "evaluate_visit": lambda visit, framework: boom("evaluate_visit"),
    "migrate_visit": lambda visit, framework, from_version: boom("migrate_visit"),
    "report_sections": lambda visit, framework: boom("report_sections"),
    "check_record": lambda visit, framework: boom("check_record"),
}


def plugin(**impls: Callable[..., Any]) -> SimpleNamespace:
    """A plugin object whose hooks are the functions given, by hook name."""
    return SimpleNamespace(**{name: assessor_tui.hookimpl(fn) for name, fn in impls.items()})


def older(visit: OpenVisit) -> None:
    """Record the visit as made with version 0 of its framework, so migrating asks the hook."""
    visit.file.apply([visit.editor._change("visit", visit.visit.id, {"framework_version": "0"})])


def failed(name: str, reason: str) -> str:
    """The warning the visit's findings end with once a plugin is disabled in use."""
    return f"The {name} plugin failed and is disabled for this session: {reason}"


def use(hook: str, visit: OpenVisit) -> OpenVisit:
    """Do what makes the app call ``hook`` on a visit (the plugin failing is named "bad");
    none of it may raise, but a record whose check failed is not finalised. Returns the
    visit to go on with (migrating closes it, as `assessor visits migrate` does)."""
    host = visit.session.host
    if hook == "evaluate_visit":
        visit.findings()
    elif hook == "migrate_visit":
        older(visit)
        assert visit.session.migrate(visit.visit.id) == "0"
        return visit.session.open(visit.visit.id)
    elif hook == "report_sections":
        assert "Criterion one" in record_markdown(visit.visit, visit.framework, host)
    elif hook == "check_record":
        with pytest.raises(RecordNotReady) as refused:
            ensure_ready(visit.visit, visit.framework, host)
        (problem,) = refused.value.problems
        assert problem.message == (
            "the bad plugin failed and is disabled for this session, so it cannot check this "
            f"record: {host.plugins['bad'].reason}"
        )
    return visit


def test_every_hook_has_a_raising_fixture() -> None:
    assert set(RAISING) == set(hooks())


@pytest.mark.parametrize("hook", sorted(RAISING))
def test_a_hook_that_raises_is_reported_by_name_and_the_visit_goes_on(
    assessor_host, assessor_visit, hook: str
) -> None:
    class Rule:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            return [Finding("rule.ok", "the other rule still runs")]

    host = assessor_host(("provider", Provides()), ("rule", Rule()),
                         ("bad", plugin(**{hook: RAISING[hook]})))
    visit = assessor_visit(host, "hooks-test")
    visit = use(hook, visit)
    assert (host.plugins["bad"].status, host.plugins["bad"].reason) == (
        "failed", f"hook {hook} raised RuntimeError: {hook} broke"
    )
    assert host.plugins["provider"].status == host.plugins["rule"].status == "ok"
    in_use = [] if hook.startswith("register_") else [  # at load: `plugins list` says it
        failed("bad", f"hook {hook} raised RuntimeError: {hook} broke")
    ]
    assert [f.message for f in visit.findings()] == ["the other rule still runs", *in_use]
    visit.edit(lambda e: e.set_level("c1", "yes"))
    visit.close()
    assert visit.session.open(visit.visit.id).visit.level("c1") == "yes"


ANSWERING = ["evaluate_visit", "check_record", "report_sections", "migrate_visit"]
WRONG = [
    ("evaluate_visit", 42, "int, not a list of Findings"),
    ("evaluate_visit", "3 of 7 sectors", "str, not a list of Findings"),
    ("evaluate_visit", [{"code": "x"}], "dict, not a Finding"),
    ("check_record", 42, "int, not a list of Findings"),
    ("check_record", ["must judge c1"], "str, not a Finding"),
    ("report_sections", 42, "int, not a list of report blocks"),
    ("report_sections", "## My section", "str, not a list of report blocks"),
    ("report_sections", ["## My section"], "str, not a report block"),
    ("migrate_visit", ["c1"], "list, not a mapping of item ids"),
    ("migrate_visit", {"c1": 5}, "dict, not a mapping of item ids"),
]


def test_every_answering_hook_has_wrong_answers() -> None:
    assert {hook for hook, _, _ in WRONG} == set(ANSWERING)
    assert set(ANSWERING) == {h for h in hooks() if not h.startswith("register_")}


@pytest.mark.parametrize(("hook", "answer", "reason"), WRONG)
def test_a_hook_that_answers_wrong_is_reported_by_name_and_the_visit_goes_on(
    assessor_host, assessor_visit, hook: str, answer: object, reason: str
) -> None:
    def wrong(**_: Any) -> object:
        return answer

    impl = {
        "evaluate_visit": lambda visit, framework: wrong(),
        "check_record": lambda visit, framework: wrong(),
        "report_sections": lambda visit, framework: wrong(),
        "migrate_visit": lambda visit, framework, from_version: wrong(),
    }[hook]
    host = assessor_host(("provider", Provides()), ("bad", plugin(**{hook: impl})))
    visit = assessor_visit(host, "hooks-test")
    visit = use(hook, visit)
    assert (host.plugins["bad"].status, host.plugins["bad"].reason) == (
        "failed", f"hook {hook} returned {reason}"
    )
    assert [f.message for f in visit.findings()] == [
        failed("bad", f"hook {hook} returned {reason}")
    ]
    visit.edit(lambda e: e.set_level("c1", "no"))
    assert visit.visit.level("c1") == "no"


def test_a_generator_hook_that_raises_part_way_is_caught(assessor_host, assessor_visit) -> None:
    def rules(visit, framework):
        yield Finding("half", "half a rule")
        raise ZeroDivisionError("division by zero")

    def sections(visit, framework):
        yield from ()
        raise LookupError("no such block")

    host = assessor_host(("provider", Provides()),
                         ("rules", plugin(evaluate_visit=rules)),
                         ("sections", plugin(report_sections=sections)))
    visit = assessor_visit(host, "hooks-test")
    assert [f.message for f in visit.findings()] == [  # nothing of the half-run rule
        failed("rules", "hook evaluate_visit raised ZeroDivisionError: division by zero")
    ]
    text = record_markdown(visit.visit, visit.framework, host)
    assert "Plugin 'sections' failed while shaping this record" in text
    assert host.plugins["rules"].reason == (
        "hook evaluate_visit raised ZeroDivisionError: division by zero"
    )
    assert host.plugins["sections"].reason == (
        "hook report_sections raised LookupError: no such block"
    )


def test_a_plugin_failing_in_use_keeps_its_framework_and_is_named(
    assessor_host, assessor_visit
) -> None:
    class Faulty(Provides):
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            raise KeyError("c9")

    host = assessor_host(("faulty", Faulty()))
    visit = assessor_visit(host, "hooks-test")
    assert host.failure_findings() == []
    (warning,) = visit.findings()  # none of the rule's: the plugin, named, instead
    assert host.failure_findings() == [warning]
    assert warning.severity == "warning"
    assert warning.message == (
        "The faulty plugin failed and is disabled for this session: "
        "hook evaluate_visit raised KeyError: 'c9'"
    )
    visit.close()
    # the framework was validated at load and stays: the visit reopens, without the rule
    reopened = visit.session.open(visit.visit.id)
    assert reopened.framework is visit.framework
    assert reopened.findings() == [warning]
    assert host.plugins["faulty"].frameworks == ["hooks-test"]


def test_a_plugin_failing_at_load_takes_its_framework_with_it(assessor_host) -> None:
    class Faulty(Provides):
        @assessor_tui.hookimpl
        def register_panels(self, register):
            register("hooks-test", "Panel", "not an import path")

    host = assessor_host(("faulty", Faulty()))
    assert host.plugins["faulty"].reason == (
        "hook register_panels raised TypeError: register() takes 'package.module:Class', "
        "not 'not an import path'"
    )
    assert host.framework("hooks-test") is None
    assert host.failure_findings() == []  # reported by `assessor plugins list` instead
