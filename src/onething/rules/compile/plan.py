"""Phase 6, *plan*: one query per pack, as an engine-neutral SQLGlot tree.

The query reads, in order::

    WITH _params AS (one row per scenario: scenario, <parameter columns>),
         _c_<other>__a_<var>, _c_<other>__l0 … AS (each other entity the pack
                          aggregates over, those it aggregates over first),
         _a_<var> AS (an aggregate: GROUP BY the columns of its ``on``, filtered by its where),
         _l0 AS (entities × scenarios: key, region, parameters, columns, aggregates),
         _l1 … AS (scalar variables, a layer per depth of the variable graph),
         _r AS (each top-level clause of each rule's condition)
    SELECT scenario, entity_id, region, <variables>,
           <rule>__hit, <rule>__amount, <rule>__c1, …

An aggregate that reads no parameter and no entity variable (other than the column
variables its ``on`` joins to) is computed once for all scenarios and joined to the
entity rows in ``_l0``; one that does joins the layer holding what it reads. Another
entity's variables are computed by the same plan, in CTEs named ``_c_<entity>__…``, and
an aggregate over that entity reads its last layer (one row per row and scenario).

With ``entity_ids`` the key filter is pushed into the entity scan and, through the
columns of each ``on``, into every aggregate's scan and into the other entities' scans
(``person_id IN (…)``, or ``enterprise_id IN (SELECT …)`` where the column is not the key).
For a check compiled once and run for many entities the key is a bound SQL parameter
(:data:`ENTITY_PARAMETER`), placed exactly where the literal keys go.
Names in expressions become qualified columns here (``_v.layoff_rate``) and ``as_of`` a
date literal; our functions stay ``exp.Anonymous`` calls until :mod:`.emit` lowers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlglot import exp

from onething.rules.compile import graph
from onething.rules.compile.entity import EntityPlan
from onething.rules.compile.ir import (
    BOOL,
    ENTITY_PARAMETER,
    INT,
    TEXT,
    RType,
    decimal,
    declared,
    typed_cast,
)
from onething.rules.compile.trees import (
    RowFilter,
    T,
    V,
    Values,
    aliased,
    col,
    is_in,
    literal,
    named,
    parameter,
    top_clauses,
)
from onething.rules.compile.types import Typed
from onething.rules.compile.vet import EntityDef, VarDef, VettedPack


@dataclass
class Plan:
    """The planned query and, per variable, its layer."""

    query: exp.Select
    levels: dict[str, int]
    columns: list[tuple[str, RType]]


def _same(a: tuple[str, Values], b: tuple[str, Values]) -> bool:
    """Whether two filter alternatives let the same rows through."""

    def text(values: Values) -> str:
        return values.sql() if isinstance(values, exp.Select) else repr([v.sql() for v in values])

    return a[0] == b[0] and text(a[1]) == text(b[1])


class Planner:
    """Builds the query of a vetted, typed pack as of a date."""

    def __init__(
        self,
        vetted: VettedPack,
        order: list[str],
        typed: Typed,
        as_of: date,
        others: dict[str, list[str]] | None = None,
    ) -> None:
        self.vetted = vetted
        self.order = order
        self.typed = typed
        self.types = typed.variables
        self.parameters = typed.parameters
        self.amounts = typed.amounts
        self.as_of = as_of
        self.other_orders = others or {}
        self.others: dict[str, EntityPlan] = {}
        self.entity_ids: list[str] | None = None
        self.bound = False
        self.several_scenarios = False
        self._aliases = [0]
        self.main = EntityPlan(
            self,
            vetted.entity_def(None),
            order=order,
            types=typed.variables,
            prefix="",
            row_filter=None,
        )

    @property
    def levels(self) -> dict[str, int]:
        return self.main.levels

    # -- the query ---------------------------------------------------------------------
    def build(
        self,
        scenarios: dict[str, dict[str, Any]],
        entity_ids: Sequence[str] | None,
        *,
        bound: bool = False,
        only_hits: bool = False,
    ) -> Plan:
        """The query for ``scenarios``: every entity, the ``entity_ids`` given, or (with
        ``bound``) the one entity whose key is bound to :data:`ENTITY_PARAMETER` at run time.

        ``only_hits``: the rows that cannot hit any rule may be left out early (the
        clauses of each rule that read no aggregate filter the entity rows before the
        aggregates that read them are computed); the rows that may hit are exact.
        """
        self.entity_ids = None if entity_ids is None else list(entity_ids)
        self.bound = bound
        self.several_scenarios = len(scenarios) > 1
        self._aliases[0] = 0
        ctes: list[tuple[str, exp.Expr]] = [("_params", self._params(scenarios))]
        main = self.main
        main.row_filter = self._key_filter()
        needed = graph.reachable(self.vetted)
        order = [n for n in self.other_orders if n in needed]
        self.others = {}
        filters: dict[str, RowFilter | None] = {}
        for name in reversed(order):  # those that aggregate over an entity come first
            filters[name] = self._filter_of(name, order, filters)
        for name in order:
            entity = self.vetted.others[name]
            plan = EntityPlan(
                self,
                entity,
                order=self.other_orders[name],
                types=self.typed.others[name],
                prefix=f"_c_{name}_",
                row_filter=filters[name],
            )
            self.others[name] = plan
            plan.build()
            ctes += plan.ctes
        # Only aggregates joined to the entity rows get cheaper with fewer rows; the others
        # scan their tables whole anyway, and a filter there only changes DuckDB's join
        # order (job_stabilisation_refund at 10M: 4.6 → 6.2 s).
        main.guard = (
            main.hit_guard([top_clauses(r.condition.tree) for r in self.vetted.rules])
            if only_hits and any(main.dependent.values())
            else None
        )
        main.build()
        ctes += main.ctes
        final, columns, clauses_layer = self._rules(main.top)
        ctes.append(("_r", clauses_layer))
        for name, cte_query in ctes:
            final = final.with_(name, as_=cte_query, copy=False)
        return Plan(final, dict(main.levels), columns)

    def key_type(self) -> RType:
        """The type of the pack's entity key (``entity_id``): its column's, ``text`` or ``int``."""
        entity = self.vetted.entity
        return declared(entity.table.field(entity.key).type)

    def _key_filter(self) -> RowFilter | None:
        """``key IN (<entity ids>)`` on the pack's entity, the ids typed like its key, or
        ``key IN (<the bound parameter>)``."""
        entity = self.vetted.entity
        values: list[exp.Expr]
        if self.bound:
            values = [parameter(ENTITY_PARAMETER, self.key_type())]
        elif self.entity_ids is None:
            return None
        else:
            numeric = self.key_type() == INT
            values = [
                exp.Literal.number(int(i)) if numeric else exp.Literal.string(str(i))
                for i in self.entity_ids
            ]
        return RowFilter(entity.table.name, [(entity.key, values)], self._aliases)

    def _filter_of(
        self, name: str, order: list[str], filters: dict[str, RowFilter | None]
    ) -> RowFilter | None:
        """The rows of entity ``name`` a restricted run needs: those that some aggregate
        over it joins to the rows of the entity it belongs to (None: all rows)."""
        if self.main.row_filter is None:
            return None
        alternatives: list[tuple[str, Values]] = []
        for parent in [None, *order]:
            entity = self.vetted.entity_def(parent)
            parent_filter = self.main.row_filter if parent is None else filters.get(parent)
            for vdef in entity.variables.values():
                if vdef.source_entity != name:
                    continue
                if parent_filter is None:
                    return None
                found = self._pushable(entity, vdef, parent_filter)
                if not found:
                    return None
                if not any(_same(found[0], known) for known in alternatives):
                    alternatives.append(found[0])
        if not alternatives:
            return None
        return RowFilter(self.vetted.others[name].info.table.name, alternatives, self._aliases)

    def _pushable(
        self, entity: EntityDef, vdef: VarDef, parent_filter: RowFilter
    ) -> list[tuple[str, Values]]:
        """``(column of the aggregated rows' table, values)`` for the pairs of ``on`` a
        filter can go through: the direct ones, else the first through a subquery."""
        direct: list[tuple[str, Values]] = []
        indirect: list[tuple[str, Values]] = []
        for join in vdef.joins:
            if vdef.table is not None:
                column = join.column
            else:
                assert vdef.source_entity is not None
                source = self.vetted.others[vdef.source_entity].variables[join.column]
                if source.kind != "column" or source.column is None:
                    continue
                column = source.column.name
            target = join.target
            if target.kind == "entity_id":
                parent_column = entity.info.key
            else:
                var = entity.variables[target.name]
                if var.kind != "column" or var.column is None:
                    continue
                parent_column = var.column.name
            values, is_direct = parent_filter.values_of(parent_column)
            (direct if is_direct else indirect).append((column, values))
        return direct or indirect[:1]

    def pushdown(self, plan: EntityPlan, vdef: VarDef) -> list[exp.Expr]:
        """Conditions on an aggregate's registry table that keep only the rows the
        restricted entity rows can join to."""
        assert plan.row_filter is not None
        return [
            is_in(col(column, T), values)
            for column, values in self._pushable(plan.entity, vdef, plan.row_filter)
        ]

    def _rules(self, top: str) -> tuple[exp.Select, list[tuple[str, RType]], exp.Select]:
        """The ``_r`` layer (one column per clause) and the final select."""
        main = self.main
        clauses_layer = exp.select(*(col(c, V) for c in main.carried)).from_(
            aliased(top, V), copy=False
        )
        outputs = list(self.vetted.variables)
        final = exp.select(
            col("scenario", V),
            col("entity_id", V),
            col("region", V),
            *(col(n, V) for n in outputs),
        ).from_(aliased("_r", V), copy=False)
        for rdef in self.vetted.rules:
            rid = rdef.rule.id
            connective, clauses = top_clauses(rdef.condition.tree)
            names = [f"{rid}__c{i}" for i in range(1, len(clauses) + 1)]
            for clause, cname in zip(clauses, names, strict=True):
                clauses_layer = clauses_layer.select(
                    named(main.rewrite(clause, None), cname), copy=False
                )
            held: exp.Expr = col(names[0], V)
            joined = exp.And if connective == "and" else exp.Or
            for cname in names[1:]:
                held = joined(this=held, expression=col(cname, V))
            hit = exp.Coalesce(this=held, expressions=[exp.false()])
            amount_type = self.amounts.get(rid, decimal(2))
            amount: exp.Expr = literal(None, amount_type)
            if rdef.amount is not None:
                amount = typed_cast(main.scalar(rdef.amount), amount_type)
            final = final.select(
                named(hit, f"{rid}__hit"),
                named(exp.Case(ifs=[exp.If(this=hit.copy(), true=amount)]), f"{rid}__amount"),
                *(col(c, V) for c in names),
                copy=False,
            )
        return final, self.columns(), clauses_layer

    def columns(self) -> list[tuple[str, RType]]:
        """The output columns of the query and their types (without planning it)."""
        columns: list[tuple[str, RType]] = [
            ("scenario", TEXT),
            ("entity_id", self.key_type()),
            ("region", TEXT),
            *((n, self.types[n]) for n in self.vetted.variables),
        ]
        for rdef in self.vetted.rules:
            rid = rdef.rule.id
            _connective, clauses = top_clauses(rdef.condition.tree)
            columns += [
                (f"{rid}__hit", BOOL),
                (f"{rid}__amount", self.amounts.get(rid, decimal(2))),
            ]
            columns += [(f"{rid}__c{i}", BOOL) for i in range(1, len(clauses) + 1)]
        return columns

    def _params(self, scenarios: dict[str, dict[str, Any]]) -> exp.Expr:
        """One row per scenario: a SELECT of literals, or for several scenarios one
        ``VALUES`` list (Spark plans a ``UNION ALL`` of many single-row SELECTs slowly)."""
        names = ["scenario", *self.parameters]
        rows = [
            [
                exp.Literal.string(scenario),
                *(literal(values[p], t) for p, t in self.parameters.items()),
            ]
            for scenario, values in scenarios.items()
        ]
        if len(rows) == 1:
            return exp.select(
                *(named(v, n) for v, n in zip(rows[0], names, strict=True)), copy=False
            )
        alias = exp.TableAlias(
            this=exp.to_identifier("_s"), columns=[exp.to_identifier(n) for n in names]
        )
        values = exp.Values(expressions=[exp.Tuple(expressions=row) for row in rows], alias=alias)
        return exp.select(*(col(n, "_s") for n in names)).from_(values, copy=False)
