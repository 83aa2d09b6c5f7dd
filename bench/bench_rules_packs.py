"""The risk, coverage-gap and data-quality packs on a synthetic registry (DuckDB), and the
resident-ID check digit computed from the integer of the first 17 digits against the
baseline, character by character, side by side in one run.

    .venv/bin/python bench/bench_rules_packs.py [--persons 200000] [--registry DIR] [--ids 10000000]

Per pack: compile time, the whole population (one query, counted in DuckDB), the same
rows fetched as Arrow, a single-entity check (the key pushed into every scan), and the
hits of each rule whose id is a ground-truth kind against ``anomalies.parquet``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from onething.registry import schema
from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import Pack, compile_pack, load_pack, parse_pack
from onething.rules.run.duckdb import rows_duckdb

PACKS = Path(__file__).parents[1] / "content" / "packs"
NAMES = (
    "fund_risk",
    "coverage_gap_person",
    "coverage_gap_enterprise",
    "data_quality_person",
    "data_quality_enterprise",
    "data_quality_contribution",
)
END = date(2025, 6, 30)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def best(f: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        f()
        times.append(time.perf_counter() - started)
    return min(times)


def packs(registry: RegistryDir) -> None:
    con = registry.connect()
    truth: dict[str, set[str]] = {}
    for row in pq.read_table(registry.anomalies_file).to_pylist():
        truth.setdefault(row["kind"], set()).add(row["entity_id"])
    print(f"{'pack':28s} {'rows':>9s} {'compile':>8s} {'query':>7s} {'arrow':>7s} {'single':>7s}")
    for name in NAMES:
        pack = load_pack(PACKS / f"{name}.yaml")
        scenario = {"registration_grace_days": 0} if name.startswith("coverage_gap") else {}
        started = time.perf_counter()
        compiled = compile_pack(pack, END, {"base": scenario})
        sql = compiled.sql("duckdb")
        compile_s = time.perf_counter() - started
        # Counting the rows with a hit makes DuckDB compute every rule (a bare count(*)
        # would let it drop them).
        held = " OR ".join(f'"{r.hit_column}"' for r in compiled.manifest.rules.values())
        count = f"SELECT count(*), count(*) FILTER (WHERE {held}) FROM ({sql})"
        rows = con.execute(count).fetchall()[0][0]
        query_s = best(lambda count=count: con.execute(count).fetchall())
        table = rows_duckdb(compiled, con)
        arrow_s = best(lambda compiled=compiled: rows_duckdb(compiled, con), repeat=1)
        first = str(table.column("entity_id")[0].as_py())
        single = compile_pack(pack, END, {"base": scenario}, entity_ids=[first])
        single_s = best(lambda single=single: rows_duckdb(single, con))
        print(
            f"{name:28s} {rows:9,d} {compile_s:7.2f}s {query_s:6.2f}s {arrow_s:6.2f}s "
            f"{single_s * 1000:5.0f}ms"
        )
        data = table.to_pylist()
        for rule in compiled.manifest.rules:
            if rule not in truth:
                continue
            hits = {str(r["entity_id"]) for r in data if r[f"{rule}__hit"]}
            tp = len(hits & truth[rule])
            print(f"    {rule:38s} truth {len(truth[rule]):5d}  hits {len(hits):5d}  TP {tp:5d}")
    con.close()


def id_pack(weighted_sum: str) -> Pack:
    return parse_pack(
        {
            "pack": "id_bench",
            "version": "1",
            "title": "公民身份号码校验码",
            "entity": "person",
            "variables": {
                "id_body": {
                    "expr": "CASE WHEN length(entity_id) = 18 "
                    "THEN to_int(substr(entity_id, 1, 17)) END"
                },
                "weighted_sum": {"expr": weighted_sum},
            },
            "rules": [
                {
                    "id": "bad_check_digit",
                    "label": "校验码错误",
                    "condition": "substr(entity_id, 18, 1) "
                    "<> substr('10X98765432', mod(weighted_sum, 11) + 1, 1)",
                }
            ],
        }
    )


def id_check(registry: RegistryDir, n: int) -> None:
    con = duckdb.connect()
    con.execute(schema.table("persons").create_sql())
    source = registry.parquet("persons")
    base = pq.ParquetFile(source).metadata.num_rows
    copies = max(1, -(-n // base))
    con.execute(f"INSERT INTO persons SELECT p.* FROM read_parquet('{source}') p, range({copies})")
    total = con.execute("SELECT count(*) FROM persons").fetchall()[0][0]
    arithmetic = " + ".join(
        f"{w} * mod(div(id_body, {10 ** (16 - i)}), 10)" if i < 16 else f"{w} * mod(id_body, 10)"
        for i, w in enumerate(WEIGHTS)
    )
    by_character = " + ".join(
        f"{w} * (instr('0123456789', substr(entity_id, {i + 1}, 1)) - 1)"
        for i, w in enumerate(WEIGHTS)
    )
    print(f"\nresident-ID check digit over {total:,} rows (DuckDB, compiled packs)")
    for label, expr in (
        ("integer of 17 digits", arithmetic),
        ("baseline: per character", by_character),
    ):
        compiled = compile_pack(id_pack(expr), END)
        sql = f"SELECT count(*) FILTER (WHERE bad_check_digit__hit) FROM ({compiled.sql('duckdb')})"
        bad = con.execute(sql).fetchall()[0][0]
        seconds = best(lambda sql=sql: con.execute(sql).fetchall())
        print(f"  {label:26s} {seconds:6.2f}s {total / seconds / 1e6:6.2f} M rows/s  bad={bad}")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--ids", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.registry or Path(scratch) / "registry"
        if not RegistryDir(root).exists():
            options = GenerateOptions(persons=args.persons, seed=7, end_date=END, anomaly_rate=0.01)
            report = generate_registry(root, options)
            print(f"registry: {args.persons:,} persons in {report.elapsed_seconds:.1f}s\n")
        registry = RegistryDir(root)
        packs(registry)
        id_check(registry, args.ids)


if __name__ == "__main__":
    main()
