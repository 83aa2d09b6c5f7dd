"""Phase 5, *types*: every variable, parameter, condition and amount gets a checked type.

Types are ``int``, ``decimal``, ``bool``, ``date`` and ``text``. A decimal also carries
its number of decimal places, known at compile time (a column's scale, a literal's
digits, the sum of a product's factors, 10 for a quotient), so every engine stores it
in the same ``DECIMAL(38, s)`` and an amount is exact to the cent everywhere.

A mismatch (a date compared with a number, a condition that is not bool, an amount that
is not a number) is an error naming the expression, where it is, and both types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from onething.registry.schema import Field
from onething.rules.compile.functions import FUNCTIONS
from onething.rules.compile.ir import (
    BOOL,
    DATE,
    DIVISION_SCALE,
    INT,
    MAX_SCALE,
    NULL,
    TEXT,
    Ref,
    RType,
    TypeProblem,
    comparable,
    decimal,
    declared,
    ref_of,
    set_type,
    unify,
)
from onething.rules.compile.vet import EntityInfo, Expr, VarDef, VettedPack, text_of
from onething.rules.errors import Problems
from onething.rules.params import BadValue, coerce, decimal_scale

Env = Callable[[Ref], RType]

SYMBOLS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.Mod: "%",
    exp.And: "AND",
    exp.Or: "OR",
}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def infer(node: exp.Expr, env: Env) -> RType:
    """The type of ``node`` (annotated on it and on every node below)."""
    return set_type(node, _infer(node, env))


def _infer(node: exp.Expr, env: Env) -> RType:  # noqa: PLR0911, PLR0912
    if isinstance(node, exp.Column):
        ref = ref_of(node)
        assert ref is not None
        return env(ref)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return TEXT
        return decimal(len(node.this.split(".")[1])) if "." in node.this else INT
    if isinstance(node, exp.Boolean):
        return BOOL
    if isinstance(node, exp.Null):
        return NULL
    if isinstance(node, exp.Cast):
        infer(node.this, env)
        return DATE
    if isinstance(node, exp.Paren):
        return infer(node.this, env)
    if isinstance(node, exp.Neg):
        inner = infer(node.this, env)
        if not (inner.numeric or inner.kind == "null"):
            raise TypeProblem("rules.types.negate", got=inner, text=text_of(node))
        return inner
    if isinstance(node, exp.Not):
        _logic(node, "NOT", infer(node.this, env))
        return BOOL
    if isinstance(node, exp.And | exp.Or):
        for side in (node.this, node.expression):
            _logic(node, SYMBOLS[type(node)], infer(side, env))
        return BOOL
    if isinstance(node, _COMPARISONS):
        _compare(node, infer(node.this, env), infer(node.expression, env))
        return BOOL
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div | exp.Mod):
        return _arithmetic(node, infer(node.this, env), infer(node.expression, env))
    if isinstance(node, exp.In):
        left = infer(node.this, env)
        for item in node.expressions:
            _compare(node, left, infer(item, env))
        return BOOL
    if isinstance(node, exp.Between):
        left = infer(node.this, env)
        for bound in (node.args["low"], node.args["high"]):
            _compare(node, left, infer(bound, env))
        return BOOL
    if isinstance(node, exp.Is):
        infer(node.this, env)
        infer(node.expression, env)
        return BOOL
    if isinstance(node, exp.Case):
        return _case(node, env)
    if isinstance(node, exp.Anonymous):
        return _call(node, env)
    if isinstance(node, exp.Star):
        return NULL
    if isinstance(node, exp.Distinct):
        return infer(node.expressions[0], env)
    raise AssertionError(f"vet let through {type(node).__name__}")


def _logic(node: exp.Expr, op: str, got: RType) -> None:
    if got.kind not in ("bool", "null"):
        raise TypeProblem("rules.types.logic", op=op, got=got, text=text_of(node))


def _compare(node: exp.Expr, left: RType, right: RType) -> None:
    if not comparable(left, right):
        raise TypeProblem("rules.types.compare", left=left, right=right, text=text_of(node))


def _arithmetic(node: exp.Expr, left: RType, right: RType) -> RType:
    op = SYMBOLS[type(node)]
    wanted = "int" if isinstance(node, exp.Mod) else "number"
    for side in (left, right):
        ok = side.kind == "int" if wanted == "int" else side.numeric
        if not (ok or side.kind == "null"):
            raise TypeProblem(
                "rules.types.operands",
                op=op,
                left=left,
                right=right,
                wanted=wanted,
                text=text_of(node),
            )
    if isinstance(node, exp.Div):
        return decimal(DIVISION_SCALE)
    if isinstance(node, exp.Mod) or (left.kind != "decimal" and right.kind != "decimal"):
        return INT
    if isinstance(node, exp.Mul):
        scale = left.scale + right.scale
        if scale > MAX_SCALE:
            raise TypeProblem("rules.types.scale", text=text_of(node), scale=scale, most=MAX_SCALE)
        return decimal(scale)
    return decimal(max(left.scale, right.scale))


def _case(node: exp.Case, env: Env) -> RType:
    subject = node.args.get("this")
    subject_type = infer(subject, env) if subject is not None else None
    results: list[RType] = []
    for branch in node.args.get("ifs") or []:
        cond = infer(branch.this, env)
        if subject_type is not None:
            _compare(branch, subject_type, cond)
        else:
            _logic(branch.this, "WHEN", cond)
        results.append(infer(branch.args["true"], env))
    default = node.args.get("default")
    if default is not None:
        results.append(infer(default, env))
    common = unify(results)
    if common is None:
        raise TypeProblem(
            "rules.types.branches", types=", ".join(map(str, results)), text=text_of(node)
        )
    return common


def _call(node: exp.Anonymous, env: Env) -> RType:
    name = str(node.this)
    args = list(node.expressions)
    types = [infer(arg, env) for arg in args]
    try:
        return FUNCTIONS[name].typer(name, args, types)
    except TypeProblem as problem:
        problem.params.setdefault("text", text_of(node))
        raise


@dataclass
class Typed:
    """The types of a pack's variables and parameters, and of each rule's amount.

    ``others`` holds the variable types of the other entities of the pack, by entity.
    """

    variables: dict[str, RType]
    parameters: dict[str, RType]
    amounts: dict[str, RType]
    others: dict[str, dict[str, RType]] = field(default_factory=dict)


class _Checker:
    def __init__(
        self,
        entity: EntityInfo,
        parameters: dict[str, RType],
        others: dict[str, dict[str, RType]],
        problems: Problems,
    ) -> None:
        self.entity = entity
        self.parameters = parameters
        self.others = others
        self.types: dict[str, RType] = {}
        self.problems = problems
        key = column_type(entity.table.field(entity.key)) or TEXT
        self.reserved = {"as_of": DATE, "entity_id": key, "region": TEXT}

    def source_type(self, vdef: VarDef, name: str) -> RType:
        """The type of column ``name`` of the rows ``vdef`` aggregates."""
        if vdef.table is not None:
            return column_type(vdef.table.field(name)) or NULL
        assert vdef.source_entity is not None
        return self.others.get(vdef.source_entity, {}).get(name, NULL)

    def env(self, vdef: VarDef | None) -> Env:
        def env(ref: Ref) -> RType:
            if ref.kind == "variable":
                return self.types.get(ref.name, NULL)
            if ref.kind == "parameter":
                return self.parameters[ref.name]
            if ref.kind == "column":
                assert vdef is not None
                return self.source_type(vdef, ref.name)
            return self.reserved[ref.kind]

        return env

    def joins(self, vdef: VarDef) -> None:
        """Each pair of ``on`` joins values of one kind (numbers with numbers …)."""
        env = self.env(vdef)
        for join in vdef.joins:
            left = self.source_type(vdef, join.column)
            right = env(join.target)
            if "null" in (left.kind, right.kind) or (left.numeric and right.numeric):
                continue
            if left.kind != right.kind:
                self.problems.add(
                    f"{vdef.where}.aggregate.on",
                    "rules.types.join",
                    column=join.column,
                    got=left.describe(),
                    target=join.target.name,
                    want=right.describe(),
                )

    def typed(self, expr: Expr | None, env: Env, want: str | None = None) -> RType | None:
        if expr is None:
            return None
        try:
            got = infer(expr.tree, env)
        except TypeProblem as problem:
            self.problems.add(expr.where, problem.key, **problem.params)
            return None
        if want == "bool" and got.kind != "bool":
            self.problems.add(expr.where, "rules.types.not_bool", got=got, text=expr.text)
        if want == "number" and not got.numeric:
            self.problems.add(expr.where, "rules.types.not_number", got=got, text=expr.text)
        return got

    def variable(self, vdef: VarDef) -> None:
        env = self.env(vdef)
        inferred: RType | None
        if vdef.kind == "column":
            assert vdef.column is not None
            inferred = column_type(vdef.column)
            if inferred is None:
                self.problems.add(
                    f"{vdef.where}.column", "rules.types.column", type=vdef.column.type
                )
        elif vdef.kind == "expr":
            inferred = self.typed(vdef.expr, env)
        elif vdef.kind == "aggregate":
            self.joins(vdef)
            self.typed(vdef.filter, env, "bool")
            inferred = self.typed(vdef.value, env)
            if inferred is not None and vdef.default is not None:
                inferred = _with_default(vdef, inferred, self.problems)
        else:
            inferred = self.decision(vdef, env)
        if inferred is not None:
            self.types[vdef.name] = _declared(vdef, inferred, self.problems)

    def decision(self, vdef: VarDef, env: Env) -> RType | None:
        for when, _ in vdef.rows:
            self.typed(when, env, "bool")
        branches = [self.typed(then, env) for _, then in vdef.rows]
        branches.append(self.typed(vdef.otherwise, env) if vdef.otherwise else NULL)
        known = [b for b in branches if b is not None]
        if len(known) < len(branches):
            return None
        common = unify(known)
        if common is None:
            self.problems.add(
                vdef.where,
                "rules.types.branches",
                types=", ".join(map(str, known)),
                text=vdef.name,
            )
        return common


def check_pack(
    vetted: VettedPack,
    order: list[str],
    parameters: dict[str, RType],
    others: Mapping[str, list[str]] | None = None,
) -> Typed:
    """Type every expression of ``vetted`` (variables in ``order``); raises ``RulesError``.

    ``others`` maps each other entity of the pack to the order of its variables, the
    entities in the order they are computed (those aggregated over first).
    """
    problems = Problems()
    other_types: dict[str, dict[str, RType]] = {}
    for name, other_order in (others or {}).items():
        entity = vetted.others[name]
        other = _Checker(entity.info, parameters, other_types, problems)
        for var in other_order:
            other.variable(entity.variables[var])
        other_types[name] = other.types
    checker = _Checker(vetted.entity, parameters, other_types, problems)
    for name in order:
        checker.variable(vetted.variables[name])
    amounts: dict[str, RType] = {}
    for rdef in vetted.rules:
        checker.typed(rdef.condition, checker.env(None), "bool")
        amount = checker.typed(rdef.amount, checker.env(None), "number")
        if amount is not None and amount.numeric:
            amounts[rdef.rule.id] = decimal(amount.scale)
    problems.raise_if_any()
    return Typed(checker.types, parameters, amounts, other_types)


def column_type(column: Field) -> RType | None:
    """The type of a registry column (None for a type rules cannot read, like timestamp)."""
    if (spec := column.decimal) is not None:
        return decimal(spec[1])
    return {"text": TEXT, "int": INT, "bool": BOOL, "date": DATE}.get(column.type)


def literal_type(value: Any, kind: str) -> RType:
    """The type of an already coerced parameter or default value."""
    return decimal(decimal_scale(value)) if kind == "decimal" else declared(kind)


def _with_default(vdef: VarDef, inferred: RType, problems: Problems) -> RType:
    kind = vdef.declared or inferred.kind
    try:
        value = coerce(vdef.default, kind)
    except BadValue as bad:
        problems.add(f"{vdef.where}.aggregate.default", bad.key, value=vdef.default, type=kind)
        return inferred
    vdef.default = value
    common = unify([inferred, literal_type(value, kind)])
    return common if common is not None else inferred


def _declared(vdef: VarDef, inferred: RType, problems: Problems) -> RType:
    if vdef.declared is None:
        if inferred.kind == "null":
            problems.add(vdef.where, "rules.types.unknown")
        return inferred
    want = vdef.declared
    if inferred.kind == want:
        return inferred
    if inferred.kind == "null":
        return declared(want)
    if want == "decimal" and inferred.kind == "int":
        return decimal(0)
    problems.add(vdef.where, "rules.types.declared", declared=want, got=inferred)
    return inferred
