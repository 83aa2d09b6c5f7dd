"""From output rows to explained hits: the one path every runner shares.

:class:`Hit` and :class:`RuleOutcome`, and how an output row of a compiled query becomes
an explanation (the values the rule read, which clauses held or failed, the legal basis,
pack and parameter versions, the rendered message). The engine runners
(:mod:`.duckdb`, :mod:`.postgres`, :mod:`.spark`) only execute SQL and hand rows over as
mappings of column name to Python value (``Decimal``, ``date``, ``int``, ``bool``, ``str``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from onething.rules.compile.manifest import ClauseInfo, Manifest, RuleInfo

_NEGATED = {"=": "<>", "<>": "=", ">": "<=", ">=": "<", "<": ">=", "<=": ">"}

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that held for an entity in a scenario, with why."""

    pack: str
    pack_version: str
    rule: str
    entity: str
    entity_id: str
    scenario: str
    severity: str
    amount: Decimal | None
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClauseOutcome:
    """One top-level clause of a condition on one row: held, failed, or unknown (NULL)."""

    text: str
    held: bool | None
    detail: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """A rule evaluated for one entity in one scenario, hit or not."""

    rule: str
    label: str
    scenario: str
    entity_id: str
    hit: bool
    amount: Decimal | None
    clauses: tuple[ClauseOutcome, ...]
    explanation: dict[str, Any]

    @property
    def failing(self) -> tuple[ClauseOutcome, ...]:
        """The clauses that did not hold (failed or unknown)."""
        return tuple(c for c in self.clauses if c.held is not True)


def show(value: Any) -> str:
    """A value as a clerk reads it: decimals without trailing zeros beyond the cent."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # Exact digits, trailing zeros dropped down to the cent: 0.2000000000 → 0.20,
        # 0.0550 → 0.055, 12.000 → 12.00, 1234.5 → 1234.5 (string work: a hit shows
        # a dozen values, and Decimal.normalize() twice per value was most of it).
        text = format(value, "f")
        point = text.find(".")
        if point < 0:
            return text
        fraction = text[point + 1 :]
        kept = fraction.rstrip("0")
        cents = min(len(fraction), 2)
        if len(kept) < cents:
            kept = fraction[:cents]
        return text[:point] + ("." + kept if kept else "")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _side(text: str, is_name: bool, values: Mapping[str, Any]) -> str:
    if is_name and text in values:
        return f"{text} = {show(values[text])}"
    return text


def describe_clause(clause: ClauseInfo, held: bool | None, values: Mapping[str, Any]) -> str:
    """``months_insured = 7 < 12``: a clause with the values it read, as it turned out."""
    comparison = clause.comparison
    if comparison is not None:
        left = _side(comparison.left, comparison.left_is_name, values)
        right = _side(comparison.right, comparison.right_is_name, values)
        if held is None:
            return f"{left} {comparison.op} {right}: NULL"
        op = comparison.op if held else _NEGATED[comparison.op]
        return f"{left} {op} {right}"
    shown = ", ".join(f"{n} = {show(values[n])}" for n in clause.reads if n in values)
    verdict = {True: "true", False: "false", None: "NULL"}[held]
    return f"{clause.text}: {verdict}" + (f" ({shown})" if shown else "")


def _values(manifest: Manifest, names: Iterable[str], row: Row) -> dict[str, Any]:
    scenario = row["scenario"]
    out: dict[str, Any] = {}
    for name in names:
        if name in manifest.parameters:
            out[name] = manifest.parameters[name].values[scenario].value
        elif name in row:
            out[name] = row[name]
    return out


def _message(rule: RuleInfo, values: Mapping[str, Any]) -> str | None:
    if rule.message is None:
        return None
    shown = {name: show(value) for name, value in values.items()}
    return rule.message.format_map(_Missing(shown))


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_Memo = dict[tuple[str, str], dict[str, Any]]


def _parameters(manifest: Manifest, rule: RuleInfo, scenario: str, memo: _Memo) -> dict[str, Any]:
    """The parameters ``rule`` read in ``scenario``, with their sources (the same for
    every row of the scenario: built once per rule and scenario in ``memo``, then copied)."""
    key = (rule.id, scenario)
    found = memo.get(key)
    if found is None:
        found = {}
        for name in rule.parameters:
            pv = manifest.parameters[name].values[scenario]
            found[name] = {
                "value": pv.value,
                "reference": pv.reference,
                "from": pv.valid_from,
                "to": pv.valid_to,
                "overridden": pv.overridden,
            }
        memo[key] = found
    return {name: dict(value) for name, value in found.items()}


def outcome(manifest: Manifest, rule: RuleInfo, row: Row, memo: _Memo | None = None) -> RuleOutcome:
    """How ``rule`` turned out on one output ``row``, explained (``memo``: what a batch of
    rows shares, kept between calls)."""
    scenario = str(row["scenario"])
    clauses = []
    for clause in rule.clauses:
        values = _values(manifest, clause.reads, row)
        held = row[clause.column]
        clauses.append(
            ClauseOutcome(clause.text, held, describe_clause(clause, held, values), values)
        )
    hit = bool(row[rule.hit_column])
    amount = row[rule.amount_column]
    variables = {v: row[v] for v in rule.variables if v in row}
    parameters = _parameters(manifest, rule, scenario, {} if memo is None else memo)
    message_values = {
        **_values(manifest, rule.message_names, row),
        "amount": amount,
        "entity_id": row["entity_id"],
        "region": row.get("region"),
    }
    explanation: dict[str, Any] = {
        "pack": manifest.pack,
        "pack_version": manifest.version,
        "as_of": manifest.as_of,
        "scenario": scenario,
        "entity": manifest.entity,
        "entity_id": row["entity_id"],
        "rule": rule.id,
        "label": rule.label,
        "severity": rule.severity,
        "phase": rule.phase,
        "hit": hit,
        "condition": rule.condition,
        "connective": rule.connective,
        "clauses": [
            {"text": c.text, "held": c.held, "detail": c.detail, "values": c.values}
            for c in clauses
        ],
        "variables": variables,
        "parameters": parameters,
        "amount": amount,
        "amount_expression": rule.amount,
        "basis": rule.basis,
        "matters": list(rule.matters),
        "message": _message(rule, message_values) if hit else None,
    }
    return RuleOutcome(
        rule.id,
        rule.label,
        scenario,
        str(row["entity_id"]),
        hit,
        amount,
        tuple(clauses),
        explanation,
    )


def hits(manifest: Manifest, rows: Iterable[Row]) -> list[Hit]:
    """Every rule that held on each row, as explained hits."""
    found: list[Hit] = []
    memo: _Memo = {}
    for row in rows:
        for rule in manifest.rules.values():
            if not row[rule.hit_column]:
                continue
            result = outcome(manifest, rule, row, memo)
            found.append(
                Hit(
                    pack=manifest.pack,
                    pack_version=manifest.version,
                    rule=rule.id,
                    entity=manifest.entity,
                    entity_id=result.entity_id,
                    scenario=result.scenario,
                    severity=rule.severity,
                    amount=result.amount,
                    explanation=result.explanation,
                )
            )
    return found


def outcomes(manifest: Manifest, rows: Iterable[Row]) -> list[RuleOutcome]:
    """Every rule on every row, hit or not."""
    memo: _Memo = {}
    return [outcome(manifest, rule, row, memo) for row in rows for rule in manifest.rules.values()]


__all__ = [
    "ClauseOutcome",
    "Hit",
    "Row",
    "RuleOutcome",
    "describe_clause",
    "hits",
    "outcome",
    "outcomes",
    "show",
]
