"""The synthetic registry generator: persons per second, end to end.

Generates a registry (Parquet files, the DuckDB file, catalog, manifest, ground truth)
into a temporary folder and reports the wall time, the CPU time, the time of each stage,
the busy time of each writer thread and the rows and bytes of every table.

    .venv/bin/python bench/bench_generate.py [--persons 1000000] [--history-months 24]
                                             [--end-date 2025-06-30] [--keep DIR] [--json]

Target (issue): 1,000,000 persons in 15 s on 2 cores, Parquet and DuckDB included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from onething.registry.generate import DEFAULT_HISTORY_MONTHS, GenerateOptions, generate_registry
from onething.registry.store import RegistryDir


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(persons: int, seed: int, end: date, months: int, out: Path) -> dict[str, Any]:
    cpu0 = _cpu()
    started = time.perf_counter()
    report = generate_registry(
        out,
        GenerateOptions(persons=persons, seed=seed, end_date=end, history_months=months),
    )
    wall = time.perf_counter() - started
    reg = RegistryDir(out)
    sizes = {name: reg.parquet(name).stat().st_size for name in report.rows}
    return {
        "persons": persons,
        "history_months": months,
        "cpus": os.cpu_count(),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(_cpu() - cpu0, 2),
        "persons_per_second": round(persons / wall),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stage_seconds": {k: round(v, 2) for k, v in report.stage_seconds.items()},
        "writer_busy_seconds": {k: round(v, 2) for k, v in report.writer_seconds.items()},
        "rows": report.rows,
        "parquet_bytes": sizes,
        "duckdb_bytes": reg.duckdb_file.stat().st_size,
        "anomalies": report.anomalies,
    }


def show(r: dict[str, Any]) -> None:
    print(
        f"{r['persons']:,} persons, {r['history_months']} months of history, "
        f"{r['cpus']} CPUs: {r['wall_seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU, "
        f"{r['persons_per_second']:,} persons/s, peak RSS {r['peak_rss_mb']:,} MB"
    )
    print("\nstages (wall s; the writers overlap them):")
    for name, s in r["stage_seconds"].items():
        print(f"  {name:16s} {s:7.2f}")
    print("writer threads (busy s):")
    for name, s in r["writer_busy_seconds"].items():
        print(f"  {name:16s} {s:7.2f}")
    print(f"\n{'table':24s} {'rows':>12s} {'Parquet MB':>11s}")
    for name, n in r["rows"].items():
        print(f"  {name:22s} {n:>12,} {r['parquet_bytes'][name] / 1e6:>11.1f}")
    total = sum(r["rows"].values())
    parquet = sum(r["parquet_bytes"].values()) / 1e6
    duckdb_mb = r["duckdb_bytes"] / 1e6
    print(f"  {'total':22s} {total:>12,} {parquet:>11.1f}   DuckDB {duckdb_mb:.0f} MB")
    print(f"\nplanted anomalies: {sum(r['anomalies'].values()):,} {r['anomalies']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2025, 6, 30))
    parser.add_argument("--history-months", type=int, default=DEFAULT_HISTORY_MONTHS)
    parser.add_argument("--keep", type=Path, help="write here (kept) instead of a temp dir")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.keep:
        result = run(args.persons, args.seed, args.end_date, args.history_months, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
            out = Path(tmp) / "registry"
            result = run(args.persons, args.seed, args.end_date, args.history_months, out)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        show(result)
    return result


if __name__ == "__main__":
    main()
