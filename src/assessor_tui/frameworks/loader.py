"""Load framework files: YAML → checked data → immutable `Framework`.

YAML is parsed by libyaml: first its events alone, to refuse a file that would
crash or hang what follows (too deep, an alias bomb, a recursive alias), then
into a node tree, which is walked alongside the data to remember the line of
every path, so that every problem (from pydantic or from the cross-reference
checks) can name ``file:line: path``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from assessor_tui.frameworks.checks import cross_reference_problems
from assessor_tui.frameworks.errors import FrameworkInvalid, Problem
from assessor_tui.frameworks.model import FORMAT_VERSION, ITEM_KINDS, Framework

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

MAX_BYTES = 2 * 1024 * 1024
"""Framework files are tens of kilobytes; anything past this is refused unread."""
MAX_DEPTH = 50
"""Nesting the built-in files keep under 10; libyaml's composer recurses in C, so a deeper
file (a few hundred kilobytes of ``[[[…``) would crash the process, not raise."""
MAX_VALUES = 50_000
"""Values in a file once aliases are expanded (the largest built-in has about 1,000): a
kilobyte of nested aliases ("billion laughs") would otherwise expand past any memory."""

PathKey = tuple[str | int, ...]

_TAG_NAMES = {"int": "an integer", "float": "a number", "timestamp": "a date"}


class _BadValue(Exception):
    """A scalar the YAML constructor could not convert (``2009-13-01`` as a date)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_LIBYAML = hasattr(yaml, "CSafeLoader")


# the base is picked at run time (libyaml's loader where PyYAML was built with it)
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when present), reporting an unconvertible value with its
    line instead of letting Python's ValueError escape."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            value = str(node.value)
            shown = value if len(value) <= 40 else value[:39] + "…"
            reason = str(exc).split(";")[0]
            raise _BadValue(
                node.start_mark.line + 1,
                f"cannot read '{shown}' as {_TAG_NAMES.get(tag, tag)}: "
                f"{reason[:1].lower()}{reason[1:]}; put it in quotes if it is text",
            ) from None


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Lines:
    """Line numbers by data path, with the nearest ancestor as a fallback."""

    def __init__(self) -> None:
        self._lines: dict[PathKey, int] = {}

    def add(self, path: PathKey, line: int) -> None:
        self._lines.setdefault(path, line)

    def of(self, path: PathKey) -> int | None:
        while True:
            if path in self._lines:
                return self._lines[path]
            if not path:
                return None
            path = path[:-1]


def _walk(node: yaml.Node, path: PathKey, lines: Lines, dupes: list[tuple[PathKey, int]]) -> None:
    lines.add(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            lines.add((*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), lines, dupes)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FrameworkInvalid(
            [
                Problem(
                    name,
                    line,
                    "",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                )
            ]
        ) from None


class _PyLoader(yaml.SafeLoader):
    """PyYAML's own scanner and parser, which set no nesting limit of their own; used only
    to find where a file the library refused first broke this loader's limits."""


def _shape_problem(text: str, name: str) -> Problem | None:
    """Walk the YAML events (no tree is built) for a file too deep, too large once aliases
    are expanded, or with an alias inside its own anchor: each would hang or crash the
    composer, ``_walk`` or validation, so they are refused before any of those run.

    The loader's limits win over the library's: libyaml 0.2.6 refuses more than 1,000
    levels itself, and reads far enough ahead of its events (a line of ``[[[…``) to do so
    before this walk sees level 51. When the library refuses the file, PyYAML's own parser
    walks it again up to the refused line, and a limit of ours broken there is reported
    instead, with the line and message any libyaml would give."""
    try:
        return _walk_events(_Loader(text), name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if not _LIBYAML or mark is None:
            raise  # already PyYAML's own parser, or no place to stop at
        try:
            problem = _walk_events(_PyLoader(text), name, stop_line=mark.line)
        except yaml.YAMLError:
            problem = None
        if problem is None:
            raise
        return problem


def _walk_events(events: Any, name: str, stop_line: int | None = None) -> Problem | None:
    """The first limit ``events`` break, or None at the end of the stream (or once an event
    starts past ``stop_line``, 0-based)."""
    stack: list[list[Any]] = []  # per open collection: [anchor, values so far]
    sizes: dict[str, int] = {}  # anchor → values it stands for
    total = 0
    try:
        while True:
            event = events.get_event()
            kind = type(event)
            if event is None or (stop_line is not None and event.start_mark.line > stop_line):
                return None
            if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                if kind is yaml.AliasEvent:
                    open_anchor = event.anchor not in sizes and any(
                        frame[0] == event.anchor for frame in stack
                    )
                    if open_anchor:  # a reused anchor name is the composer's to report
                        return Problem(
                            name,
                            event.start_mark.line + 1,
                            "",
                            f"alias '*{event.anchor}' is inside its own anchor "
                            f"'&{event.anchor}', so it never ends",
                        )
                    count = sizes.get(event.anchor, 1)  # undefined: the composer says so
                else:
                    count = 1
                    if event.anchor is not None:
                        sizes[event.anchor] = 1
                total += count
                if stack:
                    stack[-1][1] += count
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                total += 1
                stack.append([event.anchor, 1])
                if len(stack) > MAX_DEPTH:
                    return Problem(
                        name,
                        event.start_mark.line + 1,
                        "",
                        f"nested more than {MAX_DEPTH} levels deep",
                    )
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                anchor, count = stack.pop()
                if anchor is not None:
                    sizes[anchor] = count
                if stack:
                    stack[-1][1] += count
            elif kind is yaml.StreamEndEvent:
                return None
            if total > MAX_VALUES:
                return Problem(
                    name,
                    event.start_mark.line + 1,
                    "",
                    f"more than {MAX_VALUES:,} values, each alias counted as what it repeats; "
                    "a framework file has a few thousand",
                )
    finally:
        events.dispose()


def _yaml_problem(exc: yaml.YAMLError, raw: bytes, name: str) -> Problem:
    """A PyYAML error as one located line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "cannot parse"
        if exc.context and exc.problem and exc.context_mark:
            what += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        return Problem(name, line, "", f"YAML syntax error: {what}")
    if isinstance(exc, yaml.reader.ReaderError):  # a control character, e.g. NUL
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        line = raw.count(b"\n", 0, exc.position) + 1  # libyaml counts bytes
        return Problem(
            name, line, "", f"YAML syntax error: unacceptable character #x{code:04x}: {exc.reason}"
        )
    return Problem(name, None, "", "YAML error: " + " ".join(str(exc).split()))


def parse(raw: bytes, name: str) -> tuple[Any, Lines]:
    """YAML bytes → (data, lines). Raises FrameworkInvalid for syntax and encoding errors."""
    text = _decode(raw, name)
    loader = _Loader(text)
    try:
        shape = _shape_problem(text, name)
        if shape is not None:
            raise FrameworkInvalid([shape])
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise FrameworkInvalid([_yaml_problem(exc, raw, name)]) from None
    except _BadValue as exc:
        raise FrameworkInvalid([Problem(name, exc.line, "", exc.message)]) from None
    finally:
        loader.dispose()
    lines = Lines()
    dupes: list[tuple[PathKey, int]] = []
    if node is not None:
        _walk(node, (), lines, dupes)
    if dupes:
        raise FrameworkInvalid(
            [Problem(name, line, format_path(p), f"duplicate key '{p[-1]}'") for p, line in dupes]
        )
    return data, lines


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "empty"}.get(
        type(value), type(value).__name__
    )


def _data_path(data: Any, loc: tuple[str | int, ...]) -> PathKey:
    """Drop pydantic's union-tag entries from ``loc`` so it names a path in the file."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        # two branches, so the type checker knows a list is indexed by an int
        if isinstance(data, list) and isinstance(part, int) and part < len(data):  # noqa: SIM114
            data = data[part]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, dict) and i == len(loc) - 1:
            pass  # a missing field: keep its name
        else:
            continue
        path.append(part)
    return tuple(path)


def _message(error: ErrorDetails) -> str:
    kind, msg, ctx = error["type"], error["msg"], error.get("ctx") or {}
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "union_tag_invalid":
        return f"unknown item kind '{ctx.get('tag')}'; expected one of {', '.join(ITEM_KINDS)}"
    if kind == "union_tag_not_found":
        return f"missing 'kind'; expected one of {', '.join(ITEM_KINDS)}"
    if kind == "too_short" and ctx.get("actual_length") == 0:
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"'{error['input']}' is not a valid identifier"
    if kind == "literal_error":
        return f"{error['input']!r} is not allowed; expected {ctx.get('expected')}"
    return msg[0].lower() + msg[1:]


def _validation_problems(exc: ValidationError, data: Any, lines: Lines, name: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors(include_url=False):
        if error["type"] == "too_short" and error.get("input"):
            continue  # pydantic's echo of a failed element: the element's own error says it
        path = _data_path(data, error["loc"])
        message = _message(error)
        if (format_path(path), message) in seen:
            continue  # a `str | Point` union reports one mistake twice
        seen.add((format_path(path), message))
        problems.append(Problem(name, lines.of(path), format_path(path), message))
    return problems


def _shown(value: object) -> str:
    """A value as the file spells it: ``true``, not Python's ``True``."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def build(data: Any, lines: Lines, name: str) -> Framework:
    """Checked data → Framework, or FrameworkInvalid listing every problem."""
    if not isinstance(data, dict):
        raise FrameworkInvalid(
            [
                Problem(
                    name,
                    lines.of(()) or 1,
                    "",
                    f"a framework file must be a mapping, not {_type_name(data)}",
                )
            ]
        )
    version = data.get("format")
    if version is None:
        raise FrameworkInvalid(
            [
                Problem(
                    name,
                    lines.of(()) or 1,
                    "format",
                    f"missing; this assessor reads format {FORMAT_VERSION}",
                )
            ]
        )
    if type(version) is not int or version != FORMAT_VERSION:  # `true` and 1.0 equal 1
        raise FrameworkInvalid(
            [
                Problem(
                    name,
                    lines.of(("format",)),
                    "format",
                    f"unknown format version {_shown(version)}; "
                    f"this assessor reads format {FORMAT_VERSION}",
                )
            ]
        )
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkInvalid(_validation_problems(exc, data, lines, name)) from None
    problems = [
        Problem(name, lines.of(path), format_path(path), message)
        for path, message in cross_reference_problems(framework)
    ]
    if problems:
        raise FrameworkInvalid(problems)
    return framework


def load_bytes(raw: bytes, name: str) -> Framework:
    if len(raw) > MAX_BYTES:
        raise FrameworkInvalid([_too_big(name, len(raw))])
    data, lines = parse(raw, name)
    return build(data, lines, name)


def load_file(path: Path, name: str | None = None) -> Framework:
    """Load one framework file; the size is checked before a byte is read, and no more
    than the limit is ever read (a pipe or ``/dev/zero`` reports no size)."""
    name = name or str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise FrameworkInvalid([_too_big(name, size)])
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except FrameworkInvalid:
        raise
    except OSError as exc:
        raise FrameworkInvalid([Problem(name, None, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise FrameworkInvalid([_too_big(name, None)])
    return load_bytes(raw, name)


def _too_big(name: str, size: int | None) -> Problem:
    limit = f"framework files are limited to {MAX_BYTES // 1_048_576} MB"
    if size is None:  # a pipe or a device: no size until read
        return Problem(name, None, "", f"more than {MAX_BYTES // 1_048_576} MB; {limit}")
    return Problem(name, None, "", f"file is {size / 1_048_576:.1f} MB; {limit}")


def iter_yaml_files(folder: Path) -> Iterator[Path]:
    """The framework files in a folder, in a stable order; ``.YAML`` counts too (Windows
    and macOS users do not see case in names)."""
    if folder.is_dir():
        yield from sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
