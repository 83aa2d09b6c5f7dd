"""The rules engine: one engine for every "find who / check whether" question.

Eligibility (免申即享), risk control (事前/事中/事后), coverage gaps (数据找人) and data
quality are all "for each entity, compute some variables and test some conditions".
A pack (YAML, docs/rules.md) declares them; the compiler turns a pack, a date and
parameter scenarios into one SQL query per engine (DuckDB, PostgreSQL, Spark SQL); a
runner executes it and explains each hit.

    pack = load_pack("content/packs/job_stabilisation_refund.yaml")
    compiled = compile_pack(pack, date(2025, 6, 30))
    print(compiled.sql("postgres"))

    from onething.rules.run.duckdb import run_duckdb   # runners import their driver
    hits = run_duckdb(compiled, duckdb.connect("registry.duckdb"))

    with Checker("fund_risk", "var/registry") as checker:   # one entity at a time, fast
        hits = checker.check("370102198503010111", date(2025, 6, 30))

This package and :mod:`onething.rules.compile` import no database driver.
"""

from onething.rules.authoring import Pack, load_pack, loads_pack, parse_pack
from onething.rules.compile import (
    DIALECTS,
    CompiledPack,
    Dialect,
    compile_check,
    compile_pack,
    select_rules,
)
from onething.rules.compile.manifest import Manifest, RuleInfo
from onething.rules.errors import Problem, RulesError
from onething.rules.run import ClauseOutcome, Hit, PostgresSource, RuleOutcome
from onething.rules.run.checker import Checker

__all__ = [
    "DIALECTS",
    "Checker",
    "ClauseOutcome",
    "CompiledPack",
    "Dialect",
    "Hit",
    "Manifest",
    "Pack",
    "PostgresSource",
    "Problem",
    "RuleInfo",
    "RuleOutcome",
    "RulesError",
    "compile_check",
    "compile_pack",
    "load_pack",
    "loads_pack",
    "parse_pack",
    "select_rules",
]
