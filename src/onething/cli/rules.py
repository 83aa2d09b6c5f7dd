"""``onething rules``: compile, test, run, explain and simulate rule packs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from onething.cli.common import fail, out
from onething.config import get_settings
from onething.kit.clock import today
from onething.kit.errors import OneThingError
from onething.rules import compile_pack
from onething.rules.library import load, pack_names

app = typer.Typer(help="Rules as code (规则包): compile, test, run, explain, simulate.")

PackArg = Annotated[
    str, typer.Argument(help="Pack name (see `onething rules list`) or a YAML path.")
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Date the rules apply at (default: today).")
]


def _as_of(value: str | None) -> date:
    return date.fromisoformat(value) if value else today()


@app.command("list")
def list_packs() -> None:
    """List the packs known by name."""
    table = RichTable(title="规则包 rule packs")
    for col in ("包 pack", "版本 version", "名称 title", "主体 entity", "规则 rules"):
        table.add_column(col, no_wrap=col != "名称 title")
    for name in pack_names():
        try:
            pack = load(name)
        except OneThingError as exc:
            table.add_row(name, "—", f"[red]{exc.message()}[/]", "", "")
            continue
        table.add_row(name, pack.version, pack.title, pack.entity, str(len(pack.rules)))
    out.print(table)


@app.command("compile")
def compile_(
    pack: PackArg,
    dialect: Annotated[str, typer.Option(help="duckdb, postgres or spark.")] = "duckdb",
    as_of: AsOf = None,
    entity_id: Annotated[
        list[str] | None, typer.Option("--entity-id", help="Compile for these entities only.")
    ] = None,
    schema: Annotated[str | None, typer.Option(help="Qualify registry tables.")] = None,
) -> None:
    """Print the SQL a pack compiles to."""
    if dialect not in ("duckdb", "postgres", "spark"):
        raise typer.BadParameter("duckdb, postgres or spark", param_hint="--dialect")
    try:
        compiled = compile_pack(load(pack), _as_of(as_of), entity_ids=entity_id or None)
        typer.echo(compiled.sql(dialect, schema=schema))  # type: ignore[arg-type]
    except OneThingError as exc:
        fail(exc)


@app.command()
def simulate(
    pack: PackArg,
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario", help="NAME:PARAM=VALUE[,PARAM=VALUE] (repeatable); base is always run."
        ),
    ],
    as_of: AsOf = None,
    registry: Annotated[
        Path | None, typer.Option(help="Registry folder (default: the configured one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Sweep parameter scenarios in one query; report beneficiaries, cost, gainers, losers."""
    from onething.registry.store import RegistryDir
    from onething.rules.run.duckdb import rows_duckdb
    from onething.rules.simulate import parse_scenarios, simulation_report

    try:
        scenarios = parse_scenarios(scenario)
        compiled = compile_pack(load(pack), _as_of(as_of), scenarios=scenarios)
        reg = RegistryDir(registry or get_settings().effective_registry_path)
        with reg.connect() as con:
            rows = rows_duckdb(compiled, con)
        report = simulation_report(compiled, rows, overrides=scenarios, region_of=_city_names())
    except OneThingError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    table = RichTable(title=f"{report.pack}  模拟仿真（{report.as_of}，基准 {report.baseline}）")
    for col in ("情景", "调整", "受益主体", "金额(元)", "增益", "减损", "净增(元)"):
        text = col in ("情景", "调整")
        table.add_column(col, justify="left" if text else "right", no_wrap=not text)
    for s in report.scenarios:
        t = s.total
        table.add_row(
            s.scenario,
            ", ".join(f"{k}={v}" for k, v in s.overrides.items()) or "现行参数",
            f"{t.beneficiaries:,}",
            f"{t.amount:,}",
            f"{t.gainers:,}",
            f"{t.losers:,}",
            f"{t.gained - t.lost:,}",
        )
    out.print(table)
    by_city = RichTable(title="分市 by city：金额(元) / 受益主体")
    by_city.add_column("城市")
    for s in report.scenarios:
        by_city.add_column(s.scenario, justify="right", no_wrap=True)
    cities = sorted({c for s in report.scenarios for c in s.by_region})
    for city in cities:
        cells = []
        for s in report.scenarios:
            tally = s.by_region.get(city)
            cells.append(f"{tally.amount:,} / {tally.beneficiaries:,}" if tally else "—")
        by_city.add_row(city, *cells)
    out.print(by_city)


def _city_names() -> dict[str, str]:
    """County or city code → the city's Chinese name (reports are by city)."""
    from onething.registry.io.regions import shipped_region_rows

    rows = shipped_region_rows()
    names = {str(r["code"]): str(r["name"]) for r in rows}
    return {
        str(r["code"]): names.get(str(r["code"])[:4] + "00", str(r["code"]))
        for r in rows
        if r["level"] in ("city", "county")
    }


Registry = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="Registry folder, or postgresql://… filled by `onething registry load` "
        "(default: the configured folder).",
    ),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        help="duckdb, postgres or spark (default: duckdb for a folder, postgres for a URL)."
    ),
]


def _source(registry: str | None) -> str:
    return registry or str(get_settings().effective_registry_path)


@app.command("test")
def check_pack_tests(
    packs: Annotated[
        list[str] | None, typer.Argument(help="Packs (names or paths); default: every known pack.")
    ] = None,
) -> None:
    """Run the test cases written in the packs (one query per pack and date)."""
    from onething.rules.library import resolve_pack
    from onething.rules.testing import format_report, run_tests

    try:
        paths = [resolve_pack(p) for p in (packs or pack_names())]
        reports = run_tests(paths)
    except OneThingError as exc:
        fail(exc)
    failed = 0
    for report in reports:
        typer.echo(format_report(report))
        failed += len(report.failed)
    passed = sum(len(r.cases) for r in reports) - failed
    out.print(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command()
def run(
    pack: Annotated[
        str,
        typer.Argument(
            help="Pack name, family (runs each of its packs, e.g. coverage_gap) or a YAML path."
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Hits as Parquet.")],
    as_of: AsOf = None,
    registry: Registry = None,
    engine: EngineOpt = None,
) -> None:
    """Run a pack (or each pack of a family) over the whole registry: one row per hit
    with its explanation (JSON)."""
    from onething.cli.common import progress_bar
    from onething.rules.run.runner import run as run_pack

    try:
        results = []
        for pack_file in _pack_files(pack):
            compiled = compile_pack(load(pack_file), _as_of(as_of))
            with progress_bar() as progress:
                results.append(
                    run_pack(compiled, _source(registry), engine=engine, progress=progress)  # type: ignore[arg-type]
                )
    except OneThingError as exc:
        fail(exc)
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [r.to_arrow() for r in results]
    widest = max(tables, key=lambda t: t.schema.field("amount").type.scale).schema
    out_file.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables([t.cast(widest) for t in tables]), out_file)
    first = results[0].manifest
    name = f"{first.pack} {first.version}" if len(results) == 1 else pack
    table = RichTable(title=f"{name} @ {first.as_of} [{results[0].engine}]")
    for col in ("族 family", "包 pack", "规则 rule"):
        table.add_column(col, no_wrap=True)
    for col in ("命中 hits", "金额(元) amount"):
        table.add_column(col, justify="right", no_wrap=True)
    for result in results:
        family = result.manifest.family
        for total in result.totals:
            table.add_row(
                family or "—",
                result.manifest.pack,
                total.rule,
                f"{total.hits:,}",
                "" if total.amount is None else f"{total.amount:,}",
            )
    out.print(table)
    hits = sum(len(r.hits) for r in results)
    seconds = sum(r.seconds for r in results)
    out.print(f"{hits:,} hits → {out_file} ({seconds:.2f} s)")


def _pack_files(ref: str) -> list[Path]:
    """The pack files ``ref`` stands for: a path or a known pack, else every pack of the
    family ``ref``; NotFound (with suggestions) when nothing matches."""
    from onething.rules.authoring import family_files
    from onething.rules.library import packs_dir, resolve_pack

    try:
        return [resolve_pack(ref)]
    except OneThingError:
        members = family_files(packs_dir(), ref)
        if not members:
            raise
        return members


@app.command()
def explain(
    pack: PackArg,
    entity_id: Annotated[str, typer.Option("--entity-id", help="The entity to explain.")],
    as_of: AsOf = None,
    registry: Registry = None,
    engine: EngineOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every rule for one entity, hit or not, with the values behind each clause."""
    from onething.rules import Checker

    try:
        checked = load(pack)
        with Checker(checked, _source(registry), engine=engine, connections=1) as checker:  # type: ignore[arg-type]
            outcomes = checker.explain(entity_id, _as_of(as_of))
    except OneThingError as exc:
        fail(exc)
    if not outcomes:
        out.print(f"{entity_id}: 未找到该主体 (no such entity in {checked.pack}'s registry)")
        raise typer.Exit(1)
    if as_json:
        from onething.rules.run.result import explanation_json

        out.print_json(
            "["
            + ",".join(explanation_json({**o.explanation, "hit": o.hit}) for o in outcomes)
            + "]"
        )
        return
    for o in outcomes:
        mark = "[green]✓ 命中[/]" if o.hit else "[dim]✗ 未命中[/]"
        amount = f"  金额 {o.amount}" if o.amount is not None else ""
        out.print(f"{mark} {o.rule} {o.label}{amount}")
        for c in o.clauses:
            sign = "✓" if c.held else ("?" if c.held is None else "✗")
            out.print(f"    {sign} {c.detail or c.text}", markup=False, highlight=False)
