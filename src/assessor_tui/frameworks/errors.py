"""Problems found in a framework file, each pointing at a file, line and path."""

from __future__ import annotations

from dataclasses import dataclass

from assessor_tui.errors import AssessorError


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, printed as ``file:line: path: message``."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class FrameworkInvalid(AssessorError):
    """A framework file failed to load; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            str(problems[0])
            if len(problems) == 1
            else f"{problems[0]} (and {len(problems) - 1} more problems)"
        )
