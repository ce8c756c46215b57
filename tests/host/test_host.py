"""The plugin host: entry points, validation of what is registered, isolation of failures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

import assessor_tui
from assessor_tui.domain.findings import Finding
from assessor_tui.domain.visit import School, Visit
from assessor_tui.plugins.commands import CommandFailed
from assessor_tui.plugins.host import USER_FRAMEWORKS, load_host
from tests.distributions import make_distribution

FRAMEWORK = textwrap.dedent("""\
    format: 1
    id: {id}
    version: "1"
    title: Test framework {id}
    publisher: Tests
    source: Tests
    scales:
      - id: yn
        levels: [{{id: "no", label: "No"}}, {{id: "yes", label: "Yes"}}]
    sections:
      - id: s
        title: Only section
        items:
          - {{kind: criterion, id: c1, title: Criterion one, scale: yn}}
    """)


def write_framework(folder: Path, fid: str, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{fid}.yaml")
    path.write_text(FRAMEWORK.format(id=fid))
    return path


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in [m for m in sys.modules if m.startswith("thirdparty")]:
        del sys.modules[name]


def a_visit(framework_id: str = "good") -> Visit:
    return Visit(
        id="v1", framework_id=framework_id, framework_version="1", school=School(name="Hill School")
    )


def test_third_party_entry_points_load_beside_failing_ones(site: Path, tmp_path: Path) -> None:
    write_framework(tmp_path / "data", "good")
    make_distribution(
        site,
        "thirdparty",
        {
            "good": f"""
            from pathlib import Path
            import assessor_tui
            @assessor_tui.hookimpl
            def register_frameworks(register):
                register(Path({str(tmp_path / "data" / "good.yaml")!r}))
            """,
            "broken-import": "import no_such_module_anywhere\n",
            "raises": """
            import assessor_tui
            @assessor_tui.hookimpl
            def register_frameworks(register):
                raise RuntimeError("database on fire")
            """,
            "invalid": """
            from pathlib import Path
            import assessor_tui
            @assessor_tui.hookimpl
            def register_frameworks(register):
                p = Path(__file__).with_name("thirdparty_bad.yaml")
                p.write_text("format: 1\\nid: bad\\n")
                register(p)
            """,
        },
    )
    host = load_host(entry_points=True, blocked=())
    plugins = host.plugins
    assert plugins["good"].status == "ok"
    assert plugins["good"].version == "1.2.3"
    assert plugins["good"].frameworks == ["good"]
    assert host.frameworks["good"].owner == "good"
    assert plugins["broken-import"].status == "failed"
    assert plugins["broken-import"].reason == (
        "import failed: ModuleNotFoundError: No module named 'no_such_module_anywhere'"
    )
    assert plugins["raises"].status == "failed"
    assert plugins["raises"].reason == (
        "hook register_frameworks raised RuntimeError: database on fire"
    )
    assert plugins["invalid"].status == "failed"
    assert plugins["invalid"].reason == (
        "invalid framework: thirdparty_bad.yaml:1: version: missing (and 4 more problems)"
    )
    # the built-ins are unaffected
    assert {
        "ice-mark",
        "ba-sef",
        "norfolk-sipp",
        "community-cohesion",
        "c4eo-schools-communities",
    } <= set(host.frameworks)


def test_duplicate_framework_id_is_refused_and_reported(tmp_path: Path) -> None:
    path = write_framework(tmp_path, "twice")

    class First:
        @assessor_tui.hookimpl
        def register_frameworks(self, register):
            register(path)

    class Second(First):
        pass

    host = load_host(entry_points=False, plugins=[("first", First()), ("second", Second())])
    assert host.frameworks["twice"].owner in {"first", "second"}
    loser = "second" if host.frameworks["twice"].owner == "first" else "first"
    assert host.plugins[loser].status == "failed"
    assert host.plugins[loser].reason.endswith(
        f"ValueError: framework id 'twice' is already provided by {host.frameworks['twice'].owner}"
    )


def test_a_raising_rule_disables_only_its_plugin(tmp_path: Path) -> None:
    path = write_framework(tmp_path, "good")

    class Provider:
        @assessor_tui.hookimpl
        def register_frameworks(self, register):
            register(path)

        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            return [Finding("good.one", f"{visit.school.name}: fine")]

    class Faulty:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit):  # fewer arguments than the spec is allowed
            raise ZeroDivisionError("division by zero")

    host = load_host(entry_points=False, plugins=[("provider", Provider()), ("faulty", Faulty())])
    fw = host.framework("good")
    assert fw is not None
    findings = host.evaluate(a_visit(), fw)
    assert findings == [Finding("good.one", "Hill School: fine")]
    assert host.plugins["faulty"].status == "failed"
    assert host.plugins["faulty"].reason == (
        "hook evaluate_visit raised ZeroDivisionError: division by zero"
    )
    assert host.plugins["provider"].status == "ok"
    # the faulty plugin is out for the session: a second call does not run it
    assert host.evaluate(a_visit(), fw) == findings


def test_a_plugin_with_a_bad_hookimpl_is_refused(tmp_path: Path) -> None:
    class Misspelt:
        @assessor_tui.hookimpl
        def register_frameworks(self, registr):  # not an argument of the spec
            pass

    host = load_host(entry_points=False, plugins=[("misspelt", Misspelt())])
    assert host.plugins["misspelt"].status == "failed"
    assert "cannot register" in host.plugins["misspelt"].reason
    assert "registr" in host.plugins["misspelt"].reason


def test_register_refuses_what_is_not_a_framework() -> None:
    class Wrong:
        @assessor_tui.hookimpl
        def register_frameworks(self, register):
            register({"id": "dict"})

    host = load_host(entry_points=False, plugins=[("wrong", Wrong())])
    assert host.plugins["wrong"].status == "failed"
    assert host.plugins["wrong"].reason == (
        "hook register_frameworks raised TypeError: register() takes a Framework or a path, "
        "not dict"
    )


def test_blocked_plugins_are_listed_as_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSOR_DISABLE_PLUGINS", "ice-mark, ba-sef")
    host = load_host()
    assert host.plugins["ice-mark"].status == "disabled"
    assert host.plugins["ice-mark"].reason == "blocked by ASSESSOR_DISABLE_PLUGINS"
    assert host.plugins["ba-sef"].status == "disabled"
    assert "ice-mark" not in host.frameworks
    assert "ba-sef" not in host.frameworks
    assert "norfolk-sipp" in host.frameworks


def test_user_folder_frameworks_appear_and_invalid_ones_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    write_framework(folder, "local-one")
    (folder / "broken.yaml").write_text("format: 1\nid: [\n")
    (folder / "notes.txt").write_text("not a framework")
    write_framework(folder, "ice-mark", name="clash.yaml")
    write_framework(folder, "from-windows", name="Saved In Notepad.YAML")
    host = load_host(frameworks_dir=folder)
    assert host.frameworks["local-one"].owner == USER_FRAMEWORKS
    assert host.frameworks["from-windows"].owner == USER_FRAMEWORKS
    assert host.frameworks["ice-mark"].owner == "ice-mark"  # the plugin keeps its id
    problems = [str(p) for p in host.problems]
    assert problems[0].startswith("broken.yaml:3: YAML syntax error:")
    assert problems[1] == "clash.yaml: framework id 'ice-mark' is already provided by ice-mark"
    assert len(problems) == 2


def test_hookimpl_is_reexported_from_the_package_root() -> None:
    assert SimpleNamespace(h=assessor_tui.hookimpl).h.project_name == "assessor_tui"


def test_a_hook_calling_sys_exit_fails_only_its_plugin_in_the_cli(site: Path) -> None:
    """`sys.exit()` in a hook raises SystemExit: it used to end the whole command."""
    make_distribution(site, "thirdparty", {"quits": """
        import sys
        import assessor_tui
        @assessor_tui.hookimpl
        def register_frameworks(register):
            sys.exit(3)
        """})
    env = {**os.environ, "PYTHONPATH": str(site)}
    assessor = str(Path(sys.executable).with_name("assessor"))
    listed = subprocess.run([assessor, "frameworks", "list"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert {"ice-mark", "ba-sef", "norfolk-sipp"} <= {
        line.split()[0] for line in listed.stdout.splitlines()[1:]
    }
    plugins = subprocess.run([assessor, "plugins", "list"], capture_output=True, text=True,
                             env=env, timeout=60)
    assert plugins.returncode == 0
    row = next(line for line in plugins.stdout.splitlines() if line.startswith("quits "))
    assert row.endswith("failed: hook register_frameworks raised SystemExit: 3")


def test_sys_exit_in_a_rule_or_a_command_fails_the_plugin_and_ctrl_c_passes(
    tmp_path: Path,
) -> None:
    path = write_framework(tmp_path, "good")

    class Provider:
        @assessor_tui.hookimpl
        def register_frameworks(self, register):
            register(path)

        @assessor_tui.hookimpl
        def register_commands(self, register):
            register("good", "Quit", lambda visit: sys.exit("bye"))

    class Quits:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            sys.exit()

    class Interrupted:
        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            raise KeyboardInterrupt

    host = load_host(entry_points=False, blocked=(),
                     plugins=[("provider", Provider()), ("quits", Quits())])
    fw = host.framework("good")
    assert fw is not None
    assert host.evaluate(a_visit(), fw) == []
    assert host.plugins["quits"].reason == "hook evaluate_visit raised SystemExit"
    (command,) = host.commands_for("good")
    with pytest.raises(CommandFailed, match="failed and is disabled for this session: it "
                       "raised SystemExit: bye"):
        host.run_command(command, a_visit(), fw)
    assert host.plugins["provider"].status == "ok"  # only the command is out
    host = load_host(entry_points=False, blocked=(),
                     plugins=[("provider", Provider()), ("interrupted", Interrupted())])
    with pytest.raises(KeyboardInterrupt):  # the assessor's Ctrl+C is not a plugin's failure
        host.evaluate(a_visit(), fw)


def test_disable_sets_a_plugin_aside_for_the_session_and_names_it(tmp_path: Path) -> None:
    """What the app does when a plugin's panel fails to open."""
    path = write_framework(tmp_path, "good")

    class Provider:
        @assessor_tui.hookimpl
        def register_frameworks(self, register):
            register(path)

        @assessor_tui.hookimpl
        def register_panels(self, register):
            register("good", "Panel", "somewhere:Panel")

        @assessor_tui.hookimpl
        def evaluate_visit(self, visit, framework):
            return [Finding("good.one", "a finding")]

    host = load_host(entry_points=False, blocked=(), plugins=[("provider", Provider())])
    fw = host.framework("good")
    assert fw is not None and len(host.panels_for("good")) == 1
    info = host.disable("provider", "panel 'Panel' failed: ValueError: no")
    assert (info.status, info.reason) == ("failed", "panel 'Panel' failed: ValueError: no")
    assert host.panels_for("good") == []
    assert host.evaluate(a_visit(), fw) == []  # its rules are off…
    assert host.framework("good") is fw  # …but its framework stays, so the visit carries on
    assert [f.message for f in host.failure_findings()] == [
        "The provider plugin failed and is disabled for this session: "
        "panel 'Panel' failed: ValueError: no"
    ]
