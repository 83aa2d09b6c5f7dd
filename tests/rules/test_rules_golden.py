"""Golden SQL per dialect: any change to the emitted SQL is reviewed.

Kept for the test packs (``golden/*.sql``) and for every shipped pack
(``golden/packs/<pack>.<dialect>.sql``: the whole population; ``<pack>.check.<dialect>.sql``:
the single-entity check compiled once, its key the bound parameter ``entity_id``).

Regenerate after an intended change with
``ONETHING_REGEN_GOLDEN=1 pytest tests/rules/test_rules_golden.py`` and read the diff
(``git diff tests/rules/golden``); a shipped pack added to ``content/packs`` gets its
files the same way.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot
from rules_support import PACKS
from sqlglot import exp

from onething.rules import (
    DIALECTS,
    CompiledPack,
    Dialect,
    compile_check,
    compile_pack,
    load_pack,
)

GOLDEN = Path(__file__).parent / "golden"
SHIPPED = Path(__file__).parents[2] / "content" / "packs"
AS_OF = date(2025, 6, 30)
PACK = load_pack(PACKS / "job_retention_test.yaml")
SCENARIOS = {"base": {}, "generous": {"refund_ratio_sme": "0.75"}}
CASES: dict[str, CompiledPack] = {
    "job_retention_test": compile_pack(PACK, date(2025, 6, 30), scenarios=SCENARIOS),
    "job_retention_test.single": compile_pack(
        PACK, date(2025, 6, 30), entity_ids=["91370102MA3C00011X"]
    ),
    # Aggregates over other entities and joins on several columns (docs/rules.md §1).
    "relations_test.single": compile_pack(
        load_pack(PACKS / "relations_test.yaml"),
        date(2025, 6, 30),
        entity_ids=["370102198503010111"],
    ),
    "job_retention_test.check": compile_check(PACK, date(2025, 6, 30), scenarios=SCENARIOS),
}
for _file in sorted(SHIPPED.glob("*.yaml")):
    _pack = load_pack(_file)
    CASES[f"packs/{_pack.pack}"] = compile_pack(_pack, AS_OF)
    CASES[f"packs/{_pack.pack}.check"] = compile_check(_pack, AS_OF)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_sql_matches_the_golden_file(case: str, dialect: Dialect) -> None:
    sql = CASES[case].sql(dialect) + "\n"
    path = GOLDEN / f"{case}.{dialect}.sql"
    if os.environ.get("ONETHING_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with ONETHING_REGEN_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8"), (
        f"{path.name} differs: review, then regenerate with ONETHING_REGEN_GOLDEN=1"
    )


def test_every_shipped_pack_has_golden_sql() -> None:
    names = {p.stem for p in SHIPPED.glob("*.yaml")}
    assert len(names) >= 9
    expected = {f"{n}{kind}.{d}.sql" for n in names for kind in ("", ".check") for d in DIALECTS}
    assert {p.name for p in (GOLDEN / "packs").glob("*.sql")} == expected


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_check_binds_the_key_where_the_literal_ids_go(dialect: Dialect) -> None:
    """The check compiled once is the single-entity query with its literal key replaced
    by the engine's parameter, scan for scan."""
    key = "370102198503010111"
    pack = load_pack(PACKS / "relations_test.yaml")
    literal = compile_pack(pack, AS_OF, entity_ids=[key]).sql(dialect, pretty=False)
    bound = compile_check(pack, AS_OF).sql(dialect, pretty=False)
    marker = {"duckdb": "$entity_id", "postgres": "$1", "spark": ":entity_id"}[dialect]
    assert key not in bound
    assert bound.count(marker) == literal.count(f"'{key}'") > 1
    assert bound.replace(marker, f"'{key}'") == literal


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_parses_back_in_its_dialect(dialect: Dialect) -> None:
    compiled = CASES["job_retention_test"]
    statements = sqlglot.parse(compiled.sql(dialect), read=dialect)
    assert len(statements) == 1
    tree = statements[0]
    assert isinstance(tree, exp.Select)
    outputs = [e.alias_or_name for e in tree.expressions]
    assert outputs == [name for name, _ in compiled.manifest.columns]
    ctes = [cte.alias for cte in tree.find_all(exp.CTE)]
    assert ctes[0] == "_params"
    assert ctes[-1] == "_r"


def test_the_compiler_imports_no_database_driver() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; import onething.rules, onething.rules.compile; "
        "bad = [m for m in ('duckdb', 'psycopg', 'pyspark', 'sqlalchemy') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_registry_tables_can_live_in_a_schema() -> None:
    sql = CASES["job_retention_test"].sql("postgres", schema="registry")
    tree = sqlglot.parse_one(sql, read="postgres")
    tables = {(t.db, t.name) for t in tree.find_all(exp.Table)}
    registry = {(db, name) for db, name in tables if db}
    assert registry == {
        ("registry", "contributions"),
        ("registry", "employment_spells"),
        ("registry", "enterprises"),
    }
    assert {name for db, name in tables if not db} >= {"_params", "_l0", "_r"}
