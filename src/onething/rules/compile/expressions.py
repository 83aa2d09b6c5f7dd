"""Parse and vet one expression of a pack: SQLGlot's DuckDB grammar, then a whitelist.

Rule text is untrusted input. A bare SQL parse accepts ``1; DROP TABLE x``, so each
expression is parsed once and then walked against a whitelist: literals, bare names,
operators, ``CASE``, ``IN``, ``BETWEEN``, ``IS NULL``, ``DATE '…'`` and the functions of
:data:`~onething.rules.compile.functions.FUNCTIONS`. Everything else (statements,
subqueries, ``*`` outside ``count(*)``, qualified names, window functions, other
functions, casts, placeholders) is refused with its text, its position and where it is
in the pack. Each bare name is resolved (:class:`Scope`), with the closest known name
suggested when it is unknown.

Our function names are kept out of SQLGlot's function table, so ``round(x, 2)`` arrives
as a plain call named ``round`` whatever meaning DuckDB gives it: the meaning is ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.parsers.duckdb import DuckDBParser

from onething.rules.compile.functions import FUNCTIONS
from onething.rules.compile.ir import MAX_LITERAL_SCALE, META_REF, Ref, RefKind, ref_of
from onething.rules.errors import Problems, closest

_OURS = {name.upper() for name in FUNCTIONS}
_DUCKDB_FUNCTIONS: dict[str, Any] = DuckDBParser.FUNCTIONS
_DUCKDB_FUNCTION_PARSERS: dict[str, Any] = DuckDBParser.FUNCTION_PARSERS
_DUCKDB_KEYWORDS: dict[str, Any] = DuckDB.Tokenizer.KEYWORDS


class RulesDialect(DuckDB):
    """DuckDB's grammar, with our function names left as plain calls (``div`` included)."""

    class Tokenizer(DuckDB.Tokenizer):
        KEYWORDS: ClassVar[dict[str, Any]] = {
            k: v for k, v in _DUCKDB_KEYWORDS.items() if k != "DIV"
        }

    class Parser(DuckDBParser):
        FUNCTIONS: ClassVar[dict[str, Any]] = {
            k: v for k, v in _DUCKDB_FUNCTIONS.items() if k not in _OURS
        }
        FUNCTION_PARSERS: ClassVar[dict[str, Any]] = {
            k: v for k, v in _DUCKDB_FUNCTION_PARSERS.items() if k not in _OURS
        }


def text_of(node: exp.Expr) -> str:
    """An expression as an author would read it (our dialect, functions in lower case)."""
    return node.sql(dialect=RulesDialect, normalize_functions="lower")


@dataclass
class Expr:
    """One vetted expression: where it is, its text, and its tree with names resolved."""

    where: str
    text: str
    tree: exp.Expr

    def refs(self) -> Iterator[Ref]:
        for node in self.tree.find_all(exp.Column):
            ref = ref_of(node)
            if ref is not None:
                yield ref

    def names(self, kind: RefKind) -> list[str]:
        return list(dict.fromkeys(r.name for r in self.refs() if r.kind == kind))


@dataclass
class Scope:
    variables: Mapping[str, object]
    parameters: Mapping[str, object]
    reserved: dict[str, RefKind]
    columns: tuple[str, ...] = ()
    """The aggregated rows' columns (a table's, or another entity's variables)."""
    part: Literal["scalar", "where", "value"] = "scalar"

    def resolve(self, name: str) -> Ref | None:
        if name in self.columns:
            return Ref("column", name)
        if name in self.variables:
            return Ref("variable", name)
        if name in self.parameters:
            return Ref("parameter", name)
        kind = self.reserved.get(name)
        return Ref(kind, name) if kind else None

    def known(self) -> list[str]:
        return [*self.columns, *self.variables, *self.parameters, *self.reserved]


def _position(node: exp.Expr) -> int:
    """1-based character where ``node`` starts in its expression (as far as SQLGlot knows)."""
    starts = [s for sub in node.walk() if isinstance(s := sub.meta.get("start"), int)]
    return min(starts) + 1 if starts else 1


class ExpressionVetter:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def parse(self, text: str, where: str, scope: Scope) -> Expr | None:
        try:
            statements = sqlglot.parse(text, read=RulesDialect)
        except (ParseError, TokenError) as exc:
            self.problems.add(where, "rules.vet.syntax", text=text, detail=_parse_detail(exc))
            return None
        if len(statements) > 1:
            self.problems.add(where, "rules.vet.statements", text=text)
            return None
        tree = statements[0] if statements else None
        if tree is None:
            self.problems.add(where, "rules.vet.empty")
            return None
        for node in tree.walk():
            node.comments = None
        before = len(self.problems.items)
        self._check(tree, where, scope, inside=None)
        return Expr(where, text, tree) if len(self.problems.items) == before else None

    def refuse(self, where: str, key: str, node: exp.Expr, **params: Any) -> None:
        self.problems.add(where, key, text=text_of(node), at=_position(node), **params)

    def _check(  # noqa: PLR0912 - one branch per kind of node
        self, node: exp.Expr, where: str, scope: Scope, inside: str | None
    ) -> None:
        if isinstance(node, exp.Column):
            self._column(node, where, scope, inside)
        elif isinstance(node, exp.Literal):
            if not node.is_string:
                self._number(node, where)
        elif isinstance(node, exp.Boolean | exp.Null):
            pass
        elif isinstance(node, exp.Cast):
            self._date_literal(node, where)
        elif isinstance(node, exp.Window):
            self.refuse(where, "rules.vet.window", node)
        elif isinstance(node, exp.Subquery | exp.Query | exp.Exists | exp.All | exp.Any):
            self.refuse(where, "rules.vet.subquery", node)
        elif isinstance(node, exp.Star):
            self.refuse(where, "rules.vet.star", node)
        elif isinstance(node, exp.Anonymous):
            self._call(node, where, scope, inside)
        elif isinstance(node, exp.Case):
            self._children([node.args.get("this"), node.args.get("default")], where, scope, inside)
            for branch in node.args.get("ifs") or []:
                self._children([branch.this, branch.args.get("true")], where, scope, inside)
        elif isinstance(node, exp.In):
            if any(node.args.get(k) for k in ("query", "unnest", "field")):
                self.refuse(where, "rules.vet.subquery", node)
                return
            self._children([node.this, *node.expressions], where, scope, inside)
        elif isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                self.refuse(where, "rules.vet.not_allowed", node)
                return
            self._check(node.this, where, scope, inside)
        elif isinstance(node, _BINARY):
            self._children([node.this, node.expression], where, scope, inside)
        elif isinstance(node, exp.Between):
            kids = [node.this, node.args.get("low"), node.args.get("high")]
            self._children(kids, where, scope, inside)
        elif isinstance(node, exp.Paren | exp.Neg | exp.Not):
            self._check(node.this, where, scope, inside)
        elif isinstance(node, exp.Func):
            name = node.sql_name().lower()
            self.refuse(
                where, "rules.vet.function", node, name=name, candidate=closest(name, FUNCTIONS)
            )
        else:
            self.refuse(where, "rules.vet.not_allowed", node)

    def _children(self, nodes: list[Any], where: str, scope: Scope, inside: str | None) -> None:
        for child in nodes:
            if isinstance(child, exp.Expr):
                self._check(child, where, scope, inside)

    def _column(self, node: exp.Column, where: str, scope: Scope, inside: str | None) -> None:
        if node.args.get("table") or node.args.get("db") or node.args.get("catalog"):
            self.refuse(where, "rules.vet.qualified", node)
            return
        name = node.name
        ref = scope.resolve(name)
        if ref is None:
            self.refuse(
                where,
                "rules.vet.unknown_name",
                node,
                name=name,
                candidate=closest(name, scope.known()),
            )
            return
        if scope.part == "value" and inside is None and ref.kind not in ("as_of", "entity_id"):
            self.refuse(where, "rules.vet.outside_aggregate", node, name=name)
            return
        node.meta[META_REF] = ref

    def _number(self, node: exp.Literal, where: str) -> None:
        digits = node.this.split(".")
        if len(digits) > 2 or not all(d.isdigit() for d in digits if d) or not digits[0]:
            self.refuse(where, "rules.vet.number", node)
        elif len(digits) == 2 and len(digits[1]) > MAX_LITERAL_SCALE:
            self.refuse(where, "rules.vet.literal_places", node, places=MAX_LITERAL_SCALE)

    def _date_literal(self, node: exp.Cast, where: str) -> None:
        value = node.this
        if not (node.to.is_type("date") and isinstance(value, exp.Literal) and value.is_string):
            self.refuse(where, "rules.vet.cast", node)
            return
        try:
            date.fromisoformat(value.this)
        except ValueError:
            self.refuse(where, "rules.vet.bad_date", node)

    def _call(  # noqa: PLR0911
        self, node: exp.Anonymous, where: str, scope: Scope, inside: str | None
    ) -> None:
        name = str(node.this).lower()
        signature = FUNCTIONS.get(name)
        if signature is None:
            self.refuse(
                where,
                "rules.vet.unknown_function",
                node,
                name=name,
                candidate=closest(name, FUNCTIONS),
            )
            return
        node.set("this", name)
        args = node.expressions
        most = signature.max_args
        if len(args) < signature.min_args or (most is not None and len(args) > most):
            wanted = (
                str(signature.min_args)
                if most == signature.min_args
                else (f"{signature.min_args}–{most}" if most else f"≥{signature.min_args}")
            )
            self.refuse(where, "rules.vet.arity", node, name=name, wanted=wanted, got=len(args))
            return
        if signature.aggregate:
            if scope.part != "value":
                self.refuse(where, "rules.vet.aggregate_here", node, name=name)
                return
            if inside is not None:
                self.refuse(where, "rules.vet.nested_aggregate", node, name=name, outer=inside)
                return
            inside = name
            if name == "count" and isinstance(args[0], exp.Star):
                return
            if name == "count" and isinstance(args[0], exp.Distinct):
                distinct = args[0].expressions
                if len(distinct) != 1:
                    self.refuse(where, "rules.vet.not_allowed", args[0])
                    return
                self._check(distinct[0], where, scope, inside)
                return
        self._children(args, where, scope, inside)


_BINARY = (
    exp.And,
    exp.Or,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
)


def _parse_detail(exc: ParseError | TokenError) -> str:
    if isinstance(exc, ParseError) and exc.errors:
        first = exc.errors[0]
        description = re.sub(r" for <class '[\w.]+'>", "", str(first.get("description")))
        return f"{description} (character {first.get('col')})"
    return str(exc).splitlines()[0]
