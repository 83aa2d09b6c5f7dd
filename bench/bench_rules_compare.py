"""Rule packs against hand-written SQL and OpenFisca, on the same registry, in one run.

    .venv/bin/python bench/bench_rules_compare.py [--registry DIR ...] [--persons 200000]
                                                  [--repeat 3] [--json]

For each pack compared (``job_stabilisation_refund``: enterprises; ``skill_subsidy``:
certificates of persons), on each registry:

- **compiled** — ``compile_pack`` then the runner's query (rows that hit, every variable
  and clause) on ``registry.duckdb``, rows fetched as Arrow; and the runner end to end,
  ``onething.rules.run.runner.run`` (the same query, then every hit explained);
- **hand SQL** — the same logic written by hand in DuckDB SQL (``compare/<pack>.sql``),
  rows fetched as Arrow;
- **OpenFisca** — the country package ``compare/openfisca_shandong``: the inputs its model
  needs read from ``registry.duckdb`` into NumPy (``compare/openfisca_inputs.py``: the
  aggregations OpenFisca cannot express, timed apart as ``prep``), the simulation built,
  the rule variables calculated.

Then a 5-scenario sweep per pack: one compiled query with the scenarios as rows, against
one OpenFisca simulation per scenario (the baseline, then a ``Reform`` for each other one),
the inputs prepared once.

The pack is loaded and the OpenFisca system built once per process, outside the clock.
DuckDB is limited to ``DUCKDB_MEMORY`` (the runner's connection shares the instance): 10 GB,
so the 10M registry (5.8 GB on disk) stays in DuckDB's buffers between the systems' turns —
with 4 GB each turn re-read part of it and the figures moved by ±20 % with the order.

Every system must give the same hits and the same amounts to the cent (asserted). Times
are the best of ``--repeat`` (wall, and the process CPU time of that run, all threads),
and the median wall; the systems take turns in each round, each round starting with the
next system.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from openfisca_core.periods import period as to_period
from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import CompiledPack, Pack, compile_pack, load_pack
from onething.rules.run.duckdb import DuckDBExecutor
from onething.rules.run.query import hits_sql
from onething.rules.run.result import RunResult
from onething.rules.run.runner import run

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from compare.openfisca_inputs import (  # noqa: E402
    Inputs,
    job_stabilisation_inputs,
    simulation,
    skill_subsidy_inputs,
)
from compare.openfisca_shandong import JobStabilisationSystem, SkillSubsidySystem  # noqa: E402

PACKS = HERE.parent / "content" / "packs"
AS_OF = date(2025, 6, 30)
DUCKDB_MEMORY = "10GB"
TARGETS = {"hand": 1.2, "openfisca": 6.0, "sweep": 40.0}

Hits = dict[tuple[str, str, str], Decimal | None]
"""(scenario, entity id, rule) → amount (None for a rule without one)."""


@dataclass(frozen=True)
class Case:
    """A pack and its two baselines."""

    pack: str
    hand_sql: str
    hand_params: Mapping[str, Any]
    """The named parameters of the hand-written SQL (the pack's values on ``AS_OF``)."""
    system: Callable[[], TaxBenefitSystem]
    prepare: Callable[[duckdb.DuckDBPyConnection, date], Inputs]
    outputs: tuple[tuple[str, str | None], ...]
    """Per rule (OpenFisca variable of the same name): the amount variable, in cents."""
    table: str
    """The entity's table."""
    node: str
    """The OpenFisca parameter node of the pack's parameters (same names)."""
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The sweep: scenario → parameter overrides (the pack's and the model's names)."""


CASES = (
    Case(
        pack="job_stabilisation_refund",
        hand_sql="job_stabilisation_refund.sql",
        hand_params={
            "as_of": AS_OF,
            "year_start": date(2025, 1, 1),
            "prev_year_start": date(2024, 1, 1),
            "prev_year_end": date(2024, 12, 31),
            "min_months": 12,
            "max_layoff_rate": Decimal("0.055"),
            "max_layoff_rate_small": Decimal("0.20"),
            "small_headcount": 30,
            "ratio_large": Decimal("0.30"),
            "ratio_sme": Decimal("0.60"),
        },
        system=JobStabilisationSystem,
        prepare=job_stabilisation_inputs,
        outputs=(("refund_eligible", "refund_amount"), ("dispatch_must_apply", None)),
        table="enterprises",
        node="job_stabilisation",
        scenarios={
            "base": {},
            "sme_75": {"refund_ratio_sme": Decimal("0.75")},
            "ceiling_90_50": {
                "refund_ratio_sme": Decimal("0.90"),
                "refund_ratio_large": Decimal("0.50"),
            },
            "layoff_6_25": {
                "max_layoff_rate": Decimal("0.06"),
                "max_layoff_rate_small": Decimal("0.25"),
            },
            "net_reduction": {"layoff_rate_method": "net_reduction"},
        },
    ),
    Case(
        pack="skill_subsidy",
        hand_sql="skill_subsidy.sql",
        hand_params={
            "as_of": AS_OF,
            "min_months": 12,
            "apply_within_months": 12,
            "yearly_limit": 1,
            "shortage_extra": 2,
            "amount_junior": Decimal("1000.00"),
            "amount_intermediate": Decimal("1500.00"),
            "amount_senior": Decimal("2000.00"),
        },
        system=SkillSubsidySystem,
        prepare=skill_subsidy_inputs,
        outputs=(("skill_subsidy_eligible", "subsidy_amount"), ("senior_level_review", None)),
        table="skill_certificates",
        node="skill_subsidy",
        scenarios={
            "base": {},
            "amounts_150": {
                "amount_junior": Decimal("1500.00"),
                "amount_intermediate": Decimal("2250.00"),
                "amount_senior": Decimal("3000.00"),
            },
            "three_a_year": {"yearly_limit": 3, "shortage_extra": 0},
            "insured_24": {"min_insured_months": 24},
            "claim_24": {"apply_within_months": 24},
        },
    ),
)


# -- timing -------------------------------------------------------------------------------


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Timing:
    wall: float = float("inf")
    cpu: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    """Wall seconds of the parts of the best run (OpenFisca: prep, calc)."""
    walls: list[float] = field(default_factory=list)

    def take(self, wall: float, cpu: float, parts: dict[str, float]) -> None:
        self.walls.append(wall)
        if wall < self.wall:
            self.wall, self.cpu, self.parts = wall, cpu, parts

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall, 3),
            "median_wall_s": round(self.median, 3),
            "cpu_s": round(self.cpu, 3),
            **{f"{k}_s": round(v, 3) for k, v in self.parts.items()},
        }


@dataclass(frozen=True)
class System:
    """``run`` is timed and returns what the system produced (and the wall time of its
    parts); ``hits`` turns that into :data:`Hits` after the clock stops."""

    run: Callable[[], tuple[Any, dict[str, float]]]
    hits: Callable[[Any], Hits]


def timed(system: System, timing: Timing) -> Any:
    cpu0, started = _cpu(), time.perf_counter()
    produced, parts = system.run()
    timing.take(time.perf_counter() - started, _cpu() - cpu0, parts)
    return produced


# -- the systems ----------------------------------------------------------------------------


_PACKS: dict[str, Pack] = {}
LOAD_SECONDS: dict[str, float] = {}


def pack_of(case: Case) -> Pack:
    """The pack, loaded once per process (like the OpenFisca system, outside the clock):
    the YAML holds the pack's test cases too, which take most of the loading."""
    if case.pack not in _PACKS:
        started = time.perf_counter()
        _PACKS[case.pack] = load_pack(PACKS / f"{case.pack}.yaml")
        LOAD_SECONDS[case.pack] = time.perf_counter() - started
    return _PACKS[case.pack]


def _compiled(case: Case, scenarios: Mapping[str, Mapping[str, Any]] | None) -> CompiledPack:
    return compile_pack(pack_of(case), AS_OF, scenarios)


def _rows_hits(produced: tuple[CompiledPack, pa.Table]) -> Hits:
    compiled, table = produced
    hits: Hits = {}
    rules = list(compiled.manifest.rules.values())
    for row in table.to_pylist():
        for rule in rules:
            if row[rule.hit_column]:
                hits[(row["scenario"], str(row["entity_id"]), rule.id)] = row[rule.amount_column]
    return hits


def compiled_rows(
    case: Case, con: duckdb.DuckDBPyConnection, scenarios: Mapping[str, Mapping[str, Any]] | None
) -> System:
    """Compile, run the runner's query (the rows that hit), fetch them as Arrow."""

    def go() -> tuple[Any, dict[str, float]]:
        started = time.perf_counter()
        compiled = _compiled(case, scenarios)
        sql = hits_sql(compiled, "duckdb")
        compiled_at = time.perf_counter()
        table = DuckDBExecutor(con).arrow(sql)
        parts = {"compile": compiled_at - started, "query": time.perf_counter() - compiled_at}
        return (compiled, table), parts

    return System(go, _rows_hits)


def compiled_run(case: Case, registry: Path) -> System:
    """``onething.rules.run.runner.run`` end to end: the hits, explained."""

    def go() -> tuple[Any, dict[str, float]]:
        return run(_compiled(case, None), registry), {}

    def hits(result: RunResult) -> Hits:
        return {(h.scenario, str(h.entity_id), h.rule): h.amount for h in result.hits}

    return System(go, hits)


def hand(case: Case, con: duckdb.DuckDBPyConnection) -> System:
    """The hand-written query, rows fetched as Arrow (its first column is the entity key)."""
    sql = (HERE / "compare" / case.hand_sql).read_text(encoding="utf-8")

    def go() -> tuple[Any, dict[str, float]]:
        return con.sql(sql, params=dict(case.hand_params)).to_arrow_table(), {}

    def hits(table: pa.Table) -> Hits:
        key = table.column_names[0]
        return {("base", str(r[key]), r["rule"]): r["amount"] for r in table.to_pylist()}

    return System(go, hits)


Calculated = list[tuple[str, Inputs, list[tuple[str, Any, Any]]]]
"""Per scenario: the inputs (for the ids) and per rule its hit and amount arrays."""


def _calculate(case: Case, system: TaxBenefitSystem, inputs: Inputs) -> list[tuple[str, Any, Any]]:
    sim = simulation(system, inputs)
    month = to_period(AS_OF.strftime("%Y-%m"))
    return [
        (rule, sim.calculate(rule, month), sim.calculate(amount, month) if amount else None)
        for rule, amount in case.outputs
    ]


def _openfisca_hits(calculated: Calculated) -> Hits:
    hits: Hits = {}
    for scenario, inputs, arrays in calculated:
        for rule, held, amounts in arrays:
            for k in np.flatnonzero(held):
                value = Decimal(int(amounts[k])).scaleb(-2) if amounts is not None else None
                hits[(scenario, str(inputs.ids[k]), rule)] = value
    return hits


def openfisca(case: Case, con: duckdb.DuckDBPyConnection) -> System:
    """Read the inputs, build the system and the simulation, calculate the rules."""

    def go() -> tuple[Any, dict[str, float]]:
        started = time.perf_counter()
        inputs = case.prepare(con, AS_OF)
        prepared = time.perf_counter()
        arrays = _calculate(case, system_of(case), inputs)
        parts = {"prep": prepared - started, "calc": time.perf_counter() - prepared}
        return [("base", inputs, arrays)], parts

    return System(go, _openfisca_hits)


_SYSTEMS: dict[str, TaxBenefitSystem] = {}


def system_of(case: Case) -> TaxBenefitSystem:
    """The OpenFisca system (variables, parameters), built once per process."""
    if case.pack not in _SYSTEMS:
        started = time.perf_counter()
        _SYSTEMS[case.pack] = case.system()
        LOAD_SECONDS[f"openfisca:{case.pack}"] = time.perf_counter() - started
    return _SYSTEMS[case.pack]


def _reform(baseline: TaxBenefitSystem, node: str, overrides: Mapping[str, Any]) -> Reform:
    """A reform setting ``overrides`` for the run date's year."""

    def modify(parameters: Any) -> Any:
        for name, value in overrides.items():
            plain = float(value) if isinstance(value, Decimal) else value
            parameters.children[node].children[name].update(
                period=to_period(str(AS_OF.year)), value=plain
            )
        return parameters

    class Scenario(Reform):
        def apply(self) -> None:
            self.modify_parameters(modifier_function=modify)

    return Scenario(baseline)


def openfisca_sweep(case: Case, con: duckdb.DuckDBPyConnection) -> System:
    """Inputs read once; then per scenario a reform, a simulation and the rules."""

    def go() -> tuple[Any, dict[str, float]]:
        started = time.perf_counter()
        inputs = case.prepare(con, AS_OF)
        prepared = time.perf_counter()
        baseline = system_of(case)
        calculated: Calculated = []
        for scenario, overrides in case.scenarios.items():
            system = _reform(baseline, case.node, overrides) if overrides else baseline
            calculated.append((scenario, inputs, _calculate(case, system, inputs)))
        parts = {"prep": prepared - started, "calc": time.perf_counter() - prepared}
        return calculated, parts

    return System(go, _openfisca_hits)


# -- the run --------------------------------------------------------------------------------


def _check(name: str, want: Hits, got: Hits) -> None:
    if want != got:
        diff = sorted(set(want.items()) ^ set(got.items()), key=str)[:5]
        raise AssertionError(f"{name}: {len(got)} hits, not {len(want)}; differences {diff}")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def compare(registry: Path, repeat: int) -> dict[str, Any]:
    con = duckdb.connect(str(RegistryDir(registry).duckdb_file), read_only=True)
    # The runner's connection to the same file shares this database instance and its limit
    # (DuckDB's default, 80 % of RAM, is too much on a shared machine).
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    persons = con.sql("SELECT count(*) FROM persons").fetchall()[0][0]
    out: dict[str, Any] = {"registry": str(registry), "persons": persons, "load_before": _load()}
    packs: dict[str, Any] = {}
    for case in CASES:
        systems = {
            "compiled": compiled_rows(case, con, None),
            "compiled_run": compiled_run(case, registry),
            "hand": hand(case, con),
            "openfisca": openfisca(case, con),
            "compiled_sweep": compiled_rows(case, con, case.scenarios),
            "openfisca_sweep": openfisca_sweep(case, con),
        }
        timings = {name: Timing() for name in systems}
        hits: dict[str, Hits] = {}
        names = list(systems)
        for round_ in range(repeat):
            # Each round starts with another system: what runs first or after which one
            # (caches, buffers, the collector) moved the figures by up to ±20 % when
            # the order was fixed.
            turn = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in turn:
                system = systems[name]
                produced = timed(system, timings[name])
                if round_ == repeat - 1:  # the answers, outside the clock
                    hits[name] = system.hits(produced)
                del produced
        for name in ("compiled_run", "hand", "openfisca"):
            _check(f"{case.pack}: {name}", hits["compiled"], hits[name])
        _check(f"{case.pack}: OpenFisca sweep", hits["compiled_sweep"], hits["openfisca_sweep"])
        entities = con.sql(f"SELECT count(*) FROM {case.table}").fetchall()[0][0]
        packs[case.pack] = {
            "entities": entities,
            "hits": len(hits["compiled"]),
            "sweep_hits": len(hits["compiled_sweep"]),
            "times": {name: t.to_dict() for name, t in timings.items()},
            "ratios": _ratios(timings),
        }
    con.close()
    out["packs"] = packs
    out["load_after"] = _load()
    out["loaded_once_s"] = {k: round(v, 3) for k, v in LOAD_SECONDS.items()}
    return out


def _ratios(t: Mapping[str, Timing]) -> dict[str, float]:
    return {
        "compiled_vs_hand": round(t["compiled"].wall / t["hand"].wall, 2),
        "compiled_vs_hand_median": round(t["compiled"].median / t["hand"].median, 2),
        "run_vs_hand": round(t["compiled_run"].wall / t["hand"].wall, 2),
        "openfisca_vs_compiled": round(t["openfisca"].wall / t["compiled"].wall, 2),
        "openfisca_vs_run": round(t["openfisca"].wall / t["compiled_run"].wall, 2),
        "sweep_openfisca_vs_compiled": round(
            t["openfisca_sweep"].wall / t["compiled_sweep"].wall, 2
        ),
    }


PARTS = ("compile", "query", "prep", "calc")
LABELS = {
    "compiled": "compiled pack, rows (Arrow)",
    "compiled_run": "compiled pack, run() (explained hits)",
    "hand": "hand-written SQL",
    "openfisca": "OpenFisca (prep + calc)",
    "compiled_sweep": "sweep: compiled, 5 scenarios in one query",
    "openfisca_sweep": "sweep: OpenFisca, prep + 5 reforms",
}


def show(result: dict[str, Any]) -> None:
    print(
        f"\n{result['registry']}: {result['persons']:,} persons "
        f"(load {result['load_before']} → {result['load_after']})"
    )
    for pack, r in result["packs"].items():
        hits = f"{r['hits']:,} hits ({r['sweep_hits']:,} in the sweep)"
        print(f"\n  {pack}: {r['entities']:,} entities, {hits}")
        for name, t in r["times"].items():
            parts = "  ".join(f"{k[:-2]} {v:.2f}s" for k, v in t.items() if k[:-2] in PARTS)
            wall, median, cpu = t["wall_s"], t["median_wall_s"], t["cpu_s"]
            print(
                f"    {LABELS[name]:44s} {wall:8.2f}s wall (median {median:.2f}s) "
                f"{cpu:8.2f}s CPU  {parts}"
            )
        x = r["ratios"]
        print(
            f"    compiled / hand SQL {x['compiled_vs_hand']:.2f}x "
            f"(medians {x['compiled_vs_hand_median']:.2f}x) "
            f"(run() {x['run_vs_hand']:.2f}x; target ≤ {TARGETS['hand']}x)\n"
            f"    OpenFisca / compiled {x['openfisca_vs_compiled']:.2f}x "
            f"(/ run() {x['openfisca_vs_run']:.2f}x; target ≥ {TARGETS['openfisca']}x)\n"
            f"    sweep: OpenFisca / compiled {x['sweep_openfisca_vs_compiled']:.2f}x "
            f"(target ≥ {TARGETS['sweep']}x)"
        )
    once = "  ".join(f"{k} {v:.2f}s" for k, v in result["loaded_once_s"].items())
    print(f"\n  loaded once per process, outside the clock: {once}")


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(pages / 2**30, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "numpy": np.__version__,
        "openfisca_core": version("openfisca-core"),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, action="append", default=[])
    parser.add_argument("--persons", type=int, default=200_000, help="without --registry")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"machine": machine(), "as_of": AS_OF.isoformat(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
        registries = list(args.registry)
        if not registries:
            root = Path(scratch) / "registry"
            generate_registry(root, GenerateOptions(persons=args.persons, seed=1, end_date=AS_OF))
            registries = [root]
        if not args.json:
            print(json.dumps(report["machine"]))
        for registry in registries:
            result = compare(registry, args.repeat)
            report["runs"].append(result)
            if not args.json:
                show(result)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(f"\npeak RSS {report['peak_rss_mb']:,} MB")
    return report


if __name__ == "__main__":
    main()
