"""What a run returns: the explained hits, totals per rule and scenario, and an Arrow view.

:class:`RunResult` is engine-neutral: a run of the same compiled pack over the same
registry gives an equal result on DuckDB, PostgreSQL and Spark (hits in the same order,
amounts to the cent, explanations value for value), which the engine tests check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from onething.rules.compile.manifest import Manifest
from onething.rules.run.explanation import Hit

DEFAULT_AMOUNT_SCALE = 2


@dataclass(frozen=True, slots=True)
class RuleTotal:
    """How often a rule held in a scenario, and the sum of its amounts.

    ``amount`` is None for a rule without an amount; otherwise an exact Decimal at the
    amount's scale (``0.00`` when nothing hit).
    """

    rule: str
    scenario: str
    hits: int
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class RunResult:
    """The hits of one compiled pack on one engine, in a fixed order, with totals."""

    manifest: Manifest
    engine: str
    hits: list[Hit]
    totals: list[RuleTotal]
    """One per scenario and rule (scenarios as declared, rules in pack order)."""
    sql: str
    """The query the engine ran."""
    seconds: float

    @classmethod
    def of(
        cls, manifest: Manifest, engine: str, found: Sequence[Hit], *, sql: str, seconds: float
    ) -> RunResult:
        """A result from the hits an engine found, totals computed here."""
        return cls(manifest, engine, list(found), rule_totals(manifest, found), sql, seconds)

    def total(self, rule: str, scenario: str = "base") -> RuleTotal:
        """The total of ``rule`` in ``scenario``; KeyError for an unknown pair."""
        for total in self.totals:
            if total.rule == rule and total.scenario == scenario:
                return total
        raise KeyError((rule, scenario))

    def to_arrow(self) -> pa.Table:
        """The hits as an Arrow table: ``pack, family, rule, entity, entity_id, scenario,
        severity, amount, explanation`` (amount ``decimal128(38, s)``, explanation JSON
        text, family NULL for a pack that declares none)."""
        return hits_table(self.manifest, self.hits)


def amount_scale(manifest: Manifest, rule: str) -> int:
    """The number of decimal places of ``rule``'s amount column."""
    described = dict(manifest.columns).get(f"{rule}__amount", "")
    if described.startswith("decimal(") and described.endswith(")"):
        return int(described[len("decimal(") : -1])
    return DEFAULT_AMOUNT_SCALE


def rule_totals(manifest: Manifest, found: Sequence[Hit]) -> list[RuleTotal]:
    """Hits and amount sums per scenario and rule, every pair listed (zero when none hit)."""
    counts: dict[tuple[str, str], int] = {}
    sums: dict[tuple[str, str], Decimal] = {}
    for hit in found:
        key = (hit.scenario, hit.rule)
        counts[key] = counts.get(key, 0) + 1
        if hit.amount is not None:
            sums[key] = sums.get(key, Decimal(0)) + hit.amount
    totals = []
    for scenario in manifest.scenarios:
        for rule in manifest.rules.values():
            key = (scenario, rule.id)
            amount = None
            if rule.amount is not None:
                zero = Decimal(0).scaleb(-amount_scale(manifest, rule.id))
                amount = sums.get(key, zero)
            totals.append(RuleTotal(rule.id, scenario, counts.get(key, 0), amount))
    return totals


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def explanation_json(explanation: Mapping[str, Any]) -> str:
    """An explanation as JSON text: decimals as exact fixed-point text (``"1643.58"``,
    never ``"0E-10"``), dates ISO."""
    return json.dumps(explanation, ensure_ascii=False, default=_json_value)


HITS_SCHEMA_FIELDS = (
    "pack",
    "family",
    "rule",
    "entity",
    "entity_id",
    "scenario",
    "severity",
    "amount",
    "explanation",
)


def hits_table(manifest: Manifest, found: Sequence[Hit]) -> pa.Table:
    """Hits as an Arrow table (columns :data:`HITS_SCHEMA_FIELDS`)."""
    scale = max(
        (amount_scale(manifest, r.id) for r in manifest.rules.values() if r.amount is not None),
        default=DEFAULT_AMOUNT_SCALE,
    )
    schema = pa.schema(
        [
            ("pack", pa.string()),
            ("family", pa.string()),
            ("rule", pa.string()),
            ("entity", pa.string()),
            ("entity_id", pa.string()),
            ("scenario", pa.string()),
            ("severity", pa.string()),
            ("amount", pa.decimal128(38, scale)),
            ("explanation", pa.string()),
        ]
    )
    columns: list[list[Any]] = [
        [h.pack for h in found],
        [manifest.family for _ in found],
        [h.rule for h in found],
        [h.entity for h in found],
        [h.entity_id for h in found],
        [h.scenario for h in found],
        [h.severity for h in found],
        [h.amount for h in found],
        [explanation_json(h.explanation) for h in found],
    ]
    return pa.Table.from_arrays(
        [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


__all__ = [
    "HITS_SCHEMA_FIELDS",
    "RuleTotal",
    "RunResult",
    "amount_scale",
    "explanation_json",
    "hits_table",
    "rule_totals",
]
