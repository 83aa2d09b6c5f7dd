"""The shipped catalog (content/catalog): loads, checks clean, and holds the five bundles."""

from __future__ import annotations

import pytest

from onething.catalog.checks import check_catalog, license_types
from onething.catalog.graph import ancestors, layers
from onething.catalog.loader import load_catalog
from onething.catalog.models import Catalog
from onething.catalog.service import check, list_services, show
from onething.kit.errors import NotFound
from onething.rules.library import load


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_loads_and_checks_clean_without_warnings(catalog: Catalog) -> None:
    assert check_catalog(catalog) == []
    assert check() == []  # reading and checking from the folder, warnings included


def test_loading_is_cached(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_five_bundles_from_the_facts(catalog: Catalog) -> None:
    expected = {
        "newborn": {
            "health_birth_medical_certificate",
            "cdc_vaccination_certificate",
            "police_birth_registration",
            "mi_resident_enrolment",
            "hrss_social_security_card",
            "mi_maternity_allowance",
        },
        "hiring": {
            "hrss_employment_registration",
            "hrss_employee_insurance_enrolment",
            "mi_employee_enrolment",
            "hrss_social_security_card",
            "hrss_archive_transfer",
        },
        "enterprise_opening": {
            "admin_enterprise_registration",
            "police_seal_engraving",
            "tax_invoice_application",
            "hrss_employer_insurance_registration",
            "mi_employer_registration",
            "hf_employer_registration",
            "pbc_enterprise_bank_account",
        },
        "retirement": {
            "hrss_pension_claim",
            "mi_retiree_benefit",
            "hf_account_sealing",
            "hf_retirement_withdrawal",
            "health_family_planning_reward",
        },
        "after_death": {
            "health_death_medical_certificate",
            "police_death_deregistration",
            "civil_cremation",
            "hrss_insurance_termination",
            "hrss_funeral_and_survivor_benefit",
            "hrss_pension_account_inheritance",
            "mi_account_settlement",
            "hf_death_withdrawal",
        },
    }
    assert {b.code: set(b.matter_codes) for b in catalog.bundles} == expected
    for bundle in catalog.bundles:
        departments = {catalog.matter(m).department for m in bundle.matter_codes}
        assert len(departments) >= 2, bundle.code  # a bundle spans departments


def test_birth_certificate_flows_into_household_registration(catalog: Catalog) -> None:
    newborn = catalog.bundle("newborn")
    certificate = catalog.matter("health_birth_medical_certificate")
    assert "birth_medical_certificate" in certificate.outputs
    registration = newborn.member("police_birth_registration")
    assert registration is not None
    assert "health_birth_medical_certificate" in registration.depends_on
    sources = {(source, output) for _, source, output in registration.input_sources()}
    assert ("health_birth_medical_certificate", "newborn.birth_certificate_number") in sources
    material = next(
        m
        for m in catalog.matter("police_birth_registration").materials
        if "birth_medical_certificate" in m.licenses
    )
    assert material.required
    # the ID number assigned at registration feeds insurance and the card
    for code in ("mi_resident_enrolment", "hrss_social_security_card"):
        assert "police_birth_registration" in ancestors(newborn, code)
    assert layers(newborn)[0] == ["health_birth_medical_certificate", "cdc_vaccination_certificate"]


def test_mother_id_number_is_one_field_everywhere(catalog: Catalog) -> None:
    asking = [m for m in catalog.matters if m.field("mother.id_number") is not None]
    assert len(asking) >= 3
    types = {f.type for m in asking if (f := m.field("mother.id_number")) is not None}
    assert types == {"id_number"}


def test_unsourced_numbers_are_labelled(catalog: Catalog) -> None:
    """A time limit taken from nowhere says so: 占位值 is always confidence placeholder."""
    sources = [m.limits_source for m in catalog.matters]
    sources += [b.limits_source for b in catalog.bundles]
    sources += [m.legal_basis for m in catalog.matters]
    for source in sources:
        if source.source in {"占位值", "待补充"}:
            assert source.confidence == "placeholder"
        if source.confidence != "confirmed":
            assert source.note, source


def test_license_types_are_the_registry_ones(catalog: Catalog) -> None:
    used = {t for m in catalog.matters for mat in m.materials for t in mat.licenses}
    assert used <= set(license_types())
    assert "birth_medical_certificate" in used


def test_lookups_suggest_the_nearest_code(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as caught:
        catalog.matter("hrss_employment_registraton")
    assert caught.value.params["suggestion"].startswith("hrss_employment_registration")
    with pytest.raises(NotFound) as by_name:
        catalog.service("新生儿出生")
    assert "newborn" in by_name.value.params["suggestion"]
    assert "新生儿出生" in by_name.value.message("zh-CN")
    assert catalog.service("newborn").name == "新生儿出生一件事"


def test_show_a_bundle(catalog: Catalog) -> None:
    data = show(catalog, "newborn")
    assert data["kind"] == "bundle"
    assert data["lead_department"] == {"code": "health", "name": "卫生健康委员会"}
    assert [m["matter"] for m in data["members"]] == catalog.bundle("newborn").matter_codes
    assert data["layers"][1] == ["police_birth_registration", "mi_maternity_allowance"]
    assert data["stats"]["fields_asked"] < data["stats"]["fields_sum"]


def test_show_a_matter_with_its_four_lists(catalog: Catalog) -> None:
    data = show(catalog, "hrss_social_security_card")
    assert data["kind"] == "matter"
    assert [d["code"] for d in data["duties"]] == ["hrss_social_security_card"]
    assert [s["code"] for s in data["systems"]] == ["sys_social_security_card"]
    assert {b["code"] for b in data["bundles"]} == {"newborn", "hiring"}
    assert data["prefill_sources"]["holder.id_number"] == {
        "prefill": "person.id_number",
        "data_catalog": "dc_persons",
    }


def test_list_services(catalog: Catalog) -> None:
    rows = list_services(catalog)
    assert len(rows) == len(catalog.matters) + len(catalog.bundles)
    assert {r["code"] for r in rows if r["kind"] == "bundle"} == {b.code for b in catalog.bundles}


def test_guards_name_packs_with_pre_or_in_rules(catalog: Catalog) -> None:
    guarded = [m for m in catalog.matters if m.guards]
    assert [m.code for m in guarded] == ["hrss_pension_claim"]
    for matter in guarded:
        for pack_id in matter.guards:
            phases = {rule.phase for rule in load(pack_id).rules}
            assert phases & {"pre", "in"}, pack_id
