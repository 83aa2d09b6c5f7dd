"""The compiler's vocabulary: value types, name references and tree helpers.

Expressions stay SQLGlot trees from parse to emit. Between phases a node carries two
annotations in its ``meta``: the :class:`Ref` a bare name resolved to (set by vet) and
the :class:`RType` of its value (set by the type checker). Our functions are
``exp.Anonymous`` nodes named in lower case until a dialect lowers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlglot import exp

Kind = Literal["int", "decimal", "bool", "date", "text", "null"]
RefKind = Literal["variable", "parameter", "column", "as_of", "entity_id", "region"]

DIVISION_SCALE = 10
"""Decimal places of every quotient (``/``, ``avg``), rounded half away from zero."""
MAX_SCALE = 20
"""The most decimal places an expression may carry (a product adds its factors' scales)."""
MAX_LITERAL_SCALE = 10
DECIMAL_PRECISION = 38

META_REF = "rules_ref"
META_TYPE = "rules_type"

ENTITY_PARAMETER = "entity_id"
"""The SQL parameter a single-entity check binds the entity key to at run time."""
BOUND_PARAMETERS: tuple[str, ...] = (ENTITY_PARAMETER,)
"""Every parameter a compiled query may bind, in order (PostgreSQL numbers them ``$1``…)."""


@dataclass(frozen=True, slots=True)
class RType:
    """The type of a value: a kind, and for decimals the (static) number of decimal places."""

    kind: Kind
    scale: int = 0

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "decimal")

    def __str__(self) -> str:
        return self.kind

    def describe(self) -> str:
        return f"decimal({self.scale})" if self.kind == "decimal" else self.kind


INT = RType("int")
BOOL = RType("bool")
DATE = RType("date")
TEXT = RType("text")
NULL = RType("null")


def decimal(scale: int) -> RType:
    return RType("decimal", scale)


def declared(type_name: str, scale: int = 0) -> RType:
    """The type a pack declares by name (``int``, ``decimal`` …)."""
    return decimal(scale) if type_name == "decimal" else RType(type_name)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Ref:
    """What a bare name in an expression refers to."""

    kind: RefKind
    name: str


class TypeProblem(Exception):
    """Raised by type rules; the type checker turns it into a located problem."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def ref_of(node: exp.Expr) -> Ref | None:
    ref = node.meta.get(META_REF)
    return ref if isinstance(ref, Ref) else None


def type_of(node: exp.Expr) -> RType:
    rtype = node.meta.get(META_TYPE)
    if not isinstance(rtype, RType):
        raise AssertionError(f"untyped node {node.sql()!r}")
    return rtype


def set_type(node: exp.Expr, rtype: RType) -> RType:
    node.meta[META_TYPE] = rtype
    return rtype


_ATOMIC = (
    exp.Column,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Placeholder,
    exp.Parameter,
    exp.Cast,
    exp.Case,
    exp.Func,
)


def wrap(node: exp.Expr) -> exp.Expr:
    """``node`` in parentheses unless it is atomic (SQLGlot renders trees as built)."""
    if isinstance(node, _ATOMIC) and not isinstance(node, exp.Binary | exp.Unary):
        return node
    if isinstance(node, exp.Interval) or (
        isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal)
    ):
        return node
    return exp.Paren(this=node)


def sql_type(rtype: RType) -> exp.DataType:
    """The SQL type every engine stores a value of ``rtype`` in (a fresh node each time)."""
    built = _SQL_TYPES.get(rtype)
    if built is None:
        if rtype.kind == "decimal":
            built = exp.DataType.build(f"DECIMAL({DECIMAL_PRECISION}, {rtype.scale})")
        else:
            names = {"int": "BIGINT", "bool": "BOOLEAN", "date": "DATE", "text": "TEXT"}
            built = exp.DataType.build(names.get(rtype.kind, "TEXT"))
        _SQL_TYPES[rtype] = built
    return built.copy()  # parsing the type's name each time cost more than copying


_SQL_TYPES: dict[RType, exp.DataType] = {}


def typed_cast(node: exp.Expr, rtype: RType) -> exp.Cast:
    return exp.Cast(this=node, to=sql_type(rtype))


def unify(types: list[RType]) -> RType | None:
    """The common type of CASE branches or ``coalesce`` arguments, or None if there is none."""
    known = [t for t in types if t.kind != "null"]
    if not known:
        return NULL
    if all(t.numeric for t in known):
        decimals = [t.scale for t in known if t.kind == "decimal"]
        return decimal(max(decimals)) if decimals else INT
    first = known[0]
    return first if all(t.kind == first.kind for t in known) else None


def comparable(a: RType, b: RType) -> bool:
    if "null" in (a.kind, b.kind):
        return True
    if a.numeric and b.numeric:
        return True
    return a.kind == b.kind
