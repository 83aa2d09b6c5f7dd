"""Dead branches: a ``CASE`` whose condition reads only parameters that have one value in
every scenario of the run takes the same branch for every entity, so the others are dead.

``layoff_rate`` is ``CASE WHEN layoff_rate_method = 'net_reduction' THEN
net_reduction_rate ELSE separation_rate END``; with the method ``separations`` in every
scenario, the two year-end headcounts behind ``net_reduction_rate`` are computed for
nothing, and an explanation listing them shows values the decision never read.

:func:`fold_dead_branches` replaces each dead branch of the variables' ``CASE``
expressions and decision tables by a ``NULL`` of the branch's type (after type checking,
so every type and scale stays what it was); the condition stays, so the parameter is
still read and shown. What the variables then read is smaller: :func:`.graph.read_by_rules`
names those the rules still reach. Rule conditions and amounts are left as written (the
manifest shows their text). Values are unchanged: only branches no row can take go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from sqlglot import exp

from onething.rules.compile.ir import META_TYPE, RType, ref_of, set_type
from onething.rules.compile.trees import literal
from onething.rules.compile.vet import Expr, VarDef, VettedPack

_UNKNOWN: Any = object()
"""Not a constant of the run (reads a column, a variable, or something not folded here)."""

_COMPARE: dict[type[exp.Expr], Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
}


def constant_parameters(values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The parameters with one value in every scenario (``values``: scenario → name → value)."""
    scenarios = list(values.values())
    if not scenarios:
        return {}
    first = scenarios[0]
    return {
        name: value
        for name, value in first.items()
        if all(_same(other.get(name, _UNKNOWN), value) for other in scenarios[1:])
    }


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def fold_dead_branches(vetted: VettedPack, constants: Mapping[str, Any]) -> bool:
    """Replace, in place, the dead branches of every variable of ``vetted`` (its entity's
    and the other entities'); True if any was."""
    if not constants:
        return False
    changed = False
    for name in (None, *vetted.others):
        for vdef in vetted.entity_def(name).variables.values():
            changed |= _fold_variable(vdef, constants)
    return changed


def _fold_variable(vdef: VarDef, constants: Mapping[str, Any]) -> bool:
    changed = False
    for expr in vdef.exprs():
        changed |= _fold_tree(expr, constants)
    if vdef.kind == "decision":
        branches = [(when.tree, then) for when, then in vdef.rows]
        changed |= _fold_branches(branches, vdef.otherwise, constants)
    return changed


def _fold_tree(expr: Expr, constants: Mapping[str, Any]) -> bool:
    """Fold every ``CASE`` in ``expr``, again from the top after each change (a CASE inside
    a branch that died is gone from the tree)."""
    changed = False
    while any(_fold_case(case, constants) for case in expr.tree.find_all(exp.Case)):
        changed = True
    return changed


def _fold_case(case: exp.Case, constants: Mapping[str, Any]) -> bool:
    subject = case.args.get("this")
    ifs: list[exp.If] = list(case.args.get("ifs") or [])
    if subject is not None:
        operand = _value(subject, constants)
        conditions = [_compared(exp.EQ, operand, _value(b.this, constants)) for b in ifs]
    else:
        conditions = [_value(branch.this, constants) for branch in ifs]
    default = case.args.get("default")
    return _kill(
        conditions,
        [partial(_dead_arg, branch, "true") for branch in ifs],
        partial(_dead_arg, case, "default") if default is not None else None,
    )


def _fold_branches(
    rows: list[tuple[exp.Expr, Expr]], otherwise: Expr | None, constants: Mapping[str, Any]
) -> bool:
    """A decision table's rows (``(condition tree, outcome)``, in order), then its default."""
    return _kill(
        [_value(when, constants) for when, _then in rows],
        [partial(_dead_expr, then) for _when, then in rows],
        partial(_dead_expr, otherwise) if otherwise is not None else None,
    )


Kill = Callable[[], bool]
"""Replaces one branch by its NULL; True if it was not one already."""


def _kill(conditions: Sequence[Any], branches: Sequence[Kill], default: Kill | None) -> bool:
    """Branches in order with their conditions' values: one whose condition is FALSE or
    NULL is never taken; after one that is TRUE, none is (nor the default)."""
    changed = False
    for i, cond in enumerate(conditions):
        if cond is True:
            for later in branches[i + 1 :]:
                changed |= later()
            if default is not None:
                changed |= default()
            return changed
        if cond is False or cond is None:
            changed |= branches[i]()
    return changed


def _dead_arg(node: exp.Expr, arg: str) -> bool:
    value = node.args.get(arg)
    if value is None or _is_null(value):
        return False
    node.set(arg, _null_like(value))
    return True


def _dead_expr(expr: Expr) -> bool:
    if _is_null(expr.tree):
        return False
    expr.tree = _null_like(expr.tree)
    return True


def _null_like(node: exp.Expr) -> exp.Expr:
    rtype = node.meta.get(META_TYPE)
    if not isinstance(rtype, RType):
        raise AssertionError(f"untyped branch {node.sql()!r}: fold after type checking")
    null = literal(None, rtype)
    set_type(null, rtype)
    null.meta["rules_dead_branch"] = True
    return null


def _is_null(node: exp.Expr) -> bool:
    return bool(node.meta.get("rules_dead_branch")) or isinstance(node, exp.Null)


def _compared(kind: type[exp.Expr], a: Any, b: Any) -> Any:
    """SQL's comparison of two values that may be unknown or NULL."""
    if a is _UNKNOWN or b is _UNKNOWN:
        return _UNKNOWN
    return None if a is None or b is None else _compare(kind, a, b)


def _compare(kind: type[exp.Expr], a: Any, b: Any) -> Any:
    numeric = (int, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        if not (isinstance(a, bool) and isinstance(b, bool)):
            return _UNKNOWN
    elif isinstance(a, numeric) and isinstance(b, numeric):
        pass
    elif type(a) is not type(b) or not isinstance(a, str | date):
        return _UNKNOWN
    return _COMPARE[kind](a, b)


def _value(node: exp.Expr, constants: Mapping[str, Any]) -> Any:
    """The value of ``node`` if it reads only constant parameters and literals (None for
    SQL NULL), else ``_UNKNOWN``; three-valued logic for ``AND``, ``OR``, ``NOT``."""
    if isinstance(node, exp.Paren):
        return _value(node.this, constants)
    if isinstance(node, exp.Not):
        inner = _value(node.this, constants)
        return not inner if isinstance(inner, bool) else inner if inner is None else _UNKNOWN
    if isinstance(node, exp.And | exp.Or):
        left, right = _value(node.this, constants), _value(node.expression, constants)
        return _logic(isinstance(node, exp.And), left, right)
    if type(node) in _COMPARE:
        left = _value(node.this, constants)
        return _compared(type(node), left, _value(node.args["expression"], constants))
    return _leaf(node, constants)


def _leaf(node: exp.Expr, constants: Mapping[str, Any]) -> Any:
    if isinstance(node, exp.Column):
        ref = ref_of(node)
        known = ref is not None and ref.kind == "parameter" and ref.name in constants
        return constants[ref.name] if known and ref is not None else _UNKNOWN
    if isinstance(node, exp.Boolean | exp.Null):
        return bool(node.this) if isinstance(node, exp.Boolean) else None
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    if isinstance(node, exp.Literal):
        try:
            return Decimal(str(node.this))
        except InvalidOperation:
            pass
    return _UNKNOWN


def _logic(conjunction: bool, left: Any, right: Any) -> Any:
    """SQL's ``AND`` / ``OR`` over True, False, None (NULL) and unknown."""
    for side in (left, right):
        if side is not _UNKNOWN and side is not None and not isinstance(side, bool):
            return _UNKNOWN
    decisive = not conjunction  # FALSE decides an AND, TRUE an OR
    if left is decisive or right is decisive:
        return decisive
    if left is _UNKNOWN or right is _UNKNOWN:
        return _UNKNOWN
    if left is None or right is None:
        return None
    return not decisive
