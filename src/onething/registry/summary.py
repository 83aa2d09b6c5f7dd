"""``onething registry summary`` and ``GET /api/v1/registry/summary``: a registry at a glance.

Figures are taken "as of" a date — the registry's end date from its manifest (the day a
generated province stops), or the given date, or today in China:

- rows per table, and the manifest (seed, end date, how it was made);
- living persons by city (the 16 cities, with their Chinese names from the regions table)
  and by age band; deaths on or before the date;
- enterprises by size, all and still open;
- persons employed (an employment spell running on the date) and insured (an enrolment
  running on the date), also by scheme;
- benefits: awards, running awards, payments and their exact total, per benefit;
  contributions received (employer and employee shares, exact);
- planted anomalies by kind, when the registry carries its ground truth.

Money is :class:`~decimal.Decimal` end to end (JSON renders it as an exact string).
"""

# ruff: noqa: S608
# SQL here is fixed text and catalog table names; the date is a bound parameter.

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from pydantic import BaseModel, Field

from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.registry import schema
from onething.registry.io.files import quiet
from onething.registry.store import RegistryDir

CHINA_TZ = ZoneInfo("Asia/Shanghai")
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 15),
    (16, 24),
    (25, 34),
    (35, 44),
    (45, 59),
    (60, 69),
    (70, 79),
    (80, None),
)
"""Age bands in whole years: under working age, working age in steps, then 60+ (retirement)."""
_END_DATE_KEYS = ("end_date", "as_of", "end")


class CityCount(BaseModel):
    code: str = Field(description="City division code (37xx00).")
    name: str = Field(description="Chinese name, e.g. 济南市.")
    persons: int = Field(description="Living persons whose household registration is in the city.")


class AgeBand(BaseModel):
    low: int
    high: int | None = Field(description="Inclusive upper age; null for the open top band.")
    label: str
    persons: int


class EnterpriseSize(BaseModel):
    size: str
    label: str
    enterprises: int
    open: int = Field(description="Established on or before the date and not closed by then.")


class SchemeCount(BaseModel):
    scheme: str
    label: str
    persons: int = Field(description="Distinct persons with an enrolment running on the date.")


class BenefitTotal(BaseModel):
    benefit: str
    label: str
    awards: int
    running_awards: int = Field(description="Awards in force on the date.")
    running_monthly_amount: Decimal = Field(description="Monthly amounts of those awards, yuan.")
    payments: int
    paid_amount: Decimal = Field(description="All payments ever made, yuan (exact).")


class AnomalyCount(BaseModel):
    kind: str
    count: int


class RegistrySummary(BaseModel):
    """A registry at a glance (JSON-serialisable; money as exact decimals)."""

    path: str
    as_of: date
    seed: int | None
    end_date: date | None
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    persons: int
    living: int
    deceased: int
    persons_by_city: list[CityCount]
    age_bands: list[AgeBand]
    enterprises_by_size: list[EnterpriseSize]
    employed: int
    insured: int
    insured_by_scheme: list[SchemeCount]
    benefits: list[BenefitTotal]
    benefit_paid_total: Decimal
    contributions_employer_total: Decimal
    contributions_employee_total: Decimal
    anomalies: list[AnomalyCount] | None = Field(
        description="Planted anomalies by kind (ground truth); null when the registry has none."
    )


def _manifest_value(manifest: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for source in (manifest, manifest.get("origin") or {}):
        if isinstance(source, dict):
            for key in keys:
                if source.get(key) is not None:
                    return source[key]
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _scalar(con: duckdb.DuckDBPyConnection, query: str, params: Any = None) -> Any:
    return con.execute(query, params or []).fetchall()[0][0]


def _label(kind: str, value: str, locale: str) -> str:
    return translate(f"registry.summary.{kind}.{value}", locale)


def _band_label(low: int, high: int | None, locale: str) -> str:
    if high is None:
        return translate("registry.summary.age_band_open", locale, low=low)
    return translate("registry.summary.age_band", locale, low=low, high=high)


# Living on the date: born by then, and no death recorded on or before it.
_LIVING = """
    SELECT p.person_id, p.birth_date, p.hukou_region FROM persons p
    WHERE p.birth_date <= $as_of
      AND NOT EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.person_id
                      AND d.death_date <= $as_of)
"""
# Age in whole years: a birthday not reached yet this year does not count.
_AGE = """
    year($as_of) - year(birth_date)
    - CASE WHEN month($as_of) * 100 + day($as_of) < month(birth_date) * 100 + day(birth_date)
           THEN 1 ELSE 0 END
"""
_RUNNING = "start_date <= $as_of AND (end_date IS NULL OR end_date >= $as_of)"


def summarize(
    source: Path, *, as_of: date | None = None, locale: str = DEFAULT_LOCALE
) -> RegistrySummary:
    """Summarise the registry in ``source`` as of ``as_of`` (default: its end date)."""
    registry = RegistryDir(source).require()
    manifest = registry.read_manifest()
    seed = _manifest_value(manifest, ("seed",))
    end_date = _as_date(_manifest_value(manifest, _END_DATE_KEYS))
    day = as_of or end_date or datetime.now(CHINA_TZ).date()
    con = quiet(registry.connect())
    try:
        return _summarize(
            con=con,
            registry=registry,
            manifest=manifest,
            seed=seed,
            end_date=end_date,
            day=day,
            locale=locale,
        )
    finally:
        con.close()


def _summarize(
    *,
    con: duckdb.DuckDBPyConnection,
    registry: RegistryDir,
    manifest: dict[str, Any],
    seed: Any,
    end_date: date | None,
    day: date,
    locale: str,
) -> RegistrySummary:
    p = {"as_of": day}
    counts = {name: int(_scalar(con, f'SELECT count(*) FROM "{name}"')) for name in schema.tables()}
    living = int(_scalar(con, f"SELECT count(*) FROM ({_LIVING})", p))
    deceased = int(_scalar(con, "SELECT count(*) FROM deaths WHERE death_date <= $as_of", p))

    city_rows = con.execute(
        f"""
        WITH living AS ({_LIVING}),
        city_of AS (
            SELECT code, CASE level WHEN 'city' THEN code WHEN 'county' THEN parent_code END
                   AS city
            FROM regions)
        SELECT r.code, r.name, count(l.person_id)
        FROM regions r
        LEFT JOIN city_of c ON c.city = r.code
        LEFT JOIN living l ON l.hukou_region = c.code
        WHERE r.level = 'city'
        GROUP BY r.code, r.name ORDER BY r.code
        """,
        p,
    ).fetchall()
    cities = [CityCount(code=c, name=n, persons=int(k)) for c, n, k in city_rows]
    unplaced = living - sum(c.persons for c in cities)
    if unplaced:
        cities.append(
            CityCount(
                code="", name=translate("registry.summary.unknown_city", locale), persons=unplaced
            )
        )

    ages = dict(
        con.execute(
            f"SELECT {_AGE} AS age, count(*) FROM ({_LIVING}) GROUP BY age",
            p,
        ).fetchall()
    )
    bands = [
        AgeBand(
            low=low,
            high=high,
            label=_band_label(low, high, locale),
            persons=sum(n for a, n in ages.items() if a >= low and (high is None or a <= high)),
        )
        for low, high in AGE_BANDS
    ]

    size_rows = {
        s: (int(total), int(open_))
        for s, total, open_ in con.execute(
            """
            SELECT size, count(*),
                   count(*) FILTER (WHERE established_on <= $as_of
                                    AND (closed_on IS NULL OR closed_on > $as_of))
            FROM enterprises GROUP BY size
            """,
            p,
        ).fetchall()
    }
    sizes = [
        EnterpriseSize(
            size=s,
            label=_label("size", s, locale),
            enterprises=size_rows.get(s, (0, 0))[0],
            open=size_rows.get(s, (0, 0))[1],
        )
        for s in schema.table("enterprises").field("size").enum or ()
    ]

    employed = int(
        _scalar(con, f"SELECT count(DISTINCT person_id) FROM employment_spells WHERE {_RUNNING}", p)
    )
    insured = int(
        _scalar(
            con, f"SELECT count(DISTINCT person_id) FROM insurance_enrolments WHERE {_RUNNING}", p
        )
    )
    scheme_rows = dict(
        con.execute(
            "SELECT scheme, count(DISTINCT person_id) FROM insurance_enrolments "
            f"WHERE {_RUNNING} GROUP BY scheme",
            p,
        ).fetchall()
    )
    schemes = [
        SchemeCount(scheme=s, label=_label("scheme", s, locale), persons=int(scheme_rows.get(s, 0)))
        for s in schema.table("insurance_enrolments").field("scheme").enum or ()
    ]

    benefits = _benefits(con, p, locale)
    employer, employee = con.execute(
        "SELECT coalesce(sum(employer_amount), 0), coalesce(sum(employee_amount), 0) "
        "FROM contributions"
    ).fetchall()[0]

    return RegistrySummary(
        path=str(registry.root),
        as_of=day,
        seed=int(seed) if isinstance(seed, int | str) and str(seed).isdigit() else None,
        end_date=end_date,
        manifest=manifest,
        row_counts=counts,
        persons=counts["persons"],
        living=living,
        deceased=deceased,
        persons_by_city=cities,
        age_bands=bands,
        enterprises_by_size=sizes,
        employed=employed,
        insured=insured,
        insured_by_scheme=schemes,
        benefits=benefits,
        benefit_paid_total=sum((b.paid_amount for b in benefits), Decimal("0.00")),
        contributions_employer_total=Decimal(employer),
        contributions_employee_total=Decimal(employee),
        anomalies=_anomalies(con, registry),
    )


def _benefits(con: duckdb.DuckDBPyConnection, p: dict[str, Any], locale: str) -> list[BenefitTotal]:
    awards = {
        b: (int(n), int(running), Decimal(monthly))
        for b, n, running, monthly in con.execute(
            f"""
            SELECT benefit, count(*), count(*) FILTER (WHERE {_RUNNING}),
                   coalesce(sum(monthly_amount) FILTER (WHERE {_RUNNING}), 0)
            FROM benefit_awards GROUP BY benefit
            """,
            p,
        ).fetchall()
    }
    paid = {
        b: (int(n), Decimal(total))
        for b, n, total in con.execute(
            "SELECT benefit, count(*), coalesce(sum(amount), 0) FROM benefit_payments "
            "GROUP BY benefit"
        ).fetchall()
    }
    zero = Decimal("0.00")
    return [
        BenefitTotal(
            benefit=b,
            label=_label("benefit", b, locale),
            awards=awards.get(b, (0, 0, zero))[0],
            running_awards=awards.get(b, (0, 0, zero))[1],
            running_monthly_amount=awards.get(b, (0, 0, zero))[2],
            payments=paid.get(b, (0, zero))[0],
            paid_amount=paid.get(b, (0, zero))[1],
        )
        for b in schema.table("benefit_awards").field("benefit").enum or ()
    ]


def _anomalies(con: duckdb.DuckDBPyConnection, registry: RegistryDir) -> list[AnomalyCount] | None:
    path = registry.anomalies_file
    if not path.exists():
        return None
    columns = {
        str(row[0])
        for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    }
    if "kind" not in columns:
        total = int(_scalar(con, "SELECT count(*) FROM read_parquet(?)", [str(path)]))
        return [AnomalyCount(kind="", count=total)]
    return [
        AnomalyCount(kind=str(k), count=int(n))
        for k, n in con.execute(
            "SELECT kind, count(*) FROM read_parquet(?) GROUP BY kind ORDER BY kind",
            [str(path)],
        ).fetchall()
    ]
