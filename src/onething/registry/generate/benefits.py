"""Benefit awards (待遇核定) and their monthly payments (待遇发放).

- **Employee pension** (企业职工基本养老金) for every employee or flexible worker whose
  pension start (statutory age, or early with a special-job or illness basis) has come,
  awarded by the county of the last employer; amounts around 3,000 yuan a month.
- **Resident pension** (城乡居民养老金) from the month after the 60th birthday (not before
  July 2011) for others; amounts around 200–400 yuan.
- **Unemployment benefit** (失业保险金) for about 20 % of involuntary job losers with at
  least a year of service: 12, 18 or 24 months by years of contributions (《失业保险条例》
  art. 17), stopping at a new job, the pension, or death; never for people with a prison
  record. The amount is 90 % of the city's minimum wage (illustrative figures).

Payments run monthly over the history window until the award ends; in the clean data
they stop with the month of death and skip the months of a prison term (a month whose
first day lies after the start of the term and not after the release).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    Columns,
    date_col,
    day,
    decimal_col,
    expand,
    id_col,
    month_end,
    month_of,
    month_start,
    order_by,
    take_text,
)
from onething.registry.generate.employment import (
    BASES,
    EMPLOYEE,
    INVOLUNTARY,
    INVOLUNTARY_UNEMPLOYMENT,
    NORMAL,
    NOT_INSURED,
    Careers,
    Spells,
)
from onething.registry.generate.frame import (
    PENSION_PAY_DAY,
    RESIDENT_PENSION_START,
    UNEMPLOYMENT_PAY_DAY,
    Frame,
)
from onething.registry.generate.people import People

BENEFITS = ("pension", "resident_pension", "unemployment")
PENSION, RESIDENT_PENSION, UNEMPLOYMENT = range(3)
PAY_DAY = np.array([PENSION_PAY_DAY, PENSION_PAY_DAY, UNEMPLOYMENT_PAY_DAY])

# Monthly unemployment benefit by city: 90 % of an illustrative three-tier minimum wage.
_UI_BY_CITY = {
    "3701": 198_000, "3702": 198_000, "3703": 198_000, "3705": 198_000, "3706": 198_000,
    "3710": 198_000, "3707": 180_000, "3708": 180_000, "3709": 180_000, "3711": 180_000,
    "3716": 180_000, "3704": 162_000, "3713": 162_000, "3714": 162_000, "3715": 162_000,
    "3717": 162_000,
}  # fmt: skip


@dataclass
class Awards(Columns):
    person: Array
    benefit: Array
    basis: Array
    county: Array  # awarding county (index into the geography)
    start: Array
    end: Array  # NO_DATE while running
    monthly: Array  # cents
    pay_past_death: Array  # planted anomaly: payments continue after death
    pay_in_prison: Array  # planted anomaly: payments continue during a prison term

    def sorted(self) -> Awards:
        start = self.start.astype(np.int64) + 40_000  # days since 1860
        return self.select(order_by(self.person, start, self.benefit, widths=(18, 2)))


def new_awards(
    person: Array,
    benefit: int | Array,
    basis: int | Array,
    *,
    county: Array,
    start: Array,
    end: Array,
    monthly: Array,
) -> Awards:
    n = person.size
    return Awards(
        person=person.astype(np.int64),
        benefit=np.broadcast_to(np.asarray(benefit, dtype=np.int8), (n,)).copy(),
        basis=np.broadcast_to(np.asarray(basis, dtype=np.int8), (n,)).copy(),
        county=county.astype(np.int32),
        start=start.astype(np.int32),
        end=end.astype(np.int32),
        monthly=monthly.astype(np.int64),
        pay_past_death=np.zeros(n, dtype=np.bool_),
        pay_in_prison=np.zeros(n, dtype=np.bool_),
    )


def last_employer_county(people: People, spells: Spells, county_of_ent: Array) -> Array:
    """Per person: the county of their last primary employer, else their hukou county."""
    out = people.county.astype(np.int32).copy()
    prim = spells.select(spells.primary).sorted()
    if prim.n:
        last = np.r_[prim.person[1:] != prim.person[:-1], True]
        out[prim.person[last]] = county_of_ent[prim.enterprise[last]]
    return out


def make_awards(
    rng: np.random.Generator,
    people: People,
    careers: Careers,
    spells: Spells,
    *,
    county_of_ent: Array,
    frame: Frame,
) -> Awards:
    end = frame.end
    death = people.death
    # Employee pensions.
    start = careers.pension_start
    due = (careers.kind != NOT_INSURED) & (start <= end) & (death > start)
    p = np.flatnonzero(due)
    home = last_employer_county(people, spells, county_of_ent)
    amount = np.exp(rng.normal(np.log(3_100), 0.3, p.size)) * np.sqrt(careers.wage[p])
    amount = np.where(careers.kind[p] == EMPLOYEE, amount, amount * 0.7)
    pensions = new_awards(
        p,
        PENSION,
        careers.basis[p],
        county=home[p],
        start=start[p],
        end=death[p],
        monthly=np.maximum(np.round(amount * 100), 120_000),
    )
    # Resident pensions from the month after the 60th birthday.
    r_start = np.maximum(
        month_start(month_of(people.birth).astype(np.int64) + 12 * 60 + 1),
        day(RESIDENT_PENSION_START),
    )
    takes = (careers.kind == NOT_INSURED) & (r_start <= end) & (death > r_start)
    r = np.flatnonzero(takes & (rng.random(people.n) < 0.95))
    r_amount = 16_000 + np.round(rng.gamma(2.0, 4_000, r.size))
    residents = new_awards(
        r,
        RESIDENT_PENSION,
        NORMAL,
        county=people.county[r],
        start=r_start[r],
        end=death[r],
        monthly=r_amount,
    )
    unemployment = _unemployment_awards(
        rng, people, careers, spells, county_of_ent=county_of_ent, frame=frame
    )
    return pensions.append(residents).append(unemployment)


def _unemployment_awards(
    rng: np.random.Generator,
    people: People,
    careers: Careers,
    spells: Spells,
    *,
    county_of_ent: Array,
    frame: Frame,
) -> Awards:
    prim = spells.select(spells.primary).sorted()
    same_next = np.r_[prim.person[1:] == prim.person[:-1], False]
    next_start = np.where(same_next, np.r_[prim.start[1:], NO_DATE], NO_DATE).astype(np.int64)
    stop = np.minimum(prim.end.astype(np.int64), frame.end)
    served = stop - prim.start
    first_of_person = np.r_[True, prim.person[1:] != prim.person[:-1]]
    cum = np.cumsum(served)
    base = np.maximum.accumulate(np.where(first_of_person, cum - served, 0))
    tenure = cum - base
    person = prim.person
    horizon = frame.first_period_day - 2 * 366
    eligible = (
        np.isin(prim.reason, INVOLUNTARY)
        & (prim.end != NO_DATE)
        & (prim.end >= horizon)
        & (prim.end < frame.end)
        & (people.prison_start[person] == NO_DATE)
        & (tenure >= 365)
        & (rng.random(prim.n) < 0.2)
    )
    idx = np.flatnonzero(eligible)
    person = person[idx]
    first = month_of(prim.end[idx]).astype(np.int64) + 1
    years = tenure[idx] / 365.2425
    entitled = np.select([years < 5, years < 10], [12, 18], 24)
    last = first + entitled - 1
    nxt = next_start[idx]
    last = np.where(nxt != NO_DATE, np.minimum(last, month_of(nxt) - 1), last)
    last = np.minimum(last, month_of(careers.pension_start[person]) - 1)
    death = people.death[person]
    last = np.minimum(last, month_of(death))
    ok = last >= first
    idx, person, first, last, death = idx[ok], person[ok], first[ok], last[ok], death[ok]
    county = county_of_ent[prim.enterprise[idx]]
    amount = unemployment_amount(county)
    stop_day = np.minimum(month_end(last), death)
    return new_awards(
        person,
        UNEMPLOYMENT,
        INVOLUNTARY_UNEMPLOYMENT,
        county=county,
        start=month_start(first),
        end=stop_day,
        monthly=amount,
    )


def unemployment_amount(county: Array) -> Array:
    """Monthly unemployment benefit (cents) in a county."""
    geo = regions.geography()
    table = np.array([_UI_BY_CITY[c] for c in geo.city_codes], dtype=np.int64)
    out: Array = table[geo.county_city[county]]
    return out


def payment_months(awards: Awards, people: People, frame: Frame) -> tuple[Array, Array]:
    """First and last month paid within the window (before skipping prison months)."""
    first = np.maximum(month_of(awards.start), frame.first_period).astype(np.int64)
    last_paid = np.where(
        awards.benefit == UNEMPLOYMENT,
        frame.last_period(UNEMPLOYMENT_PAY_DAY),
        frame.last_period(PENSION_PAY_DAY),
    )
    last = np.minimum(month_of(awards.end).astype(np.int64), last_paid)
    death = month_of(people.death[awards.person]).astype(np.int64)
    last = np.where(awards.pay_past_death, last, np.minimum(last, death))
    return first, last


def in_prison(people: People, person: Array, period_day: Array) -> Array:
    """Whether the month starting on ``period_day`` falls in the person's prison term."""
    ps = people.prison_start[person]
    pe = people.prison_end[person]
    out: Array = (ps != NO_DATE) & (period_day > ps) & (period_day <= pe)
    return out


def payments_table(
    awards: Awards, people: People, frame: Frame, award_ids: Array
) -> tuple[pa.Table, int]:
    """Monthly payments of the window (awards in award-id order)."""
    first, last = payment_months(awards, people, frame)
    counts = np.maximum(last - first + 1, 0)
    parent, child = expand(counts)
    period = (first[parent] + child).astype(np.int64)
    period_day = month_start(period)
    person = awards.person[parent]
    skip = in_prison(people, person, period_day) & ~awards.pay_in_prison[parent]
    keep = ~skip
    parent, period_day, person = parent[keep], period_day[keep], person[keep]
    geo = regions.geography()
    benefit = awards.benefit[parent]
    table = pa.table(
        {
            "payment_id": pa.array(np.arange(1, parent.size + 1), type=pa.int64()),
            "award_id": pa.array(award_ids[parent], type=pa.int64()),
            "person_id": id_col(people.ids, person),
            "benefit": take_text(BENEFITS, benefit),
            "region_code": take_text([str(c) for c in geo.county_codes], awards.county[parent]),
            "period": date_col(period_day),
            "amount": decimal_col(awards.monthly[parent]),
            "paid_on": date_col(period_day + PAY_DAY[benefit] - 1),
        }
    )
    return table, int(parent.size)


def awards_table(awards: Awards, people: People) -> pa.Table:
    geo = regions.geography()
    return pa.table(
        {
            "award_id": pa.array(np.arange(1, awards.n + 1), type=pa.int64()),
            "person_id": id_col(people.ids, awards.person),
            "benefit": take_text(BENEFITS, awards.benefit),
            "basis": take_text(BASES, awards.basis),
            "region_code": take_text([str(c) for c in geo.county_codes], awards.county),
            "start_date": date_col(awards.start),
            "end_date": date_col(awards.end),
            "monthly_amount": decimal_col(awards.monthly),
        }
    )
