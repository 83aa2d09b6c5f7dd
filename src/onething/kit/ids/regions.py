"""Administrative-division codes (GB/T 2260) as they appear in identifiers.

An identity number keeps the address code that was valid when it was first issued, so
a code that has since been abolished is *historical*, never wrong: 莱芜市 (3712xx) was
merged into 济南 in 2019, yet 371202… numbers are still carried by living people.

What we know, and how sure we are:

- **Shandong (37…)**: the current county-level list (NBS 2023, ``shandong_counties_nbs2023.csv``)
  without the statistical development-zone codes, plus the 16 cities and the province; and
  every Shandong code used since 1980 and since abolished (``gb2260_historical.csv``, taken
  from the ``yescallop/areacodes`` history of the Ministry of Civil Affairs lists). A
  Shandong code in neither list is *unknown*.
- **Development zones** (``37xx7x``, e.g. 370176 济南高新区) are NBS statistical codes, not
  GB/T 2260 divisions; they never appear in an identity number and are reported as such.
- **Other provinces**: we ship no county list, so a code whose first two digits name a
  province-level division (11…65, 71 Taiwan, 81 Hong Kong, 82 Macao) counts as *current*.
  This is a plausibility check only.

``area_status`` is never an error: callers turn *unknown* into a warning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

AreaStatus = Literal["current", "historical", "unknown"]

SHANDONG = "37"
PROVINCE_CODES: frozenset[str] = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
"""Two-digit codes of China's province-level divisions (GB/T 2260)."""

NATIONAL_CODE = "100000"
"""The code a national registration authority uses in positions 3–8 of a credit code."""


@dataclass(frozen=True, slots=True)
class HistoricalArea:
    """A Shandong division code no longer in use, with the years it was valid."""

    code: str
    name: str
    prefecture: str
    since: int
    until: int
    successors: tuple[str, ...]


def _read_csv(name: str) -> list[dict[str, str]]:
    path = resources.files("onething") / "data" / "regions" / name
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def is_development_zone(code: str) -> bool:
    """True for a Shandong NBS statistical development-zone code (``37xx7x``)."""
    return len(code) == 6 and code.startswith(SHANDONG) and code[4] == "7"


@cache
def _shandong_current() -> dict[str, str]:
    names = {SHANDONG + "0000": "山东省"}
    for row in _read_csv("shandong_cities_nbs2023.csv"):
        names[row["code"] + "00"] = row["name"]
    for row in _read_csv("shandong_counties_nbs2023.csv"):
        if not is_development_zone(row["code"]):
            names[row["code"]] = row["name"]
    return names


@cache
def _shandong_historical() -> dict[str, tuple[HistoricalArea, ...]]:
    found: dict[str, list[HistoricalArea]] = {}
    for row in _read_csv("gb2260_historical.csv"):
        area = HistoricalArea(
            code=row["code"],
            name=row["name"],
            prefecture=row["prefecture"],
            since=int(row["since"]),
            until=int(row["until"]),
            successors=tuple(s for s in row["successors"].split(";") if s),
        )
        found.setdefault(area.code, []).append(area)
    return {
        code: tuple(sorted(v, key=lambda a: a.until, reverse=True)) for code, v in found.items()
    }


@cache
def shandong_county_codes() -> tuple[str, ...]:
    """Current Shandong county-level codes that may appear in an identity number.

    The 136 GB/T 2260 districts, counties and county-level cities (development zones
    excluded), sorted; what a generator of synthetic residents should draw from.
    """
    return tuple(sorted(c for c in _shandong_current() if not c.endswith("00")))


def area_status(code: str) -> AreaStatus:
    """Whether a six-digit division code is current, historical or unknown (see module doc)."""
    if len(code) != 6 or not code.isdigit():
        return "unknown"
    if code.startswith(SHANDONG):
        if code in _shandong_current():
            return "current"
        if code in _shandong_historical():
            return "historical"
        return "unknown"
    return "current" if code[:2] in PROVINCE_CODES else "unknown"


def area_name(code: str) -> str | None:
    """The Chinese name of a Shandong code, current or historical (its latest name)."""
    if (name := _shandong_current().get(code)) is not None:
        return name
    if (history := _shandong_historical().get(code)) is not None:
        return history[0].name
    return None


def historical_area(code: str) -> tuple[HistoricalArea, ...]:
    """Every period a Shandong code was in use before it was abolished, latest first."""
    return _shandong_historical().get(code, ())
