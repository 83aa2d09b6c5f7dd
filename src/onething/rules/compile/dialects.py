"""One class per engine: the primitives that make DuckDB, PostgreSQL and Spark SQL agree.

Everything an engine does differently lives here (date parts, date arithmetic, the
exact integer type and its truncating division, NULL-skipping concatenation); the
meaning built on top of these primitives is shared, in
:class:`~onething.rules.compile.functions.Lowering`.
"""

from __future__ import annotations

from sqlglot import exp

from onething.rules.compile.functions import Lowering, binary, call, nullif_zero
from onething.rules.compile.ir import (
    BOUND_PARAMETERS,
    META_TYPE,
    RType,
    decimal,
    typed_cast,
    wrap,
)


class DuckDBLowering(Lowering):
    """DuckDB: HUGEINT for exact integers (``//`` truncates toward zero); dates + INTERVAL."""

    dialect = "duckdb"
    big_integer = "HUGEINT"

    def digits_only(self, text: exp.Expr) -> exp.Expr:
        # RE2 full match: about twice as fast as LENGTH + TRANSLATE on 10M IDs.
        return call("REGEXP_FULL_MATCH", text, exp.Literal.string("[0-9]{1,18}"))

    def add_months(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        shifted = binary(exp.Add, d, call("TO_MONTHS", self.int_arg(n)))
        return exp.Cast(this=shifted, to=exp.DataType.build("DATE"))

    def fn_months_between(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        # DuckDB's DATE_SUB('month', a, b) counts whole months as we do — the largest n
        # with add_months(a, n) <= b, month ends clamped, negative backwards (checked
        # against the reference on 25k pairs, every month end of three years among them;
        # tests/rules/test_rules_dates.py runs it). Each argument appears once instead of
        # eight times: the SQL of an aggregate over month spans is a tenth of the size.
        return call("DATE_SUB", exp.Literal.string("month"), args[0], args[1])


class PostgresLowering(Lowering):
    """PostgreSQL: NUMERIC for exact integers with ``DIV``; EXTRACT returns NUMERIC since 14."""

    dialect = "postgres"
    big_integer = "NUMERIC"

    def _part(self, part: str, d: exp.Expr) -> exp.Expr:
        extract = exp.Extract(this=exp.var(part), expression=d)
        return exp.Cast(this=extract, to=exp.DataType.build("BIGINT"))

    def year(self, d: exp.Expr) -> exp.Expr:
        return self._part("YEAR", d)

    def month(self, d: exp.Expr) -> exp.Expr:
        return self._part("MONTH", d)

    def day(self, d: exp.Expr) -> exp.Expr:
        return self._part("DAY", d)

    def add_months(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        step = binary(exp.Mul, n, exp.Interval(this=exp.Literal.string("1"), unit=exp.var("MONTH")))
        return exp.Cast(this=binary(exp.Add, d, step), to=exp.DataType.build("DATE"))

    def truncating_div(self, p: exp.Expr, q: exp.Expr) -> exp.Expr:
        return call("DIV", p, q)

    def digits_only(self, text: exp.Expr) -> exp.Expr:
        # An ARE: '$' is the end of the text only (no newline mode), like RE2's full match.
        return exp.RegexpLike(this=text, expression=exp.Literal.string("^[0-9]{1,18}$"))

    def parameter(self, name: str) -> exp.Expr:
        # Numbered (``$1``), as the server takes them: psycopg's ``%(name)s`` would make
        # every ``%`` in the SQL text (a modulo, a text literal) a placeholder too.
        return exp.Parameter(this=exp.Literal.number(BOUND_PARAMETERS.index(name) + 1))

    def fn_div(self, args: list[exp.Expr], *_: object) -> exp.Expr:
        # BIGINT / BIGINT truncates toward zero in PostgreSQL; typed=True keeps SQLGlot
        # from turning it into a float division.
        return exp.Div(this=wrap(args[0]), expression=nullif_zero(args[1]), typed=True)


class SparkLowering(Lowering):
    """Spark SQL: DECIMAL(38,0) for exact integers, ``DIV`` to a LONG (|quotient| < 9.2e18)."""

    dialect = "spark"
    big_integer = "DECIMAL(38, 0)"

    def add_days(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        return call("DATE_ADD", d, self.int_arg(n))

    def days_between(self, a: exp.Expr, b: exp.Expr) -> exp.Expr:
        return call("DATEDIFF", b, a)

    def add_months(self, d: exp.Expr, n: exp.Expr) -> exp.Expr:
        return call("ADD_MONTHS", d, self.int_arg(n))

    def concat(self, args: list[exp.Expr]) -> exp.Expr:
        # Spark's CONCAT is NULL when any argument is; CONCAT_WS skips NULLs like the others.
        return call("CONCAT_WS", exp.Literal.string(""), *args)

    def quotient(self, p: exp.Expr, q: exp.Expr) -> exp.Expr:
        # DIV returns a LONG and wraps around silently beyond 2^63, even with ANSI on: a
        # quotient that large raises instead (|a / b| >= 9.2e8 with its 10 places):
        # truncating, p DIV q fits exactly when p < q * 2^63.
        limit: exp.Expr
        if isinstance(q, exp.Literal) and not q.is_string:
            limit = exp.Literal.number(int(q.this) * _LONG_LIMIT)
        else:  # in DECIMAL(38, 0): a BIGINT product would overflow
            big = exp.Cast(
                this=exp.Literal.number(_LONG_LIMIT), to=exp.DataType.build("DECIMAL(38, 0)")
            )
            limit = binary(exp.Mul, q.copy(), big)
        too_large = exp.GTE(this=wrap(p.copy()), expression=limit)
        error = call("RAISE_ERROR", exp.Literal.string(_TOO_LARGE))
        return exp.Case(ifs=[exp.If(this=too_large, true=error)], default=self.truncating_div(p, q))

    def align_comparison(self, node: exp.Expr) -> None:
        # Spark compares DECIMAL(38,10) with DECIMAL(38,3) in DECIMAL(38,3), rounding the
        # first (0.0552995392 <= 0.055 holds): cast decimal operands to the larger scale.
        if isinstance(node, exp.In):
            keys: list[tuple[str, int | None]] = [("this", None)]
            keys += [("expressions", i) for i in range(len(node.expressions))]
        elif isinstance(node, exp.Between):
            keys = [("this", None), ("low", None), ("high", None)]
        else:
            keys = [("this", None), ("expression", None)]
        operands = [node.args[k] if i is None else node.args[k][i] for k, i in keys]
        types = [o.meta.get(META_TYPE) for o in operands]
        if not all(isinstance(t, RType) and t.numeric for t in types):
            return
        scales = {t.scale if t.kind == "decimal" else 0 for t in types if isinstance(t, RType)}
        if len(scales) < 2 or not any(isinstance(t, RType) and t.kind == "decimal" for t in types):
            return
        target = decimal(max(scales))
        for (key, index), operand, rtype in zip(keys, operands, types, strict=True):
            if rtype == target:
                continue
            cast = typed_cast(operand.copy(), target)
            cast.meta[META_TYPE] = target
            if index is None:
                node.set(key, cast)
            else:
                items = list(node.args[key])
                items[index] = cast
                node.set(key, items)


_LONG_LIMIT = 2**63
"""The smallest quotient DIV cannot hold (its LONG ends at 2^63 - 1)."""
_TOO_LARGE = "rules: a quotient of / is too large for Spark (|a / b| must be below 9.2e8)"


LOWERINGS: dict[str, Lowering] = {
    lowering.dialect: lowering
    for lowering in (DuckDBLowering(), PostgresLowering(), SparkLowering())
}
"""One lowering per supported dialect."""
