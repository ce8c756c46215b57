"""The framework model (format 1): immutable, validated, the one vocabulary.

The same classes validate YAML files, generate the published JSON Schema and
are what plugins, the TUI and reports read. Lists are tuples and every model
is frozen, so a loaded framework can be shared freely.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

FORMAT_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$", max_length=64),
    Field(description="A short identifier, unique among its siblings (e.g. '1.1', 'q3')."),
]
FrameworkId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64),
    Field(description="Lowercase-kebab identifier, unique across installed frameworks."),
]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class FrozenDict(dict[str, str]):
    """A dict that refuses changes: one loaded framework is shared by the app and every
    plugin, so a plugin's stray ``descriptors[...] = …`` must not rewrite it for all."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a loaded framework cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, str]]]:
        return FrozenDict, (dict(self),)  # pickle and deepcopy without __setitem__


Descriptors = Annotated[dict[str, Text], AfterValidator(FrozenDict)]


# ---------------------------------------------------------------- scales


class Level(_Model):
    id: Id
    label: Text
    description: str | None = None
    unrated: bool = Field(
        default=False,
        description="Outside the low→high order, e.g. 'not seen': recorded, never scored.",
    )


class Scale(_Model):
    id: Id
    title: str | None = None
    levels: tuple[Level, ...] = Field(min_length=1, description="Ordered low → high.")

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)


# ---------------------------------------------------------------- guidance


class Point(_Model):
    """A bullet that has bullets of its own."""

    text: Text
    points: tuple[str, ...] = ()


class Guidance(_Model):
    """Context shown beside the criteria: aims, principles, a strategy cycle."""

    id: Id
    title: Text
    text: str | None = None
    points: tuple[str | Point, ...] = ()


# ---------------------------------------------------------------- items


class FieldSpec(_Model):
    """An extra value recorded with a criterion, such as a development focus."""

    id: Id
    kind: Literal["text", "number", "date", "choice", "boolean"] = "text"
    label: Text
    options: tuple[str, ...] = ()
    hint: str | None = None


class ChecklistEntry(_Model):
    id: Id
    text: Text


class CriterionChecklist(_Model):
    items: tuple[ChecklistEntry, ...] = Field(min_length=1)
    min_checked: int | None = Field(default=None, ge=0)


class _Item(_Model):
    id: Id
    title: Text
    text: str | None = None
    guidance: str | None = None


class Criterion(_Item):
    """A judgement against a scale."""

    kind: Literal["criterion"]
    scale: Id
    key: bool = Field(default=False, description="A key criterion (bold in the source).")
    descriptors: Descriptors | None = None
    checklist: CriterionChecklist | None = None
    fields: tuple[FieldSpec, ...] = ()


class Column(_Model):
    id: Id
    label: Text
    kind: Literal["text", "number", "percent", "date", "choice", "level"] = "text"
    options: tuple[str, ...] = ()
    scale: Id | None = Field(default=None, description="For kind 'level': the scale to pick from.")


class Row(_Model):
    id: Id
    label: Text
    hint: str | None = None


class Table(_Item):
    """Fixed rows × typed columns; extendable tables let the user add rows."""

    kind: Literal["table"]
    row_header: str | None = None
    columns: tuple[Column, ...] = Field(min_length=1)
    rows: tuple[Row, ...] = ()
    extendable: bool = False
    examples: tuple[str, ...] = Field(default=(), description="Hints for rows a user adds.")


class ListItem(_Item):
    """A user-entered list, such as the member schools of a partnership."""

    kind: Literal["list"]
    hint: str | None = None
    examples: tuple[str, ...] = ()


class Checklist(_Item):
    """Items to tick, such as a visit agenda."""

    kind: Literal["checklist"]
    items: tuple[ChecklistEntry, ...] = Field(min_length=1)
    min_checked: int | None = Field(default=None, ge=0)


class TextPrompt(_Item):
    """A free-text answer to a prompt or question."""

    kind: Literal["text"]
    hint: str | None = None
    scale: Id | None = Field(default=None, description="Optional progress judgement.")
    points: tuple[str | Point, ...] = ()


class Actions(_Item):
    """Action points: text, owner and due date."""

    kind: Literal["actions"]
    require_owner: bool = True
    require_due: bool = True


Item = Annotated[
    Criterion | Table | ListItem | Checklist | TextPrompt | Actions,
    Field(discriminator="kind"),
]
ITEM_KINDS = ("criterion", "table", "list", "checklist", "text", "actions")


class Section(_Model):
    id: Id
    title: Text
    text: str | None = None
    guidance: tuple[Guidance, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)


# ---------------------------------------------------------------- visit types


class Role(_Model):
    id: Id
    title: Text
    duties: tuple[str, ...] = Field(min_length=1)


class VisitType(_Model):
    """One kind of visit in a programme, e.g. Norfolk's visit 2 in the spring term."""

    id: Id
    title: Text
    term: str | None = None
    text: str | None = None
    sections: tuple[Id, ...] = Field(min_length=1)
    record: Literal["required", "none", "feedback-form"] = "required"
    outcomes: tuple[str | Point, ...] = ()
    links: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    qa_functions: tuple[str, ...] = ()


# ---------------------------------------------------------------- framework


class Framework(_Model):
    """A loaded, validated framework. Build one with the loader, not by hand."""

    format: Literal[1]
    id: FrameworkId
    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    title: Text
    publisher: Text
    source: Text
    description: str | None = None
    context: tuple[Guidance, ...] = ()
    scales: tuple[Scale, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)
    visit_types: tuple[VisitType, ...] = ()

    def scale(self, scale_id: str) -> Scale | None:
        return next((s for s in self.scales if s.id == scale_id), None)

    def criteria(self) -> list[Criterion]:
        return [i for s in self.sections for i in s.items if isinstance(i, Criterion)]

    def items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items]

    def item(self, item_id: str) -> Item | None:
        return next((i for _, i in self.items() if i.id == item_id), None)

    def next_item(self, after: str | None, among: set[str]) -> str | None:
        """The first item after ``after`` in the framework's order, wrapping round, whose
        id is in ``among`` (from the start when ``after`` is None or unknown): how "jump to
        the next one still to do" commands go round a framework."""
        order = [item.id for _, item in self.items()]
        start = order.index(after) + 1 if after in order else 0
        return next((i for i in order[start:] + order[:start] if i in among), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def visit_type(self, visit_type_id: str) -> VisitType | None:
        return next((v for v in self.visit_types if v.id == visit_type_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The framework in the format-1 vocabulary, defaults omitted, as JSON-ready data."""
        return self.model_dump(mode="json", exclude_defaults=True)
