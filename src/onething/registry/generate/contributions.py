"""Monthly contributions (社会保险缴费明细), derived from the enrolments.

Contributions are written for the history window, one row per person, employer, scheme and
month (resident schemes once a year), in the order person, scheme, period. The base is the
person's wage, kept between 60 % and 300 % of the average wage of the year (缴费基数上下限).
Rates (illustrative, as commonly applied in Shandong; check the current notices before
relying on them):

- pension 16 % employer (国办发〔2019〕13号 lowered it to 16 %), 8 % employee;
- unemployment 0.7 % employer, 0.3 % employee (1 % in total since 2019);
- work injury 0.2 %–1.9 % by industry class, employer only (人社部发〔2015〕71号);
- employee medical 7 % employer, 2 % employee;
- flexible workers: pension 20 % and medical 7 % of a base they choose, all their own;
- resident medical: the individual contribution of the year (380 yuan in 2023, 400 from
  2024); resident pension: a chosen tier of 300–5,000 yuan a year.

Amounts are exact: ``base × rate`` rounded half up to the cent, in integer arithmetic.
Late registration makes a few contributions back payments (the first one to three months
of a new job, paid together later; ``back_payment`` is true).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from onething.registry.generate.arrays import (
    Array,
    Columns,
    bool_col,
    date_col,
    decimal_col,
    dict_col,
    expand,
    id_col,
    month_of,
    month_start,
    order_by,
    take_text,
)
from onething.registry.generate.employment import Spells
from onething.registry.generate.frame import CONTRIBUTION_PAY_DAY, Frame
from onething.registry.generate.insurance import (
    K_FLEXIBLE,
    K_RESIDENT,
    S_INJURY,
    S_MEDICAL,
    S_PENSION,
    SCHEMES,
    Enrolments,
)
from onething.registry.generate.people import People

if TYPE_CHECKING:
    from onething.registry.generate.world import World

_SCHEME_ORDER = np.array([2, 3, 0, 1])  # alphabetical: injury, medical, pension, unemployment
_MONTH_BASE = -1_400  # 1853: every contribution period lies after it

MODE_WAGE, MODE_FLEXIBLE, MODE_FIXED, MODE_RESIDENT_MEDICAL = range(4)
# Employer and employee rates in 1/10000 of the base, by scheme (injury: by industry).
_EMPLOYER_BP = np.array([1600, 70, 0, 700])
_EMPLOYEE_BP = np.array([800, 30, 0, 200])
_FLEXIBLE_BP = np.array([2000, 0, 0, 700])
_FLEXIBLE_LEVELS = np.array([0.6, 0.8, 1.0, 1.5])
_RESIDENT_PENSION_TIERS = np.array([300, 500, 800, 1000, 1500, 2000, 3000, 5000])
# Illustrative average monthly wage (yuan) for the contribution base: 4,300 in 2015, +6 %/year.
_WAGE_YEAR0, _WAGE_2015 = 2015, 4300.0
_RESIDENT_MEDICAL = {2019: 250, 2020: 280, 2021: 320, 2022: 350, 2023: 380}
_RESIDENT_MEDICAL_LATEST = 400


@dataclass
class Streams(Columns):
    """Runs of contribution rows: ``count`` periods from month ``first`` every ``step``."""

    person: Array
    enterprise: Array
    scheme: Array
    first: Array
    count: Array
    step: Array
    mode: Array
    factor: Array  # wage factor or flexible level
    fixed: Array  # yuan per row for MODE_FIXED
    injury_bp: Array
    paid_offset: Array  # days after the first of the period month
    late: Array  # leading rows paid late, as back payments
    late_paid: Array  # day those rows were paid

    def rows(self) -> Array:
        out: Array = np.maximum(self.count, 0)
        return out


def streams(
    person: Array,
    enterprise: Array | int,
    scheme: Array | int,
    first: Array,
    count: Array,
    *,
    step: int = 1,
    mode: int = MODE_WAGE,
    factor: Array | float = 1.0,
    fixed: Array | int = 0,
    injury_bp: Array | int = 0,
    paid_offset: Array | int = CONTRIBUTION_PAY_DAY - 1,
    late: Array | int = 0,
    late_paid: Array | int = 0,
) -> Streams:
    n = person.size

    def full(v: Array | float, dtype: type) -> Array:
        return np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()

    return Streams(
        person=person.astype(np.int64),
        enterprise=full(enterprise, np.int64),
        scheme=full(scheme, np.int8),
        first=first.astype(np.int64),
        count=count.astype(np.int64),
        step=full(step, np.int64),
        mode=full(mode, np.int8),
        factor=full(factor, np.float64),
        fixed=full(fixed, np.int64),
        injury_bp=full(injury_bp, np.int64),
        paid_offset=full(paid_offset, np.int64),
        late=full(late, np.int64),
        late_paid=full(late_paid, np.int64),
    )


def make_streams(rng: np.random.Generator, w: World, enrol: Enrolments) -> Streams:
    """Contribution streams of the window, from the enrolments."""
    people, careers, spells, ent, frame = w.people, w.careers, w.spells, w.ent, w.frame
    last = frame.last_period(CONTRIBUTION_PAY_DAY)
    first = np.maximum(month_of(enrol.start).astype(np.int64), frame.first_period)
    stop = np.minimum(month_of(np.minimum(enrol.end, frame.end)).astype(np.int64), last)
    count = stop - first + 1
    parts: list[Streams] = []
    paying = enrol.enterprise >= 0
    e = np.flatnonzero(paying & (count > 0))
    late = _late_registration(rng, spells, enrol, rows=e, first=first, frame=frame)
    parts.append(
        streams(
            enrol.person[e],
            enrol.enterprise[e],
            enrol.scheme[e],
            first[e],
            count[e],
            factor=careers.wage[enrol.person[e]],
            injury_bp=ent.injury_rate()[enrol.enterprise[e]],
            late=np.minimum(late, count[e]),
            late_paid=month_start(first[e] + late) + CONTRIBUTION_PAY_DAY - 1,
        )
    )
    f = np.flatnonzero((enrol.kind == K_FLEXIBLE) & (count > 0))
    level = _FLEXIBLE_LEVELS[rng.integers(0, _FLEXIBLE_LEVELS.size, people.n)]
    parts.append(
        streams(
            enrol.person[f],
            -1,
            enrol.scheme[f],
            first[f],
            count[f],
            mode=MODE_FLEXIBLE,
            factor=level[enrol.person[f]],
        )
    )
    parts.append(_annual(rng, enrol, frame))
    return Streams.concat(parts)


def _late_registration(
    rng: np.random.Generator,
    spells: Spells,
    enrol: Enrolments,
    *,
    rows: Array,
    first: Array,
    frame: Frame,
) -> Array:
    """1–3 back-paid months at the start of about 2 % of new jobs (one per person), for
    the enrolments ``rows``."""
    e = rows
    spell = enrol.spell[e]
    new = (spell >= 0) & (enrol.start[e] >= frame.first_period_day)
    chosen = np.zeros(spells.n + 1, dtype=np.int64)
    cand = np.unique(spell[new])
    cand = cand[rng.random(cand.size) < 0.02]
    # At most one late-registered spell per person.
    _, first_of_person = np.unique(spells.person[cand], return_index=True)
    cand = cand[first_of_person]
    chosen[cand] = rng.integers(1, 4, cand.size)
    late = chosen[spell]
    paid = month_start(first[e] + late).astype(np.int64) + CONTRIBUTION_PAY_DAY - 1
    out: Array = np.where(paid <= frame.end, late, 0)
    return out


def _annual(rng: np.random.Generator, enrol: Enrolments, frame: Frame) -> Streams:
    """Resident schemes: one contribution a year."""
    last = frame.last_period(CONTRIBUTION_PAY_DAY)
    y0 = frame.first_period // 12
    parts: list[Streams] = []
    for scheme in (S_PENSION, S_MEDICAL):
        r = np.flatnonzero((enrol.kind == K_RESIDENT) & (enrol.scheme == scheme))
        if scheme == S_PENSION:
            month = rng.integers(0, 11, r.size)  # the month of the year it is paid in
            offset = rng.integers(0, 27, r.size)
        else:
            month = np.zeros(r.size, dtype=np.int64)  # for the year, paid the autumn before
            offset = -rng.integers(10, 100, r.size)
        m0 = y0 * 12 + month
        m0 = np.where(m0 < frame.first_period, m0 + 12, m0)
        begin = month_of(enrol.start[r]).astype(np.int64)
        behind = np.maximum(begin - m0, 0)
        m0 = m0 + 12 * ((behind + 11) // 12)
        stop = np.minimum(month_of(np.minimum(enrol.end[r], frame.end)).astype(np.int64), last)
        count = np.where(stop >= m0, (stop - m0) // 12 + 1, 0)
        # The resident medical contribution is for the year starting on the period.
        if scheme == S_MEDICAL:
            alive_jan = enrol.start[r] <= month_start(m0)
            m0 = np.where(alive_jan, m0, m0 + 12)
            count = np.where(alive_jan, count, np.where(stop >= m0, (stop - m0) // 12 + 1, 0))
        tier = _RESIDENT_PENSION_TIERS[np.minimum(rng.geometric(0.45, r.size) - 1, 7)]
        parts.append(
            streams(
                enrol.person[r],
                -1,
                scheme,
                m0,
                count,
                step=12,
                mode=MODE_FIXED if scheme == S_PENSION else MODE_RESIDENT_MEDICAL,
                fixed=tier,
                paid_offset=offset,
            )
        )
    return Streams.concat(parts)


def sort_streams(s: Streams) -> Streams:
    """Order of the contributions table: person, scheme (alphabetical), period."""
    return s.select(
        order_by(s.person, _SCHEME_ORDER[s.scheme], s.first - _MONTH_BASE, widths=(2, 16))
    )


def _average_wage(years: Array) -> Array:
    out: Array = _WAGE_2015 * 1.06 ** (years - _WAGE_YEAR0).astype(np.float64)
    return out


def _resident_medical(years: Array) -> Array:
    table = np.full(200, _RESIDENT_MEDICAL_LATEST, dtype=np.int64)
    table[:49] = min(_RESIDENT_MEDICAL.values())
    for y, v in _RESIDENT_MEDICAL.items():
        table[y - 1970] = v
    out: Array = table[np.clip(years - 1970, 0, 199)]
    return out


def contribution_chunks(
    s: Streams, people: People, ent_ids: pa.Array, frame: Frame, rows_per_chunk: int
) -> Iterator[pa.Table]:
    """The contributions table in chunks of whole streams (sorted streams in, rows out)."""
    rows = s.rows()
    ends = np.cumsum(rows)
    lo = 0
    while lo < s.n:
        target = (ends[lo - 1] if lo else 0) + rows_per_chunk
        hi = int(np.searchsorted(ends, target, side="right"))
        hi = max(hi, lo + 1)
        yield _contribution_rows(s.select(slice(lo, hi)), people, ent_ids, frame)  # type: ignore[arg-type]
        lo = hi


def _contribution_rows(s: Streams, people: People, ent_ids: pa.Array, frame: Frame) -> pa.Table:
    parent, k = expand(s.rows())
    period = s.first[parent] + k * s.step[parent]
    period_day = month_start(period).astype(np.int64)
    late = k < s.late[parent]
    paid = np.where(late, s.late_paid[parent], period_day + s.paid_offset[parent])
    keep = paid <= frame.end
    if not keep.all():
        parent, period, period_day = parent[keep], period[keep], period_day[keep]
        late, paid = late[keep], paid[keep]
    mode = s.mode[parent]
    scheme = s.scheme[parent].astype(np.int64)
    years = period // 12 + 1970
    average = _average_wage(years)
    wage = np.clip(average * s.factor[parent], 0.6 * average, 3.0 * average)
    fixed = np.where(mode == MODE_RESIDENT_MEDICAL, _resident_medical(years), s.fixed[parent])
    base = np.where(mode >= MODE_FIXED, fixed, np.round(wage).astype(np.int64))
    er_bp = np.where(scheme == S_INJURY, s.injury_bp[parent], _EMPLOYER_BP[scheme])
    ee_bp = np.where(mode == MODE_FLEXIBLE, _FLEXIBLE_BP[scheme], _EMPLOYEE_BP[scheme])
    er_bp = np.where(mode == MODE_WAGE, er_bp, 0)
    ee_bp = np.where(mode >= MODE_FIXED, 10_000, ee_bp)
    enterprise = s.enterprise[parent]
    return pa.table(
        {
            "person_id": id_col(people.ids, s.person[parent]),
            "enterprise_id": dict_col(enterprise, ent_ids),
            "scheme": take_text(SCHEMES, scheme),
            "period": date_col(period_day),
            "base": decimal_col(base * 100),
            "employer_amount": decimal_col((base * er_bp + 50) // 100),
            "employee_amount": decimal_col((base * ee_bp + 50) // 100),
            "paid_on": date_col(paid),
            "back_payment": bool_col(late),
        }
    )
