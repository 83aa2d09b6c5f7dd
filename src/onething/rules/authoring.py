"""Rule packs as their authors write them: YAML read into a typed model (phase 1, *load*).

The model follows docs/rules.md §1. Loading never guesses: YAML 1.1's ``on``/``yes``/``no``
stay strings (``aggregate.on`` is a key, not ``True``), numbers with a point become exact
``Decimal`` (never ``float``), and every problem is reported with its path in the pack
(``parameters.refund_ratio.values[1]``) rather than a file line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from onething.rules.errors import Problem, Problems, RulesError
from onething.rules.params import check_parameters

NAME_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
"""lower_snake, no double or trailing underscore (``r__hit`` columns stay unambiguous)."""

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=48)]
TypeName = Literal["int", "decimal", "bool", "date", "text"]


def _expression_text(value: Any) -> Any:
    """A YAML scalar written where an expression goes (``default: 0``) as expression text."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    return value


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | Decimal | date) else value


ExprText = Annotated[str, BeforeValidator(_expression_text), StringConstraints(min_length=1)]
Text = Annotated[str, BeforeValidator(_text)]


Phase = Literal["pre", "in", "post", "batch"]
"""When a rule runs: before a step (事前), while handling (事中), after (事后), or in batch."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DatedValue(_Model):
    """A parameter's value over a period (``to`` inclusive; open-ended without it)."""

    valid_from: date = Field(alias="from")
    valid_to: date | None = Field(default=None, alias="to")
    value: Any
    reference: Text | None = None


class Parameter(_Model):
    """A named value with effective dates and its legal reference, like legislation."""

    title: Text | None = None
    description: Text | None = None
    type: TypeName
    unit: Text | None = None
    reference: Text | None = None
    values: list[DatedValue] = Field(min_length=1)


class Aggregate(_Model):
    """An aggregate over the rows of a registry table, or of another entity of the pack,
    that belong to the entity.

    ``on`` is either one column of the aggregated rows equal to the entity key, or a
    mapping ``{column: entity variable or key, ...}`` whose pairs must all be equal.
    """

    table: Name | None = None
    entity: Name | None = None
    on: Name | dict[Name, Name]
    where: ExprText | None = None
    value: ExprText
    default: Any = None

    @model_validator(mode="after")
    def _one_source(self) -> Aggregate:
        if (self.table is None) == (self.entity is None):
            raise ValueError("exactly one of table, entity is required")
        if isinstance(self.on, dict) and not self.on:
            raise ValueError("on needs at least one column")
        return self


class Variable(_Model):
    """A column of the entity's table, an expression, or an aggregate (exactly one)."""

    title: Text | None = None
    description: Text | None = None
    type: TypeName | None = None
    unit: Text | None = None
    column: Name | None = None
    expr: ExprText | None = None
    aggregate: Aggregate | None = None

    @model_validator(mode="after")
    def _one_definition(self) -> Variable:
        given = [k for k in ("column", "expr", "aggregate") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("exactly one of column, expr, aggregate is required")
        return self


class EntitySpec(_Model):
    """Where an entity's rows are: a registry table, its key, and its region column.

    ``key`` is a column or, for a table whose rows are named by several columns
    (``contributions``), the list of them; ``entity_id`` is the first. An entity other
    than the pack's own may carry ``variables``: another variable can aggregate over it.
    """

    table: Name
    key: Name | Annotated[list[Name], Field(min_length=1)]
    region: Name | None = None
    variables: dict[Name, Variable] = Field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        """The key columns (one, or several for a composite key)."""
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)


DEFAULT_ENTITIES: dict[str, EntitySpec] = {
    "person": EntitySpec(table="persons", key="person_id", region="hukou_region"),
    "enterprise": EntitySpec(table="enterprises", key="enterprise_id", region="region_code"),
    "region": EntitySpec(table="regions", key="code", region="code"),
}


class DecisionRow(_Model):
    when: ExprText
    then: ExprText


class DecisionTable(_Model):
    """Rows tried in order; the first whose ``when`` holds gives the value (CASE WHEN)."""

    title: Text | None = None
    description: Text | None = None
    type: TypeName | None = None
    unit: Text | None = None
    rows: list[DecisionRow] = Field(min_length=1)
    default: ExprText | None = None


class Basis(_Model):
    """The legal basis of a rule: document number and article."""

    document: Text
    article: Text | None = None


class Rule(_Model):
    """A condition on the entity's variables, with its amount, message and legal basis."""

    id: Name
    label: Text
    phase: Phase = "batch"
    severity: Literal["info", "warn", "block"] = "info"
    condition: ExprText
    amount: ExprText | None = None
    message: Text | None = None
    basis: Basis | None = None
    matters: list[Text] = Field(default_factory=list)


class PackTest(_Model):
    """A test case of the pack (read by ``onething rules test``)."""

    name: Text
    description: Text | None = None
    as_of: date
    entity_id: Text
    tables: dict[Name, list[dict[str, Any]]] = Field(default_factory=dict)
    expect: dict[str, Any] = Field(default_factory=dict)
    invalid_identifiers: bool = False
    """The rows carry wrong identifiers on purpose (a data-quality pack's case): the
    catalog's identifier checks (``check: resident_id``, ``credit_code``) do not apply."""


class Pack(_Model):
    """A rule pack: entity, parameters, variables, decision tables, rules and tests."""

    pack: Name
    version: Text
    title: Text
    description: Text | None = None
    family: Name | None = None
    """Packs about one subject over several entities share a family (``coverage_gap``)."""
    entity: Name = "person"
    entities: dict[Name, EntitySpec] = Field(default_factory=dict)
    parameters: dict[Name, Parameter] = Field(default_factory=dict)
    variables: dict[Name, Variable] = Field(default_factory=dict)
    decision_tables: dict[Name, DecisionTable] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)
    tests: list[PackTest] = Field(default_factory=list)

    def entity_spec(self) -> EntitySpec | None:
        """The spec of :attr:`entity`: declared in the pack, else a default one."""
        return self.entities.get(self.entity) or DEFAULT_ENTITIES.get(self.entity)


# -- YAML -------------------------------------------------------------------------------


class _PackLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false) and exact decimals."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PackLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node))
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text


_PackLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (key)"
        else:
            out += f".{part}" if out else str(part)
    return out or "(pack)"


def parse_pack(data: Mapping[str, Any] | Any, *, source: str = "<pack>") -> Pack:
    """A :class:`Pack` from parsed YAML (or any mapping); raises :class:`RulesError`."""
    if not isinstance(data, Mapping):
        raise RulesError([Problem("(pack)", "rules.load.not_a_mapping", {"source": source})])
    try:
        pack = Pack.model_validate(dict(data))
    except ValidationError as exc:
        problems = [
            Problem(
                _location(tuple(err["loc"])),
                "rules.load.invalid",
                {"detail": err["msg"], "source": source},
            )
            for err in exc.errors()
        ]
        raise RulesError(problems) from None
    found = Problems()
    found.extend(check_parameters(pack))
    found.raise_if_any()
    return pack


def loads_pack(text: str, *, source: str = "<pack>") -> Pack:
    """A :class:`Pack` from YAML text."""
    try:
        data = yaml.load(text, Loader=_PackLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RulesError(
            [Problem("(pack)", "rules.load.yaml", {"source": source, "detail": str(exc)})]
        ) from None
    return parse_pack(data, source=source)


def load_pack(path: str | Path) -> Pack:
    """A :class:`Pack` from a YAML file whose name is the pack id (``<pack>.yaml``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(
            [Problem("(pack)", "rules.load.unreadable", {"source": str(path), "detail": str(exc)})]
        ) from None
    pack = loads_pack(text, source=str(path))
    if path.stem != pack.pack:
        raise RulesError(
            [Problem("pack", "rules.load.file_name", {"source": path.name, "pack": pack.pack})]
        )
    return pack


def family_files(folder: str | Path, name: str) -> list[Path]:
    """The pack files in ``folder`` that ``name`` stands for, sorted by pack id.

    ``name`` is a pack id (its file, ``<name>.yaml``) or a family: every pack whose
    ``family`` is ``name`` (``coverage_gap`` → ``coverage_gap_person.yaml`` and
    ``coverage_gap_enterprise.yaml``). Empty when nothing matches.
    """
    folder = Path(folder)
    own = folder / f"{name}.yaml"
    if own.is_file():
        return [own]
    members = []
    for path in sorted(folder.glob("*.yaml")):
        pack = load_pack(path)
        if pack.family == name:
            members.append(path)
    return members
