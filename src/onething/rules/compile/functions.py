"""Our functions: their signatures, their types, and how each engine computes them.

A pack calls only the functions listed in :data:`FUNCTIONS` (docs/rules.md §1). Each has
one meaning on every engine:

- :data:`FUNCTIONS` gives each function's arguments and result type;
- :class:`Lowering` builds each meaning once (month arithmetic, exact division, rounding,
  aligned decimal branches) from a few primitives;
- :mod:`.dialects` gives the primitives of one engine per class (date parts, date
  arithmetic, the exact integer type and its truncating division).

Every lowered tree is built from SQLGlot expression classes, never from SQL text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sqlglot import exp

from onething.rules.compile.ir import (
    BOOL,
    DATE,
    DIVISION_SCALE,
    INT,
    META_TYPE,
    TEXT,
    RType,
    TypeProblem,
    decimal,
    sql_type,
    typed_cast,
    unify,
    wrap,
)

Typer = Callable[[str, list[exp.Expr], list[RType]], RType]


@dataclass(frozen=True, slots=True)
class Signature:
    """How many arguments a function takes, whether it aggregates, and its result type."""

    name: str
    min_args: int
    max_args: int | None
    typer: Typer
    aggregate: bool = False


def _want(name: str, position: int, got: RType, wanted: str) -> None:
    ok = got.kind == "null" or (got.numeric if wanted == "number" else got.kind == wanted)
    if not ok:
        raise TypeProblem(
            "rules.types.argument", function=name, position=position, wanted=wanted, got=got
        )


def _numeric_same(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
    _want(name, 1, types[0], "number")
    return types[0] if types[0].kind != "null" else INT


def _unified(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
    common = unify(types)
    if common is None:
        raise TypeProblem(
            "rules.types.mixed_arguments", function=name, types=", ".join(map(str, types))
        )
    return common


def _round(name: str, args: list[exp.Expr], types: list[RType]) -> RType:
    _want(name, 1, types[0], "number")
    places = 0
    if len(args) == 2:
        arg = args[1]
        if not (isinstance(arg, exp.Literal) and not arg.is_string and arg.this.isdigit()):
            raise TypeProblem("rules.types.round_places", text=arg.sql())
        places = int(arg.this)
    return INT if types[0].kind == "int" else decimal(places)


def _typed(result: RType, *wanted: str) -> Typer:
    def typer(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
        for i, (got, want) in enumerate(zip(types, wanted, strict=False), start=1):
            _want(name, i, got, want)
        for i, got in enumerate(types[len(wanted) :], start=len(wanted) + 1):
            _want(name, i, got, wanted[-1])
        return result

    return typer


def _date_trunc(name: str, args: list[exp.Expr], types: list[RType]) -> RType:
    unit = args[0]
    if not (isinstance(unit, exp.Literal) and unit.is_string and unit.this.lower() in _UNITS):
        raise TypeProblem("rules.types.trunc_unit", text=unit.sql())
    _want(name, 2, types[1], "date")
    return DATE


_UNITS = ("month", "year")


def _count(name: str, args: list[exp.Expr], types: list[RType]) -> RType:
    return INT


def _sum(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
    _want(name, 1, types[0], "number")
    return types[0] if types[0].kind != "null" else INT


def _min_max(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
    return types[0]


def _avg(name: str, _: list[exp.Expr], types: list[RType]) -> RType:
    _want(name, 1, types[0], "number")
    return decimal(DIVISION_SCALE)


FUNCTIONS: dict[str, Signature] = {
    s.name: s
    for s in (
        Signature("abs", 1, 1, _numeric_same),
        Signature("least", 2, None, _unified),
        Signature("greatest", 2, None, _unified),
        Signature("coalesce", 2, None, _unified),
        Signature("round", 1, 2, _round),
        Signature("div", 2, 2, _typed(INT, "int", "int")),
        Signature("mod", 2, 2, _typed(INT, "int", "int")),
        Signature("year", 1, 1, _typed(INT, "date")),
        Signature("month", 1, 1, _typed(INT, "date")),
        Signature("day", 1, 1, _typed(INT, "date")),
        Signature("date_trunc", 2, 2, _date_trunc),
        Signature("add_months", 2, 2, _typed(DATE, "date", "int")),
        Signature("add_days", 2, 2, _typed(DATE, "date", "int")),
        Signature("months_between", 2, 2, _typed(INT, "date", "date")),
        Signature("days_between", 2, 2, _typed(INT, "date", "date")),
        Signature("age", 2, 2, _typed(INT, "date", "date")),
        Signature("make_date", 3, 3, _typed(DATE, "int", "int", "int")),
        Signature("length", 1, 1, _typed(INT, "text")),
        Signature("substr", 2, 3, _typed(TEXT, "text", "int", "int")),
        Signature("upper", 1, 1, _typed(TEXT, "text")),
        Signature("lower", 1, 1, _typed(TEXT, "text")),
        Signature("concat", 1, None, _typed(TEXT, "text")),
        Signature("instr", 2, 2, _typed(INT, "text", "text")),
        Signature("translate", 3, 3, _typed(TEXT, "text", "text", "text")),
        Signature("to_int", 1, 1, _typed(INT, "text")),
        Signature("count", 1, 1, _count, aggregate=True),
        Signature("sum", 1, 1, _sum, aggregate=True),
        Signature("min", 1, 1, _min_max, aggregate=True),
        Signature("max", 1, 1, _min_max, aggregate=True),
        Signature("avg", 1, 1, _avg, aggregate=True),
        Signature("bool_or", 1, 1, _typed(BOOL, "bool"), aggregate=True),
        Signature("bool_and", 1, 1, _typed(BOOL, "bool"), aggregate=True),
    )
}
"""Every function a pack may call, by its lower-case name."""


def _num(value: int | str) -> exp.Expr:
    return exp.Literal.number(value)


def call(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def binary(cls: type[exp.Binary], left: exp.Expr, right: exp.Expr) -> exp.Expr:
    return cls(this=wrap(left), expression=wrap(right))


def _case(cond: exp.Expr, then: exp.Expr, other: exp.Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=other)


def nullif_zero(x: exp.Expr) -> exp.Expr:
    """``NULLIF(x, 0)``: a zero divisor gives NULL (a non-zero literal stays as it is)."""
    value = _literal(x)
    if value is not None and value != 0:
        return x
    return exp.Nullif(this=x, expression=_num(0))


def _times(x: exp.Expr, factor: int) -> exp.Expr:
    return x if factor == 1 else binary(exp.Mul, x, _num(factor))


def _literal(x: exp.Expr) -> Decimal | None:
    """The value of a number literal (or its negation), else None."""
    inner = x.this if isinstance(x, exp.Paren) else x
    sign = 1
    if isinstance(inner, exp.Neg):
        sign, inner = -1, inner.this
    if isinstance(inner, exp.Literal) and not inner.is_string:
        return sign * Decimal(inner.this)
    return None


class Lowering(ABC):
    """Turns our functions into one engine's SQL; subclasses give the engine's primitives."""

    dialect: ClassVar[str]
    big_integer: ClassVar[str]
    """An exact integer type wide enough for scaled decimals (38 digits)."""

    # -- primitives: one engine each ---------------------------------------------------
    def year(self, d: exp.Expr) -> exp.Expr:
        return call("YEAR", d)

    def month(self, d: exp.Expr) -> exp.Expr:
        return call("MONTH", d)

    def day(self, d: exp.Expr) -> exp.Expr:
        return call("DAY", d)

    def add_days(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        return binary(exp.Add, d, self.int_arg(n))

    def days_between(self, a: exp.Expr, b: exp.Expr) -> exp.Expr:
        return binary(exp.Sub, b, a)

    @abstractmethod
    def add_months(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        """``d`` plus ``n`` months, clamped to the month end: each engine says it its way."""

    def make_date(self, y: exp.Expr, m: exp.Expr, d: exp.Expr) -> exp.Expr:
        return call("MAKE_DATE", self.int_arg(y), self.int_arg(m), self.int_arg(d))

    def truncating_div(self, p: exp.Expr, q: exp.Expr) -> exp.Expr:
        """``p / q`` truncated toward zero, exactly, for big integers."""
        return exp.IntDiv(this=wrap(p), expression=wrap(q))

    def quotient(self, p: exp.Expr, q: exp.Expr) -> exp.Expr:
        """``p / q`` truncated for the exact division: the scaled operands of ``/``."""
        return self.truncating_div(p, q)

    def align_comparison(self, node: exp.Expr) -> None:
        """Make a comparison exact where the engine would round decimal operands (in place)."""
        del node  # most engines compare decimals of different scales exactly

    def parameter(self, name: str) -> exp.Expr:
        """The bound parameter ``name`` (one of :data:`BOUND_PARAMETERS`) as the engine's
        driver takes it: named by default (DuckDB ``$name``, Spark ``:name``)."""
        return exp.Placeholder(this=name)

    def concat(self, args: list[exp.Expr]) -> exp.Expr:
        return call("CONCAT", *args)

    def int_arg(self, n: exp.Expr) -> exp.Expr:
        """An integer argument of a date or text function (32-bit on every engine)."""
        value = _literal(n)
        if value is not None and value == value.to_integral_value():
            return n
        if isinstance(n, exp.Cast) and n.to.is_type("bigint"):
            n = n.this  # CAST(CAST(x AS BIGINT) AS INT) is CAST(x AS INT)
        return exp.Cast(this=n, to=exp.DataType.build("INT"))

    # -- the same on every engine, built from the primitives --------------------------
    def lower_call(
        self, name: str, args: list[exp.Expr], types: list[RType], result: RType
    ) -> exp.Expr:
        method = getattr(self, f"fn_{name}", None)
        if method is not None:
            lowered: exp.Expr = method(args, types, result)
            return lowered
        return call(name.upper(), *args)

    def exact_div(self, a: exp.Expr, ta: RType, b: exp.Expr, tb: RType) -> exp.Expr:
        """``a / b`` rounded half away from zero to 10 places, with no float on the way.

        Both operands become exact big integers (``|a|·10^sa``, ``|b|·10^sb``); with the
        divisor ``Q`` shifted so the quotient has 10 places, the rounded quotient is
        ``trunc((2P + Q) / 2Q)`` on integers, then the sign is put back. A zero divisor
        gives NULL on every engine. Literal operands are folded at compile time.
        """
        shift = DIVISION_SCALE - ta.scale + tb.scale
        n = self.unscaled(a, ta.scale)
        m = self.unscaled(b, tb.scale, max(-shift, 0))
        numerator = binary(exp.Add, _times(n, 2 * 10 ** max(shift, 0)), m)
        if isinstance(m, exp.Literal):
            if int(m.this) == 0:
                return exp.Cast(this=exp.Null(), to=sql_type(decimal(DIVISION_SCALE)))
            denominator: exp.Expr = _num(2 * int(m.this))
        else:
            denominator = _times(nullif_zero(m.copy()), 2)
        rounded = self.quotient(numerator, denominator)
        negative = [
            exp.LT(this=wrap(x.copy()), expression=_num(0)) for x in (a, b) if _literal(x) is None
        ]
        flip = sum(1 for x in (a, b) if (_literal(x) or 0) < 0) % 2 == 1
        signed: exp.Expr = rounded
        if len(negative) == 2:
            same = exp.EQ(this=exp.Paren(this=negative[0]), expression=exp.Paren(this=negative[1]))
            signed = _case(same, rounded, exp.Neg(this=wrap(rounded.copy())))
            flip = False
        elif len(negative) == 1:
            signed = _case(negative[0], exp.Neg(this=wrap(rounded.copy())), rounded)
        if flip:
            signed = exp.Neg(this=wrap(signed))
        scaled = binary(
            exp.Mul,
            exp.Cast(this=signed, to=exp.DataType.build("DECIMAL(38, 0)")),
            _num("0." + "0" * (DIVISION_SCALE - 1) + "1"),
        )
        return typed_cast(scaled, decimal(DIVISION_SCALE))

    def unscaled(self, x: exp.Expr, scale: int, shift: int = 0) -> exp.Expr:
        """``|x|·10^(scale+shift)`` as an exact big integer (a literal when ``x`` is one)."""
        value = _literal(x)
        if value is not None:
            return _num(int(abs(value).scaleb(scale + shift)))
        magnitude = _times(exp.Abs(this=x), 10**scale)
        integer = exp.Cast(
            this=magnitude, to=exp.DataType.build(self.big_integer, dialect=self.dialect)
        )
        return _times(integer, 10**shift)

    def align(self, values: list[exp.Expr], types: list[RType], result: RType) -> list[exp.Expr]:
        """Cast decimal values to the common ``result`` type where they differ.

        DuckDB unifies DECIMAL(38,3) and DECIMAL(38,2) in CASE, COALESCE, LEAST and
        GREATEST as DECIMAL(38,2), rounding 0.055 to 0.06; an explicit common type
        keeps every digit on every engine.
        """
        if result.kind != "decimal":
            return values
        return [
            typed_cast(v, result) if t.kind in ("int", "decimal") and t != result else v
            for v, t in zip(values, types, strict=True)
        ]

    def case(self, node: exp.Case, result: RType | None) -> exp.Expr | None:
        """``node`` with its branches aligned to ``result`` (None when nothing changes)."""
        if result is None or result.kind != "decimal":
            return None
        changed = False
        for branch in [*(node.args.get("ifs") or []), node]:
            key = "true" if isinstance(branch, exp.If) else "default"
            value = branch.args.get(key)
            rtype = value.meta.get(META_TYPE) if isinstance(value, exp.Expr) else None
            if isinstance(rtype, RType) and rtype.numeric and rtype != result:
                branch.set(key, typed_cast(value, result))
                changed = True
        return node if changed else None

    def fn_least(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        return call("LEAST", *self.align(args, types, result))

    def fn_greatest(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        return call("GREATEST", *self.align(args, types, result))

    def fn_coalesce(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        return call("COALESCE", *self.align(args, types, result))

    def fn_div(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.truncating_div(args[0], nullif_zero(args[1]))

    def fn_mod(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return binary(exp.Mod, args[0], nullif_zero(args[1]))

    def fn_round(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        if result.kind == "int":
            return args[0]
        places = args[1] if len(args) == 2 else _num(0)
        return typed_cast(exp.Round(this=args[0], decimals=places), result)

    def fn_year(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.year(args[0])

    def fn_month(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.month(args[0])

    def fn_day(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.day(args[0])

    def fn_date_trunc(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        unit = args[0]
        d = args[1]
        month = self.month(d.copy()) if unit.name.lower() == "month" else _num(1)
        return self.make_date(self.year(d), month, _num(1))

    def fn_add_days(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.add_days(args[0], args[1])

    def fn_add_months(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.add_months(args[0], args[1])

    def fn_days_between(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.days_between(args[0], args[1])

    def fn_make_date(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.make_date(args[0], args[1], args[2])

    def forward_months(self, a: exp.Expr, b: exp.Expr) -> exp.Expr:
        """Whole months from ``a`` to a later ``b``: the largest n with add_months(a, n) ≤ b."""
        years = binary(exp.Sub, self.year(b.copy()), self.year(a.copy()))
        months = binary(
            exp.Sub,
            binary(exp.Add, binary(exp.Mul, years, _num(12)), self.month(b.copy())),
            self.month(a.copy()),
        )
        short = exp.And(
            this=exp.LT(this=self.day(b.copy()), expression=self.day(a.copy())),
            expression=exp.NEQ(this=self.day(self.add_days(b.copy(), _num(1))), expression=_num(1)),
        )
        return binary(exp.Sub, months, _case(short, _num(1), _num(0)))

    def fn_months_between(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        a, b = args
        later = exp.GTE(this=wrap(b.copy()), expression=wrap(a.copy()))
        backward = exp.Neg(this=wrap(self.forward_months(b.copy(), a.copy())))
        return _case(later, self.forward_months(a, b), backward)

    def fn_age(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        months = self.fn_months_between(args, types, result)
        return self.truncating_div(months, _num(12))

    def fn_substr(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return call("SUBSTR", args[0], *(self.int_arg(a) for a in args[1:]))

    def fn_concat(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return self.concat(args)

    def fn_instr(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return exp.StrPosition(this=args[0], substr=args[1])

    def fn_to_int(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        """The whole number written by 1 to 18 ASCII digits, else NULL (never an error)."""
        text = args[0]
        cast = exp.Cast(this=text.copy(), to=exp.DataType.build("BIGINT"))
        return exp.Case(ifs=[exp.If(this=self.digits_only(text), true=cast)])

    def digits_only(self, text: exp.Expr) -> exp.Expr:
        """Whether ``text`` is 1 to 18 ASCII digits (no sign, space or newline)."""
        digits = exp.EQ(
            this=call(
                "TRANSLATE", text.copy(), exp.Literal.string("0123456789"), exp.Literal.string("")
            ),
            expression=exp.Literal.string(""),
        )
        length = exp.Between(this=call("LENGTH", text), low=_num(1), high=_num(18))
        return exp.and_(length, digits)

    def fn_count(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        return exp.Count(this=args[0])

    def fn_avg(self, args: list[exp.Expr], types: list[RType], result: RType) -> exp.Expr:
        total = call("SUM", args[0])
        count = exp.Count(this=args[0].copy())
        return self.exact_div(total, types[0], count, INT)
