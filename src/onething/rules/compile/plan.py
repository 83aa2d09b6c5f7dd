"""Phase 6, *plan*: one query per pack, as an engine-neutral SQLGlot tree.

The query reads, in order::

    WITH _params AS (one row per scenario: scenario, <parameter columns>),
         _a_<var> AS (an aggregate: GROUP BY the entity key, filtered by its where),
         _l0 AS (entities × scenarios: key, region, parameters, columns, aggregates),
         _l1 … AS (scalar variables, a layer per depth of the variable graph),
         _r AS (each top-level clause of each rule's condition)
    SELECT scenario, entity_id, region, <variables>,
           <rule>__hit, <rule>__amount, <rule>__c1, …

An aggregate that reads no parameter and no entity variable is computed once for all
scenarios; one that does joins the layer holding what it reads. With ``entity_ids`` the
key filter is pushed into every aggregate and into the entity scan. Names in expressions
become qualified columns here (``_v.layoff_rate``) and ``as_of`` a date literal; our
functions stay ``exp.Anonymous`` calls until :mod:`.emit` lowers them for a dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlglot import exp

from onething.rules.compile.ir import (
    BOOL,
    DATE,
    TEXT,
    RType,
    decimal,
    ref_of,
    set_type,
    sql_type,
    type_of,
    typed_cast,
    wrap,
)
from onething.rules.compile.types import Typed
from onething.rules.compile.vet import Expr, VarDef, VettedPack

REGISTRY_TABLE = "rules_registry_table"
"""Meta flag on the table nodes that name registry tables (a runner may qualify them)."""

V = "_v"  # the previous layer, in every layer
T = "_t"  # the aggregated table, in an aggregate
E = "_e"  # the entity table, in the first layer
P = "_p"  # the scenarios, in the first layer


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


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


@dataclass
class Plan:
    """The planned query and, per variable, its layer."""

    query: exp.Select
    levels: dict[str, int]
    columns: list[tuple[str, RType]]


class Planner:
    """Builds the query of a vetted, typed pack as of a date."""

    def __init__(self, vetted: VettedPack, order: list[str], typed: Typed, as_of: date) -> None:
        self.vetted = vetted
        self.order = order
        self.types = typed.variables
        self.parameters = typed.parameters
        self.amounts = typed.amounts
        self.as_of = as_of
        self.const: dict[str, bool] = {}
        self.levels: dict[str, int] = {}
        self.dependent: dict[str, bool] = {}
        self.ctes: list[tuple[str, exp.Expr]] = []
        self.carried: list[str] = []
        self.entity_ids: list[str] | None = None
        self._classify()

    # -- which variable goes where -------------------------------------------------------
    def _classify(self) -> None:
        """Constants (read only ``as_of``) are inlined wherever they are read; the others
        sit one layer above the deepest non-constant variable they read."""
        for name in self.order:
            vdef = self.vetted.variables[name]
            refs = [r for e in vdef.exprs() for r in e.refs()]
            self.const[name] = vdef.kind in ("expr", "decision") and all(
                r.kind == "as_of" or (r.kind == "variable" and self.const[r.name]) for r in refs
            )
            deps = [
                self.levels[r.name] for r in refs if r.kind == "variable" and not self.const[r.name]
            ]
            if vdef.kind == "column":
                self.levels[name] = 0
            elif vdef.kind == "aggregate":
                needs = bool(deps) or any(r.kind in ("parameter", "region") for r in refs)
                self.dependent[name] = needs
                self.levels[name] = 1 + max(deps, default=0) if needs else 0
            else:
                self.levels[name] = 1 + max(deps, default=0)

    # -- names to columns --------------------------------------------------------------
    def scalar(self, expr: Expr) -> exp.Expr:
        """``expr`` over the previous layer ``_v``."""
        return self._rewrite(expr.tree, None)

    def _rewrite(self, tree: exp.Expr, vdef: VarDef | None) -> exp.Expr:
        out = tree.copy()
        for node in list(out.find_all(exp.Column)):
            ref = ref_of(node)
            assert ref is not None
            new: exp.Expr
            if ref.kind == "as_of":
                new = literal(self.as_of, DATE)
            elif ref.kind == "column":
                new = col(ref.name, T)
            elif ref.kind == "entity_id" and vdef is not None:
                assert vdef.on is not None
                new = col(vdef.on, T)
            elif ref.kind == "variable" and self.const[ref.name]:
                new = wrap(self._definition(ref.name, vdef))
            else:
                new = col(ref.name, V)
            set_type(new, type_of(node))
            if node is out:
                return new
            node.replace(new)
        return out

    def _definition(self, name: str, vdef: VarDef | None) -> exp.Expr:
        """The value of variable ``name``, cast to its type, its names rewritten."""
        var = self.vetted.variables[name]
        rtype = self.types[name]
        body: exp.Expr
        if var.kind == "decision":
            body = exp.Case(
                ifs=[
                    exp.If(this=self._rewrite(w.tree, vdef), true=self._rewrite(t.tree, vdef))
                    for w, t in var.rows
                ],
                default=self._rewrite(var.otherwise.tree, vdef) if var.otherwise else None,
            )
            set_type(body, rtype)
        else:
            assert var.expr is not None
            body = self._rewrite(var.expr.tree, vdef)
        cast = typed_cast(body, rtype)
        set_type(cast, rtype)
        return cast

    # -- the query ---------------------------------------------------------------------
    def build(self, scenarios: dict[str, dict[str, Any]], entity_ids: Sequence[str] | None) -> Plan:
        self.entity_ids = None if entity_ids is None else list(entity_ids)
        self.ctes = [("_params", self._params(scenarios))]
        self.carried = ["scenario", "entity_id", "region", *self.parameters]
        for name in self.order:
            if self.vetted.variables[name].kind == "aggregate" and not self.dependent[name]:
                self.ctes.append((f"_a_{name}", self._aggregate(name, None)))
        self.ctes.append(("_l0", self._first_layer()))
        depth = max(self.levels.values(), default=0)
        for level in range(1, depth + 1):
            self.ctes.append((f"_l{level}", self._layer(level)))
        final, columns = self._rules(f"_l{depth}")
        for name, cte_query in self.ctes:
            final = final.with_(name, as_=cte_query, copy=False)
        return Plan(final, dict(self.levels), columns)

    def _first_layer(self) -> exp.Select:
        """Entities × scenarios, with parameters, column variables and plain aggregates."""
        entity = self.vetted.entity
        region = col(entity.region, E) if entity.region else literal(None, TEXT)
        first = exp.select(
            col("scenario", P),
            col(entity.key, E).as_("entity_id"),
            region.as_("region"),
            *(col(p, P).as_(p) for p in self.parameters),
        )
        first = first.from_(registry_table(entity.table.name, E), copy=False).join(
            exp.to_table("_params").as_(P), join_type="cross", copy=False
        )
        for name in self.order:
            vdef = self.vetted.variables[name]
            if self.levels[name] != 0:
                continue
            rtype = self.types[name]
            value: exp.Expr
            if vdef.kind == "column":
                assert vdef.column is not None
                value = col(vdef.column.name, E)
                if rtype.kind == "decimal":  # the registry's DDL has our other types already
                    value = typed_cast(value, rtype)
            else:
                cte = f"_a_{name}"
                first = first.join(
                    exp.to_table(cte),
                    on=exp.EQ(this=col("entity_id", cte), expression=col(entity.key, E)),
                    join_type="left",
                    copy=False,
                )
                value = self._or_default(col("value", cte), vdef, rtype)
            first = first.select(value.as_(name), copy=False)
            self.carried.append(name)
        if self.entity_ids is not None:
            first = first.where(self._key_filter(col(entity.key, E)), copy=False)
        return first

    def _layer(self, level: int) -> exp.Select:
        """The variables of one depth, over the layer below (``_v``)."""
        below = f"_l{level - 1}"
        layer = exp.select(*(col(c, V) for c in self.carried)).from_(
            exp.to_table(below).as_(V), copy=False
        )
        for name in self.order:
            if self.levels[name] != level:
                continue
            vdef = self.vetted.variables[name]
            rtype = self.types[name]
            if vdef.kind == "aggregate":
                cte = f"_a_{name}"
                self.ctes.append((cte, self._aggregate(name, below)))
                on = exp.and_(
                    exp.EQ(this=col("scenario", cte), expression=col("scenario", V)),
                    exp.EQ(this=col("entity_id", cte), expression=col("entity_id", V)),
                )
                layer = layer.join(exp.to_table(cte), on=on, join_type="left", copy=False)
                value: exp.Expr = self._or_default(col("value", cte), vdef, rtype)
            else:
                value = self._definition(name, None)
            layer = layer.select(value.as_(name), copy=False)
            self.carried.append(name)
        return layer

    def _rules(self, top: str) -> tuple[exp.Select, list[tuple[str, RType]]]:
        """The ``_r`` layer (one column per clause) and the final select."""
        clauses_layer = exp.select(*(col(c, V) for c in self.carried)).from_(
            exp.to_table(top).as_(V), copy=False
        )
        outputs = list(self.vetted.variables)
        final = exp.select(
            col("scenario", V),
            col("entity_id", V),
            col("region", V),
            *(col(n, V) for n in outputs),
        ).from_(exp.to_table("_r").as_(V), copy=False)
        columns: list[tuple[str, RType]] = [
            ("scenario", TEXT),
            ("entity_id", TEXT),
            ("region", TEXT),
            *((n, self.types[n]) for n in outputs),
        ]
        for rdef in self.vetted.rules:
            rid = rdef.rule.id
            connective, clauses = top_clauses(rdef.condition.tree)
            names = [f"{rid}__c{i}" for i in range(1, len(clauses) + 1)]
            for clause, cname in zip(clauses, names, strict=True):
                clauses_layer = clauses_layer.select(
                    self._rewrite(clause, None).as_(cname), copy=False
                )
            held: exp.Expr = col(names[0], V)
            joined = exp.And if connective == "and" else exp.Or
            for cname in names[1:]:
                held = joined(this=held, expression=col(cname, V))
            hit = exp.Coalesce(this=held, expressions=[exp.false()])
            amount_type = self.amounts.get(rid, decimal(2))
            amount: exp.Expr = literal(None, amount_type)
            if rdef.amount is not None:
                amount = typed_cast(self.scalar(rdef.amount), amount_type)
            final = final.select(
                hit.as_(f"{rid}__hit"),
                exp.Case(ifs=[exp.If(this=hit.copy(), true=amount)]).as_(f"{rid}__amount"),
                *(col(c, V) for c in names),
                copy=False,
            )
            columns += [(f"{rid}__hit", BOOL), (f"{rid}__amount", amount_type)]
            columns += [(c, BOOL) for c in names]
        self.ctes.append(("_r", clauses_layer))
        return final, columns

    def _or_default(self, value: exp.Expr, vdef: VarDef, rtype: RType) -> exp.Expr:
        """An aggregate's value in the variable's type, or its default when it has no row."""
        typed_value = typed_cast(value, rtype)
        if vdef.default is None:
            return typed_value
        # Both sides in one type: DuckDB would otherwise unify DECIMAL(38,s) lossily.
        return exp.Coalesce(this=typed_value, expressions=[literal(vdef.default, rtype)])

    def _params(self, scenarios: dict[str, dict[str, Any]]) -> exp.Expr:
        selects = [
            exp.select(
                exp.Literal.string(scenario).as_("scenario"),
                *(literal(values[p], t).as_(p) for p, t in self.parameters.items()),
            )
            for scenario, values in scenarios.items()
        ]
        query: exp.Expr = selects[0]
        for more in selects[1:]:
            query = exp.union(query, more, distinct=False)
        return query

    def _key_filter(self, column: exp.Expr) -> exp.Expr:
        """``column IN (<entity ids>)``, the ids typed like the entity key."""
        ids = self.entity_ids or []
        if not ids:
            return exp.false()
        entity = self.vetted.entity
        numeric = entity.table.field(entity.key).type == "int"
        values: list[exp.Expr] = [
            exp.Literal.number(int(i)) if numeric else exp.Literal.string(str(i)) for i in ids
        ]
        return exp.In(this=column, expressions=values)

    def _aggregate(self, name: str, layer: str | None) -> exp.Select:
        """One aggregate: over its table alone, or joined to the layer it reads."""
        vdef = self.vetted.variables[name]
        assert vdef.table is not None
        assert vdef.on is not None
        assert vdef.value is not None
        value = self._rewrite(vdef.value.tree, vdef)
        conditions: list[exp.Expr] = []
        if vdef.filter is not None:
            conditions.append(self._rewrite(vdef.filter.tree, vdef))
        on = col(vdef.on, T)
        if layer is None:
            query = exp.select(on.as_("entity_id"), value.as_("value")).from_(
                registry_table(vdef.table.name, T), copy=False
            )
            group: list[exp.Expr] = [on.copy()]
        else:
            query = exp.select(col("scenario", V), col("entity_id", V), value.as_("value"))
            query = query.from_(exp.to_table(layer).as_(V), copy=False).join(
                registry_table(vdef.table.name, T),
                on=exp.EQ(this=on.copy(), expression=col("entity_id", V)),
                copy=False,
            )
            group = [col("scenario", V), col("entity_id", V)]
        if self.entity_ids is not None:
            conditions.append(self._key_filter(on.copy()))
        if conditions:
            query = query.where(exp.and_(*conditions), copy=False)
        return query.group_by(*group, copy=False)
