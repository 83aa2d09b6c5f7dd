"""Phase 7, *emit*: the planned query lowered for one engine and rendered as SQL text.

Lowering replaces, bottom-up, each of our function calls and each ``/`` and ``%`` by the
tree :mod:`.functions` builds for the dialect; SQLGlot then renders the tree. Nothing here
concatenates SQL text, and anything SQLGlot cannot render for a dialect is an error, not
a warning.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from onething.rules.compile.dialects import LOWERINGS
from onething.rules.compile.functions import FUNCTIONS, Lowering
from onething.rules.compile.ir import META_TYPE, RType, type_of, wrap
from onething.rules.compile.trees import REGISTRY_TABLE

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Between)

Dialect = Literal["duckdb", "postgres", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "postgres", "spark")


def lower(tree: exp.Expr, dialect: Dialect, *, schema: str | None = None) -> exp.Expr:
    """A copy of ``tree`` with our functions and operators in ``dialect``'s terms.

    ``schema`` qualifies the registry tables (a PostgreSQL schema, a Spark database).
    """
    lowering = LOWERINGS[dialect]
    out = tree.copy()
    for node in reversed(list(out.dfs())):
        new: exp.Expr | None = None
        if isinstance(node, exp.Div | exp.Mod):
            new = _arithmetic(lowering, node)
        elif isinstance(node, exp.Anonymous) and str(node.this) in FUNCTIONS:
            args = list(node.expressions)
            new = lowering.lower_call(
                str(node.this), args, [type_of(a) for a in args], type_of(node)
            )
        elif isinstance(node, exp.Filter):
            new = _filter_calls(node)
        elif isinstance(node, exp.Case):
            rtype = node.meta.get(META_TYPE)
            lowering.case(node, rtype if isinstance(rtype, RType) else None)
        elif isinstance(node, _COMPARISONS):
            lowering.align_comparison(node)
        elif isinstance(node, exp.Placeholder) and node.this:
            new = lowering.parameter(str(node.this))
        elif isinstance(node, exp.Table) and schema and node.meta.get(REGISTRY_TABLE):
            node.set("db", exp.to_identifier(schema))
        elif (
            isinstance(node, exp.Cast)
            and isinstance(node.this, exp.Cast)
            and node.this.to == node.to
        ):
            new = node.this  # CAST(CAST(x AS T) AS T)
        if new is None:
            continue
        new = wrap(new)
        new.meta[META_TYPE] = node.meta.get(META_TYPE)
        if node is out:
            out = new
        else:
            node.replace(new)
    return out


def _arithmetic(lowering: Lowering, node: exp.Div | exp.Mod) -> exp.Expr:
    left, right = node.this, node.expression
    if isinstance(node, exp.Div):
        return lowering.exact_div(left, type_of(left), right, type_of(right))
    return lowering.fn_mod([left, right])


_AGGREGATE_CALLS = frozenset({"SUM", "COUNT", "MIN", "MAX", "AVG", "BOOL_OR", "BOOL_AND", "EVERY"})


def _is_aggregate_call(node: exp.Expr) -> bool:
    if isinstance(node, exp.AggFunc):
        return True
    return isinstance(node, exp.Anonymous) and str(node.this).upper() in _AGGREGATE_CALLS


def _filter_calls(node: exp.Filter) -> exp.Expr:
    """``agg(…) FILTER (WHERE …)`` once ``agg`` is lowered (perhaps into a cast, or, for
    ``avg``, a division of two aggregates): the filter on each aggregate call inside."""
    body: exp.Expr = node.this
    where: exp.Expr = node.expression
    calls = [n for n in body.dfs() if _is_aggregate_call(n)]
    for call in calls:
        filtered = exp.Filter(this=call.copy(), expression=where.copy())
        if call is body:
            return filtered
        call.replace(filtered)
    return body


def render(
    tree: exp.Expr, dialect: Dialect, *, schema: str | None = None, pretty: bool = True
) -> str:
    """SQL text of ``tree`` in ``dialect`` (identifiers always quoted)."""
    return lower(tree, dialect, schema=schema).sql(
        dialect=dialect,
        copy=False,  # the lowered tree is a copy already, used once
        pretty=pretty,
        identify=True,
        comments=False,
        unsupported_level=ErrorLevel.RAISE,
    )
