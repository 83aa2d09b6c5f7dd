"""A tiny, hand-made, valid registry: a dozen people in seven Shandong counties.

Independent of the big generator: every row is written out here, identifiers are made
checksum-valid with ``onething.kit.ids`` (fictitious numbers), and the expected figures of
the tests are computed from these rows in Python, not read back from the code under test.

Fixtures:
- ``tiny_rows``: the rows per table (a fresh copy each test, to break on purpose);
- ``write_source``: writes rows as ``<table>.parquet`` (catalog schema) or ``<table>.csv``;
- ``tiny_registry``: a complete registry folder built from the rows (Parquet, DuckDB,
  catalog, manifest with seed and end date, ground truth), without going through the
  import (session-scoped: read it, never change it);
- ``make_registry``: builds such a folder from any rows, unchecked (to load bad data).
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onething.kit.ids import make_credit_code, make_resident_id
from onething.registry import schema
from onething.registry.io.regions import shipped_region_rows
from onething.registry.store import RegistryDir, build_duckdb_from_parquet

Rows = dict[str, list[dict[str, Any]]]
WriteSource = Callable[..., Path]

END_DATE = date(2024, 12, 31)
SEED = 20240101
D = Decimal

_PEOPLE = [
    # area, birth, seq, name, mobile, education
    ("370102", date(1960, 5, 1), 11, "张建国", "13800138000", "senior"),
    ("370102", date(1988, 3, 7), 12, "李秀英", "13912345678", "bachelor"),
    ("370211", date(1992, 12, 31), 13, "王磊", None, "college"),
    ("370211", date(2010, 6, 15), 14, "王小雨", None, None),
    ("370303", date(1975, 1, 20), 15, "赵志强", "15066668888", "vocational"),
    ("370303", date(1950, 8, 8), 16, "孙桂兰", None, "primary"),
    ("370602", date(1999, 9, 9), 17, "周浩", "18653501234", "bachelor"),
    ("370702", date(1940, 2, 29), 18, "吴玉珍", None, "primary"),
    ("371302", date(2001, 4, 4), 19, "郑宇", "17353900001", "junior"),
    ("371702", date(1985, 10, 10), 21, "冯刚", "19853000002", "senior"),
    ("371702", date(1970, 7, 7), 22, "陈丽", None, "junior"),
    ("370102", date(2020, 1, 1), 23, "李安安", None, None),
]


def _persons() -> tuple[list[str], list[dict[str, Any]]]:
    ids, rows = [], []
    for area, birth, seq, name, mobile, education in _PEOPLE:
        pid = make_resident_id(area, birth, seq)
        ids.append(pid)
        rows.append(
            {
                "person_id": pid,
                "name": name,
                "sex": "M" if seq % 2 else "F",
                "birth_date": birth,
                "hukou_region": area,
                "household_id": None,
                "mobile": mobile,
                "education": education,
            }
        )
    return ids, rows


def build_rows() -> Rows:
    """Every catalog table's rows (regions: the shipped Shandong list)."""
    p, persons = _persons()
    households = [
        ("H370102000001", 0, [0, 1, 11], "济南市历下区泉城路1号"),
        ("H370211000001", 2, [2, 3], "青岛市黄岛区长江路2号"),
        ("H370303000001", 4, [4, 5], "淄博市张店区人民路3号"),
        ("H370602000001", 6, [6], "烟台市芝罘区南大街4号"),
        ("H370702000001", 7, [7], "潍坊市潍城区胜利街5号"),
        ("H371302000001", 8, [8], "临沂市兰山区沂蒙路6号"),
        ("H371702000001", 9, [9, 10], "菏泽市牡丹区中华路7号"),
    ]
    household_rows = []
    for hid, head, members, address in households:
        for m in members:
            persons[m]["household_id"] = hid
        household_rows.append(
            {
                "household_id": hid,
                "head_id": p[head],
                "region_code": persons[head]["hukou_region"],
                "address": address,
            }
        )
    e = [
        make_credit_code("370102", "MA3C0001"),
        make_credit_code("370211", "MA3C0002"),
        make_credit_code("370303", "MA3C0003"),
        make_credit_code("371702", "MA3C0004"),
    ]
    enterprises = [
        _enterprise(
            e[0],
            "济南泉城机械有限公司",
            "370102",
            "C",
            "large",
            date(1984, 6, 1),
            None,
            False,
            p[0],
            date(1985, 1, 1),
        ),
        _enterprise(
            e[1],
            "青岛黄海物流有限公司",
            "370211",
            "G",
            "medium",
            date(2009, 3, 1),
            None,
            False,
            None,
            date(2010, 5, 1),
        ),
        _enterprise(
            e[2],
            "淄博鲁中人力资源有限公司",
            "370303",
            "L",
            "small",
            date(1999, 12, 1),
            None,
            True,
            p[4],
            None,
        ),
        _enterprise(
            e[3],
            "菏泽牡丹花卉店",
            "371702",
            "F",
            "micro",
            date(2017, 5, 1),
            date(2023, 6, 30),
            False,
            p[9],
            date(2017, 6, 1),
        ),
    ]
    spells = [
        (1, 1, 0, date(2015, 7, 1), None, None),
        (2, 2, 1, date(2016, 9, 1), None, None),
        (3, 4, 2, date(2000, 3, 1), None, None),
        (4, 9, 3, date(2018, 1, 1), date(2023, 6, 30), "closed"),
        (5, 9, 0, date(2023, 8, 1), None, None),
        (6, 6, 1, date(2020, 1, 1), date(2024, 3, 31), "dismissed"),
        (7, 0, 0, date(1985, 1, 1), date(2020, 5, 31), "retired"),
        (8, 10, 2, date(2005, 1, 1), date(2015, 12, 31), "resigned"),
    ]
    employment = [
        {
            "spell_id": sid,
            "person_id": p[pi],
            "enterprise_id": e[ei],
            "start_date": start,
            "end_date": end,
            "end_reason": reason,
        }
        for sid, pi, ei, start, end, reason in spells
    ]
    enrol = [
        (1, 1, "pension", "employee", 0, "370102", date(2015, 7, 1), None),
        (2, 1, "medical", "employee", 0, "370102", date(2015, 7, 1), None),
        (3, 2, "pension", "employee", 1, "370211", date(2016, 9, 1), None),
        (4, 4, "pension", "employee", 2, "370303", date(2000, 3, 1), None),
        (5, 9, "pension", "employee", 0, "370102", date(2023, 8, 1), None),
        (6, 8, "pension", "flexible", None, "371302", date(2022, 1, 1), None),
        (7, 6, "unemployment", "employee", 1, "370211", date(2020, 1, 1), date(2024, 3, 31)),
        (8, 7, "pension", "resident", None, "370702", date(2000, 1, 1), None),
        (9, 0, "pension", "employee", 0, "370102", date(1985, 1, 1), date(2020, 5, 31)),
    ]
    enrolments = [
        {
            "enrolment_id": i,
            "person_id": p[pi],
            "scheme": scheme,
            "kind": kind,
            "enterprise_id": None if ei is None else e[ei],
            "region_code": region,
            "start_date": start,
            "end_date": end,
        }
        for i, pi, scheme, kind, ei, region, start, end in enrol
    ]
    contrib = [
        (
            1,
            0,
            "pension",
            date(2024, 10, 1),
            "6000.00",
            "960.00",
            "480.00",
            date(2024, 10, 15),
            False,
        ),
        (
            1,
            0,
            "pension",
            date(2024, 11, 1),
            "6000.00",
            "960.00",
            "480.00",
            date(2024, 11, 15),
            False,
        ),
        (
            1,
            0,
            "pension",
            date(2024, 12, 1),
            "6000.00",
            "960.00",
            "480.00",
            date(2024, 12, 16),
            False,
        ),
        (
            1,
            0,
            "medical",
            date(2024, 12, 1),
            "6000.00",
            "420.00",
            "120.00",
            date(2024, 12, 16),
            False,
        ),
        (
            2,
            1,
            "pension",
            date(2024, 12, 1),
            "4523.37",
            "723.74",
            "361.87",
            date(2024, 12, 20),
            False,
        ),
        (
            8,
            None,
            "pension",
            date(2024, 11, 1),
            "4000.00",
            "0.00",
            "800.00",
            date(2024, 12, 2),
            True,
        ),
        (
            8,
            None,
            "pension",
            date(2024, 12, 1),
            "4000.00",
            "0.00",
            "800.00",
            date(2024, 12, 2),
            False,
        ),
        (
            9,
            0,
            "pension",
            date(2024, 12, 1),
            "5100.10",
            "816.02",
            "408.01",
            date(2024, 12, 16),
            False,
        ),
    ]
    contributions = [
        {
            "person_id": p[pi],
            "enterprise_id": None if ei is None else e[ei],
            "scheme": scheme,
            "period": period,
            "base": D(base),
            "employer_amount": D(er),
            "employee_amount": D(ee),
            "paid_on": paid,
            "back_payment": back,
        }
        for pi, ei, scheme, period, base, er, ee, paid, back in contrib
    ]
    award = [
        (1, 0, "pension", "normal", "370102", date(2020, 6, 1), None, "3456.78"),
        (2, 5, "pension", "normal", "370303", date(2010, 9, 1), None, "2100.50"),
        (3, 7, "resident_pension", "normal", "370702", date(2005, 3, 1), None, "205.00"),
        (
            4,
            6,
            "unemployment",
            "involuntary_unemployment",
            "370602",
            date(2024, 4, 1),
            date(2025, 3, 31),
            "1854.00",
        ),
    ]
    awards = [
        {
            "award_id": i,
            "person_id": p[pi],
            "benefit": benefit,
            "basis": basis,
            "region_code": region,
            "start_date": start,
            "end_date": end,
            "monthly_amount": D(amount),
        }
        for i, pi, benefit, basis, region, start, end, amount in award
    ]
    pay = [
        (1, 1, 0, "pension", "370102", date(2024, 10, 1), "3456.78"),
        (2, 1, 0, "pension", "370102", date(2024, 11, 1), "3456.78"),
        (3, 1, 0, "pension", "370102", date(2024, 12, 1), "3456.78"),
        (4, 2, 5, "pension", "370303", date(2023, 4, 1), "2100.50"),
        (5, 2, 5, "pension", "370303", date(2023, 5, 1), "2100.50"),
        (6, 2, 5, "pension", "370303", date(2023, 6, 1), "2100.50"),
        (7, 3, 7, "resident_pension", "370702", date(2024, 12, 1), "205.00"),
        (8, 4, 6, "unemployment", "370602", date(2024, 11, 1), "1854.00"),
        (9, 4, 6, "unemployment", "370602", date(2024, 12, 1), "1854.01"),
    ]
    payments = [
        {
            "payment_id": i,
            "award_id": a,
            "person_id": p[pi],
            "benefit": benefit,
            "region_code": region,
            "period": period,
            "amount": D(amount),
            "paid_on": date(period.year, period.month, 10),
        }
        for i, a, pi, benefit, region, period, amount in pay
    ]
    return {
        "regions": [dict(r) for r in shipped_region_rows()],
        "persons": persons,
        "households": household_rows,
        "enterprises": enterprises,
        "employment_spells": employment,
        "insurance_enrolments": enrolments,
        "contributions": contributions,
        "benefit_awards": awards,
        "benefit_payments": payments,
        "deaths": [{"person_id": p[5], "death_date": date(2023, 5, 1), "source": "civil_affairs"}],
        "incarcerations": [
            {
                "incarceration_id": 1,
                "person_id": p[10],
                "start_date": date(2019, 1, 1),
                "end_date": date(2020, 12, 31),
            }
        ],
        "skill_certificates": [
            _certificate("S2019370211000001", p[2], "电工", "中级", True, date(2019, 6, 1)),
            _certificate("S2012370303000002", p[4], "焊工", "高级", False, date(2012, 1, 1)),
        ],
        "licenses": [
            {
                "license_id": "L-ID-0001",
                "license_type": "id_card",
                "holder_kind": "person",
                "holder_id": p[1],
                "issuer": "济南市公安局历下分局",
                "issued_on": date(2015, 1, 1),
                "valid_until": date(2035, 1, 1),
            },
            {
                "license_id": "L-BL-0001",
                "license_type": "business_licence",
                "holder_kind": "enterprise",
                "holder_id": e[0],
                "issuer": "济南市市场监督管理局",
                "issued_on": date(1984, 6, 1),
                "valid_until": None,
            },
        ],
    }


def _enterprise(
    eid: str,
    name: str,
    region: str,
    industry: str,
    size: str,
    established: date,
    closed: date | None,
    dispatch: bool,
    legal_rep: str | None,
    insured: date | None,
) -> dict[str, Any]:
    return {
        "enterprise_id": eid,
        "name": name,
        "region_code": region,
        "industry": industry,
        "size": size,
        "established_on": established,
        "closed_on": closed,
        "labour_dispatch": dispatch,
        "legal_rep_id": legal_rep,
        "insured_on": insured,
    }


def _certificate(
    cid: str, pid: str, occupation: str, level: str, shortage: bool, issued: date
) -> dict[str, Any]:
    return {
        "certificate_id": cid,
        "person_id": pid,
        "occupation": occupation,
        "level": level,
        "shortage": shortage,
        "issued_on": issued,
    }


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_parquet_table(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    t = schema.table(table)
    pq.write_table(pa.Table.from_pylist(rows, schema=t.arrow_schema()), path)


def write_csv_table(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    """A CSV as a person or a spreadsheet would write it: header, plain text cells."""
    columns = schema.table(table).columns
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])


def write_source_files(
    folder: Path, rows: Rows, fmt: str = "parquet", tables: Iterable[str] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in tables if tables is not None else rows:
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            write_parquet_table(path, name, rows[name])
        else:
            write_csv_table(path, name, rows[name])
    return folder


ANOMALIES = [
    {"kind": "pension_after_death", "entity": "person", "entity_id_index": 5},
    {"kind": "pension_after_death", "entity": "person", "entity_id_index": 5},
    {"kind": "benefit_while_employed", "entity": "person", "entity_id_index": 6},
]


def build_registry(folder: Path, rows: Rows) -> Path:
    """A complete registry folder from ``rows`` (as the generator would leave one)."""
    write_source_files(folder, rows, "parquet")
    registry = RegistryDir(folder)
    build_duckdb_from_parquet(registry)
    registry.write_catalog()
    registry.write_manifest(
        {
            "kind": "test",
            "seed": SEED,
            "end_date": END_DATE.isoformat(),
            "row_counts": {t: len(r) for t, r in rows.items()},
        }
    )
    truth = registry.anomalies_file
    truth.parent.mkdir(parents=True, exist_ok=True)
    person_ids = [r["person_id"] for r in rows["persons"]]
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "kind": a["kind"],
                    "entity": a["entity"],
                    "entity_id": person_ids[a["entity_id_index"]],
                }
                for a in ANOMALIES
            ]
        ),
        truth,
    )
    return folder


@pytest.fixture
def tiny_rows() -> Rows:
    return copy.deepcopy(_ROWS)


@pytest.fixture
def write_source() -> WriteSource:
    return write_source_files


@pytest.fixture(scope="session")
def tiny_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_registry(tmp_path_factory.mktemp("tiny") / "registry", copy.deepcopy(_ROWS))


@pytest.fixture
def make_registry() -> Callable[[Path, Rows], Path]:
    """Builds a registry folder straight from rows (no import checks: may hold bad data)."""
    return build_registry


_ROWS = build_rows()
