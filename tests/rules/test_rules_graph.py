"""Phase 3: cycles are compile errors with their path; the order is topological."""

from __future__ import annotations

from datetime import date

import pytest
from rules_support import pack_of

from onething.rules import RulesError, compile_pack
from onething.rules.compile import graph

AS_OF = date(2025, 6, 30)


def test_a_cycle_is_shown_with_its_path() -> None:
    pack = pack_of(
        variables={
            "a": {"expr": "b + 1"},
            "b": {"expr": "c * 2"},
            "c": {"expr": "CASE WHEN a > 3 THEN 1 ELSE 0 END"},
            "d": {"expr": "1"},
        }
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    assert caught.value.message("en") == (
        "variables.a: variables read each other in a cycle: a → b → c → a"
    )
    assert "循环引用：a → b → c → a" in caught.value.message("zh-CN")


def test_a_variable_reading_itself_and_an_aggregate_in_a_cycle() -> None:
    pack = pack_of(
        variables={
            "self_ref": {"expr": "self_ref + 1"},
            "total": {
                "aggregate": {
                    "table": "contributions",
                    "on": "enterprise_id",
                    "where": "base > threshold",
                    "value": "sum(base)",
                }
            },
            "threshold": {"expr": "total / 2"},
        }
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    paths = [p.params["path"] for p in caught.value.problems]
    assert paths == ["self_ref → self_ref", "total → threshold → total"]


def test_order_puts_every_variable_after_what_it_reads() -> None:
    deps = {"z": ["y"], "y": ["x"], "x": [], "w": ["x", "z"]}
    order = graph.topological_order(deps, {n: n for n in deps})
    assert all(order.index(d) < order.index(n) for n, ds in deps.items() for d in ds)
    assert graph.closure(["w"], deps) == ["w", "x", "z", "y"]
