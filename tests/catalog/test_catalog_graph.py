"""Bundle graphs: waves, ancestors, cycles, critical path; and the loader's cache."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from catalog_support import PLACEHOLDER, write_catalog
from hypothesis import given
from hypothesis import strategies as st

from onething.catalog.graph import ancestors, critical_path_days, find_cycles, layers
from onething.catalog.loader import load_catalog
from onething.catalog.models import Bundle


def _bundle(edges: dict[str, list[str]]) -> Bundle:
    return Bundle.model_validate(
        {
            "code": "g",
            "name": "图",
            "lead_department": "d1",
            "promised_limit_days": 1,
            "limits_source": PLACEHOLDER,
            "source": PLACEHOLDER,
            "members": [{"matter": m, "depends_on": d} for m, d in edges.items()],
        }
    )


@st.composite
def dags(draw: st.DrawFn) -> dict[str, list[str]]:
    """A random acyclic graph: member i may only wait for members before it."""
    n = draw(st.integers(min_value=1, max_value=9))
    names = [f"m{i}" for i in range(n)]
    return {
        name: draw(st.lists(st.sampled_from(names[:i]), unique=True) if i else st.just([]))
        for i, name in enumerate(names)
    }


@given(dags())
def test_layers_respect_every_dependency(edges: dict[str, list[str]]) -> None:
    bundle = _bundle(edges)
    waves = layers(bundle)
    wave_of = {m: i for i, wave in enumerate(waves) for m in wave}
    assert sorted(wave_of) == sorted(edges)
    for member, deps in edges.items():
        assert all(wave_of[d] < wave_of[member] for d in deps)
        # as early as possible: a member in wave k > 0 waits for something in wave k-1
        if wave_of[member]:
            assert any(wave_of[d] == wave_of[member] - 1 for d in deps)
    assert find_cycles(bundle) == []


@given(dags(), st.data())
def test_closing_a_path_makes_a_cycle(edges: dict[str, list[str]], data: st.DataObject) -> None:
    bundle = _bundle(edges)
    member = data.draw(st.sampled_from(sorted(edges)))
    upstream = sorted(ancestors(bundle, member))
    if not upstream:
        return
    target = data.draw(st.sampled_from(upstream))
    edges = {**edges, target: [*edges[target], member]}  # target now waits for member
    cycles = find_cycles(_bundle(edges))
    assert cycles
    for cycle in cycles:
        assert cycle[0] == cycle[-1]
        for a, b in itertools.pairwise(cycle):
            assert b in edges[a]


def test_critical_path() -> None:
    bundle = _bundle({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": []})
    promised = {"a": 1, "b": 5, "c": 2, "d": 3, "e": 8}
    assert critical_path_days(bundle, promised) == 9  # a → b → d
    assert ancestors(bundle, "d") == {"a", "b", "c"}
    assert layers(bundle) == [["a", "e"], ["b", "c"], ["d"]]


def test_cache_reads_an_edited_catalog_again(tmp_path: Path, tiny: dict[str, Any]) -> None:
    root = write_catalog(tmp_path / "c", tiny)
    first = load_catalog(root)
    assert load_catalog(str(root)) is first
    departments = root / "departments.yaml"
    departments.write_text(
        departments.read_text(encoding="utf-8").replace("甲局", "甲市局"), encoding="utf-8"
    )
    stat = departments.stat()
    os.utime(departments, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_catalog(root)
    assert second is not first
    assert second.department("d1").name == "甲市局"
