"""OpenFisca's input preparation: what its model reads, taken from ``registry.duckdb``.

OpenFisca has no joins, so whatever needs the rows of another table (an enterprise's
contributions, a certificate holder's enrolments) is aggregated here in DuckDB, down to
the entity and month — the granularity OpenFisca's periods handle — and turned into
NumPy arrays, one per variable and month. The benchmark times this apart from the
OpenFisca calculation and counts it in OpenFisca's end-to-end time.

Every query returns ``i``, the entity's row (``rowid``) in its table, so the arrays are
filled by position without sorting identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
from openfisca_core.periods import period as to_period
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

Array = np.ndarray[Any, Any]


@dataclass
class Inputs:
    """The arrays of one entity: ``fixed`` (ETERNITY variables) and ``monthly`` ones."""

    ids: Array
    fixed: dict[str, Array] = field(default_factory=dict)
    monthly: dict[str, dict[str, Array]] = field(default_factory=dict)
    """variable → month (``YYYY-MM``) → array."""

    @property
    def count(self) -> int:
        return int(self.ids.size)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> dict[str, Array]:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return {k: np.asarray(v) for k, v in con.sql(sql, params=used).fetchnumpy().items()}


def _by_month(
    rows: dict[str, Array], n: int, columns: Mapping[str, str], dtype: Mapping[str, Any]
) -> dict[str, dict[str, Array]]:
    """Long rows (``i``, ``month``, values) → per variable, per month, an array of ``n``."""
    months, k = np.unique(rows["month"].astype("datetime64[M]"), return_inverse=True)
    out: dict[str, dict[str, Array]] = {}
    for column, variable in columns.items():
        grid = np.zeros((months.size, n), dtype=dtype[variable])
        if column == "*":  # presence of a row
            grid[k, rows["i"]] = True
        else:
            grid[k, rows["i"]] = rows[column]
        out[variable] = {str(m): grid[j] for j, m in enumerate(months)}
    return out


def _scatter(n: int, i: Array, values: Array, dtype: Any, fill: Any = 0) -> Array:
    out = np.full(n, fill, dtype=dtype)
    out[i] = values
    return out


# -- 失业保险稳岗返还 ---------------------------------------------------------------------

_ENTERPRISES = """
SELECT rowid AS i, enterprise_id,
       CASE size WHEN 'micro' THEN 0 WHEN 'small' THEN 1 WHEN 'medium' THEN 2
                 WHEN 'large' THEN 3 END AS size,
       labour_dispatch, coalesce(closed_on, DATE '9999-12-31') AS closed_on
FROM enterprises
"""
_ENTERPRISE_ROWS = "(SELECT rowid AS i, enterprise_id FROM enterprises)"

_CONTRIBUTIONS = f"""
WITH monthly AS (
    SELECT enterprise_id, period AS month,
           sum(employer_amount + employee_amount) FILTER (WHERE NOT back_payment) AS paid
    FROM contributions
    WHERE scheme = 'unemployment' AND period < $year_start
    GROUP BY ALL
)
SELECT e.i, m.month, CAST(coalesce(m.paid, 0) * 100 AS BIGINT) AS paid
FROM monthly m JOIN {_ENTERPRISE_ROWS} e USING (enterprise_id)
"""

_ENROLMENTS = f"""
WITH m AS (
    SELECT CAST(d AS DATE) AS month, CAST(d + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS last
    FROM range(CAST($first AS TIMESTAMP), CAST($year_start AS TIMESTAMP), INTERVAL 1 MONTH) t(d)
),
n AS (
    SELECT enterprise_id, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM insurance_enrolments
    WHERE scheme = 'unemployment' AND kind = 'employee'
      AND start_date < $year_start AND (end_date IS NULL OR end_date >= $first)
),
monthly AS (
    SELECT n.enterprise_id, m.month,
           count(*) AS touching, count(*) FILTER (WHERE n.end_date >= m.last) AS at_end
    FROM n JOIN m ON n.start_date <= m.last AND n.end_date >= m.month
    GROUP BY ALL
)
SELECT e.i, monthly.* EXCLUDE (enterprise_id)
FROM monthly JOIN {_ENTERPRISE_ROWS} e USING (enterprise_id)
"""

_SEPARATIONS = f"""
WITH monthly AS (
    SELECT enterprise_id, CAST(date_trunc('month', end_date) AS DATE) AS month,
           count(*) AS separations
    FROM employment_spells
    WHERE end_reason IN ('dismissed', 'contract_end', 'closed')
      AND end_date >= $prev_year_start AND end_date < $year_start
    GROUP BY ALL
)
SELECT e.i, monthly.* EXCLUDE (enterprise_id)
FROM monthly JOIN {_ENTERPRISE_ROWS} e USING (enterprise_id)
"""


def job_stabilisation_inputs(con: duckdb.DuckDBPyConnection, as_of: date) -> Inputs:
    """Per enterprise: its register entries; per month before the run year, whether it
    paid unemployment insurance and how much (cents, back payments excluded); per month of
    the previous year (and December before it), enrolments in force on any day and on
    the last day; separations per month of the previous year."""
    year_start = date(as_of.year, 1, 1)
    prev_year_start = date(as_of.year - 1, 1, 1)
    params = {
        "year_start": year_start,
        "prev_year_start": prev_year_start,
        "first": date(as_of.year - 2, 12, 1),
    }
    firms = _fetch(con, _ENTERPRISES, {})
    n = firms["i"].size
    i = firms["i"]
    inputs = Inputs(ids=_scatter(n, i, firms["enterprise_id"], object, ""))
    inputs.fixed = {
        "size": _scatter(n, i, firms["size"], np.int16),
        "labour_dispatch": _scatter(n, i, firms["labour_dispatch"], bool, False),
        "closed_on": _scatter(n, i, firms["closed_on"].astype("datetime64[D]"), "datetime64[D]"),
    }
    paid = _fetch(con, _CONTRIBUTIONS, params)
    if paid["paid"].size and int(paid["paid"].max()) >= 2**31 / 12:
        raise OverflowError("a month's contributions exceed OpenFisca's int32 cents")
    inputs.monthly |= _by_month(
        paid, n, {"*": "contributed", "paid": "paid"}, {"contributed": bool, "paid": np.int32}
    )
    enrolled = _fetch(con, _ENROLMENTS, params)
    inputs.monthly |= _by_month(
        enrolled,
        n,
        {"touching": "insured_in_month", "at_end": "insured_at_month_end"},
        {"insured_in_month": np.int32, "insured_at_month_end": np.int32},
    )
    left = _fetch(con, _SEPARATIONS, params)
    inputs.monthly |= _by_month(
        left, n, {"separations": "separations_in_month"}, {"separations_in_month": np.int32}
    )
    return inputs


# -- 技能提升补贴 --------------------------------------------------------------------------

_CERTIFICATES = """
SELECT rowid AS i, certificate_id,
       CASE level WHEN '初级' THEN 0 WHEN '中级' THEN 1 WHEN '高级' THEN 2
                  WHEN '技师' THEN 3 WHEN '高级技师' THEN 4 END AS level,
       shortage, issued_on
FROM skill_certificates
"""

_HOLDER_MONTHS = """
SELECT DISTINCT c.rowid AS i, u.period AS month
FROM skill_certificates c JOIN contributions u ON u.person_id = c.person_id
WHERE u.scheme = 'unemployment' AND u.period <= $as_of
"""

_AT_ISSUE = """
WITH c AS (
    SELECT rowid AS i, person_id, certificate_id, occupation, issued_on, shortage,
           CASE level WHEN '初级' THEN 1 WHEN '中级' THEN 2 WHEN '高级' THEN 3
                      WHEN '技师' THEN 4 WHEN '高级技师' THEN 5 END AS rank
    FROM skill_certificates
),
enrolled AS (
    SELECT DISTINCT c.i FROM c JOIN insurance_enrolments e USING (person_id)
    WHERE e.scheme = 'unemployment' AND e.kind = 'employee'
      AND e.start_date <= c.issued_on AND (e.end_date IS NULL OR e.end_date >= c.issued_on)
),
claiming AS (
    SELECT DISTINCT c.i FROM c JOIN benefit_awards a USING (person_id)
    WHERE a.benefit = 'unemployment'
      AND a.start_date <= c.issued_on AND (a.end_date IS NULL OR a.end_date >= c.issued_on)
),
earlier AS (
    SELECT c.i,
           count(*) FILTER (WHERE o.occupation = c.occupation AND o.rank >= c.rank)
               AS same_or_higher,
           count(*) FILTER (WHERE o.rank <= 3 AND year(o.issued_on) = year(c.issued_on))
               AS this_year,
           count(*) FILTER (WHERE o.rank <= 3 AND NOT o.shortage
                            AND year(o.issued_on) = year(c.issued_on)) AS general_this_year
    FROM c JOIN c AS o ON o.person_id = c.person_id
        AND (o.issued_on < c.issued_on
             OR (o.issued_on = c.issued_on AND o.certificate_id < c.certificate_id))
    GROUP BY c.i
)
SELECT c.i,
       c.i IN (SELECT i FROM enrolled) AS insured_at_issue,
       c.i IN (SELECT i FROM claiming) AS claiming_at_issue,
       coalesce(earlier.same_or_higher, 0) AS same_or_higher_before,
       coalesce(earlier.this_year, 0) AS earlier_this_year,
       coalesce(earlier.general_this_year, 0) AS earlier_general_this_year
FROM c LEFT JOIN earlier USING (i)
"""


def skill_subsidy_inputs(con: duckdb.DuckDBPyConnection, as_of: date) -> Inputs:
    """Per certificate: its columns; per month up to the run date, whether its holder
    paid unemployment insurance; at its issue date, enrolled or claiming, and the holder's
    earlier certificates (same occupation and level or higher; earlier the same year)."""
    certs = _fetch(con, _CERTIFICATES, {})
    n = certs["i"].size
    i = certs["i"]
    inputs = Inputs(ids=_scatter(n, i, certs["certificate_id"], object, ""))
    inputs.fixed = {
        "level": _scatter(n, i, certs["level"], np.int16),
        "shortage": _scatter(n, i, certs["shortage"], bool, False),
        "issued_on": _scatter(n, i, certs["issued_on"].astype("datetime64[D]"), "datetime64[D]"),
    }
    months = _fetch(con, _HOLDER_MONTHS, {"as_of": as_of})
    inputs.monthly |= _by_month(
        months, n, {"*": "holder_contributed"}, {"holder_contributed": bool}
    )
    at_issue = _fetch(con, _AT_ISSUE, {})
    for name, dtype in (
        ("insured_at_issue", bool),
        ("claiming_at_issue", bool),
        ("same_or_higher_before", np.int32),
        ("earlier_this_year", np.int32),
        ("earlier_general_this_year", np.int32),
    ):
        inputs.fixed[name] = _scatter(n, at_issue["i"], at_issue[name], dtype)
    return inputs


# -- simulation ----------------------------------------------------------------------------


def simulation(system: TaxBenefitSystem, inputs: Inputs) -> Simulation:
    """A simulation of ``inputs.count`` entities with every input set."""
    sim = SimulationBuilder().build_default_simulation(system, count=inputs.count)
    for name, values in inputs.fixed.items():
        sim.set_input(name, to_period("eternity"), values)
    for name, by_month in inputs.monthly.items():
        for month, values in by_month.items():
            sim.set_input(name, to_period(month), values)
    return sim
