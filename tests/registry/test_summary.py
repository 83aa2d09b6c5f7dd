"""The registry summary, checked against figures computed here from the fixture's rows."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from onething.kit.errors import NotFound
from onething.registry.summary import summarize

Rows = dict[str, list[dict[str, Any]]]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _running(row: dict[str, Any], on: date) -> bool:
    return row["start_date"] <= on and (row["end_date"] is None or row["end_date"] >= on)


def _living(rows: Rows, on: date) -> list[dict[str, Any]]:
    dead = {d["person_id"] for d in rows["deaths"] if d["death_date"] <= on}
    return [p for p in rows["persons"] if p["birth_date"] <= on and p["person_id"] not in dead]


def _city_names() -> dict[str, str]:
    text = resources.files("onething") / "data" / "regions" / "shandong_cities_nbs2023.csv"
    with text.open(encoding="utf-8") as handle:
        return {row["code"] + "00": row["name"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def manifest(tiny_registry: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tiny_registry / "manifest.json").read_text("utf-8"))
    return data


def test_counts_cities_and_ages_as_of_the_end_date(
    tiny_registry: Path, tiny_rows: Rows, manifest: dict[str, Any]
) -> None:
    summary = summarize(tiny_registry)
    end = date.fromisoformat(manifest["end_date"])

    assert summary.as_of == end
    assert summary.end_date == end
    assert summary.seed == manifest["seed"]
    assert summary.row_counts == {t: len(r) for t, r in tiny_rows.items()}

    living = _living(tiny_rows, end)
    assert summary.persons == len(tiny_rows["persons"])
    assert summary.living == len(living)
    assert summary.deceased == sum(d["death_date"] <= end for d in tiny_rows["deaths"])

    names = _city_names()
    by_city = Counter(p["hukou_region"][:4] + "00" for p in living)
    assert [(c.code, c.name, c.persons) for c in summary.persons_by_city] == [
        (code, names[code], by_city.get(code, 0)) for code in sorted(names)
    ]
    assert len(summary.persons_by_city) == 16
    assert summary.persons_by_city[0].name == "济南市"

    ages = [_age(p["birth_date"], end) for p in living]
    for band in summary.age_bands:
        expected = sum(a >= band.low and (band.high is None or a <= band.high) for a in ages)
        assert band.persons == expected, band.label
    assert sum(b.persons for b in summary.age_bands) == len(living)
    assert summary.age_bands[-1].high is None


def test_enterprises_employment_and_insurance(
    tiny_registry: Path, tiny_rows: Rows, manifest: dict[str, Any]
) -> None:
    end = date.fromisoformat(manifest["end_date"])
    summary = summarize(tiny_registry)

    sizes = {s.size: (s.enterprises, s.open) for s in summary.enterprises_by_size}
    for size in ("micro", "small", "medium", "large"):
        rows = [e for e in tiny_rows["enterprises"] if e["size"] == size]
        still_open = [
            e
            for e in rows
            if e["established_on"] <= end and (e["closed_on"] is None or e["closed_on"] > end)
        ]
        assert sizes[size] == (len(rows), len(still_open))
    assert {s.label for s in summary.enterprises_by_size} == {"微型", "小型", "中型", "大型"}

    employed = {s["person_id"] for s in tiny_rows["employment_spells"] if _running(s, end)}
    insured = {e["person_id"] for e in tiny_rows["insurance_enrolments"] if _running(e, end)}
    assert summary.employed == len(employed)
    assert summary.insured == len(insured)
    pension = {
        e["person_id"]
        for e in tiny_rows["insurance_enrolments"]
        if e["scheme"] == "pension" and _running(e, end)
    }
    by_scheme = {s.scheme: s.persons for s in summary.insured_by_scheme}
    assert by_scheme["pension"] == len(pension)
    assert by_scheme["injury"] == 0


def test_benefit_and_contribution_totals_are_exact(
    tiny_registry: Path, tiny_rows: Rows, manifest: dict[str, Any]
) -> None:
    end = date.fromisoformat(manifest["end_date"])
    summary = summarize(tiny_registry)

    for b in summary.benefits:
        payments = [p for p in tiny_rows["benefit_payments"] if p["benefit"] == b.benefit]
        awards = [a for a in tiny_rows["benefit_awards"] if a["benefit"] == b.benefit]
        running = [a for a in awards if _running(a, end)]
        assert b.payments == len(payments)
        assert b.paid_amount == sum((p["amount"] for p in payments), Decimal(0))
        assert b.awards == len(awards)
        assert b.running_awards == len(running)
        assert b.running_monthly_amount == sum((a["monthly_amount"] for a in running), Decimal(0))
    total = sum((p["amount"] for p in tiny_rows["benefit_payments"]), Decimal(0))
    assert summary.benefit_paid_total == total
    employer = sum((c["employer_amount"] for c in tiny_rows["contributions"]), Decimal(0))
    employee = sum((c["employee_amount"] for c in tiny_rows["contributions"]), Decimal(0))
    assert summary.contributions_employer_total == employer
    assert summary.contributions_employee_total == employee

    # JSON keeps every cent: decimals are written as exact strings
    data = json.loads(summary.model_dump_json())
    assert Decimal(data["benefit_paid_total"]) == total


def test_anomalies_by_kind_from_the_ground_truth(tiny_registry: Path) -> None:
    truth = pq.read_table(tiny_registry / "ground_truth" / "anomalies.parquet").to_pylist()
    expected = Counter(row["kind"] for row in truth)
    summary = summarize(tiny_registry)
    assert summary.anomalies is not None
    assert {a.kind: a.count for a in summary.anomalies} == dict(expected)


def test_an_earlier_date_changes_who_counts(tiny_registry: Path, tiny_rows: Rows) -> None:
    day = date(2020, 1, 1)
    summary = summarize(tiny_registry, as_of=day)
    assert summary.as_of == day
    assert summary.living == len(_living(tiny_rows, day))
    employed = {s["person_id"] for s in tiny_rows["employment_spells"] if _running(s, day)}
    assert summary.employed == len(employed)


def test_english_labels(tiny_registry: Path) -> None:
    summary = summarize(tiny_registry, locale="en")
    assert summary.age_bands[-1].label.endswith("years and over")
    assert summary.persons_by_city[0].name == "济南市"  # place names stay Chinese


def test_a_missing_registry_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as exc:
        summarize(tmp_path / "none")
    assert exc.value.key == "registry.not_built"
