"""The CTEs that compute one entity's variables (the pack's own, or one it aggregates
over) for every row and scenario: the first layer (entity rows × scenarios, columns,
plain aggregates in shared scans), the layers of scalar variables, the aggregates joined
to a layer, and the hits-only filter. :class:`~.plan.Planner` assembles the query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from onething.rules.compile.functions import FUNCTIONS
from onething.rules.compile.ir import (
    BOOL,
    DATE,
    INT,
    NULL,
    TEXT,
    RType,
    ref_of,
    set_type,
    type_of,
    typed_cast,
    wrap,
)
from onething.rules.compile.trees import (
    E,
    P,
    RowFilter,
    T,
    V,
    aliased,
    col,
    literal,
    named,
    registry_table,
)
from onething.rules.compile.vet import EntityDef, Expr, Join, VarDef

if TYPE_CHECKING:
    from onething.rules.compile.plan import Planner


class EntityPlan:
    """The CTEs that compute one entity's variables, for every row and scenario."""

    def __init__(
        self,
        planner: Planner,
        entity: EntityDef,
        *,
        order: list[str],
        types: dict[str, RType],
        prefix: str,
        row_filter: RowFilter | None,
    ) -> None:
        self.planner = planner
        self.entity = entity
        self.info = entity.info
        self.variables = entity.variables
        self.order = order
        self.types = types
        self.prefix = prefix
        self.row_filter = row_filter
        self.const: dict[str, bool] = {}
        self.levels: dict[str, int] = {}
        self.dependent: dict[str, bool] = {}
        self.ctes: list[tuple[str, exp.Expr]] = []
        self.carried: list[str] = []
        self.top = ""
        self.merged: dict[str, tuple[str, str]] = {}
        self.varies: dict[str, bool] = {}
        """Whether a variable's value may differ between scenarios (it reads a parameter,
        directly or not): one that does not is computed once for all of them."""
        self.guard: exp.Expr | None = None
        """Rows failing this cannot hit any rule (the hits-only query filters ``_l0``)."""
        self._classify()

    def cte_name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    # -- which variable goes where -------------------------------------------------------
    def _classify(self) -> None:
        """Constants (read only ``as_of``) are inlined wherever they are read; the others
        sit one layer above the deepest non-constant variable they read."""
        for name in self.order:
            vdef = self.variables[name]
            refs = vdef.refs()
            self.const[name] = vdef.kind in ("expr", "decision") and all(
                r.kind == "as_of" or (r.kind == "variable" and self.const[r.name]) for r in refs
            )
            deps = [
                self.levels[r.name] for r in refs if r.kind == "variable" and not self.const[r.name]
            ]
            self.varies[name] = any(
                r.kind == "parameter" or (r.kind == "variable" and self.varies[r.name])
                for r in refs
            ) or (vdef.source_entity is not None)
            if vdef.kind == "column":
                self.levels[name] = 0
            elif vdef.kind == "aggregate":
                needs = self._needs_layer(vdef)
                self.dependent[name] = needs
                self.levels[name] = 1 + max(deps, default=0) if needs else 0
            else:
                self.levels[name] = 1 + max(deps, default=0)

    def _needs_layer(self, vdef: VarDef) -> bool:
        """Whether an aggregate reads what only a layer of the entity holds."""
        refs = [r for e in vdef.exprs() for r in e.refs()]
        if any(r.kind in ("parameter", "region") for r in refs):
            return True
        if any(r.kind == "variable" and not self.const[r.name] for r in refs):
            return True
        if any(r.kind == "entity_id" for r in refs) and vdef.key_join() is None:
            return True
        return any(
            j.target.kind == "variable" and self.variables[j.target.name].kind != "column"
            for j in vdef.joins
        )

    # -- names to columns --------------------------------------------------------------
    def scalar(self, expr: Expr) -> exp.Expr:
        """``expr`` over the previous layer ``_v``."""
        return self.rewrite(expr.tree, None)

    def rewrite(self, tree: exp.Expr, vdef: VarDef | None) -> exp.Expr:
        out = tree.copy()
        for node in list(out.find_all(exp.Column)):
            ref = ref_of(node)
            assert ref is not None
            new: exp.Expr
            if ref.kind == "as_of":
                new = literal(self.planner.as_of, DATE)
            elif ref.kind == "column":
                new = col(ref.name, T)
            elif ref.kind == "entity_id" and vdef is not None and vdef.key_join() is not None:
                key_join = vdef.key_join()
                assert key_join is not None
                new = col(key_join.column, T)
            elif ref.kind == "variable" and self.const[ref.name]:
                new = wrap(self.definition(ref.name, vdef))
            else:
                new = col(ref.name, V)
            set_type(new, type_of(node))
            if node is out:
                return new
            node.replace(new)
        return out

    def definition(
        self,
        name: str,
        vdef: VarDef | None,
        rewrite: Callable[[exp.Expr], exp.Expr] | None = None,
    ) -> exp.Expr:
        """The value of variable ``name``, cast to its type, its names rewritten (over the
        layer below, or by ``rewrite``)."""
        var = self.variables[name]
        rtype = self.types[name]
        over = rewrite or (lambda tree: self.rewrite(tree, vdef))
        body: exp.Expr
        if var.kind == "decision":
            body = exp.Case(
                ifs=[exp.If(this=over(w.tree), true=over(t.tree)) for w, t in var.rows],
                default=over(var.otherwise.tree) if var.otherwise else None,
            )
            set_type(body, rtype)
        else:
            assert var.expr is not None
            body = over(var.expr.tree)
        cast = typed_cast(body, rtype)
        set_type(cast, rtype)
        return cast

    def inline(self, tree: exp.Expr) -> exp.Expr:
        """``tree`` over the first layer's sources (the entity row ``_e``, the scenario
        ``_p``), scalar variables replaced by their definitions; raises
        :class:`_NotInline` where it reads an aggregate."""
        out = tree.copy()
        for node in list(out.find_all(exp.Column)):
            ref = ref_of(node)
            assert ref is not None
            new: exp.Expr
            if ref.kind == "as_of":
                new = literal(self.planner.as_of, DATE)
            elif ref.kind == "parameter":
                new = col(ref.name, P)
            elif ref.kind == "entity_id":
                new = col(self.info.key, E)
            elif ref.kind == "region":
                new = col(self.info.region, E) if self.info.region else literal(None, TEXT)
            elif ref.kind == "variable":
                new = self._inline_variable(ref.name)
            else:
                raise _NotInline(ref.name)
            set_type(new, type_of(node))
            if node is out:
                return new
            node.replace(new)
        return out

    def _inline_variable(self, name: str) -> exp.Expr:
        var = self.variables[name]
        rtype = self.types[name]
        if var.kind == "column":
            assert var.column is not None
            value: exp.Expr = col(var.column.name, E)
            return typed_cast(value, rtype) if rtype.kind == "decimal" else value
        if var.kind == "aggregate":
            raise _NotInline(name)
        return wrap(self.definition(name, None, self.inline))

    def hit_guard(self, rules: Sequence[tuple[str | None, list[exp.Expr]]]) -> exp.Expr | None:
        """A condition every row where some rule holds meets, over the first layer's
        sources: per rule the clauses that read no aggregate (its claim period, its
        kind of entity), ``OR``-ed over the rules, the clauses they all share taken out.
        None when some rule has no such clause (then every row may hit)."""
        per_rule: list[list[exp.Expr]] = []
        for connective, clauses in rules:
            early: list[exp.Expr] = []
            parts = clauses if connective != "or" else [exp.or_(*clauses, copy=False)]
            for clause in parts:
                try:
                    early.append(self.inline(clause))
                except _NotInline:
                    continue
            if not early:
                return None
            per_rule.append(early)
        if not per_rule:
            return None
        guards = [exp.and_(*(wrap(c) for c in early), copy=False) for early in per_rule]
        common, rests = _common_conjuncts(guards)
        conditions = list(common)
        if all(r is not None for r in rests):
            conditions.append(exp.or_(*(wrap(r) for r in rests if r is not None), copy=False))
        return exp.and_(*conditions, copy=False) if conditions else None

    def target(self, join: Join, alias: str) -> exp.Expr:
        """The entity's side of one pair of ``on``, in the first layer (``_e``) or a layer."""
        ref = join.target
        if ref.kind == "entity_id":
            return col(self.info.key if alias == E else "entity_id", alias)
        var = self.variables[ref.name]
        if alias == E:
            assert var.column is not None
            return col(var.column.name, E)
        if self.const[ref.name]:
            return wrap(self.definition(ref.name, None))
        return col(ref.name, alias)

    # -- the CTEs ----------------------------------------------------------------------
    def build(self) -> None:
        self.carried = [
            "scenario",
            "entity_id",
            "region",
            *self.planner.parameters,
        ]
        plain = [
            n for n in self.order if self.variables[n].kind == "aggregate" and not self.dependent[n]
        ]
        for i, names in enumerate(self._scans(plain), start=1):
            if len(names) == 1:
                self.ctes.append((self.cte_name(f"a_{names[0]}"), self._aggregate(names[0], None)))
            else:
                table = self.variables[names[0]].table
                assert table is not None
                cte = self.cte_name(f"a{i}_{table.name}")
                self.ctes.append((cte, self._merged(cte, names)))
        self.ctes.append((self.cte_name("l0"), self._first_layer()))
        depth = max(self.levels.values(), default=0)
        for level in range(1, depth + 1):
            self.ctes.append((self.cte_name(f"l{level}"), self._layer(level)))
        self.top = self.cte_name(f"l{depth}")

    def _first_layer(self) -> exp.Select:
        """Entities × scenarios, with parameters, column variables and plain aggregates."""
        info = self.info
        region = col(info.region, E) if info.region else literal(None, TEXT)
        first = exp.select(
            col("scenario", P),
            named(col(info.key, E), "entity_id"),
            named(region, "region"),
            *(named(col(p, P), p) for p in self.planner.parameters),
        )
        first = first.from_(registry_table(info.table.name, E), copy=False).join(
            aliased("_params", P), join_type="cross", copy=False
        )
        joined: set[str] = set()
        for name in self.order:
            vdef = self.variables[name]
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
                cte, column = self.merged.get(name, (self.cte_name(f"a_{name}"), "value"))
                on = [
                    exp.EQ(this=col(alias, cte), expression=self.target(join, E))
                    for join, alias in zip(vdef.joins, _join_aliases(vdef), strict=True)
                ]
                if vdef.source_entity is not None:
                    on.insert(0, exp.EQ(this=col("scenario", cte), expression=col("scenario", P)))
                if cte not in joined:
                    joined.add(cte)
                    first = first.join(
                        exp.to_table(cte),
                        on=exp.and_(*on, copy=False),
                        join_type="left",
                        copy=False,
                    )
                value = self._or_default(col(column, cte), vdef, rtype)
            first = first.select(named(value, name), copy=False)
            self.carried.append(name)
        if self.row_filter is not None:
            first = first.where(self.row_filter.condition(E), copy=False)
        if self.guard is not None:
            first = first.where(self.guard, copy=False)
        return first

    def _layer(self, level: int) -> exp.Select:
        """The variables of one depth, over the layer below (``_v``)."""
        below = self.cte_name(f"l{level - 1}")
        layer = exp.select(*(col(c, V) for c in self.carried)).from_(aliased(below, V), copy=False)
        here = [
            n
            for n in self.order
            if self.levels[n] == level and self.variables[n].kind == "aggregate"
        ]
        batches = {name: batch for batch in self._scans(here, in_layer=True) for name in batch}
        for name in self.order:
            if self.levels[name] != level:
                continue
            vdef = self.variables[name]
            rtype = self.types[name]
            if vdef.kind == "aggregate":
                batch = batches[name]
                cte = self.cte_name(f"a_{name}" if len(batch) == 1 else f"a_{batch[0]}_etc")
                if batch[0] == name:
                    self.ctes.append((cte, self._aggregate(batch, below)))
                shared = self._shared(name)
                groups = self._groups(vdef, shared=shared)
                if shared:
                    pairs = [(f"_g{i}", g) for i, g in enumerate(groups or [], start=1)]
                elif groups is None:
                    pairs = [("scenario", "scenario"), ("entity_id", "entity_id")]
                else:
                    pairs = [("scenario", "scenario")]
                    pairs += [(f"_g{i}", g) for i, g in enumerate(groups, start=1)]
                on = [
                    (exp.EQ if column in ("scenario", "entity_id") else exp.NullSafeEQ)(
                        this=col(alias, cte), expression=col(column, V)
                    )
                    for alias, column in pairs
                ]
                if batch[0] == name:
                    layer = layer.join(
                        exp.to_table(cte),
                        on=exp.and_(*on, copy=False),
                        join_type="left",
                        copy=False,
                    )
                column = "value" if len(batch) == 1 else f"value_{name}"
                value: exp.Expr = self._or_default(col(column, cte), vdef, rtype)
            else:
                value = self.definition(name, None)
            layer = layer.select(named(value, name), copy=False)
            self.carried.append(name)
        return layer

    def _shared(self, name: str) -> bool:
        """Whether a layer-joined aggregate is computed once for every scenario: there
        are several, and neither it nor what it reads depends on a parameter."""
        return self.planner.several_scenarios and not self.varies[name]

    def _groups(self, vdef: VarDef, *, shared: bool = False) -> list[str] | None:
        """The layer columns a layer-joined aggregate's value depends on, unless they
        include the entity's (single-column) key: then None, one group per row — but
        for an aggregate ``shared`` by the scenarios, all of them (the rows it groups are
        the distinct ones over every scenario).

        A contribution's months of employment depend on its person, employer and period,
        not on its scheme: computed once per (person, employer, period), not per row. With
        a composite key this is also what keeps rows that share an ``entity_id`` apart.
        """
        names: dict[str, None] = {}
        for join in vdef.joins:
            target = join.target
            if target.kind == "entity_id":
                names["entity_id"] = None
            elif not self.const[target.name]:
                names[target.name] = None
        for ref in (r for e in vdef.exprs() for r in e.refs()):
            if (ref.kind == "variable" and not self.const[ref.name]) or ref.kind in (
                "parameter",
                "region",
            ):
                names[ref.name] = None
            elif ref.kind == "entity_id" and vdef.key_join() is None:
                names["entity_id"] = None
        if "entity_id" in names and len(self.info.keys) == 1 and not shared:
            return None  # a row each already
        return list(names)

    def _scans(self, names: list[str], *, in_layer: bool = False) -> list[list[str]]:
        """``names`` (aggregates) grouped by the scan they can share: the same registry
        table and ``on``, and for plain aggregates the same pushed-down key filter, for
        those joined to a layer (``in_layer``) the same groups (not in a restricted run:
        each keeps its own pushed-down filter there)."""
        groups: dict[tuple[object, ...], list[str]] = {}
        for name in names:
            vdef = self.variables[name]
            if vdef.table is None or (in_layer and self.row_filter is not None):
                groups[(name,)] = [name]
                continue
            joins = tuple((j.column, j.target.kind, j.target.name) for j in vdef.joins)
            extra: object
            if in_layer:
                shared = self._shared(name)
                grouped = self._groups(vdef, shared=shared)
                extra = (tuple(grouped) if grouped else None, shared)
            else:
                pushed = self.planner.pushdown(self, vdef) if self.row_filter is not None else []
                extra = exp.and_(*pushed).sql() if pushed else ""
            groups.setdefault((vdef.table.name, joins, extra), []).append(name)
        return list(groups.values())

    def _merged(self, cte: str, names: list[str]) -> exp.Select:
        """Plain aggregates over the same rows in one scan: each its own
        ``agg(…) FILTER (WHERE <its where>)``, NULL where its where lets no row through
        (as a separate GROUP BY would have no group), so its default still applies."""
        first = self.variables[names[0]]
        keys = [
            named(col(join.column, T), alias)
            for join, alias in zip(first.joins, _join_aliases(first), strict=True)
        ]
        values, conditions = self._shared_scan(names)
        query = exp.select(*keys, *values, copy=False).from_(self._source(first), copy=False)
        for name in names:
            self.merged[name] = (cte, f"value_{name}")
        if self.row_filter is not None:
            conditions.extend(self.planner.pushdown(self, first))
        if conditions:
            query = query.where(exp.and_(*conditions, copy=False), copy=False)
        return query.group_by(*(col(j.column, T) for j in first.joins), copy=False)

    def _shared_scan(self, names: list[str]) -> tuple[list[exp.Expr], list[exp.Expr]]:
        """Aggregates ``names`` over one scan: their values (``value_<name>``) and the
        scan's conditions — the conjuncts all their ``where``s share, and the ``OR`` of
        the rest when each has some."""
        wheres: list[exp.Expr | None] = []
        for name in names:
            vdef = self.variables[name]
            wheres.append(None if vdef.filter is None else self.rewrite(vdef.filter.tree, vdef))
        common, rests = _common_conjuncts(wheres)
        values: list[exp.Expr] = [
            named(self._filtered_value(n, w), f"value_{n}")
            for n, w in zip(names, rests, strict=True)
        ]
        conditions = list(common)
        if all(r is not None for r in rests):
            conditions.append(exp.or_(*(wrap(r) for r in rests if r is not None), copy=False))
        return values, conditions

    def _filtered_value(self, name: str, where: exp.Expr | None) -> exp.Expr:
        """Aggregate ``name``'s value over the rows ``where`` keeps among those of a shared
        scan (all of them when None): ``agg(…) FILTER (WHERE …)``, NULL where no row is
        kept (as a separate GROUP BY would have no group), so its default still applies."""
        vdef = self.variables[name]
        assert vdef.value is not None
        value = self.rewrite(vdef.value.tree, vdef)
        if where is None:
            return value
        if _empty_is_null(value, vdef.default):
            return _filtered(value, where)
        rtype = type_of(value)
        value = _filtered(value, where)
        star = exp.Star()
        set_type(star, NULL)  # as the type checker types ``count(*)``'s argument
        count = exp.Anonymous(this="count", expressions=[star])
        set_type(count, INT)
        rows = _filtered(count, where)
        zero = exp.Literal.number(0)
        set_type(zero, INT)
        some = exp.GT(this=rows, expression=zero)
        set_type(some, BOOL)
        value = exp.Case(ifs=[exp.If(this=some, true=value)])
        set_type(value, rtype)
        return value

    def _or_default(self, value: exp.Expr, vdef: VarDef, rtype: RType) -> exp.Expr:
        """An aggregate's value in the variable's type, or its default when it has no row."""
        typed_value = typed_cast(value, rtype)
        if vdef.default is None:
            return typed_value
        # Both sides in one type: DuckDB would otherwise unify DECIMAL(38,s) lossily.
        return exp.Coalesce(this=typed_value, expressions=[literal(vdef.default, rtype)])

    def _source(self, vdef: VarDef) -> exp.Expr:
        if vdef.table is not None:
            return registry_table(vdef.table.name, T)
        assert vdef.source_entity is not None
        return aliased(self.planner.others[vdef.source_entity].top, T)

    def _aggregate(self, names: str | list[str], layer: str | None) -> exp.Select:
        """One aggregate over its rows alone, or aggregates (one, or several sharing the
        scan: the same table, ``on`` and groups) joined to the layer they read."""
        batch = [names] if isinstance(names, str) else names
        name = batch[0]
        vdef = self.variables[name]
        assert vdef.value is not None
        values: list[exp.Expr]
        conditions: list[exp.Expr] = []
        if len(batch) == 1:
            values = [named(self.rewrite(vdef.value.tree, vdef), "value")]
            if vdef.filter is not None:
                conditions.append(self.rewrite(vdef.filter.tree, vdef))
        else:
            values, conditions = self._shared_scan(batch)
        from_entity = vdef.source_entity is not None
        group: list[exp.Expr]
        if layer is None:
            scenario = [col("scenario", T)] if from_entity else []
            keys = [
                named(col(join.column, T), alias)
                for join, alias in zip(vdef.joins, _join_aliases(vdef), strict=True)
            ]
            query = exp.select(*scenario, *keys, *values, copy=False).from_(
                self._source(vdef), copy=False
            )
            group = [*(c.copy() for c in scenario), *(col(j.column, T) for j in vdef.joins)]
        else:
            shared = self._shared(name)
            groups = self._groups(vdef, shared=shared)
            rows: exp.Expr = aliased(layer, V)
            if groups is None and not shared:
                own = [col("scenario", V), col("entity_id", V)]
                selected: list[exp.Expr] = [c.copy() for c in own]
            else:
                # The value depends on these columns only: one group per distinct set of
                # them (fewer than rows), joined back to every row that has them — and,
                # when it reads no parameter, to every scenario's rows.
                scenario = [] if shared else [col("scenario", V)]
                own = [*scenario, *(col(g, V) for g in groups or [])]
                distinct = exp.select(*(c.copy() for c in own)).distinct()
                distinct = distinct.from_(aliased(layer, V), copy=False)
                rows = exp.Subquery(this=distinct, alias=exp.TableAlias(this=exp.to_identifier(V)))
                selected = [c.copy() for c in scenario]
                selected += [
                    named(c.copy(), f"_g{i}") for i, c in enumerate(own[len(scenario) :], start=1)
                ]
            query = exp.select(*selected, *values, copy=False)
            on = [exp.EQ(this=col(j.column, T), expression=self.target(j, V)) for j in vdef.joins]
            if from_entity:
                on.insert(0, exp.EQ(this=col("scenario", T), expression=col("scenario", V)))
            query = query.from_(rows, copy=False).join(
                self._source(vdef), on=exp.and_(*on, copy=False), copy=False
            )
            group = [c.copy() for c in own]
        if vdef.table is not None and self.row_filter is not None:
            conditions.extend(self.planner.pushdown(self, vdef))
        if conditions:
            query = query.where(exp.and_(*conditions, copy=False), copy=False)
        return query.group_by(*group, copy=False)


class _NotInline(Exception):
    """An expression reads an aggregate: it cannot be computed from the entity row."""


def _conjuncts(where: exp.Expr) -> list[exp.Expr]:
    """The top-level ``AND`` parts of ``where`` (parentheses around an ``AND`` looked into)."""
    node = where.unnest() if isinstance(where, exp.Paren) else where
    if isinstance(node, exp.And):
        return [part for side in (node.this, node.expression) for part in _conjuncts(side)]
    return [where]


def _common_conjuncts(
    wheres: Sequence[exp.Expr | None],
) -> tuple[list[exp.Expr], list[exp.Expr | None]]:
    """The conjuncts every one of ``wheres`` has (the merged scan's ``WHERE``) and what
    each keeps besides them (its ``FILTER``; None when nothing is left or it had none).

    The hand-written form: ``WHERE scheme = 'unemployment' AND period < year_start`` for
    all, ``count(DISTINCT period)`` unfiltered, ``sum(…) FILTER (WHERE NOT back_payment
    AND …)`` — the scan need not carry the columns only the common part reads, and an
    aggregate left without a filter is a plain one (DuckDB's distinct aggregates group by
    their filter too).
    """
    if any(w is None for w in wheres):
        return [], list(wheres)
    parts = [_conjuncts(w) for w in wheres if w is not None]
    texts = [[p.sql() for p in ps] for ps in parts]
    shared = [t for t in dict.fromkeys(texts[0]) if all(t in other for other in texts[1:])]
    common = [parts[0][texts[0].index(t)] for t in shared]
    rests: list[exp.Expr | None] = []
    for ps, ts in zip(parts, texts, strict=True):
        kept = [p for p, t in zip(ps, ts, strict=True) if t not in shared]
        rests.append(exp.and_(*kept, copy=False) if kept else None)
    return common, rests


def _empty_is_null(value: exp.Expr, default: Any) -> bool:
    """Whether ``value`` over no rows reads as it would with no group at all (NULL, or
    a count of 0 where the default is 0): a bare ``sum``, ``min``, ``max``, ``avg``,
    ``bool_or``, ``bool_and``, or ``count`` defaulting to 0."""
    if not isinstance(value, exp.Anonymous):
        return False
    name = str(value.name).lower()
    if name == "count":
        return (
            isinstance(default, int | str | Decimal)
            and not isinstance(default, bool)
            and str(default).strip() in ("0", "0.0")
        )
    return name in ("sum", "min", "max", "avg", "bool_or", "bool_and")


def _filtered(value: exp.Expr, where: exp.Expr) -> exp.Expr:
    """``value`` with each aggregate call in it reading only the rows ``where`` keeps."""
    out = value.copy()
    calls = [
        node
        for node in out.find_all(exp.Anonymous)
        if (sig := FUNCTIONS.get(str(node.name).lower())) is not None and sig.aggregate
    ]
    for node in calls:
        filtered = exp.Filter(this=node.copy(), expression=exp.Where(this=where.copy()))
        set_type(filtered, type_of(node))
        if node is out:
            return filtered
        node.replace(filtered)
    return out


def _join_aliases(vdef: VarDef) -> list[str]:
    """Output names of an aggregate's ``on`` columns: ``entity_id`` for the (first)
    column equal to the entity key, ``_on<i>`` for the others."""
    aliases = []
    key_join = vdef.key_join()
    for i, join in enumerate(vdef.joins, start=1):
        aliases.append("entity_id" if join is key_join else f"_on{i}")
    return aliases
