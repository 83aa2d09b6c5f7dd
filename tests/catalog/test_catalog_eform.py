"""The merged e-form: fields once by semantic key, prefill defaults, materials, JSON Schema."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from catalog_support import write_catalog

from onething.catalog.eform import JSON_SCHEMA_DIALECT, EForm, eform
from onething.catalog.loader import load_catalog
from onething.catalog.models import Catalog
from onething.kit.errors import NotFound
from onething.kit.ids import make_credit_code, make_resident_id

MOTHER_ID = make_resident_id("370102", date(1994, 3, 8), 124)  # fictitious, checksum-valid
HEAD_ID = make_resident_id("370102", date(1965, 7, 1), 311)
CREDIT_CODE = make_credit_code("370102", "MA3C0001")

APPLICANT = {
    "person.name": "林晓燕",
    "person.id_number": MOTHER_ID,
    "person.mobile": "13912345678",
    "person.sex": "F",
    "household.address": "山东省济南市历下区泉城路1号",
    "household.head_id_number": HEAD_ID,
    "father.name": "周建国",  # a field's own key works too
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def newborn(catalog: Catalog) -> EForm:
    return eform(
        catalog, "newborn", applicant=APPLICANT, licenses=["id_card", "marriage_certificate"]
    )


def _askers(catalog: Catalog, bundle: str, key: str) -> list[str]:
    """Members whose matter asks for ``key`` under its own name or by a rename."""
    found = []
    for member in catalog.bundle(bundle).members:
        matter = catalog.matter(member.matter)
        if any(member.bundle_key(f.key) == key for f in matter.fields):
            found.append(matter.code)
    return found


def test_mother_id_number_is_asked_once(catalog: Catalog, newborn: EForm) -> None:
    askers = _askers(catalog, "newborn", "mother.id_number")
    assert len(askers) >= 3  # certificate, registration, insurance (as guardian), allowance
    assert list(newborn.json_schema["properties"]).count("mother.id_number") == 1
    entry = next(f for f in newborn.fields if f.key == "mother.id_number")
    assert entry.matters == askers
    assert "mother.id_number" in newborn.json_schema["required"]


def test_fields_from_other_members_are_not_asked(newborn: EForm) -> None:
    properties = newborn.json_schema["properties"]
    for key in ("newborn.id_number", "newborn.birth_certificate_number"):
        assert key not in properties
        entry = next(f for f in newborn.fields if f.key == key)
        assert not entry.asked
        assert entry.inputs
    assert newborn.counts.fields_derived == 2
    assert newborn.counts.fields_asked == len(properties)
    assert newborn.counts.fields_asked + newborn.counts.fields_derived == len(newborn.fields)


def test_counts_against_the_sum_over_matters(catalog: Catalog, newborn: EForm) -> None:
    bundle = catalog.bundle("newborn")
    total = sum(len(catalog.matter(m).fields) for m in bundle.matter_codes)
    assert newborn.counts.fields_sum == total
    distinct = {
        member.bundle_key(f.key)
        for member in bundle.members
        for f in catalog.matter(member.matter).fields
    }
    assert len(newborn.fields) == len(distinct)
    assert newborn.counts.fields_asked < total / 2


def test_prefill_defaults_from_the_applicant(newborn: EForm) -> None:
    properties = newborn.json_schema["properties"]
    assert properties["mother.name"]["default"] == "林晓燕"
    assert properties["mother.id_number"]["default"] == MOTHER_ID
    assert properties["mother.mobile"]["default"] == "13912345678"
    assert properties["household.address"]["default"] == APPLICANT["household.address"]
    assert properties["household.head_id_number"]["default"] == HEAD_ID
    assert properties["father.name"]["default"] == "周建国"
    # The card's holder.name is prefilled with person.name when the card is applied for
    # alone; in this bundle the holder is the newborn, so the mother's name must not leak.
    assert "default" not in properties["newborn.name"]
    assert "default" not in properties["newborn.sex"]
    assert newborn.counts.fields_prefilled == 6


def test_a_value_that_does_not_fit_is_not_a_default(catalog: Catalog) -> None:
    form = eform(
        catalog,
        "newborn",
        applicant={
            "person.mobile": "12345",
            "newborn.birth_date": "2025-02-30",
            "newborn.sex": "X",
        },
    )
    properties = form.json_schema["properties"]
    for key in ("mother.mobile", "newborn.birth_date", "newborn.sex"):
        assert "default" not in properties[key]
    dated = eform(catalog, "newborn", applicant={"newborn.birth_date": date(2025, 2, 28)})
    assert dated.json_schema["properties"]["newborn.birth_date"]["default"] == "2025-02-28"


def test_materials_satisfied_by_licenses_and_by_members(newborn: EForm) -> None:
    status = {m.code: (m.status, m.license, m.produced_by) for m in newborn.materials}
    assert status["id_card"] == ("satisfied_by_license", "id_card", None)
    assert status["marriage_certificate"] == ("satisfied_by_license", "marriage_certificate", None)
    # the certificate the household registration needs is issued inside the bundle
    assert status["birth_medical_certificate"] == (
        "produced_in_bundle",
        None,
        "health_birth_medical_certificate",
    )
    assert status["holder_identity"] == ("produced_in_bundle", None, "police_birth_registration")
    assert status["household_register"] == ("to_upload", None, None)  # not given
    assert status["photo"] == ("to_upload", None, None)  # no license can satisfy a photo
    counts = newborn.counts
    assert counts.materials_distinct == len(newborn.materials)
    assert counts.materials_auto_satisfied == sum(
        1 for m in newborn.materials if m.status != "to_upload"
    )
    assert counts.materials_to_upload == 2


def test_given_license_changes_the_status(catalog: Catalog) -> None:
    form = eform(catalog, "newborn", licenses=["household_register"])
    status = {m.code: m.status for m in form.materials}
    assert status["household_register"] == "satisfied_by_license"
    assert status["id_card"] == "to_upload"


def test_optional_members(catalog: Catalog, newborn: EForm) -> None:
    properties = newborn.json_schema["properties"]
    assert "mother.bank_account" in properties  # the allowance is offered …
    assert "mother.bank_account" not in newborn.json_schema["required"]  # … not imposed
    without = eform(catalog, "newborn", include_optional=())
    assert "mi_maternity_allowance" not in without.members
    assert "mother.bank_account" not in without.json_schema["properties"]
    chosen = eform(catalog, "newborn", include_optional=["mi_maternity_allowance"])
    assert "mother.bank_account" in chosen.json_schema["required"]


def test_a_single_matter(catalog: Catalog) -> None:
    form = eform(catalog, "police_birth_registration")
    assert form.kind == "matter"
    assert form.members == ["police_birth_registration"]
    assert "newborn.birth_certificate_number" in form.json_schema["required"]
    status = {m.code: m.status for m in form.materials}
    assert status["birth_medical_certificate"] == "to_upload"
    licensed = eform(catalog, "police_birth_registration", licenses=["birth_medical_certificate"])
    assert {m.code: m.status for m in licensed.materials}["birth_medical_certificate"] == (
        "satisfied_by_license"
    )
    assert form.counts.fields_sum == form.counts.fields_asked == len(form.fields)


def test_enterprise_opening_credit_code_flows(catalog: Catalog) -> None:
    form = eform(catalog, "enterprise_opening")
    assert "enterprise.credit_code" not in form.json_schema["properties"]
    entry = next(f for f in form.fields if f.key == "enterprise.credit_code")
    assert len(entry.inputs) == len(catalog.bundle("enterprise_opening").members) - 1
    # a credit code given by an enterprise applicant for hiring is a default
    hiring = eform(catalog, "hiring", applicant={"enterprise.credit_code": CREDIT_CODE})
    assert hiring.json_schema["properties"]["enterprise.credit_code"]["default"] == CREDIT_CODE


def test_unknown_service(catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        eform(catalog, "newbron")


def test_version_follows_the_content(tmp_path: Path, tiny: dict[str, Any]) -> None:
    first = eform(load_catalog(write_catalog(tmp_path / "a", tiny)), "b1")
    again = eform(load_catalog(write_catalog(tmp_path / "b", tiny)), "b1")
    tiny["matters"]["d1.yaml"][0]["fields"][0]["label"] = "申请人姓名"
    changed = eform(load_catalog(write_catalog(tmp_path / "c", tiny)), "b1")
    assert first.version == again.version
    assert first.version != changed.version


def test_govstack_shape(newborn: EForm) -> None:
    shaped = newborn.govstack()
    assert set(shaped) == {"eFormId", "name", "description", "version", "latest", "schema"}
    assert shaped["eFormId"] == "newborn"
    assert shaped["schema"] is newborn.json_schema


# -- the JSON Schema, checked by hand (the subset of keywords the e-form emits) ----------

ALLOWED = {"title", "description", "type", "format", "pattern", "oneOf", "minLength", "minimum"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _valid(prop: dict[str, Any], value: Any) -> bool:
    """``value`` against one property, for exactly the keywords in ALLOWED."""
    kind = prop["type"]
    if kind == "string" and not isinstance(value, str):
        return False
    if kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        return False
    if kind == "boolean" and not isinstance(value, bool):
        return False
    if "pattern" in prop and re.search(prop["pattern"], value) is None:
        return False
    if "oneOf" in prop and sum(1 for o in prop["oneOf"] if o["const"] == value) != 1:
        return False
    if prop.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    if "minLength" in prop and len(value) < prop["minLength"]:
        return False
    return not ("minimum" in prop and value < prop["minimum"])


def _sample(key: str, prop: dict[str, Any]) -> Any:
    if "oneOf" in prop:
        return prop["oneOf"][0]["const"]
    if prop.get("format") == "date":
        return "2025-05-20"
    if prop["type"] == "integer":
        return 3
    if prop["type"] == "boolean":
        return True
    samples = {
        "id_number": MOTHER_ID,
        "mobile": "13912345678",
        "bank_account": "6222020200112233445",
        "credit_code": CREDIT_CODE,
    }
    for suffix, value in samples.items():
        if key.endswith(suffix):
            return value
    return "12.5" if "pattern" in prop else "测试"


BUNDLES = ["newborn", "hiring", "enterprise_opening", "retirement", "after_death"]


@pytest.mark.parametrize("code", BUNDLES)
def test_json_schema_structure(catalog: Catalog, code: str) -> None:
    schema = eform(catalog, code, applicant=APPLICANT).json_schema
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert CJK.search(schema["title"])
    properties = schema["properties"]
    assert len(schema["required"]) == len(set(schema["required"]))
    assert set(schema["required"]) <= set(properties)
    for key, prop in properties.items():
        assert set(prop) - {"default"} <= ALLOWED, key
        assert CJK.search(prop["title"]), key
        assert prop["type"] in {"string", "integer", "boolean"}
        if "pattern" in prop:
            re.compile(prop["pattern"])
            assert prop["pattern"].startswith("^")
            assert prop["pattern"].endswith("$")
        for option in prop.get("oneOf", []):
            assert set(option) == {"const", "title"}
        if "default" in prop:
            assert _valid(prop, prop["default"]), key
    instance = {key: _sample(key, prop) for key, prop in properties.items()}
    assert all(_valid(properties[k], v) for k, v in instance.items()), instance
    if "mother.id_number" in properties:
        assert not _valid(properties["mother.id_number"], "37010219940308124")  # 17 chars


def test_json_schema_with_jsonschema(catalog: Catalog, newborn: EForm) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    validator_class = jsonschema.Draft202012Validator
    for bundle in catalog.bundles:
        schema = eform(catalog, bundle.code, applicant=APPLICANT).json_schema
        validator_class.check_schema(schema)
    schema = newborn.json_schema
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    instance = {key: _sample(key, prop) for key, prop in schema["properties"].items()}
    assert list(validator.iter_errors(instance)) == []
    bad = {**instance, "mother.id_number": "12345", "newborn.birth_date": "2025-13-01"}
    bad["unexpected"] = "x"
    errors = {tuple(e.path) or (e.validator,) for e in validator.iter_errors(bad)}
    assert ("mother.id_number",) in errors
    assert ("newborn.birth_date",) in errors
    assert ("additionalProperties",) in errors
    missing = {k: v for k, v in instance.items() if k != "mother.name"}
    assert any(e.validator == "required" for e in validator.iter_errors(missing))
