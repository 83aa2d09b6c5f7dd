"""Phase 2, *parse & vet*: every expression of a pack parsed once, checked, its names resolved.

This module checks a pack against the registry (its entity, tables and columns exist;
names are unique and not reserved) and vets each expression where it stands, with the
names in scope there (:mod:`.expressions`): an aggregate's ``where`` and ``value`` see the
aggregated table's columns first, then the entity's variables and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Literal

from onething.registry import schema
from onething.rules.authoring import Pack, Rule
from onething.rules.compile.expressions import Expr, ExpressionVetter, Scope, text_of
from onething.rules.compile.ir import RefKind
from onething.rules.errors import Problems, closest

__all__ = ["EntityInfo", "Expr", "RuleDef", "VarDef", "VettedPack", "text_of", "vet_pack"]

RESERVED = ("as_of", "entity_id", "region", "scenario")
"""Names a pack may not declare: the run date, the entity key, its region, the scenario."""
MESSAGE_NAMES = ("amount",)


@dataclass(frozen=True, slots=True)
class EntityInfo:
    name: str
    table: schema.Table
    key: str
    region: str | None


VarKind = Literal["column", "expr", "aggregate", "decision"]


@dataclass
class VarDef:
    """A variable or decision table, vetted."""

    name: str
    where: str
    kind: VarKind
    title: str | None
    declared: str | None
    column: schema.Field | None = None
    expr: Expr | None = None
    table: schema.Table | None = None
    on: str | None = None
    filter: Expr | None = None
    value: Expr | None = None
    default: Any = None
    rows: list[tuple[Expr, Expr]] = field(default_factory=list)
    otherwise: Expr | None = None

    def exprs(self) -> list[Expr]:
        found = [self.expr, self.filter, self.value, self.otherwise]
        found += [e for row in self.rows for e in row]
        return [e for e in found if e is not None]

    def reads(self, kind: RefKind) -> list[str]:
        return list(dict.fromkeys(n for e in self.exprs() for n in e.names(kind)))


@dataclass
class RuleDef:
    rule: Rule
    where: str
    condition: Expr
    amount: Expr | None
    message_names: list[str]


@dataclass
class VettedPack:
    pack: Pack
    entity: EntityInfo
    variables: dict[str, VarDef]
    rules: list[RuleDef]


def _entity(pack: Pack, problems: Problems) -> EntityInfo | None:
    spec = pack.entity_spec()
    if spec is None:
        known = [*pack.entities, "person", "enterprise", "region"]
        problems.add(
            "entity",
            "rules.vet.unknown_entity",
            name=pack.entity,
            candidate=closest(pack.entity, known),
        )
        return None
    where = f"entities.{pack.entity}" if pack.entity in pack.entities else "entity"
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
    for part, column in (("key", spec.key), ("region", spec.region)):
        if column is not None and column not in table.columns:
            problems.add(
                f"{where}.{part}",
                "rules.vet.unknown_column",
                name=column,
                table=table.name,
                candidate=closest(column, table.columns),
            )
    return EntityInfo(pack.entity, table, spec.key, spec.region)


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
    ids: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in ids:
            problems.add(
                f"rules[{i}].id", "rules.vet.duplicate_rule", name=rule.id, other=ids[rule.id]
            )
        ids.setdefault(rule.id, i)


class _PackVetter:
    def __init__(self, pack: Pack, entity: EntityInfo, problems: Problems) -> None:
        self.pack = pack
        self.entity = entity
        self.problems = problems
        self.exprs = ExpressionVetter(problems)
        self.variable_names = {**pack.variables, **pack.decision_tables}
        self.reserved: dict[str, RefKind] = {"as_of": "as_of", "entity_id": "entity_id"}
        if entity.region is not None:
            self.reserved["region"] = "region"
        self.scalar = self.scope()

    def scope(
        self,
        table: schema.Table | None = None,
        part: Literal["scalar", "where", "value"] = "scalar",
    ) -> Scope:
        return Scope(self.variable_names, self.pack.parameters, self.reserved, table, part)

    def variable(self, name: str) -> VarDef:
        var = self.pack.variables[name]
        where = f"variables.{name}"
        vdef = VarDef(name, where, "expr", var.title, var.type)
        if var.column is not None:
            vdef.kind = "column"
            vdef.column = self.column(self.entity.table, var.column, f"{where}.column")
        elif var.expr is not None:
            vdef.expr = self.exprs.parse(var.expr, f"{where}.expr", self.scalar)
        elif var.aggregate is not None:
            vdef.kind = "aggregate"
            agg = var.aggregate
            table = schema.tables().get(agg.table)
            if table is None:
                self.problems.add(
                    f"{where}.aggregate.table",
                    "rules.vet.unknown_table",
                    name=agg.table,
                    candidate=closest(agg.table, schema.tables()),
                )
            elif (on := self.column(table, agg.on, f"{where}.aggregate.on")) is not None:
                key = self.entity.table.field(self.entity.key)
                if on.type != key.type:
                    self.problems.add(
                        f"{where}.aggregate.on",
                        "rules.vet.on_type",
                        column=f"{table.name}.{on.name}",
                        got=on.type,
                        entity_key=f"{self.entity.table.name}.{key.name}",
                        want=key.type,
                    )
                vdef.table, vdef.on, vdef.default = table, agg.on, agg.default
                if agg.where is not None:
                    vdef.filter = self.exprs.parse(
                        agg.where, f"{where}.aggregate.where", self.scope(table, "where")
                    )
                vdef.value = self.exprs.parse(
                    agg.value, f"{where}.aggregate.value", self.scope(table, "value")
                )
        return vdef

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
        table_def = self.pack.decision_tables[name]
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
    entity = _entity(pack, problems)
    _names(pack, problems)
    problems.raise_if_any()
    assert entity is not None
    vetter = _PackVetter(pack, entity, problems)
    variables = {name: vetter.variable(name) for name in pack.variables}
    variables |= {name: vetter.decision_table(name) for name in pack.decision_tables}
    rules = [r for i, rule in enumerate(pack.rules) if (r := vetter.rule(i, rule)) is not None]
    problems.raise_if_any()
    return VettedPack(pack, entity, variables, rules)


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
