"""SQL tree pieces the planner builds with: columns, literals, parameters, registry
tables, clause splitting and the row filters of restricted runs (SQLGlot, no strings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlglot import exp

from onething.rules.compile.ir import (
    DATE,
    RType,
    set_type,
    sql_type,
)

REGISTRY_TABLE = "rules_registry_table"
"""Meta flag on the table nodes that name registry tables (a runner may qualify them)."""

V = "_v"  # the previous layer, in every layer
T = "_t"  # the aggregated table, in an aggregate
E = "_e"  # the entity table, in the first layer
P = "_p"  # the scenarios, in the first layer


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def named(value: exp.Expr, name: str) -> exp.Alias:
    """``value AS name``, taking ``value`` as it is (``.as_()`` would copy it first: the
    planner's trees are built fresh, and copying them was most of the compile time)."""
    return exp.Alias(this=value, alias=exp.to_identifier(name))


def aliased(table: str, alias: str) -> exp.Table:
    """``table AS alias`` (a CTE or derived name, not a registry table)."""
    return exp.Table(
        this=exp.to_identifier(table), alias=exp.TableAlias(this=exp.to_identifier(alias))
    )


def literal(value: Any, rtype: RType) -> exp.Expr:
    """A typed SQL literal of a Python value (decimals exact, as text in a CAST)."""
    if value is None:
        return exp.Cast(this=exp.Null(), to=sql_type(rtype))
    if rtype.kind == "bool":
        return exp.Boolean(this=bool(value))
    if rtype.kind == "text":
        return exp.Literal.string(str(value))
    if rtype.kind == "date":
        assert isinstance(value, date)
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=sql_type(DATE))
    if rtype.kind == "decimal":
        assert isinstance(value, Decimal | int)
        text = format(Decimal(value), "f")
        return exp.Cast(this=exp.Literal.string(text), to=sql_type(rtype))
    return exp.Cast(this=exp.Literal.number(int(value)), to=sql_type(rtype))


def parameter(name: str, rtype: RType) -> exp.Expr:
    """A bound SQL parameter of type ``rtype`` (``$name``, ``$1`` or ``:name`` per dialect)."""
    node = exp.Placeholder(this=name)
    set_type(node, rtype)
    return node


def registry_table(name: str, alias: str) -> exp.Table:
    table = exp.Table(
        this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(alias))
    )
    table.meta[REGISTRY_TABLE] = name
    return table


def unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def top_clauses(tree: exp.Expr) -> tuple[str | None, list[exp.Expr]]:
    """The connective (``and``/``or``) and the top-level clauses of a condition."""
    node = unparen(tree)
    if not isinstance(node, exp.And | exp.Or):
        return None, [node]
    kind = type(node)
    found: list[exp.Expr] = []

    def collect(part: exp.Expr) -> None:
        inner = unparen(part)
        if isinstance(inner, kind):
            collect(inner.this)
            collect(inner.expression)
        else:
            found.append(inner)

    collect(node)
    return ("and" if kind is exp.And else "or"), found


Values = list[exp.Expr] | exp.Select
"""What a pushed-down filter lets through: literal keys, or a subquery of one column."""


def is_in(column: exp.Expr, values: Values) -> exp.Expr:
    """``column IN (…)`` (FALSE for an empty list)."""
    if isinstance(values, exp.Select):
        return exp.In(this=column, query=exp.Subquery(this=values.copy()))
    if not values:
        return exp.false()
    return exp.In(this=column, expressions=[v.copy() for v in values])


class RowFilter:
    """The rows of an entity's table a restricted run needs: ``column IN values``, or
    any of several such alternatives (one per way another entity reaches them)."""

    def __init__(self, table: str, alternatives: list[tuple[str, Values]], aliases: list[int]):
        self.table = table
        self.alternatives = alternatives
        self._aliases = aliases  # shared counter: subquery aliases _f1, _f2 … stay unique

    def condition(self, alias: str) -> exp.Expr:
        parts = [is_in(col(column, alias), values) for column, values in self.alternatives]
        return parts[0] if len(parts) == 1 else exp.or_(*parts)

    def values_of(self, column: str) -> tuple[Values, bool]:
        """The values ``column`` takes on the rows let through, and whether they are
        given directly (not through a subquery)."""
        if len(self.alternatives) == 1 and self.alternatives[0][0] == column:
            return self.alternatives[0][1], True
        self._aliases[0] += 1
        alias = f"_f{self._aliases[0]}"
        query = (
            exp.select(col(column, alias))
            .from_(registry_table(self.table, alias), copy=False)
            .where(self.condition(alias), copy=False)
        )
        return query, False
