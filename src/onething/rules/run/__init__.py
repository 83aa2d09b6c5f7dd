"""Runners: execute a compiled pack on an engine and turn its rows into explained hits.

    from onething.rules.run import run, explain, PostgresSource
    result = run(compiled, Path("var/registry"))                      # DuckDB
    result = run(compiled, Path("var/registry"), engine="spark")      # Spark, Parquet files
    result = run(compiled, PostgresSource("postgresql://…", "registry"))
    result.hits, result.totals, result.to_arrow()
    explain(compiled, Path("var/registry"), "370102…", engine="duckdb")

Every engine shares one path from output rows to hits (:mod:`.query`, then
:mod:`.explanation`): the same rows give the same hits in the same order, explained the
same way. The engine modules (:mod:`.duckdb`, :mod:`.postgres`, :mod:`.spark`) only run
SQL; they import their driver and are imported only when used, so this package needs
none.
"""

from onething.rules.run.explanation import (
    ClauseOutcome,
    Hit,
    Row,
    RuleOutcome,
    describe_clause,
    hits,
    outcome,
    outcomes,
    show,
)
from onething.rules.run.query import Executor, Progress
from onething.rules.run.result import RuleTotal, RunResult, explanation_json, hits_table
from onething.rules.run.runner import ENGINES, Engine, PostgresSource, Source, explain, run

__all__ = [
    "ENGINES",
    "ClauseOutcome",
    "Engine",
    "Executor",
    "Hit",
    "PostgresSource",
    "Progress",
    "Row",
    "RuleOutcome",
    "RuleTotal",
    "RunResult",
    "Source",
    "describe_clause",
    "explain",
    "explanation_json",
    "hits",
    "hits_table",
    "outcome",
    "outcomes",
    "run",
    "show",
]
