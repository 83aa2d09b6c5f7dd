"""``onething registry``: generate, import, export, load and summarise the registry."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from onething import migrations
from onething.cli.common import fail, out, progress_bar
from onething.config import get_settings
from onething.kit.clock import today
from onething.kit.db import get_engine, unit_of_work
from onething.kit.errors import OneThingError
from onething.kit.i18n import t
from onething.models import record_audit
from onething.registry.store import RegistryDir
from onething.registry.summary import RegistrySummary

app = typer.Typer(help="The registry (人口与法人数据底座).", no_args_is_help=True)


def _registry_path(path: Path | None) -> Path:
    return path or get_settings().effective_registry_path


def _audit(action: str, entity_id: str, after: dict[str, Any]) -> None:
    """Record a registry write in the operational audit log (migrating it if needed)."""
    url = get_settings().effective_database_url
    migrations.upgrade(url)
    with unit_of_work(get_engine(url)) as session:
        record_audit(
            session,
            actor=f"cli:{getpass.getuser()}",
            action=action,
            entity_type="registry",
            entity_id=entity_id,
            after=after,
        )


def _counts_table(title: str, counts: dict[str, int]) -> RichTable:
    table = RichTable(title=title)
    table.add_column("表 table")
    table.add_column("行数 rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    return table


def ensure_demo_registry(path: Path, persons: int, seed: int) -> None:
    """Generate the demo registry at ``path`` unless one is already there."""
    if RegistryDir(path).exists():
        out.print(t("cli.registry_exists", path=path))
        return
    generate(persons=persons, seed=seed, out_dir=path, end_date=None, history_months=None)


@app.command()
def generate(
    persons: Annotated[int, typer.Option("--persons", "-n", min=1, help="Persons.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, identical tables.")] = 1,
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Target folder (default: registry).")
    ] = None,
    end_date: Annotated[
        str | None, typer.Option(help="Histories run up to this date (default: today).")
    ] = None,
    history_months: Annotated[
        int | None, typer.Option(help="Months of monthly contributions and payments.")
    ] = None,
) -> None:
    """Generate a reproducible synthetic Shandong registry with planted anomalies."""
    from onething.registry.generate import GenerateOptions, generate_registry

    target = _registry_path(out_dir)
    kwargs: dict[str, Any] = {
        "persons": persons,
        "seed": seed,
        "end_date": date.fromisoformat(end_date) if end_date else today(),
    }
    if history_months:
        kwargs["history_months"] = history_months
    try:
        with progress_bar() as progress:
            report = generate_registry(target, GenerateOptions(**kwargs), progress=progress)
    except OneThingError as exc:
        fail(exc)
    out.print(_counts_table(str(target), dict(report.rows)))
    out.print(
        t(
            "cli.registry_generated",
            path=target,
            persons=f"{persons:,}",
            seconds=f"{report.elapsed_seconds:.1f}",
        )
    )
    _audit(
        "registry.generate",
        str(target),
        {"persons": persons, "seed": seed, "end_date": str(kwargs["end_date"])},
    )


@app.command("import")
def import_(
    source: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Folder of table files.")
    ],
    into: Annotated[
        Path | None, typer.Option("--into", help="Target registry (default: registry).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or auto.")] = "auto",
) -> None:
    """Import Parquet or CSV files (one per table): all or nothing, every bad row reported."""
    from onething.registry.io import import_registry

    target = _registry_path(into)
    try:
        with progress_bar() as progress:
            report = import_registry(source, target, fmt=fmt, progress=progress)  # type: ignore[arg-type]
    except OneThingError as exc:
        fail(exc)
    rows = dict(report.rows)
    out.print(_counts_table(str(target), rows))
    out.print(
        t("cli.registry_imported", tables=len(rows), rows=f"{sum(rows.values()):,}", path=target)
    )
    _audit("registry.import", str(target), {"source": str(source), "rows": rows})


@app.command()
def export(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Target folder.")],
    source: Annotated[
        Path | None, typer.Option("--registry", help="Registry (default: registry).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    tables: Annotated[
        list[str] | None, typer.Option("--table", help="Only these tables (repeatable).")
    ] = None,
) -> None:
    """Export the registry as CSV or Parquet files, one per table."""
    from onething.registry.io import export_registry

    try:
        report = export_registry(
            _registry_path(source),
            out_dir,
            fmt=fmt,  # type: ignore[arg-type]
            tables=tables or None,
        )
    except OneThingError as exc:
        fail(exc)
    out.print(t("cli.registry_exported", tables=len(report.rows), path=out_dir))


@app.command()
def load(
    into: Annotated[str, typer.Option("--into", help="postgresql://user:password@host/db")],
    source: Annotated[
        Path | None, typer.Argument(help="Registry folder (default: registry).")
    ] = None,
    schema_name: Annotated[str, typer.Option("--schema", help="Target schema.")] = "registry",
    replace: Annotated[bool, typer.Option(help="Replace tables already in the schema.")] = False,
) -> None:
    """Load the registry's tables into PostgreSQL (one transaction)."""
    from onething.registry.load import load_registry

    src = _registry_path(source)
    try:
        with progress_bar() as progress:
            report = load_registry(
                src, into, schema_name=schema_name, replace=replace, progress=progress
            )
    except OneThingError as exc:
        fail(exc)
    rows = dict(report.rows)
    out.print(_counts_table(f"{schema_name}", rows))
    out.print(
        t(
            "cli.registry_loaded",
            tables=len(rows),
            rows=f"{sum(rows.values()):,}",
            schema=schema_name,
        )
    )
    _audit("registry.load", schema_name, {"source": str(src), "rows": rows})


@app.command()
def summary(
    source: Annotated[
        Path | None, typer.Argument(help="Registry folder (default: registry).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Summarise a registry: counts, persons by city, enterprises by size, benefits."""
    from onething.registry.summary import summarize

    try:
        result = summarize(_registry_path(source))
    except OneThingError as exc:
        fail(exc)
    if as_json:
        out.print_json(result.model_dump_json())
        return
    _print_summary(result)


def _print_summary(s: RegistrySummary) -> None:
    head = RichTable(title=f"{s.path}  (截至 {s.as_of}，种子 {s.seed})", show_header=False)
    head.add_column()
    head.add_column(justify="right")
    for label, value in [
        ("人口 persons", s.persons),
        ("在世 living", s.living),
        ("死亡 deceased", s.deceased),
        ("在职 employed", s.employed),
        ("参保 insured", s.insured),
    ]:
        head.add_row(label, f"{value:,}")
    head.add_row("待遇发放合计 benefits paid (元)", f"{s.benefit_paid_total:,}")
    head.add_row("单位缴费合计 employer contributions (元)", f"{s.contributions_employer_total:,}")
    head.add_row("个人缴费合计 employee contributions (元)", f"{s.contributions_employee_total:,}")
    out.print(head)
    cities = RichTable(title="分市人口 persons by city")
    cities.add_column("代码")
    cities.add_column("城市")
    cities.add_column("人口", justify="right")
    for c in s.persons_by_city:
        cities.add_row(c.code, c.name, f"{c.persons:,}")
    out.print(cities)
    sizes = RichTable(title="企业规模 enterprises by size")
    for col in ("规模", "企业", "存续"):
        sizes.add_column(col, justify="right" if col != "规模" else "left")
    for e in s.enterprises_by_size:
        sizes.add_row(e.label, f"{e.enterprises:,}", f"{e.open:,}")
    out.print(sizes)
    if s.anomalies:
        out.print(
            _counts_table("预置疑点 planted anomalies", {a.kind: a.count for a in s.anomalies})
        )
