"""The problem-data ratio (问题数据占比) of a compiled pack: a summary query over its rows.

A data-quality pack's entity is one registry table's rows, so counting the rows with at
least one hit, per scenario (and per region), gives the share of problem records of
that table: ``SELECT scenario, count(*), count(*) FILTER (any hit), ratio, hits per
rule FROM (<the pack's query>) GROUP BY scenario``. The ratio is an exact decimal (10
places, ``/`` as everywhere else); the query is built as a tree and lowered per dialect
like the pack's own.
"""

from __future__ import annotations

from sqlglot import exp

from onething.rules.compile.ir import DIVISION_SCALE, INT, decimal, set_type
from onething.rules.compile.manifest import Manifest

Q = "_q"


def _count_if(condition: exp.Expr) -> exp.Expr:
    """``sum(CASE WHEN condition THEN 1 ELSE 0 END)`` as a BIGINT (0 over no rows)."""
    case = exp.Case(
        ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0)
    )
    total = exp.Coalesce(this=exp.Sum(this=case), expressions=[exp.Literal.number(0)])
    return exp.Cast(this=total, to=exp.DataType.build("BIGINT"))


def summary_query(manifest: Manifest, query: exp.Select, *, by_region: bool = False) -> exp.Select:
    """Per scenario (and region): rows, rows with any hit, their exact ratio, hits per rule.

    Columns: ``scenario``, [``region``,] ``entities``, ``problem_entities``,
    ``problem_ratio`` (``decimal(10)``, NULL over no rows), ``<rule>__hits``.
    """
    hit_columns = [exp.column(rule.hit_column, Q) for rule in manifest.rules.values()]
    any_hit: exp.Expr = exp.or_(*hit_columns) if hit_columns else exp.false()
    keys: list[exp.Expr] = [exp.column("scenario", Q)]
    if by_region:
        keys.append(exp.column("region", Q))
    entities = exp.Count(this=exp.Star())
    problems = _count_if(any_hit)
    ratio = exp.Div(this=problems.copy(), expression=entities.copy())
    for node in (ratio.this, ratio.expression):
        set_type(node, INT)
    set_type(ratio, decimal(DIVISION_SCALE))
    select = exp.select(
        *(k.copy() for k in keys),
        entities.as_("entities"),
        problems.as_("problem_entities"),
        ratio.as_("problem_ratio"),
        *(
            _count_if(exp.column(rule.hit_column, Q)).as_(f"{rule.id}__hits")
            for rule in manifest.rules.values()
        ),
    )
    return (
        select.from_(
            exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier(Q)))
        )
        .group_by(*keys)
        .order_by(*(k.copy() for k in keys))
    )
