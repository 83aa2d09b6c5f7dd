"""Statistics on the tiny catalog, against numbers computed here from the raw YAML data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from catalog_support import write_catalog

from onething.catalog.loader import load_catalog
from onething.catalog.stats import catalog_stats


def _raw_matters(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["code"]: m for items in data["matters"].values() for m in items}


def _expected_bundle(data: dict[str, Any], bundle: dict[str, Any]) -> dict[str, int]:
    """The bundle's numbers by plain set arithmetic over the raw data."""
    matters = _raw_matters(data)
    members = bundle["members"]
    depends = {m["matter"]: set(m.get("depends_on", [])) for m in members}

    def waits_for(code: str) -> set[str]:
        seen: set[str] = set()
        todo = list(depends[code])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(depends[current])
        return seen

    asked: set[str] = set()
    from_inputs: set[str] = set()
    for m in members:
        for f in matters[m["matter"]].get("fields", []):
            (from_inputs if f["key"] in m.get("inputs", {}) else asked).add(f["key"])
    materials: dict[str, set[str]] = {}
    produced: dict[str, bool] = {}
    for m in members:
        for mat in matters[m["matter"]].get("materials", []):
            materials[mat["code"]] = set(mat.get("licenses", []))
            made = any(
                set(mat.get("licenses", [])) & set(matters[a].get("outputs", []))
                for a in waits_for(m["matter"])
            )
            produced[mat["code"]] = produced.get(mat["code"], True) and made
    return {
        "fields_sum": sum(len(matters[m["matter"]].get("fields", [])) for m in members),
        "fields_asked": len(asked),
        "fields_derived": len(from_inputs - asked),
        "materials_sum": sum(len(matters[m["matter"]].get("materials", [])) for m in members),
        "materials_distinct": len(materials),
        "materials_auto_satisfiable": sum(
            1 for code, lic in materials.items() if lic or produced[code]
        ),
        "materials_produced_in_bundle": sum(1 for v in produced.values() if v),
    }


def test_catalog_counts(tmp_path: Path, tiny: dict[str, Any]) -> None:
    stats = catalog_stats(load_catalog(write_catalog(tmp_path / "c", tiny)))
    matters = _raw_matters(tiny)
    assert stats.matters == len(matters)
    assert stats.matters_by_department == dict(Counter(m["department"] for m in matters.values()))
    for flag in ("fully_online", "cross_region", "instant"):
        expected = sum(1 for m in matters.values() if m.get("channels", {}).get(flag))
        assert getattr(stats, flag) == expected, flag
    assert stats.placeholder_limits == len(matters)  # every tiny limit is a placeholder
    assert (stats.departments, stats.duties, stats.systems, stats.data_catalogs) == (2, 2, 2, 1)


def test_bundle_counts(tmp_path: Path, tiny: dict[str, Any]) -> None:
    stats = catalog_stats(load_catalog(write_catalog(tmp_path / "c", tiny)))
    (bundle,) = stats.bundle_stats
    expected = _expected_bundle(tiny, tiny["bundles"]["b1.yaml"])
    got = {key: getattr(bundle, key) for key in expected}
    assert got == expected
    # the numbers themselves, so a shared mistake in both computations cannot hide
    assert got == {
        "fields_sum": 8,
        "fields_asked": 4,
        "fields_derived": 1,
        "materials_sum": 5,
        "materials_distinct": 4,
        "materials_auto_satisfiable": 2,
        "materials_produced_in_bundle": 1,
    }
    assert (bundle.members, bundle.optional_members, bundle.departments) == (3, 1, 2)
    assert bundle.critical_path_days == 5  # m_a (0) then m_b (5); m_c (3) in parallel


def test_more_sharing_lowers_the_fields_asked(tmp_path: Path, tiny: dict[str, Any]) -> None:
    """Renaming m_c's choice onto a key m_a already asks merges it: one field fewer."""
    before = catalog_stats(load_catalog(write_catalog(tmp_path / "a", tiny))).bundle_stats[0]
    tiny["matters"]["d2.yaml"][0]["fields"][1] = {"key": "c.note", "label": "备注"}
    tiny["bundles"]["b1.yaml"]["members"][2]["rename"] = {"c.note": "a.only"}
    after = catalog_stats(load_catalog(write_catalog(tmp_path / "b", tiny))).bundle_stats[0]
    assert after.fields_sum == before.fields_sum
    assert after.fields_asked == before.fields_asked - 1
