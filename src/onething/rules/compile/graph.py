"""Phase 3, *graph*: which variable reads which, in what order they are computed.

A cycle (``a`` reads ``b`` reads ``a``) is a compile error that shows its path
(``a → b → a``), never a silent default at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from onething.rules.compile.vet import VettedPack
from onething.rules.errors import Problems


def dependencies(vetted: VettedPack) -> dict[str, list[str]]:
    """Variable → the variables it reads directly, in declaration order."""
    return {name: vdef.reads("variable") for name, vdef in vetted.variables.items()}


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
