"""The plugin host: finds plugins, validates what they register, isolates failures.

Built-in plugins are found through the same ``assessor_tui`` entry-point group
as anyone else's. A plugin that fails to import, whose hook raises, or whose
framework is invalid is marked failed with the reason and set aside; the rest
keep working; a plugin that fails once loaded keeps its (validated) frameworks, so
visits on them still open. Each hook's answer is checked as it is called (``answers``),
so one that returns the wrong type fails like one that raises; so does one that calls
``sys.exit()``: only Ctrl+C passes through a plugin (``isolation``).
``ASSESSOR_DISABLE_PLUGINS=a,b`` blocks plugins by name. The commands plugins register
are kept and run by the command runtime (``commands``), which disables a failing command
on its own. The host knows hooks only by name: what each answers is ``answers``' business.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from assessor_tui.domain.findings import Finding
from assessor_tui.frameworks.errors import FrameworkInvalid, Problem
from assessor_tui.frameworks.loader import iter_yaml_files, load_bytes, load_file
from assessor_tui.frameworks.model import Framework
from assessor_tui.plugins import hookspecs
from assessor_tui.plugins.answers import WrongResult, checked
from assessor_tui.plugins.commands import Command, CommandFunction, CommandResult, Commands
from assessor_tui.plugins.isolation import PASS_THROUGH, describe
from assessor_tui.plugins.markers import API_VERSION, PROJECT

if TYPE_CHECKING:
    from assessor_tui.domain.visit import Visit

ENTRY_POINT_GROUP = PROJECT
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
        self.commands = Commands()
        """The commands plugins offer, and those disabled for the session."""
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
            return self._fail(name, f"cannot register: {describe(exc)}")
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
                self._fail(ep.name, f"import failed: {describe(exc)}")
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
            return True, checked(hook, result)
        except FrameworkInvalid as exc:
            self._fail(impl.plugin_name, f"invalid framework: {exc}")
        except WrongResult as exc:
            self._fail(impl.plugin_name, f"hook {hook} returned {exc}")
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # a plugin's sys.exit() ends the plugin, not the app
            self._fail(impl.plugin_name, f"hook {hook} raised {describe(exc)}")
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
                self.commands.add(framework_id, title, run, owner)

            self._call(impl, "register_commands", {"register": register})

    def commands_for(self, framework_id: str) -> list[Command]:
        """The commands on offer for a framework's visits: not failed, their plugin working."""
        return self.commands.offered(framework_id, self._working)

    def run_command(
        self, command: Command, visit: Visit, framework: Framework, current: str | None = None
    ) -> CommandResult:
        """Run a command for the visit the assessor is on (see ``Commands.run``); raises
        CommandFailed, the command then disabled for the session, when it misbehaves."""
        return self.commands.run(command, visit, framework, current)

    def _working(self, name: str) -> bool:
        return self.plugins.get(name, PluginInfo(name, "", "")).status == "ok"

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
