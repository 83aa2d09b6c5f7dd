"""Phase 3, *graph*: which variable reads which, in what order they are computed.

A cycle (``a`` reads ``b`` reads ``a``) is a compile error that shows its path
(``a → b → a``), never a silent default at run time. Entities are ordered the same way:
every variable of an entity another one aggregates over is computed first, so entities
that aggregate over each other in a cycle (``person → payment → person``) are an error.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from onething.rules.compile.vet import VettedPack
from onething.rules.errors import Problems


def dependencies(vetted: VettedPack, entity: str | None = None) -> dict[str, list[str]]:
    """Variable → the variables of the same entity it reads directly, in declaration order.

    ``entity`` names another entity of the pack (default: the pack's own).
    """
    variables = vetted.entity_def(entity).variables
    return {name: vdef.reads("variable") for name, vdef in variables.items()}


def entity_order(vetted: VettedPack) -> list[str]:
    """The pack's other entities, each after the entities its variables aggregate over.

    Raises ``RulesError`` naming each cycle's path (``person → payment → person``) at
    the variable that closes it.
    """
    main = vetted.entity.name
    edges: dict[str, list[tuple[str, str]]] = {}
    for name in [main, *vetted.others]:
        edges[name] = [
            (vdef.source_entity, f"{vdef.where}.aggregate.entity")
            for vdef in vetted.entity_def(name).variables.values()
            if vdef.source_entity is not None
        ]
    order: list[str] = []
    state: dict[str, int] = {}
    problems = Problems()
    reported: set[frozenset[str]] = set()

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        path.append(name)
        for target, where in edges.get(name, []):
            mark = state.get(target)
            if mark == 1:
                cycle = [*path[path.index(target) :], target]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.add(where, "rules.graph.entity_cycle", path=" → ".join(cycle))
            elif mark is None:
                visit(target, path)
        path.pop()
        state[name] = 2
        order.append(name)

    for name in edges:
        if name not in state:
            visit(name, [])
    problems.raise_if_any()
    return [name for name in order if name != main]


def reachable(vetted: VettedPack) -> set[str]:
    """The other entities the pack's entity aggregates over, directly or not."""
    seen: set[str] = set()
    stack = [vetted.entity.name]
    while stack:
        for vdef in vetted.entity_def(stack.pop()).variables.values():
            target = vdef.source_entity
            if target is not None and target not in seen and target != vetted.entity.name:
                seen.add(target)
                stack.append(target)
    return seen


def topological_order(deps: Mapping[str, list[str]], where: Mapping[str, str]) -> list[str]:
    """Every variable after the variables it reads; stable in declaration order.

    Raises ``RulesError`` naming each cycle's path.
    """
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the path being explored, 2: done
    problems = Problems()
    reported: set[frozenset[str]] = set()

    def visit(name: str, path: list[str]) -> None:
        mark = state.get(name)
        if mark == 2:
            return
        if mark == 1:
            cycle = [*path[path.index(name) :], name]
            members = frozenset(cycle)
            if members not in reported:
                reported.add(members)
                problems.add(where[name], "rules.graph.cycle", path=" → ".join(cycle))
            return
        state[name] = 1
        path.append(name)
        for dep in deps.get(name, []):
            visit(dep, path)
        path.pop()
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, [])
    problems.raise_if_any()
    return order


def closure(start: Iterable[str], deps: Mapping[str, list[str]]) -> list[str]:
    """``start`` and every variable they read, directly or not (in first-seen order)."""
    seen: dict[str, None] = {}
    stack = list(start)[::-1]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen[name] = None
        stack.extend(reversed(deps.get(name, [])))
    return list(seen)


def read_by_rules(vetted: VettedPack, rules: Collection[str] | None = None) -> set[str]:
    """The variables and decision tables of the pack's entity that the rules ``rules``
    (None: every rule) read in their condition, amount or message, directly or through
    others (as the trees are now: after folding, the dead branches' reads are gone)."""
    direct: list[str] = []
    for rdef in vetted.rules:
        if rules is None or rdef.rule.id in rules:
            exprs = [e for e in (rdef.condition, rdef.amount) if e is not None]
            direct += [n for e in exprs for n in e.names("variable")]
            direct += [n for n in rdef.message_names if n in vetted.variables]
    return set(closure(direct, dependencies(vetted)))
