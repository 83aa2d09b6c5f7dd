"""A bundle's dependency graph: ancestors, layers (what can run in parallel), cycles.

Members name the matters they wait for in ``depends_on``; edges to codes that are not
members are ignored here (:func:`onething.catalog.checks.check_catalog` reports them).
"""

from __future__ import annotations

from onething.catalog.models import Bundle


def _edges(bundle: Bundle) -> dict[str, list[str]]:
    members = set(bundle.matter_codes)
    edges: dict[str, list[str]] = {}
    for member in bundle.members:
        targets = edges.setdefault(member.matter, [])
        targets.extend(d for d in member.depends_on if d in members and d not in targets)
    return edges


def ancestors(bundle: Bundle, matter: str) -> set[str]:
    """Every member that ``matter`` waits for, directly or through others."""
    edges = _edges(bundle)
    seen: set[str] = set()
    stack = list(edges.get(matter, []))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, []))
    seen.discard(matter)
    return seen


def find_cycles(bundle: Bundle) -> list[list[str]]:
    """Each dependency cycle once, as a path that returns to its start (``[a, b, a]``)."""
    edges = _edges(bundle)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for target in edges.get(node, []):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                if (key := frozenset(cycle)) not in seen_cycles:
                    seen_cycles.add(key)
                    cycles.append(cycle)
            elif target not in state:
                visit(target, path)
        path.pop()
        state[node] = 2

    for member in bundle.matter_codes:
        if member not in state:
            visit(member, [])
    return cycles


def layers(bundle: Bundle) -> list[list[str]]:
    """Members in waves: each wave depends only on earlier waves (runs in parallel).

    Members on a cycle never become ready; they are left out (a checked catalog has none).
    """
    edges = _edges(bundle)
    done: set[str] = set()
    waves: list[list[str]] = []
    pending = list(dict.fromkeys(bundle.matter_codes))
    while pending:
        wave = [m for m in pending if all(d in done for d in edges.get(m, []))]
        if not wave:
            break
        waves.append(wave)
        done.update(wave)
        pending = [m for m in pending if m not in done]
    return waves


def critical_path_days(bundle: Bundle, promised: dict[str, int]) -> int:
    """The longest chain of promised time limits through the graph (working days).

    ``promised`` maps member codes to their promised limits; unknown members count 0.
    """
    edges = _edges(bundle)
    finish: dict[str, int] = {}
    for wave in layers(bundle):
        for member in wave:
            start = max((finish[d] for d in edges.get(member, [])), default=0)
            finish[member] = start + promised.get(member, 0)
    return max(finish.values(), default=0)
