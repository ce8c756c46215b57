"""The plugin host: finds plugins, validates what they register, isolates failures.

Built-in plugins are found through the same ``assessor_tui`` entry-point group
as anyone else's. A plugin that fails to import, whose hook raises, or whose
framework is invalid is marked failed with the reason and set aside; the rest
keep working; a plugin that fails once loaded keeps its (validated) frameworks, so
visits on them still open. Each hook's answer is checked here, so one that returns
the wrong type fails like one that raises; so does one that calls ``sys.exit()``: only
Ctrl+C passes through a plugin. ``ASSESSOR_DISABLE_PLUGINS=a,b`` blocks plugins by name.
A plugin's command that raises or returns the wrong thing when the assessor runs it is
disabled on its own, for the session: the plugin's framework, rules
and the visit open on it carry on.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from assessor_tui.domain.checks import EditRefused
from assessor_tui.frameworks.errors import FrameworkInvalid, Problem
from assessor_tui.frameworks.loader import iter_yaml_files, load_bytes, load_file
from assessor_tui.frameworks.model import Framework
from assessor_tui.plugins import hookspecs
from assessor_tui.plugins.markers import API_VERSION, PROJECT

if TYPE_CHECKING:
    from assessor_tui.domain.edits import Editor
    from assessor_tui.domain.findings import Finding
    from assessor_tui.domain.records import Change
    from assessor_tui.domain.visit import Visit

ENTRY_POINT_GROUP = PROJECT
PASS_THROUGH = (KeyboardInterrupt, GeneratorExit)
"""What a plugin may raise past the host: the assessor pressing Ctrl+C, and Python closing a
generator. Anything else, SystemExit included, fails the plugin, not the app."""
DISABLE_ENV = "ASSESSOR_DISABLE_PLUGINS"
USER_FRAMEWORKS = "user-frameworks"
"""The owner named for YAML files dropped into the user's frameworks folder."""

Status = Literal["ok", "failed", "disabled"]


@dataclass
class PluginInfo:
    name: str
    version: str
    module: str
    status: Status = "ok"
    reason: str = ""
    frameworks: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "module": self.module,
            "status": self.status,
            "reason": self.reason,
            "frameworks": self.frameworks,
            "hooks": self.hooks,
        }


@dataclass(frozen=True)
class Panel:
    """A panel a plugin offers for its framework's visits, loaded only by the app."""

    framework_id: str
    title: str
    target: str
    owner: str


Edit = Callable[["Editor"], "Change"]
"""One edit, as the app makes them: called with the visit's Editor, returns its Change
(``lambda e: e.set_level("1.1", "met")``)."""


@dataclass(frozen=True)
class CommandResult:
    """What a plugin's command asks of the app, done in this order: stage ``edits`` (all or
    none, validated like the assessor's own, then autosaved), move to the item ``jump_to``,
    show ``message``. A command may also return just a list of edits, or None."""

    edits: Sequence[Edit] = ()
    jump_to: str | None = None
    message: str = ""


CommandFunction = Callable[..., "CommandResult | Sequence[Edit] | None"]
"""A command: takes ``visit`` and ``framework`` and, if it names it, ``current`` (the id of the
item the assessor is on, or None). Like hooks, it may name fewer; they are passed by name."""
COMMAND_ARGS = ("visit", "framework", "current")


@dataclass(frozen=True, eq=False)
class Command:
    """A command a plugin offers on its framework's visits; the command palette lists it."""

    framework_id: str
    title: str
    run: CommandFunction
    owner: str
    argnames: tuple[str, ...]

    @property
    def label(self) -> str:
        """As the palette shows it: the plugin's name, then the title."""
        return f"{self.owner}: {self.title}"


class CommandFailed(EditRefused):
    """A plugin's command raised or returned the wrong thing; it is disabled for the session.

    An EditRefused, so that an edit of the command's failing inside the app's usual staging
    is shown like any refused edit, and nothing of it is applied."""


@dataclass(frozen=True)
class Registered:
    framework: Framework
    owner: str
    source: str


class PluginHost:
    """Everything the app knows about plugins and the frameworks they provide."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.frameworks: dict[str, Registered] = {}
        self.problems: list[Problem] = []
        self.panels: list[Panel] = []
        self.commands: list[Command] = []
        self.failed_commands: dict[Command, str] = {}
        """Commands disabled for the session, with the reason."""
        self.loaded = False
        """Set once ``load_host`` has collected everything; failures after it are "in use"."""
        self.failed_in_use: dict[str, str] = {}
        """Plugins disabled after loading (a hook raised or answered wrong), with the reason."""

    # ------------------------------------------------------------ loading

    def add_plugin(self, name: str, module: ModuleType | object, version: str = "") -> PluginInfo:
        """Register a plugin object (a module or an instance with hookimpls)."""
        info = PluginInfo(name, version, getattr(module, "__name__", type(module).__name__))
        self.plugins[name] = info
        if self.pm.is_blocked(name):
            info.status, info.reason = "disabled", f"blocked by {DISABLE_ENV}"
            return info
        refusal = api_refusal(module)
        if refusal:
            return self._fail(name, refusal)
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # a malformed hookimpl: refuse this plugin only
            return self._fail(name, f"cannot register: {_describe(exc)}")
        info.hooks = sorted(c.name for c in self.pm.get_hookcallers(module) or ())
        return info

    def load_entry_points(self) -> None:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in self.plugins:
                continue
            version = ep.dist.version if ep.dist else ""
            if self.pm.is_blocked(ep.name):
                self.plugins[ep.name] = PluginInfo(
                    ep.name, version, ep.value, "disabled", f"blocked by {DISABLE_ENV}"
                )
                continue
            try:
                module = ep.load()
            except PASS_THROUGH:
                raise
            except BaseException as exc:
                info = PluginInfo(ep.name, version, ep.value)
                self.plugins[ep.name] = info
                self._fail(ep.name, f"import failed: {_describe(exc)}")
                continue
            self.add_plugin(ep.name, module, version)

    def block(self, names: Iterable[str]) -> None:
        for name in names:
            if name:
                self.pm.set_blocked(name)

    # ------------------------------------------------------------ calling hooks

    def call_each(self, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call every implementation of ``hook`` on its own, so one that raises is
        reported and its plugin disabled, while the others still answer."""
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            ok, result = self._call(impl, hook, kwargs)
            if ok:
                yield impl.plugin_name, result

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> tuple[bool, Any]:
        """Call one implementation; its answer is checked (and a generator run) here too, so
        what it returns wrong or raises late fails its plugin instead of the caller."""
        try:
            result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            check = RESULTS.get(hook)
            return True, result if result is None or check is None else check(result)
        except FrameworkInvalid as exc:
            self._fail(impl.plugin_name, f"invalid framework: {exc}")
        except WrongResult as exc:
            self._fail(impl.plugin_name, f"hook {hook} returned {exc}")
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # a plugin's sys.exit() ends the plugin, not the app
            self._fail(impl.plugin_name, f"hook {hook} raised {_describe(exc)}")
        return False, None

    def disable(self, name: str, reason: str) -> PluginInfo:
        """Disable a plugin for the session for what the app saw go wrong outside a hook (a
        panel that fails to open): it is named with the reason, as if a hook had raised."""
        return self._fail(name, reason)

    def _fail(self, name: str, reason: str) -> PluginInfo:
        """Disable a plugin for the session. While loading, its frameworks go with it; once
        loaded they stay (they were validated), so a visit open on one, or reopened later in
        the session, carries on without the plugin's hooks."""
        info = self.plugins.setdefault(name, PluginInfo(name, "", name))
        if info.status != "failed":
            info.status, info.reason = "failed", reason
            if self.loaded:
                self.failed_in_use[name] = reason
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        if not self.loaded:
            for fid in info.frameworks:
                self.frameworks.pop(fid, None)
        return info

    # ------------------------------------------------------------ frameworks

    def collect_frameworks(self) -> None:
        """Ask each plugin for its frameworks, with a ``register`` that knows the caller."""
        for impl in reversed(self.pm.hook.register_frameworks.get_hookimpls()):

            def register(
                source: Framework | Path | Traversable,
                owner: str = impl.plugin_name,
            ) -> None:
                self._register(owner, source)

            self._call(impl, "register_frameworks", {"register": register})

    def _register(self, owner: str, source: Framework | Path | Traversable) -> None:
        if isinstance(source, Framework):
            framework, where = source, f"{owner} (in code)"
        elif isinstance(source, Path):
            framework, where = load_file(source, source.name), source.name
        elif isinstance(source, Traversable):
            framework, where = load_bytes(source.read_bytes(), source.name), source.name
        else:
            raise TypeError(f"register() takes a Framework or a path, not {type(source).__name__}")
        existing = self.frameworks.get(framework.id)
        if existing is not None:
            raise ValueError(
                f"framework id '{framework.id}' is already provided by {existing.owner}"
            )
        self.frameworks[framework.id] = Registered(framework, owner, where)
        if owner in self.plugins:
            self.plugins[owner].frameworks.append(framework.id)

    def collect_panels(self) -> None:
        """Panels by framework, as import paths: nothing of the app is imported here."""
        for impl in reversed(self.pm.hook.register_panels.get_hookimpls()):

            def register(
                framework_id: str, title: str, target: str, owner: str = impl.plugin_name
            ) -> None:
                if not (isinstance(target, str) and ":" in target):
                    raise TypeError(f"register() takes 'package.module:Class', not {target!r}")
                self.panels.append(Panel(framework_id, title, target, owner))

            self._call(impl, "register_panels", {"register": register})

    def panels_for(self, framework_id: str) -> list[Panel]:
        return [
            p
            for p in self.panels
            if p.framework_id == framework_id
            and self.plugins.get(p.owner, PluginInfo(p.owner, "", "")).status == "ok"
        ]

    def collect_commands(self) -> None:
        """Commands by framework: each is checked as it is registered, run only on demand."""
        for impl in reversed(self.pm.hook.register_commands.get_hookimpls()):

            def register(
                framework_id: str, title: str, run: CommandFunction, owner: str = impl.plugin_name
            ) -> None:
                self.commands.append(_command(framework_id, title, run, owner))

            self._call(impl, "register_commands", {"register": register})

    def commands_for(self, framework_id: str) -> list[Command]:
        """The commands on offer for a framework's visits: not failed, their plugin working."""
        return [
            c
            for c in self.commands
            if c.framework_id == framework_id
            and c not in self.failed_commands
            and self.plugins.get(c.owner, PluginInfo(c.owner, "", "")).status == "ok"
        ]

    def run_command(
        self, command: Command, visit: Visit, framework: Framework, current: str | None = None
    ) -> CommandResult:
        """Run a command for the visit the assessor is on; its edits come back guarded, so one
        that raises or returns no Change fails like the command itself. Raises CommandFailed,
        the command then disabled for the session, when it raises or returns something else.
        Nothing here applies an edit: the app stages them as it stages the assessor's own."""
        if command in self.failed_commands:
            raise CommandFailed(self._command_message(command))
        values = {"visit": visit, "framework": framework, "current": current}
        try:
            result = command.run(*(values[name] for name in command.argnames))
        except PASS_THROUGH:
            raise
        except BaseException as exc:
            raise self._command_failed(command, f"it raised {_describe(exc)}") from None
        outcome = self._outcome(command, result, framework)
        return CommandResult(
            tuple(self._guarded(command, edit) for edit in outcome.edits),
            outcome.jump_to,
            outcome.message,
        )

    def _outcome(self, command: Command, result: object, framework: Framework) -> CommandResult:
        if result is None:
            return CommandResult()
        if isinstance(result, list | tuple):
            result = CommandResult(tuple(result))
        if not isinstance(result, CommandResult):
            raise self._command_failed(
                command,
                f"it returned {type(result).__name__}, not a CommandResult or a list of edits",
            )
        if not isinstance(result.edits, list | tuple):
            raise self._command_failed(
                command, f"its edits are of type {type(result.edits).__name__}, not a list"
            )
        wrong = next((e for e in result.edits if not callable(e)), None)
        if wrong is not None:
            raise self._command_failed(
                command, f"it returned an edit of type {type(wrong).__name__}, not a function"
            )
        jump = result.jump_to
        if jump is not None and not (isinstance(jump, str) and framework.item(jump) is not None):
            raise self._command_failed(
                command, f"it jumps to {jump!r}, which is not an item of {framework.id}"
            )
        if not isinstance(result.message, str):
            raise self._command_failed(
                command, f"its message is of type {type(result.message).__name__}, not text"
            )
        return result

    def _guarded(self, command: Command, edit: Edit) -> Edit:
        from assessor_tui.domain.records import Change

        def guarded(editor: Editor) -> Change:
            try:
                change = edit(editor)
            except (EditRefused, *PASS_THROUGH):
                raise  # refused like any edit: the message says why, the command stays
            except BaseException as exc:
                raise self._command_failed(command, f"an edit raised {_describe(exc)}") from None
            if not isinstance(change, Change):
                raise self._command_failed(
                    command, f"an edit returned {type(change).__name__}, not a Change"
                )
            return change

        return guarded

    def _command_failed(self, command: Command, reason: str) -> CommandFailed:
        self.failed_commands.setdefault(command, reason)
        return CommandFailed(self._command_message(command))

    def _command_message(self, command: Command) -> str:
        return (
            f"The {command.owner} plugin's command {command.title!r} failed and is disabled "
            f"for this session: {self.failed_commands.get(command, 'it failed earlier')}"
        )

    def load_user_frameworks(self, folder: Path | None) -> None:
        """YAML files dropped into the user's folder: invalid ones are reported, not fatal."""
        if folder is None:
            return
        for path in iter_yaml_files(folder):
            try:
                self._register(USER_FRAMEWORKS, path)
            except FrameworkInvalid as exc:
                self.problems.extend(exc.problems)
            except ValueError as exc:
                self.problems.append(Problem(path.name, None, "", str(exc)))

    # ------------------------------------------------------------ queries

    def framework(self, framework_id: str) -> Framework | None:
        registered = self.frameworks.get(framework_id)
        return registered.framework if registered else None

    def evaluate(self, visit: Visit, framework: Framework) -> list[Finding]:
        """Every plugin's findings; one that returns something else is disabled."""
        findings: list[Finding] = []
        for _, result in self.call_each("evaluate_visit", visit=visit, framework=framework):
            if result is not None:
                findings.extend(result)
        return findings

    def failure_findings(self) -> list[Finding]:
        """One warning per plugin disabled while in use, naming it and why, for the app and
        the CLI to show beside the findings, so the assessor knows its rules are off."""
        from assessor_tui.domain.findings import Finding

        return [
            Finding(
                f"plugin-failed.{name}",
                f"The {name} plugin failed and is disabled for this session: {reason}",
                "warning",
            )
            for name, reason in self.failed_in_use.items()
        ]

    def missing_plugin_message(self, framework_id: str, version: str) -> str:
        """Why a visit's framework cannot be used, for opening and exporting alike: another
        version is installed, or the plugin that provides it failed (with the reason), is
        blocked by ASSESSOR_DISABLE_PLUGINS, or is not installed."""
        wanted = f"framework '{framework_id}' version {version}"
        installed = self.framework(framework_id)
        if installed is not None and installed.version != version:
            owner = self.frameworks[framework_id].owner
            return (f"this visit was recorded against {wanted}, but plugin '{owner}' provides "
                    f"version {installed.version}: install the version of '{owner}' that "
                    f"provides {version} to export the record (the JSON export works without it)")
        info = next(
            (p for p in self.plugins.values() if p.status != "ok" and framework_id in p.frameworks),
            self.plugins.get(framework_id),  # not loaded (blocked, or failed to import)
        )
        if info is not None and info.status == "failed":
            return f"this visit needs plugin '{info.name}' ({wanted}), which failed: {info.reason}"
        if info is not None and info.status == "disabled":
            return (f"this visit needs plugin '{info.name}' ({wanted}), which is disabled: "
                    f"{info.reason}")
        unloaded = [  # blocked or failed before registering: what they provide is unknown
            f"{p.name} ({p.status}: {p.reason})"
            for p in self.plugins.values()
            if p.status != "ok" and not p.frameworks and p.name not in self.failed_in_use
        ]
        return (f"this visit needs {wanted}, which no installed plugin provides: install the "
                f"plugin that provides '{framework_id}' (usually named '{framework_id}')"
                + (f"; it may be one of the plugins that did not load: {', '.join(unloaded)}"
                   if unloaded else ""))

    def returned_wrong(self, name: str, hook: str, value: object, expected: str) -> None:
        """Disable a plugin whose hook returned something it should not have."""
        self._fail(name, f"hook {hook} returned {type(value).__name__}, not {expected}")


class WrongResult(Exception):
    """A hook answered with something its spec does not allow; the message says what."""

    def __init__(self, value: object, expected: str) -> None:
        super().__init__(f"{type(value).__name__}, not {expected}")


def _items(value: object, expected: str) -> list[Any]:
    """A hook's iterable answer as a list; a generator's own errors raise here."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise WrongResult(value, expected)
    return list(value)


def _findings(value: object) -> list[Finding]:
    from assessor_tui.domain.findings import Finding

    items = [value] if isinstance(value, Finding) else _items(value, "a list of Findings")
    wrong = next((f for f in items if not isinstance(f, Finding)), None)
    if wrong is not None:
        raise WrongResult(wrong, "a Finding")
    return items


def _id_map(value: object) -> dict[str, str | None]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise WrongResult(value, "a mapping of item ids")
    return dict(value)


RESULTS: dict[str, Callable[[Any], Any]] = {
    "evaluate_visit": _findings,
    "check_record": _findings,
    "report_sections": lambda value: _items(value, "a list of report blocks"),
    "migrate_visit": _id_map,
}
"""What each hook that answers must answer (beside None). Report blocks are checked by the
report builder, which owns their types."""


def api_refusal(plugin: object) -> str | None:
    """Why a plugin cannot run against this plugin API, or None when it can.

    A plugin says which API versions it supports as a PEP 440 specifier in
    ``ASSESSOR_API`` (e.g. ``">=1.0,<2"``); one that says nothing is taken at its word.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    wanted = getattr(plugin, "ASSESSOR_API", None)
    if wanted is None:
        return None
    try:
        spec = SpecifierSet(str(wanted))
    except InvalidSpecifier:
        return f"ASSESSOR_API {wanted!r} is not a version range such as '>=1.0,<2'"
    if API_VERSION in spec:
        return None
    return f"needs plugin API {spec}, but this assessor provides plugin API {API_VERSION}"


def _command(framework_id: str, title: str, run: CommandFunction, owner: str) -> Command:
    """A command as registered, refused at once when it could never be called."""
    if not (isinstance(framework_id, str) and isinstance(title, str) and title.strip()):
        raise TypeError("register() takes a framework id and a title, both text")
    if not callable(run):
        raise TypeError(f"register() takes a function of (visit, framework), not {run!r}")
    try:
        parameters = inspect.signature(run).parameters.values()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"command {title!r}: cannot read its parameters ({exc})") from None
    names = tuple(  # what it names of COMMAND_ARGS, and anything else it cannot do without
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and (p.name in COMMAND_ARGS or p.default is p.empty)
    )
    unknown = [name for name in names if name not in COMMAND_ARGS]
    if unknown:
        raise TypeError(
            f"command {title!r} takes {', '.join(unknown)}; a command may take "
            f"{', '.join(COMMAND_ARGS)}"
        )
    return Command(framework_id, title.strip(), run, owner, names)


def _describe(exc: BaseException) -> str:
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def blocked_from_env() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def load_host(
    *,
    frameworks_dir: Path | None = None,
    entry_points: bool = True,
    plugins: Iterable[tuple[str, object]] = (),
    blocked: Iterable[str] | None = None,
) -> PluginHost:
    """The one factory for the CLI, the app and tests."""
    host = PluginHost()
    host.block(blocked_from_env() if blocked is None else blocked)
    for name, plugin in plugins:
        host.add_plugin(name, plugin)
    if entry_points:
        host.load_entry_points()
    host.collect_frameworks()
    host.collect_panels()
    host.collect_commands()
    host.load_user_frameworks(frameworks_dir)
    host.loaded = True
    return host
