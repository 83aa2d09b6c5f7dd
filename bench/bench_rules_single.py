"""Single-entity check latency: the prepared path (``Checker``) against today's path
(``compile_pack(pack, as_of, entity_ids=[id])`` then the query, per call), side by side in
one run, on DuckDB and on PostgreSQL.

    .venv/bin/python bench/bench_rules_single.py --registry DIR [--pg postgresql://…/db]
        [--packs fund_risk coverage_gap_person data_quality_person] [--ids 1000]
        [--phases pre]

``--registry`` is a generated registry folder (``onething registry generate``; a
200,000-person one is generated into a temporary folder when omitted); ``--pg`` a
database the same registry was loaded into (``onething registry load DIR --into URL``).
Per pack and engine, over ``--ids`` entity ids drawn at random (about half of them hit
by a rule, from the registry's planted anomalies, the rest random; a few ids no entity
has): latency p50 / p99 / max of a check of every rule, of a check of the ``pre`` rules
(packs that have some), and of the baseline. Every check's hits are compared with the
baseline's: the run fails if any differ. ``--layouts`` adds a point filter on
``persons.person_id`` in DuckDB with rows in key order, in random order, and in random
order with an ART index. ``--packs`` takes any shipped pack (its own entity's ids).
``--phases pre`` (or any phases) measures only a check of those phases' rules, as the
case guards run it, against a baseline compiling only those rules (:func:`select_rules`);
the planted anomalies drawn are those rules'. A database then needs only the tables
those rules read.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import Checker, Hit, Pack, PostgresSource, compile_pack, select_rules
from onething.rules.library import load
from onething.rules.run.checker import PHASES
from onething.rules.run.query import Executor, find_hits
from onething.rules.run.result import explanation_json

AS_OF = date(2025, 6, 30)
PERSON_PACKS = ("fund_risk", "coverage_gap_person", "data_quality_person")
SMALL_GROUPS = 8192
MISSING = ("370102190001010000", "110101199001011234")  # well-formed, nobody's


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def signature(found: list[Hit]) -> list[tuple[str, ...]]:
    return [
        (h.scenario, h.entity_id, h.rule, repr(h.amount), explanation_json(h.explanation))
        for h in found
    ]


def draw_ids(registry: RegistryDir, pack: Pack, n: int, seed: int) -> list[str]:
    """About half planted anomalies of the pack's rules, the rest random entities, and
    a few ids nobody has; shuffled."""
    spec = pack.entity_spec()
    assert spec is not None
    table, key = spec.table, spec.keys[0]
    rng = random.Random(seed)
    truth = pq.read_table(registry.anomalies_file).to_pylist()
    hits = sorted(
        {str(r["entity_id"]) for r in truth if r["kind"] in {rule.id for rule in pack.rules}}
    )
    chosen = rng.sample(hits, min(len(hits), n // 2))
    with registry.connect() as con:
        count = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
        wanted = n - len(chosen) - len(MISSING)
        percent = min(100.0, 100.0 * 3 * wanted / max(count, 1))
        sample = con.execute(
            f'SELECT "{key}" FROM "{table}" TABLESAMPLE {percent:.6f}% (bernoulli, {seed})'
        ).fetchall()
    others = [str(r[0]) for r in sample]
    rng.shuffle(others)
    ids = chosen + others[:wanted] + list(MISSING)
    rng.shuffle(ids)
    return ids


@contextmanager
def baseline_executor(engine: str, registry: RegistryDir, pg: str | None) -> Iterator[Executor]:
    """Today's path keeps a connection open too: only compiling per call is measured."""
    if engine == "postgres":
        from onething.rules.run.postgres import PostgresExecutor, connect

        assert pg is not None
        connection = connect(pg)
        try:
            yield PostgresExecutor(connection)
        finally:
            connection.close()
        return
    from onething.rules.run.duckdb import DuckDBExecutor

    con = registry.connect()
    try:
        yield DuckDBExecutor(con)
    finally:
        con.close()


def timed(f: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = f()
    return time.perf_counter() - started, result


def row(label: str, times: list[float], extra: str = "") -> str:
    ms = [t * 1000 for t in times]
    return (
        f"  {label:30s} {percentile(ms, 0.5):8.1f} {percentile(ms, 0.99):8.1f} "
        f"{max(ms):8.1f} {len(ms):6d}  {extra}"
    )


def bench_pack(
    name: str,
    engine: str,
    registry: RegistryDir,
    pg: str | None,
    n: int,
    baseline_n: int,
    phases: tuple[str, ...] | None = None,
) -> None:
    """Check ``n`` ids of pack ``name``: every rule and the ``pre`` rules apart, or
    only the rules of ``phases``; the baseline compiles the same rules per call."""
    pack = load(name)
    measured = pack
    if phases is not None:
        chosen = [r.id for r in pack.rules if r.phase in phases]
        if not chosen:
            print(f"\n{name}: no rule in phase {', '.join(phases)}")
            return
        measured = select_rules(pack, chosen)
    ids = draw_ids(registry, measured, n, seed=zlib.crc32(name.encode()))
    source: Any = PostgresSource(pg) if engine == "postgres" else registry.root
    pre = phases is None and any(r.phase == "pre" for r in pack.rules)
    rules = "every rule" if phases is None else f"phase {'+'.join(phases)}"
    print(
        f"\n{name} on {engine}: {len(ids)} ids, {len(measured.rules)} rules, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(f"  {'':30s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'checks':>6s}")
    with Checker(pack, source, engine=engine, connections=1) as checker:  # type: ignore[arg-type]
        first, _ = timed(lambda: checker.check(ids[0], AS_OF, phases=phases))
        first_pre = 0.0
        if pre:
            first_pre, _ = timed(lambda: checker.check(ids[0], AS_OF))
        prepared: dict[str, list[tuple[str, ...]]] = {}
        times = []
        for entity_id in ids:
            seconds, found = timed(lambda e=entity_id: checker.check(e, AS_OF, phases=phases))
            times.append(seconds)
            prepared[entity_id] = signature(found)
        hit = sum(1 for s in prepared.values() if s)
        print(row(f"Checker, {rules}", times, f"first {first * 1000:.0f} ms, {hit} hit"))
        if pre:
            pre_times = [timed(lambda e=e: checker.check(e, AS_OF))[0] for e in ids]
            print(row("Checker, phase pre", pre_times, f"first {first_pre * 1000:.0f} ms"))
    base_times = []
    differ = 0
    with baseline_executor(engine, registry, pg) as executor:
        for entity_id in ids[:baseline_n]:

            def today(e: str = entity_id) -> list[Hit]:
                compiled = compile_pack(measured, AS_OF, entity_ids=[e])
                return find_hits(executor, compiled)[0]

            seconds, found = timed(today)
            base_times.append(seconds)
            differ += signature(found) != prepared[entity_id]
    print(row("baseline: compile_pack per call", base_times, f"{differ} differ"))
    if differ:
        raise SystemExit(f"{name} on {engine}: {differ} checks differ from the baseline")


def layouts(registry: RegistryDir, n: int) -> None:
    """A point filter on a text key in a big DuckDB table, four ways: rows in key order
    (as generated: row-group min/max statistics skip all but one group of 122,880 rows),
    the same in row groups of :data:`SMALL_GROUPS` rows, rows in random order (every group
    scanned), and random order with an ART index (``CREATE INDEX``)."""
    with tempfile.TemporaryDirectory() as scratch:
        con = duckdb.connect(str(Path(scratch) / "layouts.duckdb"))
        con.execute(f"ATTACH '{registry.duckdb_file}' AS reg (READ_ONLY)")
        con.execute("CREATE TABLE ordered AS SELECT * FROM reg.persons")
        con.execute("CREATE TABLE shuffled AS SELECT * FROM reg.persons ORDER BY hash(person_id)")
        con.execute("CREATE TABLE indexed AS SELECT * FROM shuffled")
        small = Path(scratch) / "small_groups.duckdb"
        con.execute(f"ATTACH '{small}' AS small (ROW_GROUP_SIZE {SMALL_GROUPS})")
        con.execute("CREATE TABLE small.ordered AS SELECT * FROM reg.persons")
        started = time.perf_counter()
        con.execute("CREATE INDEX indexed_person ON indexed (person_id)")
        index_s = time.perf_counter() - started
        con.execute("DETACH reg")
        ids = [r[0] for r in con.execute(f"SELECT person_id FROM shuffled LIMIT {n}").fetchall()]
        rows = con.execute("SELECT count(*) FROM ordered").fetchall()[0][0]
        print(
            f"\nDuckDB point filter on persons.person_id ({rows:,} rows), load "
            f"{os.getloadavg()[0]:.2f}; ART index built in {index_s:.1f} s"
        )
        print(f"  {'':30s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'checks':>6s}")
        for table in ("ordered", "small.ordered", "shuffled", "indexed"):
            sql = f"SELECT * FROM {table} WHERE person_id = $1"
            times = [timed(lambda i=i, q=sql: con.execute(q, [i]).fetchall())[0] for i in ids]
            print(row(table, times))
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--pg", default=None, help="postgresql://… holding the same registry")
    parser.add_argument("--packs", nargs="+", default=list(PERSON_PACKS))
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--baseline-ids", type=int, default=None, help="default: --ids")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "postgres"])
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=PHASES,
        default=None,
        help="check only the rules of these phases (default: every rule, and pre apart)",
    )
    parser.add_argument(
        "--layouts", action="store_true", help="also: DuckDB point filters by storage layout"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.registry or Path(scratch) / "registry"
        if not RegistryDir(root).exists():
            options = GenerateOptions(persons=200_000, seed=1, end_date=AS_OF)
            generate_registry(root, options)
        registry = RegistryDir(root)
        with duckdb.connect(str(registry.duckdb_file), read_only=True) as con:
            persons = con.execute("SELECT count(*) FROM persons").fetchall()[0][0]
        print(f"registry {root}: {persons:,} persons; as of {AS_OF}")
        engines = [e for e in args.engines if e != "postgres" or args.pg]
        for name in args.packs:
            for engine in engines:
                bench_pack(
                    name,
                    engine,
                    registry,
                    args.pg,
                    args.ids,
                    args.baseline_ids or args.ids,
                    tuple(args.phases) if args.phases else None,
                )
        if args.layouts:
            layouts(registry, min(args.ids, 1000))


if __name__ == "__main__":
    main()
