"""``onething catalog``: check, count and show the service catalog (四项清单, 事项, 一件事)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table as RichTable

from onething.catalog.loader import default_catalog_path, load_catalog
from onething.catalog.service import check as check_catalog_files
from onething.catalog.service import show as show_service
from onething.catalog.stats import catalog_stats
from onething.cli.common import console, fail, out
from onething.kit.errors import OneThingError

app = typer.Typer(help="The service catalog (服务目录): four lists, matters, bundles.")


@app.command()
def check() -> None:
    """Report dangling references, duplicate codes, type errors and bundle-graph problems."""
    problems = check_catalog_files()
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        console.print(f"[{colour}]{p.severity}[/] {p.where}  {p.message()}")
    out.print(
        f"{default_catalog_path()}: {len(errors)} 个错误, {len(problems) - len(errors)} 个提示"
    )
    if errors:
        raise typer.Exit(1)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts the reform reports: matters by department, fully online, cross-region,
    instant; per bundle, fields asked against the sum over its matters and materials
    satisfied by licenses."""
    try:
        result = catalog_stats(load_catalog())
    except OneThingError as exc:
        fail(exc)
    if as_json:
        out.print_json(result.model_dump_json())
        return
    head = RichTable(title="服务目录概况 catalog", show_header=False)
    head.add_column()
    head.add_column(justify="right")
    for label, value in [
        ("部门 departments", result.departments),
        ("职责 duties", result.duties),
        ("系统 IT systems", result.systems),
        ("数据目录 data catalogs", result.data_catalogs),
        ("事项 matters", result.matters),
        ("一件事 bundles", result.bundles),
        ("全程网办 fully online", result.fully_online),
        ("跨域通办 cross-region", result.cross_region),
        ("即办 instant", result.instant),
        ("时限为占位值 placeholder limits", result.placeholder_limits),
    ]:
        head.add_row(label, str(value))
    out.print(head)
    by_dept = RichTable(title="分部门事项 matters by department")
    by_dept.add_column("部门")
    by_dept.add_column("事项", justify="right")
    for dept, n in result.matters_by_department.items():
        by_dept.add_row(dept, str(n))
    out.print(by_dept)
    bundles = RichTable(title="一件事 bundles：一表申请、一套材料")
    for col in (
        "一件事",
        "事项",
        "表单字段 实填/合计",
        "材料 去重/合计",
        "免证办",
        "链内产生",
        "承诺(工作日)",
    ):
        bundles.add_column(col, justify="left" if col == "一件事" else "right", no_wrap=True)
    for b in result.bundle_stats:
        bundles.add_row(
            f"{b.name} {b.code}",
            str(b.members),
            f"{b.fields_asked}/{b.fields_sum}",
            f"{b.materials_distinct}/{b.materials_sum}",
            str(b.materials_auto_satisfiable),
            str(b.materials_produced_in_bundle),
            f"{b.promised_limit_days}",
        )
    out.print(bundles)


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="Matter or bundle code (or its Chinese name).")],
) -> None:
    """Show one matter or bundle as JSON."""
    try:
        data = show_service(load_catalog(), code)
    except OneThingError as exc:
        fail(exc)
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))
