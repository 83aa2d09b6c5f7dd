"""Phase 2, *parse & vet*: every expression of a pack parsed once, checked, its names resolved.

This module checks a pack against the registry (its entities, tables and columns exist;
names are unique and not reserved) and vets each expression where it stands, with the
names in scope there (:mod:`.expressions`): an aggregate's ``where`` and ``value`` see the
aggregated rows' columns first (a registry table's columns, or the variables of the
entity aggregated over), then the entity's variables and parameters.

Besides the pack's own entity, a pack may declare other entities with variables
(``entities.payment.variables``); a variable aggregates over them with
``aggregate.entity``. Each entity is vetted in its own scope: its variables, the pack's
parameters and the reserved names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Literal

from onething.registry import schema
from onething.rules.authoring import (
    DEFAULT_ENTITIES,
    DecisionTable,
    EntitySpec,
    Pack,
    Rule,
    Variable,
)
from onething.rules.compile.expressions import Expr, ExpressionVetter, Scope, text_of
from onething.rules.compile.ir import Ref, RefKind
from onething.rules.errors import Problems, closest

__all__ = [
    "EntityDef",
    "EntityInfo",
    "Expr",
    "Join",
    "RuleDef",
    "VarDef",
    "VettedPack",
    "text_of",
    "vet_pack",
]

RESERVED = ("as_of", "entity_id", "region", "scenario")
"""Names a pack may not declare: the run date, the entity key, its region, the scenario."""
MESSAGE_NAMES = ("amount",)


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """An entity's rows: a registry table, its key column(s) and its region column."""

    name: str
    table: schema.Table
    keys: tuple[str, ...]
    region: str | None

    @property
    def key(self) -> str:
        """The column ``entity_id`` is (the first key column)."""
        return self.keys[0]


@dataclass(frozen=True, slots=True)
class Join:
    """One pair of an aggregate's ``on``: a column of the aggregated rows equal to
    the entity's key (``Ref('entity_id')``) or to one of its variables."""

    column: str
    target: Ref


VarKind = Literal["column", "expr", "aggregate", "decision"]


@dataclass
class VarDef:
    """A variable or decision table, vetted.

    An aggregate reads a registry table (``table``) or another entity of the pack
    (``source_entity``); ``joins`` say which of its rows belong to the entity.
    """

    name: str
    where: str
    kind: VarKind
    title: str | None
    declared: str | None
    column: schema.Field | None = None
    expr: Expr | None = None
    table: schema.Table | None = None
    source_entity: str | None = None
    joins: list[Join] = field(default_factory=list)
    filter: Expr | None = None
    value: Expr | None = None
    default: Any = None
    rows: list[tuple[Expr, Expr]] = field(default_factory=list)
    otherwise: Expr | None = None

    def exprs(self) -> list[Expr]:
        found = [self.expr, self.filter, self.value, self.otherwise]
        found += [e for row in self.rows for e in row]
        return [e for e in found if e is not None]

    def refs(self) -> list[Ref]:
        """Every name the definition reads, ``on`` targets included."""
        return [*(r for e in self.exprs() for r in e.refs()), *(j.target for j in self.joins)]

    def reads(self, kind: RefKind) -> list[str]:
        return list(dict.fromkeys(r.name for r in self.refs() if r.kind == kind))

    def key_join(self) -> Join | None:
        """The first pair of ``on`` that joins to the entity key, if any."""
        return next((j for j in self.joins if j.target.kind == "entity_id"), None)


@dataclass
class EntityDef:
    """An entity with its vetted variables (the pack's own, or one it aggregates over)."""

    info: EntityInfo
    where: str
    variables: dict[str, VarDef]


@dataclass
class RuleDef:
    rule: Rule
    where: str
    condition: Expr
    amount: Expr | None
    message_names: list[str]


@dataclass
class VettedPack:
    """A pack whose expressions are parsed and resolved.

    ``entity``/``variables`` are the pack's own entity; ``others`` the entities it
    declares with variables, by name.
    """

    pack: Pack
    entity: EntityInfo
    variables: dict[str, VarDef]
    rules: list[RuleDef]
    others: dict[str, EntityDef] = field(default_factory=dict)

    def entity_def(self, name: str | None) -> EntityDef:
        """The pack's entity (``None`` or its name) or another declared one."""
        if name is None or name == self.entity.name:
            return EntityDef(self.entity, "variables", self.variables)
        return self.others[name]


def _entity(name: str, spec: EntitySpec, where: str, problems: Problems) -> EntityInfo | None:
    tables = schema.tables()
    table = tables.get(spec.table)
    if table is None:
        problems.add(
            f"{where}.table",
            "rules.vet.unknown_table",
            name=spec.table,
            candidate=closest(spec.table, tables),
        )
        return None
    columns = [("key", k) for k in spec.keys] + [("region", spec.region)]
    ok = True
    for part, column in columns:
        if column is not None and column not in table.columns:
            ok = False
            problems.add(
                f"{where}.{part}",
                "rules.vet.unknown_column",
                name=column,
                table=table.name,
                candidate=closest(column, table.columns),
            )
    if ok and not set(table.key) <= set(spec.keys):
        problems.add(
            f"{where}.key",
            "rules.vet.key_not_unique",
            table=table.name,
            columns=", ".join(spec.keys),
            wanted=", ".join(table.key),
        )
    return EntityInfo(name, table, spec.keys, spec.region)


def _main_entity(pack: Pack, problems: Problems) -> EntityInfo | None:
    spec = pack.entity_spec()
    if spec is None:
        known = [*pack.entities, *DEFAULT_ENTITIES]
        problems.add(
            "entity",
            "rules.vet.unknown_entity",
            name=pack.entity,
            candidate=closest(pack.entity, known),
        )
        return None
    where = f"entities.{pack.entity}" if pack.entity in pack.entities else "entity"
    if spec.variables:
        problems.add(f"{where}.variables", "rules.vet.own_entity_variables", entity=pack.entity)
    return _entity(pack.entity, spec, where, problems)


def _names(pack: Pack, problems: Problems) -> None:
    seen: dict[str, str] = {}
    for section, names in (
        ("parameters", pack.parameters),
        ("variables", pack.variables),
        ("decision_tables", pack.decision_tables),
    ):
        for name in names:
            where = f"{section}.{name}"
            if name in RESERVED:
                problems.add(where, "rules.vet.reserved", name=name, reserved=", ".join(RESERVED))
            elif name in seen:
                problems.add(where, "rules.vet.duplicate", name=name, other=seen[name])
            else:
                seen[name] = where
    for entity, spec in pack.entities.items():
        for name in spec.variables:
            where = f"entities.{entity}.variables.{name}"
            if name in RESERVED:
                problems.add(where, "rules.vet.reserved", name=name, reserved=", ".join(RESERVED))
            elif name in pack.parameters:
                problems.add(where, "rules.vet.duplicate", name=name, other=f"parameters.{name}")
    ids: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in ids:
            problems.add(
                f"rules[{i}].id", "rules.vet.duplicate_rule", name=rule.id, other=ids[rule.id]
            )
        ids.setdefault(rule.id, i)


class _EntityVetter:
    """Vets the variables of one entity, in that entity's scope."""

    def __init__(
        self,
        pack: Pack,
        entity: EntityInfo,
        *,
        variables: Mapping[str, Variable],
        decision_tables: Mapping[str, DecisionTable],
        prefix: str,
        problems: Problems,
        entity_columns: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.pack = pack
        self.entity_columns = entity_columns
        self.entity = entity
        self.prefix = prefix
        self.problems = problems
        self.exprs = ExpressionVetter(problems)
        self.definitions = variables
        self.tables = decision_tables
        self.variable_names = {**variables, **decision_tables}
        self.reserved: dict[str, RefKind] = {"as_of": "as_of", "entity_id": "entity_id"}
        if entity.region is not None:
            self.reserved["region"] = "region"
        self.scalar = self.scope()

    def scope(
        self,
        columns: tuple[str, ...] = (),
        part: Literal["scalar", "where", "value"] = "scalar",
    ) -> Scope:
        return Scope(self.variable_names, self.pack.parameters, self.reserved, columns, part)

    def vet(self) -> dict[str, VarDef]:
        found = {name: self.variable(name) for name in self.definitions}
        found |= {name: self.decision_table(name) for name in self.tables}
        return found

    def variable(self, name: str) -> VarDef:
        var = self.definitions[name]
        where = f"{self.prefix}.{name}"
        vdef = VarDef(name, where, "expr", var.title, var.type)
        if var.column is not None:
            vdef.kind = "column"
            vdef.column = self.column(self.entity.table, var.column, f"{where}.column")
        elif var.expr is not None:
            vdef.expr = self.exprs.parse(var.expr, f"{where}.expr", self.scalar)
        elif var.aggregate is not None:
            vdef.kind = "aggregate"
            self.aggregate(vdef, var)
        return vdef

    def aggregate(self, vdef: VarDef, var: Variable) -> None:
        agg = var.aggregate
        assert agg is not None
        where = f"{vdef.where}.aggregate"
        columns: tuple[str, ...]
        if agg.table is not None:
            table = schema.tables().get(agg.table)
            if table is None:
                self.problems.add(
                    f"{where}.table",
                    "rules.vet.unknown_table",
                    name=agg.table,
                    candidate=closest(agg.table, schema.tables()),
                )
                return
            vdef.table, columns = table, table.columns
        else:
            assert agg.entity is not None
            if agg.entity not in self.entity_columns:
                self.problems.add(
                    f"{where}.entity",
                    "rules.vet.unknown_entity",
                    name=agg.entity,
                    candidate=closest(agg.entity, self.entity_columns),
                )
                return
            vdef.source_entity, columns = agg.entity, self.entity_columns[agg.entity]
        pairs = {agg.on: "entity_id"} if isinstance(agg.on, str) else agg.on
        for i, (column, target) in enumerate(pairs.items()):
            at = f"{where}.on" if isinstance(agg.on, str) else f"{where}.on.{column}"
            join = self.join(vdef, column, target, at, columns, legacy=isinstance(agg.on, str))
            if join is not None:
                vdef.joins.append(join)
            elif i == 0 and isinstance(agg.on, str):
                return
        vdef.default = agg.default
        if agg.where is not None:
            scope = self.scope(columns, "where")
            vdef.filter = self.exprs.parse(agg.where, f"{where}.where", scope)
        vdef.value = self.exprs.parse(agg.value, f"{where}.value", self.scope(columns, "value"))

    def join(
        self,
        vdef: VarDef,
        column: str,
        target: str,
        where: str,
        columns: tuple[str, ...],
        *,
        legacy: bool,
    ) -> Join | None:
        """One pair of ``on``: ``column`` of the aggregated rows = ``target`` of the entity."""
        if column not in columns:
            if vdef.table is not None:
                self.problems.add(
                    where,
                    "rules.vet.unknown_column",
                    name=column,
                    table=vdef.table.name,
                    candidate=closest(column, columns),
                )
            else:
                self.problems.add(
                    where,
                    "rules.vet.unknown_entity_variable",
                    name=column,
                    entity=vdef.source_entity,
                    candidate=closest(column, columns),
                )
            return None
        ref: Ref
        if target in ("entity_id", self.entity.key):
            ref = Ref("entity_id", "entity_id")
        elif target in self.variable_names:
            ref = Ref("variable", target)
        else:
            known = [*self.variable_names, self.entity.key, "entity_id"]
            self.problems.add(
                where,
                "rules.vet.join_target",
                name=target,
                entity=self.entity.name,
                candidate=closest(target, known),
            )
            return None
        if legacy and vdef.table is not None:
            on = vdef.table.field(column)
            key = self.entity.table.field(self.entity.key)
            if on.type != key.type:
                self.problems.add(
                    where,
                    "rules.vet.on_type",
                    column=f"{vdef.table.name}.{on.name}",
                    got=on.type,
                    entity_key=f"{self.entity.table.name}.{key.name}",
                    want=key.type,
                )
                return None
        return Join(column, ref)

    def column(self, table: schema.Table, name: str, where: str) -> schema.Field | None:
        if name in table.columns:
            return table.field(name)
        self.problems.add(
            where,
            "rules.vet.unknown_column",
            name=name,
            table=table.name,
            candidate=closest(name, table.columns),
        )
        return None

    def decision_table(self, name: str) -> VarDef:
        table_def = self.tables[name]
        where = f"decision_tables.{name}"
        vdef = VarDef(name, where, "decision", table_def.title, table_def.type)
        for i, row in enumerate(table_def.rows):
            when = self.exprs.parse(row.when, f"{where}.rows[{i}].when", self.scalar)
            then = self.exprs.parse(row.then, f"{where}.rows[{i}].then", self.scalar)
            if when is not None and then is not None:
                vdef.rows.append((when, then))
        if table_def.default is not None:
            vdef.otherwise = self.exprs.parse(table_def.default, f"{where}.default", self.scalar)
        return vdef

    def rule(self, i: int, rule: Rule) -> RuleDef | None:
        where = f"rules[{i}]"
        condition = self.exprs.parse(rule.condition, f"{where}.condition", self.scalar)
        amount = None
        if rule.amount:
            amount = self.exprs.parse(rule.amount, f"{where}.amount", self.scalar)
        known = [*self.variable_names, *self.pack.parameters, *self.reserved, *MESSAGE_NAMES]
        names = _placeholders(rule.message or "", f"{where}.message", known, self.problems)
        return RuleDef(rule, where, condition, amount, names) if condition is not None else None


def vet_pack(pack: Pack) -> VettedPack:
    """Parse, check and resolve every expression of ``pack``; raises ``RulesError``."""
    problems = Problems()
    entity = _main_entity(pack, problems)
    others: dict[str, EntityInfo] = {}
    for name, spec in pack.entities.items():
        if name != pack.entity and spec.variables:
            info = _entity(name, spec, f"entities.{name}", problems)
            if info is not None:
                others[name] = info
    _names(pack, problems)
    problems.raise_if_any()
    assert entity is not None
    columns = {name: tuple(pack.entities[name].variables) for name in others}
    columns[pack.entity] = (*pack.variables, *pack.decision_tables)
    vetter = _EntityVetter(
        pack,
        entity,
        variables=pack.variables,
        decision_tables=pack.decision_tables,
        prefix="variables",
        problems=problems,
        entity_columns=columns,
    )
    variables = vetter.vet()
    rules = [r for i, rule in enumerate(pack.rules) if (r := vetter.rule(i, rule)) is not None]
    entities: dict[str, EntityDef] = {}
    for name, info in others.items():
        prefix = f"entities.{name}.variables"
        spec = pack.entities[name]
        child = _EntityVetter(
            pack,
            info,
            variables=spec.variables,
            decision_tables={},
            prefix=prefix,
            problems=problems,
            entity_columns=columns,
        )
        entities[name] = EntityDef(info, f"entities.{name}", child.vet())
    problems.raise_if_any()
    return VettedPack(pack, entity, variables, rules, entities)


def _placeholders(message: str, where: str, known: list[str], problems: Problems) -> list[str]:
    names: list[str] = []
    try:
        fields = [f for _, f, _, _ in Formatter().parse(message) if f is not None]
    except ValueError as exc:
        problems.add(where, "rules.vet.message", detail=str(exc))
        return names
    for name in fields:
        if name not in known:
            problems.add(where, "rules.vet.placeholder", name=name, candidate=closest(name, known))
        else:
            names.append(name)
    return list(dict.fromkeys(names))
