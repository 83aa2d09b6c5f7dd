"""Policy simulation (模拟仿真): change parameters, see who gains, who loses, what it costs.

Scenarios are rows of one query (see :func:`~onething.rules.compile_pack`): the baseline
(``base``, the parameters in force on the date) and each named scenario of overrides are
computed together. This module turns the per-entity rows into the report: per scenario
and by region, the beneficiaries, the total amount, and the entities that gain or lose
against the baseline. Amounts stay exact ``Decimal``.

    scenarios = parse_scenarios(["generous:refund_ratio_sme=0.90,refund_ratio_large=0.50"])
    compiled = compile_pack(pack, date(2025, 6, 30), scenarios=scenarios)
    report = simulation_report(compiled, rows)        # rows: the query's Arrow table
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from onething.kit.errors import InvalidInput
from onething.rules.compile import CompiledPack
from onething.rules.params import DEFAULT_SCENARIO

ZERO = Decimal("0.00")


def _parse_value(text: str) -> Any:
    """A scenario value: an integer, an exact decimal, true/false, or text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        return text.strip()


def parse_scenarios(specs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Parse ``NAME:PARAM=VALUE[,PARAM=VALUE]`` specifications (the baseline is added).

    >>> parse_scenarios(["raise:refund_ratio_sme=0.90"])["raise"]
    {'refund_ratio_sme': Decimal('0.90')}
    """
    scenarios: dict[str, dict[str, Any]] = {DEFAULT_SCENARIO: {}}
    for spec in specs:
        name, sep, body = spec.partition(":")
        name = name.strip()
        if not sep or not name or not body.strip():
            raise InvalidInput("rules.scenario_syntax", spec=spec)
        if name in scenarios:
            raise InvalidInput("rules.scenario_duplicate", name=name)
        overrides: dict[str, Any] = {}
        for part in body.split(","):
            param, eq, value = part.partition("=")
            if not eq or not param.strip() or not value.strip():
                raise InvalidInput("rules.scenario_syntax", spec=spec)
            overrides[param.strip()] = _parse_value(value)
        scenarios[name] = overrides
    return scenarios


@dataclass
class Tally:
    """Beneficiaries and money of one scenario, for the whole population or one region."""

    entities: int = 0
    beneficiaries: int = 0
    amount: Decimal = ZERO
    gainers: int = 0
    losers: int = 0
    gained: Decimal = ZERO
    lost: Decimal = ZERO

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "beneficiaries": self.beneficiaries,
            "amount": str(self.amount),
            "gainers": self.gainers,
            "losers": self.losers,
            "gained": str(self.gained),
            "lost": str(self.lost),
        }


@dataclass
class ScenarioReport:
    scenario: str
    overrides: dict[str, str]
    total: Tally = field(default_factory=Tally)
    by_region: dict[str, Tally] = field(default_factory=dict)
    by_rule: dict[str, Tally] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "overrides": self.overrides,
            "total": self.total.to_dict(),
            "by_region": {k: v.to_dict() for k, v in sorted(self.by_region.items())},
            "by_rule": {k: v.to_dict() for k, v in sorted(self.by_rule.items())},
        }


@dataclass
class SimulationReport:
    pack: str
    as_of: str
    baseline: str
    scenarios: list[ScenarioReport]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "as_of": self.as_of,
            "baseline": self.baseline,
            "scenarios": [s.to_dict() for s in self.scenarios],
        }


def _entity_outcomes(
    compiled: CompiledPack, rows: pa.Table
) -> dict[str, dict[str, tuple[str | None, dict[str, Decimal | None]]]]:
    """scenario → entity → (region, rule → amount if hit else None)."""
    rules = list(compiled.manifest.rules.values())
    wanted = (
        ["scenario", "entity_id", "region"]
        if "region" in rows.column_names
        else [
            "scenario",
            "entity_id",
        ]
    )
    for r in rules:
        wanted += [r.hit_column, r.amount_column]
    data = rows.select([c for c in wanted if c in rows.column_names]).to_pydict()
    out: dict[str, dict[str, tuple[str | None, dict[str, Decimal | None]]]] = defaultdict(dict)
    for i, scenario in enumerate(data["scenario"]):
        per_rule: dict[str, Decimal | None] = {}
        for r in rules:
            if data[r.hit_column][i]:
                amount = data.get(r.amount_column, [None] * (i + 1))[i]
                per_rule[r.id] = Decimal(amount) if amount is not None else ZERO
            else:
                per_rule[r.id] = None
        region = data["region"][i] if "region" in data else None
        out[str(scenario)][str(data["entity_id"][i])] = (region, per_rule)
    return out


def _add(tally: Tally, amount: Decimal | None, base: Decimal | None) -> None:
    tally.entities += 1
    if amount is not None:
        tally.beneficiaries += 1
        tally.amount += amount
    now, before = amount or ZERO, base or ZERO
    if now > before or (amount is not None and base is None):
        tally.gainers += 1
        tally.gained += now - before
    elif now < before or (amount is None and base is not None):
        tally.losers += 1
        tally.lost += before - now


def simulation_report(
    compiled: CompiledPack,
    rows: pa.Table,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    region_of: Mapping[str, str] | None = None,
) -> SimulationReport:
    """Summarise the rows of a compiled pack (all scenarios) against the baseline.

    An entity *benefits* when any rule holds for it; its amount is the sum of the amounts
    of the rules that hold. A *gainer* has a larger amount than under the baseline, or
    holds where it did not; a *loser* the reverse. ``region_of`` maps region codes to the
    level reported (e.g. county → city); default: the code as it is.
    """
    outcomes = _entity_outcomes(compiled, rows)
    baseline = DEFAULT_SCENARIO
    base = outcomes.get(baseline, {})
    reports: list[ScenarioReport] = []
    for scenario in compiled.scenarios:
        report = ScenarioReport(
            scenario=scenario,
            overrides={k: str(v) for k, v in (overrides or {}).get(scenario, {}).items()},
        )
        for entity_id, (region, per_rule) in outcomes.get(scenario, {}).items():
            held = [a for a in per_rule.values() if a is not None]
            amount = sum(held, ZERO) if held else None
            base_rules = base.get(entity_id, (None, {}))[1]
            base_held = [a for a in base_rules.values() if a is not None]
            base_amount = sum(base_held, ZERO) if base_held else None
            _add(report.total, amount, base_amount)
            key = (region_of or {}).get(region or "", region or "") or "—"
            _add(report.by_region.setdefault(key, Tally()), amount, base_amount)
            for rule, rule_amount in per_rule.items():
                _add(report.by_rule.setdefault(rule, Tally()), rule_amount, base_rules.get(rule))
        reports.append(report)
    return SimulationReport(
        pack=compiled.pack, as_of=compiled.as_of.isoformat(), baseline=baseline, scenarios=reports
    )
