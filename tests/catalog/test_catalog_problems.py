"""Broken catalogs: each problem is reported with its file, path and what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from catalog_support import write_catalog

from onething.catalog.checks import check_catalog
from onething.catalog.loader import load_catalog, read_catalog
from onething.catalog.problems import CatalogInvalid, Problem
from onething.kit.errors import InvalidInput


def problems_of(tmp_path: Path, data: dict[str, Any]) -> list[Problem]:
    catalog, problems = read_catalog(write_catalog(tmp_path / "catalog", data))
    return problems + check_catalog(catalog, packs=["known_pack"])


def only(problems: list[Problem], key: str) -> Problem:
    found = [p for p in problems if p.key == f"catalog.problem.{key}"]
    assert len(found) == 1, [p.describe("en") for p in problems]
    return found[0]


def test_the_tiny_catalog_is_clean(tmp_path: Path, tiny: dict[str, Any]) -> None:
    assert problems_of(tmp_path, tiny) == []


def test_dangling_department(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d2.yaml"][0]["department"] = "d3"
    problems = problems_of(tmp_path, tiny)
    p = only(problems, "unknown_department")
    assert (p.file, p.path) == ("matters/d2.yaml", "matters[0].department")
    assert p.params["code"] == "d3"
    # The duty that lists m_c now names a matter of another department.
    mismatch = only(problems, "duty_department_mismatch")
    assert (mismatch.file, mismatch.path) == ("duties.yaml", "duties[1].matters[0]")
    assert "d3" in p.message("en")
    assert "部门 d3 不存在" in p.message("zh-CN")


def test_duplicate_matter_code_across_files(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d2.yaml"][0]["code"] = "m_a"
    tiny["duties"][1]["matters"] = []
    tiny["systems"][1]["matters"] = []
    tiny["bundles"]["b1.yaml"]["members"].pop()
    p = only(problems_of(tmp_path, tiny), "duplicate_code")
    assert (p.file, p.path) == ("matters/d2.yaml", "matters[0].code")
    assert str(p.params["first"]) == "matters/d1.yaml: matters[0]"


def test_bundle_code_may_not_reuse_a_matter_code(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["code"] = "m_b"
    p = only(problems_of(tmp_path, tiny), "duplicate_code")
    assert (p.file, p.path) == ("bundles/b1.yaml", "code")
    assert p.params["kind"] == "service"


def test_bundle_cycle_shows_its_path(tmp_path: Path, tiny: dict[str, Any]) -> None:
    members = tiny["bundles"]["b1.yaml"]["members"]
    members[0]["depends_on"] = ["m_b"]
    p = only(problems_of(tmp_path, tiny), "cycle")
    assert p.file == "bundles/b1.yaml"
    assert p.params["cycle"] in {"m_a → m_b → m_a", "m_b → m_a → m_b"}


def test_longer_cycle_through_three_members(tmp_path: Path, tiny: dict[str, Any]) -> None:
    members = tiny["bundles"]["b1.yaml"]["members"]
    members[2]["optional"] = False
    members[2]["depends_on"] = ["m_b"]
    members[0]["depends_on"] = ["m_c"]
    p = only(problems_of(tmp_path, tiny), "cycle")
    assert p.params["cycle"] == "m_a → m_c → m_b → m_a"


def test_input_naming_a_missing_output(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][1]["inputs"] = {"b.number": "m_a.a.numbr"}
    p = only(problems_of(tmp_path, tiny), "unknown_output")
    assert (p.file, p.path) == ("bundles/b1.yaml", "members[1].inputs.b.number")
    assert p.params == {"matter": "m_a", "output": "a.numbr", "candidate": "a.number"}


def test_input_from_a_member_not_waited_for(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][1]["depends_on"] = []
    problems = problems_of(tmp_path, tiny)
    p = only(problems, "input_not_ancestor")
    assert p.path == "members[1].inputs.b.number"
    assert p.params == {"source": "m_a", "matter": "m_b"}


def test_input_into_a_field_the_matter_does_not_have(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][1]["inputs"] = {"b.numbr": "m_a.a.number"}
    p = only(problems_of(tmp_path, tiny), "unknown_field")
    assert p.params["key"] == "b.numbr"
    assert p.params["candidate"] == "b.number"


def test_a_produced_field_asked_again_without_input(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d1.yaml"][0]["outputs"].append("b.number")
    tiny["bundles"]["b1.yaml"]["members"][1]["inputs"] = {}
    p = only(problems_of(tmp_path, tiny), "input_missing")
    assert p.params == {"matter": "m_b", "key": "b.number", "source": "m_a"}


def test_required_member_waiting_for_an_optional_one(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][1]["depends_on"] = ["m_a", "m_c"]
    p = only(problems_of(tmp_path, tiny), "optional_dependency")
    assert p.path == "members[1].depends_on[1]"


def test_dependency_on_a_non_member(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][1]["depends_on"] = ["m_a", "m_z"]
    p = only(problems_of(tmp_path, tiny), "not_a_member")
    assert p.params["code"] == "m_z"


def test_wrong_field_type_is_a_schema_error(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d1.yaml"][1]["fields"][2]["type"] = "number"
    tiny["matters"]["d2.yaml"][0]["legal_limit_days"] = "十"
    problems = problems_of(tmp_path, tiny)
    invalid = [p for p in problems if p.key == "catalog.problem.invalid"]
    assert [(p.file, p.path, p.params["error_type"]) for p in invalid] == [
        ("matters/d1.yaml", "matters[1].fields[2].type", "literal_error"),
        ("matters/d2.yaml", "matters[0].legal_limit_days", "int_parsing"),
    ]
    assert "'number'" in invalid[0].params["detail"]


def test_same_semantic_key_with_two_types(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d2.yaml"][0]["fields"][0]["type"] = "text"
    p = only(problems_of(tmp_path, tiny), "field_conflict")
    assert (p.file, p.path) == ("matters/d2.yaml", "matters[0].fields[0]")
    assert p.params["this"] == "text"
    assert p.params["that"] == "id_number"


def test_unknown_license_type_and_prefill(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d1.yaml"][0]["materials"][0]["licenses"] = ["id_crad"]
    tiny["matters"]["d1.yaml"][1]["materials"][0]["licenses"] = ["id_crad"]
    tiny["matters"]["d1.yaml"][0]["fields"][0]["prefill"] = "person.nam"
    problems = problems_of(tmp_path, tiny)
    licences = [p for p in problems if p.key == "catalog.problem.unknown_license"]
    assert [p.path for p in licences] == [
        "matters[0].materials[0].licenses[0]",
        "matters[1].materials[0].licenses[0]",
    ]
    assert licences[0].params["candidate"] == "id_card"
    prefill = only(problems, "unknown_prefill")
    assert prefill.params["candidate"] == "person.name"


def test_unknown_registry_column_and_guard(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["data_catalogs"][0]["provides"]["person.mobile"] = "mobil"
    tiny["matters"]["d2.yaml"][0]["guards"] = ["unknown_pack"]
    problems = problems_of(tmp_path, tiny)
    column = only(problems, "unknown_column")
    assert (column.file, column.path) == (
        "data_catalogs.yaml",
        "data_catalogs[0].provides.person.mobile",
    )
    assert column.params["candidate"] == "mobile"
    assert only(problems, "unknown_pack").params["code"] == "unknown_pack"


def test_time_limits_and_instant_flag(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d1.yaml"][1]["promised_limit_days"] = 11
    tiny["matters"]["d2.yaml"][0]["channels"] = {"instant": True}
    problems = problems_of(tmp_path, tiny)
    assert only(problems, "limits_order").params == {"promised": 11, "legal": 10}
    assert only(problems, "instant_with_limit").path == "matters[0].channels.instant"


def test_unlinked_matter_is_a_warning(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["duties"][1]["matters"] = []
    p = only(problems_of(tmp_path, tiny), "no_duty")
    assert p.severity == "warning"
    load_catalog(tmp_path / "catalog")  # warnings do not stop loading


def test_duplicate_yaml_key_is_refused(tmp_path: Path, tiny: dict[str, Any]) -> None:
    root = write_catalog(tmp_path / "catalog", tiny)
    text = (root / "departments.yaml").read_text(encoding="utf-8")
    (root / "departments.yaml").write_text(
        text.replace("name: 甲局", "name: 甲局\n  name: 丙局"), encoding="utf-8"
    )
    _, problems = read_catalog(root)
    p = only(problems, "yaml")
    assert p.file == "departments.yaml"
    assert "duplicate key 'name'" in p.params["detail"]


def test_load_raises_with_every_error(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["matters"]["d2.yaml"][0]["department"] = "d3"
    tiny["bundles"]["b1.yaml"]["members"][0]["depends_on"] = ["m_b"]
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(write_catalog(tmp_path / "catalog", tiny))
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.status == 422
    keys = {e["key"] for e in error.errors}
    assert {"catalog.problem.unknown_department", "catalog.problem.cycle"} <= keys
    assert all(e["file"] for e in error.errors)
    text = error.message("zh-CN")
    assert "依赖关系成环" in text
    assert "matters/d2.yaml: matters[0].department" in text


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(tmp_path / "nowhere")
    assert caught.value.errors[0]["key"] == "catalog.problem.no_folder"


def test_rename_into_a_key_of_another_type(tmp_path: Path, tiny: dict[str, Any]) -> None:
    tiny["bundles"]["b1.yaml"]["members"][2]["rename"] = {"c.choice": "x.name"}
    p = only(problems_of(tmp_path, tiny), "field_conflict")
    assert (p.file, p.path) == ("bundles/b1.yaml", "members[2].rename")
    assert p.params["key"] == "x.name"
    assert p.params["this"] == "enum[是|否]"
