"""The command runtime: the commands plugins offer in the palette, checked as they are
registered and contained as they run.

A command that raises or returns the wrong thing when the assessor runs it is disabled on
its own, for the session: the plugin's framework, rules and the visit open on it carry on.
Nothing here applies an edit; the app stages a command's edits as it stages the assessor's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assessor_tui.domain.checks import EditRefused
from assessor_tui.domain.edits import Editor
from assessor_tui.domain.records import Change
from assessor_tui.domain.visit import Visit
from assessor_tui.frameworks.model import Framework
from assessor_tui.plugins.isolation import PASS_THROUGH, describe

Edit = Callable[[Editor], Change]
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


def make_command(framework_id: str, title: str, run: CommandFunction, owner: str) -> Command:
    """A command as registered, refused at once (TypeError) when it could never be called."""
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


class Commands:
    """The commands registered this session, and those disabled, each with the reason."""

    def __init__(self) -> None:
        self.registered: list[Command] = []
        self.failed: dict[Command, str] = {}

    def add(self, framework_id: str, title: str, run: CommandFunction, owner: str) -> None:
        """Register a command; raises TypeError when it could never be called."""
        self.registered.append(make_command(framework_id, title, run, owner))

    def offered(self, framework_id: str, working: Callable[[str], bool]) -> list[Command]:
        """The commands for a framework's visits: not failed, their plugin ``working``."""
        return [
            c
            for c in self.registered
            if c.framework_id == framework_id and c not in self.failed and working(c.owner)
        ]

    def run(
        self, command: Command, visit: Visit, framework: Framework, current: str | None = None
    ) -> CommandResult:
        """Run a command for the visit the assessor is on; its edits come back guarded, so one
        that raises or returns no Change fails like the command itself. Raises CommandFailed,
        the command then disabled for the session, when it raises or returns something else."""
        if command in self.failed:
            raise CommandFailed(self._message(command))
        values = {"visit": visit, "framework": framework, "current": current}
        try:
            result = command.run(*(values[name] for name in command.argnames))
        except PASS_THROUGH:
            raise
        except BaseException as exc:
            raise self._failed(command, f"it raised {describe(exc)}") from None
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
            raise self._failed(
                command,
                f"it returned {type(result).__name__}, not a CommandResult or a list of edits",
            )
        if not isinstance(result.edits, list | tuple):
            raise self._failed(
                command, f"its edits are of type {type(result.edits).__name__}, not a list"
            )
        wrong = next((e for e in result.edits if not callable(e)), None)
        if wrong is not None:
            raise self._failed(
                command, f"it returned an edit of type {type(wrong).__name__}, not a function"
            )
        jump = result.jump_to
        if jump is not None and not (isinstance(jump, str) and framework.item(jump) is not None):
            raise self._failed(
                command, f"it jumps to {jump!r}, which is not an item of {framework.id}"
            )
        if not isinstance(result.message, str):
            raise self._failed(
                command, f"its message is of type {type(result.message).__name__}, not text"
            )
        return result

    def _guarded(self, command: Command, edit: Edit) -> Edit:
        def guarded(editor: Editor) -> Change:
            try:
                change = edit(editor)
            except (EditRefused, *PASS_THROUGH):
                raise  # refused like any edit: the message says why, the command stays
            except BaseException as exc:
                raise self._failed(command, f"an edit raised {describe(exc)}") from None
            if not isinstance(change, Change):
                raise self._failed(
                    command, f"an edit returned {type(change).__name__}, not a Change"
                )
            return change

        return guarded

    def _failed(self, command: Command, reason: str) -> CommandFailed:
        self.failed.setdefault(command, reason)
        return CommandFailed(self._message(command))

    def _message(self, command: Command) -> str:
        return (
            f"The {command.owner} plugin's command {command.title!r} failed and is disabled "
            f"for this session: {self.failed.get(command, 'it failed earlier')}"
        )
