"""What a compiled query computes, for the runners that explain its rows.

The manifest names every output column and says, per rule, the text of each top-level
clause of its condition (column ``<rule>__c<n>``), the variables and parameters the
rule reads (transitively), and per scenario the value of each parameter with its
reference and dated range: enough to explain a hit, or a miss, without the pack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Connective = Literal["and", "or"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """A clause of the form ``left op right`` whose sides are names or literals."""

    left: str
    op: str
    right: str
    left_is_name: bool
    right_is_name: bool


@dataclass(frozen=True, slots=True)
class ClauseInfo:
    """One top-level clause of a rule's condition."""

    column: str
    text: str
    reads: tuple[str, ...]
    """Variables, parameters, ``region`` and ``entity_id`` the clause names directly."""
    comparison: Comparison | None = None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule as a runner needs it: output columns, clauses, what it reads, metadata."""

    id: str
    label: str
    phase: str
    severity: str
    condition: str
    amount: str | None
    connective: Connective | None
    clauses: tuple[ClauseInfo, ...]
    variables: tuple[str, ...]
    """Every variable the condition and the amount read, directly or through others."""
    parameters: tuple[str, ...]
    """Every parameter they read, directly or through variables."""
    message: str | None
    message_names: tuple[str, ...]
    basis: dict[str, str | None] | None
    matters: tuple[str, ...]

    @property
    def hit_column(self) -> str:
        return f"{self.id}__hit"

    @property
    def amount_column(self) -> str:
        return f"{self.id}__amount"


@dataclass(frozen=True, slots=True)
class VariableInfo:
    name: str
    title: str | None
    type: str
    kind: str
    variables: tuple[str, ...]
    parameters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OtherEntity:
    """Another entity of the pack that variables aggregate over, and its variables."""

    name: str
    table: str
    keys: tuple[str, ...]
    variables: dict[str, VariableInfo]


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """A parameter's value in one scenario: dated (with its range) or a scenario override."""

    value: Any
    reference: str | None
    valid_from: date | None = None
    valid_to: date | None = None
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    name: str
    title: str | None
    type: str
    unit: str | None
    reference: str | None
    values: dict[str, ParameterValue]
    """Scenario → value."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything about a compiled pack a runner needs to explain its output rows."""

    pack: str
    version: str
    title: str
    entity: str
    entity_table: str
    entity_key: str
    as_of: date
    scenarios: tuple[str, ...]
    entity_ids: tuple[str, ...] | None
    columns: tuple[tuple[str, str], ...]
    """Output columns in order, with their type (``decimal(2)``, ``bool`` …)."""
    variables: dict[str, VariableInfo] = field(default_factory=dict)
    parameters: dict[str, ParameterInfo] = field(default_factory=dict)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    others: dict[str, OtherEntity] = field(default_factory=dict)
    """The other entities the pack's variables aggregate over (directly or not)."""
    family: str | None = None
    """The pack's family (packs about one subject over several entities), if it declares one."""
    bound: tuple[str, ...] = ()
    """The SQL parameters the query expects at run time (``entity_id`` for a check
    compiled once by :func:`~onething.rules.compile.compile_check`)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (dates as ISO text, decimals as text)."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
