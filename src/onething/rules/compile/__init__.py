"""The rules compiler: a pack and a date in, one SQL query per engine out.

Phases (docs/rules.md §2): load (:mod:`onething.rules.authoring`) → parse & vet
(:mod:`.vet`) → graph (:mod:`.graph`) → parameters (:mod:`onething.rules.params`) →
types (:mod:`.types`) → plan (:mod:`.plan`) → emit (:mod:`.emit`, with :mod:`.functions`).
The compiler imports no database driver: SQL can be previewed anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlglot import exp

from onething.rules.authoring import Pack
from onething.rules.compile import graph, types
from onething.rules.compile.emit import DIALECTS, Dialect, lower, render
from onething.rules.compile.fold import constant_parameters, fold_dead_branches
from onething.rules.compile.ir import BOUND_PARAMETERS, ENTITY_PARAMETER, RType, decimal, declared
from onething.rules.compile.manifest import (
    ClauseInfo,
    Comparison,
    Manifest,
    OtherEntity,
    ParameterInfo,
    ParameterValue,
    RuleInfo,
    VariableInfo,
)
from onething.rules.compile.plan import Planner
from onething.rules.compile.summary import summary_query
from onething.rules.compile.trees import top_clauses
from onething.rules.compile.types import SYMBOLS, Typed
from onething.rules.compile.vet import Expr, RuleDef, VarDef, VettedPack, text_of, vet_pack
from onething.rules.errors import Problem, RulesError
from onething.rules.params import ResolvedValue, decimal_scale, resolve

__all__ = [
    "BOUND_PARAMETERS",
    "DIALECTS",
    "ENTITY_PARAMETER",
    "CompiledPack",
    "Dialect",
    "compile_check",
    "compile_pack",
    "select_rules",
]


@dataclass(frozen=True, eq=False)
class CompiledPack:
    """A pack compiled for one date, scenarios and (optionally) entities.

    ``query`` is the engine-neutral plan; :meth:`sql` renders it for an engine.
    ``manifest`` tells a runner what each output column means. A query compiled by
    :func:`compile_check` expects the parameters ``manifest.bound`` at run time.
    """

    manifest: Manifest
    _plan: Callable[[], exp.Select] = field(repr=False)
    """Plans the query (on first use: a runner often needs only :meth:`only_hits`'s)."""
    _planned: list[exp.Select] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict[tuple[str, str | None, bool], str] = field(default_factory=dict, repr=False)
    _source: _Source | None = field(default=None, repr=False)
    _hits: dict[bool, CompiledPack] = field(default_factory=dict, repr=False)
    """:meth:`for_hits` (False) and :meth:`only_hits` (True), compiled on first use."""

    @property
    def query(self) -> exp.Select:
        """The engine-neutral plan (a SQLGlot tree; planned once, on first use)."""
        if not self._planned:
            with self._lock:
                if not self._planned:
                    self._planned.append(self._plan())
        return self._planned[0]

    @property
    def pack(self) -> str:
        return self.manifest.pack

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def as_of(self) -> date:
        return self.manifest.as_of

    @property
    def scenarios(self) -> tuple[str, ...]:
        return self.manifest.scenarios

    def expression(self, dialect: Dialect = "duckdb", *, schema: str | None = None) -> exp.Expr:
        """The query as a SQLGlot tree lowered for ``dialect``."""
        return lower(self.query, dialect, schema=schema)

    def summary_sql(
        self,
        dialect: Dialect = "duckdb",
        *,
        schema: str | None = None,
        by_region: bool = False,
        pretty: bool = True,
    ) -> str:
        """The problem-data ratio (问题数据占比) of the pack's rows, as SQL for ``dialect``.

        One row per scenario (and region, with ``by_region``): ``entities``,
        ``problem_entities`` (rows with any hit), ``problem_ratio`` (their exact ratio,
        10 places) and ``<rule>__hits`` per rule. For a data-quality pack, whose entity
        is one table's rows, this is the table's share of problem records.
        """
        query = summary_query(self.manifest, self.query, by_region=by_region)
        return render(query, dialect, schema=schema, pretty=pretty)

    def for_hits(self) -> CompiledPack:
        """The same pack compiled with only what its rules need: the variables some rule's
        condition, amount or message reads (directly or through others), so each rule
        computes and explains as here. The query a runner narrows to one entity;
        ``self`` if every variable is read."""
        if False not in self._hits:
            self._hits[False] = self._pruned(only_hits=False)
        return self._hits[False]

    def only_hits(self) -> CompiledPack:
        """:meth:`for_hits`, planned for the rows where some rule holds and no other: the
        clauses of each rule that read no aggregate (a claim period, a kind of entity)
        filter the entity rows before the aggregates are computed. Its rows that hit
        are those of :meth:`for_hits`, value for value; the others may be missing."""
        if True not in self._hits:
            self._hits[True] = self._pruned(only_hits=True)
        return self._hits[True]

    def _pruned(self, *, only_hits: bool) -> CompiledPack:
        source = self._source
        if source is None:
            return self
        whole = source.vetted
        if source.live >= set(whole.variables) and not only_hits:
            return self
        # The vetted, typed and folded pack is reused: no second parse or type check.
        vetted = VettedPack(
            whole.pack,
            whole.entity,
            {n: v for n, v in whole.variables.items() if n in source.live},
            whole.rules,
            whole.others,
        )
        used = set(_parameters_read(vetted))
        typed = Typed(
            source.typed.variables,
            {n: t for n, t in source.typed.parameters.items() if n in used},
            source.typed.amounts,
            source.typed.others,
        )
        values = {
            s: {n: v for n, v in vals.items() if n in used} for s, vals in source.values.items()
        }
        return _assemble(
            vetted,
            [n for n in source.order if n in source.live],
            others=source.others,
            typed=typed,
            values=values,
            as_of=self.as_of,
            ids=source.entity_ids,
            bound=source.bound,
            only_hits=only_hits,
            source=None,
            rules=self.manifest.rules,
        )

    def sql(
        self, dialect: Dialect = "duckdb", *, schema: str | None = None, pretty: bool = True
    ) -> str:
        """The query as SQL text for ``dialect`` (registry tables in ``schema`` if given)."""
        key = (dialect, schema, pretty)
        if key not in self._cache:
            self._cache[key] = render(self.query, dialect, schema=schema, pretty=pretty)
        return self._cache[key]


@dataclass(frozen=True)
class _Source:
    """What a pack was compiled from, to plan its :meth:`CompiledPack.for_hits` form."""

    vetted: VettedPack
    """Vetted, typed and with its dead branches folded."""
    order: list[str]
    others: dict[str, list[str]]
    typed: Typed
    values: Mapping[str, Mapping[str, ResolvedValue]]
    entity_ids: list[str] | None
    bound: bool
    live: set[str]
    """The variables the rules read once dead branches are folded: what for_hits computes."""


def compile_pack(
    pack: Pack,
    as_of: date,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    entity_ids: Sequence[str] | None = None,
) -> CompiledPack:
    """Compile ``pack`` as of ``as_of``.

    ``scenarios`` maps a scenario name to parameter overrides (default: one scenario,
    ``base``, without overrides); every scenario is a row of the same query.
    ``entity_ids`` restricts the query to those entity keys, pushed into every scan.
    Raises :class:`~onething.rules.errors.RulesError` listing the problems of the first
    phase that finds any.
    """
    return _compile(pack, as_of, scenarios, entity_ids=entity_ids)


def compile_check(
    pack: Pack,
    as_of: date,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Collection[str] | None = None,
) -> CompiledPack:
    """Compile ``pack`` once for checks of one entity at a time.

    The entity key is the SQL parameter :data:`ENTITY_PARAMETER`, pushed into every scan
    where :func:`compile_pack` puts literal ``entity_ids``; a runner binds it per check
    (``manifest.bound`` lists it), so the SQL is rendered once per dialect and an engine
    may keep its plan. ``rules`` (ids) keeps only those rules and the variables they read
    (:func:`select_rules`).
    """
    if rules is not None:
        pack = select_rules(pack, rules)
    return _compile(pack, as_of, scenarios, bound=True)


def select_rules(pack: Pack, rules: Collection[str]) -> Pack:
    """``pack`` with only the rules ``rules`` names, the variables and decision tables
    they read (directly or through others; their messages' names included), and no
    test cases. Each kept rule computes and explains as in the whole pack.

    Raises :class:`RulesError` for an id the pack has no rule for.
    """
    wanted = set(rules)
    known = [r.id for r in pack.rules]
    problems = [
        Problem("rules", "rules.select.unknown_rule", {"rule": rule, "rules": ", ".join(known)})
        for rule in sorted(wanted - set(known))
    ]
    if problems:
        raise RulesError(problems)
    return _keeping(pack, wanted, graph.read_by_rules(vet_pack(pack), wanted))


def _keeping(pack: Pack, wanted: Collection[str], needed: set[str]) -> Pack:
    return pack.model_copy(
        update={
            "rules": [r for r in pack.rules if r.id in wanted],
            "variables": {n: v for n, v in pack.variables.items() if n in needed},
            "decision_tables": {n: t for n, t in pack.decision_tables.items() if n in needed},
            "tests": [],
        }
    )


def _compile(
    pack: Pack,
    as_of: date,
    scenarios: Mapping[str, Mapping[str, Any]] | None,
    *,
    entity_ids: Sequence[str] | None = None,
    bound: bool = False,
) -> CompiledPack:
    vetted = vet_pack(pack)
    deps = graph.dependencies(vetted)
    order = graph.topological_order(deps, {n: v.where for n, v in vetted.variables.items()})
    others: dict[str, list[str]] = {}
    for name in graph.entity_order(vetted):
        other = vetted.others[name]
        others[name] = graph.topological_order(
            graph.dependencies(vetted, name), {n: v.where for n, v in other.variables.items()}
        )
    used = _parameters_read(vetted)
    values = resolve(pack, as_of, used, scenarios)
    param_types = {name: _parameter_type(pack, name, values) for name in used}
    typed = types.check_pack(vetted, order, param_types, others)
    plain = {s: {n: v.value for n, v in vals.items()} for s, vals in values.items()}
    fold_dead_branches(vetted, constant_parameters(plain))
    ids = None if entity_ids is None else list(entity_ids)
    source = _Source(vetted, order, others, typed, values, ids, bound, graph.read_by_rules(vetted))
    return _assemble(
        vetted,
        order,
        others=others,
        typed=typed,
        values=values,
        as_of=as_of,
        ids=ids,
        bound=bound,
        only_hits=False,
        source=source,
    )


def _assemble(
    vetted: VettedPack,
    order: list[str],
    *,
    others: dict[str, list[str]],
    typed: Typed,
    values: Mapping[str, Mapping[str, ResolvedValue]],
    as_of: date,
    ids: list[str] | None,
    bound: bool,
    only_hits: bool,
    source: _Source | None,
    rules: dict[str, RuleInfo] | None = None,
) -> CompiledPack:
    """The compiled pack of a vetted, typed pack: its manifest now, its plan on first use."""
    planner = Planner(vetted, order, typed, as_of, others)
    plain = {s: {n: v.value for n, v in vals.items()} for s, vals in values.items()}

    def plan() -> exp.Select:
        return planner.build(plain, ids, bound=bound, only_hits=only_hits).query

    manifest = _manifest(
        vetted,
        graph.dependencies(vetted),
        typed,
        values=values,
        as_of=as_of,
        entity_ids=ids,
        columns=planner.columns(),
        bound=(ENTITY_PARAMETER,) if bound else (),
        rules=rules,
    )
    return CompiledPack(manifest, plan, _source=source)


def _parameters_read(vetted: VettedPack) -> list[str]:
    entities = [vetted.entity_def(name) for name in (None, *vetted.others)]
    exprs: list[Expr] = [e for d in entities for v in d.variables.values() for e in v.exprs()]
    exprs += [e for r in vetted.rules for e in (r.condition, r.amount) if e is not None]
    read = {n for e in exprs for n in e.names("parameter")}
    return [name for name in vetted.pack.parameters if name in read]


def _parameter_type(
    pack: Pack, name: str, values: Mapping[str, Mapping[str, ResolvedValue]]
) -> RType:
    kind = pack.parameters[name].type
    if kind != "decimal":
        return declared(kind)
    return decimal(max(decimal_scale(v[name].value) for v in values.values()))


def _comparison(clause: exp.Expr) -> Comparison | None:
    op = SYMBOLS.get(type(clause))
    if op is None or op in ("AND", "OR") or not isinstance(clause, exp.Binary):
        return None
    sides = (clause.this, clause.expression)
    simple = (exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Neg)
    if not all(isinstance(s, simple) for s in sides):
        return None
    left, right = sides
    return Comparison(
        text_of(left),
        op,
        text_of(right),
        isinstance(left, exp.Column),
        isinstance(right, exp.Column),
    )


def _rule_info(
    rdef: RuleDef, deps: Mapping[str, list[str]], param_reads: Mapping[str, list[str]]
) -> RuleInfo:
    rule = rdef.rule
    exprs = [e for e in (rdef.condition, rdef.amount) if e is not None]
    direct = list(dict.fromkeys(n for e in exprs for n in e.names("variable")))
    variables = graph.closure(direct, deps)
    params = [n for e in exprs for n in e.names("parameter")]
    params += [p for v in variables for p in param_reads[v]]
    connective, clauses = top_clauses(rdef.condition.tree)
    infos = []
    for i, clause in enumerate(clauses, start=1):
        reads = Expr(rdef.condition.where, "", clause)
        names = [
            *reads.names("variable"),
            *reads.names("parameter"),
            *reads.names("region"),
            *reads.names("entity_id"),
        ]
        infos.append(
            ClauseInfo(f"{rule.id}__c{i}", text_of(clause), tuple(names), _comparison(clause))
        )
    basis = rule.basis.model_dump() if rule.basis else None
    return RuleInfo(
        id=rule.id,
        label=rule.label,
        phase=rule.phase,
        severity=rule.severity,
        condition=rdef.condition.text,
        amount=rdef.amount.text if rdef.amount else None,
        connective=connective,  # type: ignore[arg-type]
        clauses=tuple(infos),
        variables=tuple(variables),
        parameters=tuple(dict.fromkeys(params)),
        message=rule.message,
        message_names=tuple(rdef.message_names),
        basis=basis,
        matters=tuple(rule.matters),
    )


def _manifest(
    vetted: VettedPack,
    deps: Mapping[str, list[str]],
    typed: Typed,
    *,
    values: Mapping[str, Mapping[str, ResolvedValue]],
    as_of: date,
    entity_ids: Sequence[str] | None,
    columns: Sequence[tuple[str, RType]],
    bound: tuple[str, ...],
    rules: dict[str, RuleInfo] | None = None,
) -> Manifest:
    """What the compiled query's columns mean; ``rules`` reuses the rule infos of the
    same rules compiled before (a pruned form explains each rule as the whole pack)."""
    pack = vetted.pack
    param_reads = {n: _parameters_of(vetted, v) for n, v in vetted.variables.items()}
    variables = _variable_infos(vetted.variables, typed.variables, deps, param_reads)
    others = {}
    needed = graph.reachable(vetted)
    for name in typed.others:
        if name not in needed:
            continue
        entity = vetted.others[name]
        other_reads = {n: _parameters_of(vetted, v) for n, v in entity.variables.items()}
        other_deps = graph.dependencies(vetted, name)
        others[name] = OtherEntity(
            name,
            entity.info.table.name,
            entity.info.keys,
            _variable_infos(entity.variables, typed.others[name], other_deps, other_reads),
        )
    parameters = {}
    for name, rtype in typed.parameters.items():
        param = pack.parameters[name]
        parameters[name] = ParameterInfo(
            name,
            param.title,
            rtype.describe(),
            param.unit,
            param.reference,
            {
                scenario: ParameterValue(
                    v[name].value,
                    v[name].reference,
                    v[name].valid_from,
                    v[name].valid_to,
                    v[name].overridden,
                )
                for scenario, v in values.items()
            },
        )
    if rules is None:
        rules = {r.rule.id: _rule_info(r, deps, param_reads) for r in vetted.rules}
    return Manifest(
        pack=pack.pack,
        version=pack.version,
        title=pack.title,
        entity=vetted.entity.name,
        entity_table=vetted.entity.table.name,
        entity_key=vetted.entity.key,
        as_of=as_of,
        scenarios=tuple(values),
        entity_ids=None if entity_ids is None else tuple(entity_ids),
        columns=tuple((n, t.describe()) for n, t in columns),
        variables=variables,
        parameters=parameters,
        rules=rules,
        others=others,
        family=pack.family,
        bound=bound,
    )


def _variable_infos(
    variables: Mapping[str, VarDef],
    variable_types: Mapping[str, RType],
    deps: Mapping[str, list[str]],
    param_reads: Mapping[str, list[str]],
) -> dict[str, VariableInfo]:
    return {
        name: VariableInfo(
            name,
            vdef.title,
            variable_types[name].describe(),
            vdef.kind,
            tuple(deps[name]),
            tuple(param_reads[name]),
        )
        for name, vdef in variables.items()
    }


def _parameters_of(vetted: VettedPack, vdef: VarDef) -> list[str]:
    """The parameters ``vdef`` reads itself and, for an aggregate over another entity,
    every parameter that entity's variables read (directly or through further entities)."""
    found = dict.fromkeys(vdef.reads("parameter"))
    seen: set[str] = set()
    stack = [vdef.source_entity] if vdef.source_entity else []
    while stack:
        name = stack.pop()
        if name in seen or name not in vetted.others:
            continue
        seen.add(name)
        for other in vetted.others[name].variables.values():
            found.update(dict.fromkeys(other.reads("parameter")))
            if other.source_entity:
                stack.append(other.source_entity)
    return list(found)
