"""The shipped Shandong division list as rows of the ``regions`` table.

An import whose source has no ``regions`` file checks region codes against this list
and writes it as the registry's ``regions`` table: the province (370000), its 16 cities
(``37xx00``) and the 151 county-level rows of NBS 2023, development zones included and
flagged ``statistical_zone`` (they are statistical codes, never in an identity number).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import pyarrow as pa

from onething.kit.ids.regions import is_development_zone
from onething.registry import schema

PROVINCE_CODE = "370000"
PROVINCE_NAME = "山东省"


def _read(name: str) -> list[dict[str, str]]:
    text = (resources.files("onething") / "data" / "regions" / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def shipped_region_rows() -> tuple[dict[str, str | bool | None], ...]:
    """Province, cities and counties of Shandong, in code order."""
    rows: list[dict[str, str | bool | None]] = [
        {
            "code": PROVINCE_CODE,
            "name": PROVINCE_NAME,
            "level": "province",
            "parent_code": None,
            "statistical_zone": False,
        }
    ]
    for city in _read("shandong_cities_nbs2023.csv"):
        rows.append(
            {
                "code": city["code"] + "00",
                "name": city["name"],
                "level": "city",
                "parent_code": PROVINCE_CODE,
                "statistical_zone": False,
            }
        )
    for county in _read("shandong_counties_nbs2023.csv"):
        rows.append(
            {
                "code": county["code"],
                "name": county["name"],
                "level": "county",
                "parent_code": county["cityCode"] + "00",
                "statistical_zone": is_development_zone(county["code"]),
            }
        )
    return tuple(sorted(rows, key=lambda r: str(r["code"])))


def shipped_regions_arrow() -> pa.Table:
    """The shipped rows with the catalog's Arrow schema of ``regions``."""
    return pa.Table.from_pylist(
        list(shipped_region_rows()), schema=schema.table("regions").arrow_schema()
    )
