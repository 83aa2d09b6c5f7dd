"""Working lives: who is an employee, a flexible worker or neither; employment spells;
retirement dates; and the dates and sizes of enterprises that follow from their staff.

About half of each adult cohort works for enterprises (fewer among the old, who were mostly
farmers). A career is a run of spells from the end of schooling (records start in 1996) to
retirement or death: each spell lasts a few years (log-normal, median 3.5), ends by
resignation, the end of a contract or dismissal, and the next starts in a later month after
a short search (longer after an involuntary loss). A prison term ends the spell it falls in
(dismissed) and the career resumes after release. About 4 % of spells run alongside a longer
main spell at a second employer. Retirement follows the statutory age: 60 for men and 55 for
women, raised gradually from 2025 (全国人大常委会关于实施渐进式延迟法定退休年龄的决定,
2024: one month per four months of birth from the 1965 cohort of men and the 1970 cohort of
women, at most three years); a few retire early with a recorded basis (special jobs 55/45,
illness 50/45, 国发〔1978〕104号).
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
    choose,
    date_col,
    id_col,
    month_of,
    month_start,
    order_by,
    pick_in_groups,
    take_text,
    year_of,
)
from onething.registry.generate.enterprises import INDUSTRIES, EmployerSampler, Enterprises
from onething.registry.generate.frame import Frame
from onething.registry.generate.people import People

REASONS = ("resigned", "dismissed", "contract_end", "retired", "died", "closed")
RESIGNED, DISMISSED, CONTRACT_END, RETIRED, DIED, CLOSED = range(6)
INVOLUNTARY = (DISMISSED, CONTRACT_END, CLOSED)
BASES = ("normal", "special_job", "illness", "involuntary_unemployment", "none")
NORMAL, SPECIAL_JOB, ILLNESS, INVOLUNTARY_UNEMPLOYMENT, NO_BASIS = range(5)

NOT_INSURED, EMPLOYEE, FLEXIBLE = 0, 1, 2

_MAX_SPELLS = 14
_DAY_1965 = (1965 - 1970) * 12  # month numbers of January 1965 / 1970
_DAY_1970 = 0


@dataclass
class Careers:
    """Per person: how they work and when their pension starts."""

    kind: Array  # NOT_INSURED, EMPLOYEE (has an enterprise career) or FLEXIBLE
    pension_start: Array  # first day of the pension, NO_DATE if none is due
    basis: Array  # NORMAL, SPECIAL_JOB or ILLNESS
    wage: Array  # wage factor relative to the average wage


@dataclass
class Spells(Columns):
    """Employment spells (就业登记), primary and concurrent second jobs."""

    person: Array
    enterprise: Array
    start: Array
    end: Array  # NO_DATE while employed
    reason: Array  # index into REASONS, -1 while employed
    primary: Array

    def sorted(self) -> Spells:
        return self.select(
            order_by(self.person, self.start.astype(np.int64) + 40_000, widths=(18,))
        )


def statutory_pension_start(birth: Array, male: Array) -> Array:
    """First day of the month after the statutory retirement age (60 / 55, raised from 2025)."""
    born = month_of(birth).astype(np.int64)
    base = np.where(male, _DAY_1965, _DAY_1970)
    delay = np.clip((born - base) // 4 + 1, 0, 36)
    years = np.where(male, 60, 55)
    out: Array = month_start(born + 12 * years + delay + 1)
    return out


def early_pension_start(birth: Array, male: Array, basis: Array) -> Array:
    """First pension day for early retirement on a special-job or illness basis."""
    years = np.where(basis == SPECIAL_JOB, np.where(male, 55, 45), np.where(male, 50, 45))
    out: Array = month_start(month_of(birth).astype(np.int64) + 12 * years + 1)
    return out


_SCHOOL_YEARS = np.array([18, 18, 19, 20, 21, 22, 25])  # by education, -1 → 18


def make_careers(rng: np.random.Generator, people: People, frame: Frame) -> Careers:
    n = people.n
    year = year_of(people.birth)
    p_formal = np.select([year < 1950, year < 1965, year < 1980], [0.30, 0.38, 0.52], 0.60)
    formal = rng.random(n) < p_formal
    flexible = ~formal & (year >= 1958) & (rng.random(n) < 0.12)
    kind = np.where(formal, EMPLOYEE, np.where(flexible, FLEXIBLE, NOT_INSURED)).astype(np.int8)
    basis = np.where(formal, choose(rng, n, [0.95, 0.035, 0.015]), NORMAL).astype(np.int8)
    statutory = statutory_pension_start(people.birth, people.male)
    early = early_pension_start(people.birth, people.male, basis)
    start = np.where(basis == NORMAL, statutory, early)
    pension = np.where(kind != NOT_INSURED, start, NO_DATE).astype(np.int32)
    edu = np.maximum(people.education, 0)
    multiplier = np.array([0.75, 0.8, 0.9, 1.0, 1.15, 1.4, 1.8])[edu]
    wage = np.exp(rng.normal(0.0, 0.4, n)) * multiplier
    return Careers(kind=kind, pension_start=pension, basis=basis, wage=wage)


def _first_job(rng: np.random.Generator, people: People, frame: Frame) -> Array:
    """Start of the first recorded job: after school, or early in the records."""
    school = _SCHOOL_YEARS[np.maximum(people.education, 0)] + rng.random(people.n) * 2
    begin = people.birth.astype(np.int64) + (school * 365.2425).astype(np.int64)
    late = begin < frame.records_from
    recorded = frame.records_from + (rng.random(people.n) * 3 * 365).astype(np.int64)
    out: Array = np.where(late, recorded, begin)
    return out


def make_spells(
    rng: np.random.Generator,
    people: People,
    careers: Careers,
    ent: Enterprises,
    frame: Frame,
) -> Spells:
    """Primary spells of every employee's career (enterprise dates not yet set)."""
    end = frame.end
    begin = _first_job(rng, people, frame)
    death = people.death.astype(np.int64)
    limit = np.minimum(careers.pension_start.astype(np.int64) - 1, death)
    prison_start = people.prison_start.astype(np.int64)
    prison_end = people.prison_end.astype(np.int64)
    horizon = np.minimum(limit, end)
    t = begin
    active = np.flatnonzero((careers.kind == EMPLOYEE) & (begin <= horizon))
    chunks: list[tuple[Array, ...]] = []
    for _ in range(_MAX_SPELLS):
        if active.size == 0:
            break
        s = t[active]
        ps, pe = prison_start[active], prison_end[active]
        inside = (ps != NO_DATE) & (s >= ps) & (s <= pe)
        released = pe + 60 + (rng.random(active.size) * 340).astype(np.int64)
        s = np.where(inside, np.where(pe == NO_DATE, NO_DATE, released), s)
        ok = s <= horizon[active]
        active, s, ps = active[ok], s[ok], ps[ok]
        k = active.size
        duration = np.exp(rng.normal(np.log(3.5 * 365), 0.9, k)).astype(np.int64)
        e = s + np.clip(duration, 90, 35 * 365)
        reason = choose(rng, k, [0.45, 0.25, 0.30]).astype(np.int8)  # resigned, dismissed, end
        cut = (ps != NO_DATE) & (s < ps) & (e >= ps)
        e = np.where(cut, ps - 1, e)
        reason = np.where(cut, DISMISSED, reason)
        lim = limit[active]
        over = e >= lim
        e = np.where(over, lim, e)
        reason = np.where(over, np.where(lim == death[active], DIED, RETIRED), reason)
        still = e > end
        e = np.where(still, NO_DATE, e)
        reason = np.where(still, -1, reason).astype(np.int8)
        chunks.append((active, s, e, reason))
        # The next job starts in a later month, sooner after a resignation.
        voluntary = reason == RESIGNED
        gap = np.where(
            voluntary,
            np.where(rng.random(k) < 0.4, 0, rng.exponential(60, k)),
            30 + rng.exponential(240, k),
        ).astype(np.int64)
        nxt = month_start(month_of(np.minimum(e, end)) + 1).astype(np.int64) + gap
        stays = (rng.random(k) > 0.04) & ~still & (reason != RETIRED) & (reason != DIED)
        t[active] = nxt
        active = active[stays & (nxt <= horizon[active])]
    if not chunks:
        none = np.zeros(0, dtype=np.int64)
        chunks.append((none, none, none, none))
    person, start, stop, why = (np.concatenate(c) for c in zip(*chunks, strict=True))
    city = regions.geography().county_city[people.county[person]]
    employer = EmployerSampler(ent).draw(rng, city)
    return Spells(
        person=person.astype(np.int64),
        enterprise=employer.astype(np.int64),
        start=start.astype(np.int32),
        end=stop.astype(np.int32),
        reason=why.astype(np.int8),
        primary=np.ones(person.size, dtype=np.bool_),
    )


def close_enterprises(
    rng: np.random.Generator, spells: Spells, ent: Enterprises, frame: Frame
) -> None:
    """Close about 10 % of enterprises (not the largest) after their last hire; spells still
    running then end with reason ``closed``."""
    end = frame.end
    n = ent.n
    last_hire = np.full(n, -(2**40), dtype=np.int64)
    np.maximum.at(last_hire, spells.enterprise, spells.start.astype(np.int64))
    first_hire = np.full(n, 2**40, dtype=np.int64)
    np.minimum.at(first_hire, spells.enterprise, spells.start.astype(np.int64))
    hired = first_hire < 2**40
    founded = np.where(
        hired,
        first_hire - 30 - (rng.random(n) * 3 * 365).astype(np.int64),
        end - 30 - (rng.random(n) * 25 * 365).astype(np.int64),
    )
    lower = np.maximum(np.where(hired, last_hire + 60, 0), founded + 365)
    small = ent.weight < np.quantile(ent.weight, 0.98)
    closes = small & (rng.random(n) < 0.10) & (lower < end - 1)
    closed = lower + (rng.random(n) * (end - 1 - lower)).astype(np.int64)
    ent.closed = np.where(closes, closed, NO_DATE).astype(np.int32)
    ent.established = founded.astype(np.int32)
    at = ent.closed[spells.enterprise]
    hit = (at != NO_DATE) & (spells.end > at)
    spells.end = np.where(hit, at, spells.end).astype(np.int32)
    spells.reason = np.where(hit, CLOSED, spells.reason).astype(np.int8)


def second_jobs(
    rng: np.random.Generator, spells: Spells, people: People, ent: Enterprises, frame: Frame
) -> Spells:
    """Second jobs held alongside (and within) a primary spell, at an open enterprise."""
    end = frame.end
    stop = np.minimum(spells.end.astype(np.int64), end)
    long = (stop - spells.start) >= 365
    pick = np.flatnonzero(long & (rng.random(spells.n) < 0.04))
    city = regions.geography().county_city[people.county[spells.person[pick]]]
    employer = EmployerSampler(ent).draw(rng, city)
    ok = (employer != spells.enterprise[pick]) & (ent.closed[employer] == NO_DATE)
    pick, employer = pick[ok], employer[ok]
    s0, e0 = spells.start[pick].astype(np.int64), stop[pick]
    s = s0 + (rng.random(pick.size) * (e0 - s0) * 0.5).astype(np.int64)
    e = s + 90 + (rng.random(pick.size) * 3 * 365).astype(np.int64)
    primary_end = spells.end[pick].astype(np.int64)
    within = e >= primary_end
    e = np.minimum(e, primary_end)
    # Ending with the main job: for the same personal reason (retired, died, imprisoned).
    shared = within & np.isin(spells.reason[pick], (RETIRED, DIED, DISMISSED))
    reason = np.where(
        shared, spells.reason[pick], np.where(rng.random(pick.size) < 0.5, RESIGNED, CONTRACT_END)
    )
    open_ = e > end
    return Spells(
        person=spells.person[pick],
        enterprise=employer.astype(np.int64),
        start=s.astype(np.int32),
        end=np.where(open_, NO_DATE, e).astype(np.int32),
        reason=np.where(open_, -1, reason).astype(np.int8),
        primary=np.zeros(pick.size, dtype=np.bool_),
    )


def finish_enterprises(
    rng: np.random.Generator, spells: Spells, people: People, ent: Enterprises, frame: Frame
) -> None:
    """Set established and insured dates, size classes and legal representatives."""
    n = ent.n
    first = np.full(n, 2**40, dtype=np.int64)
    np.minimum.at(first, spells.enterprise, spells.start.astype(np.int64))
    hired = first < 2**40
    established = np.minimum(ent.established.astype(np.int64), first - 30)
    ent.established = established.astype(np.int32)
    registered = first - (rng.random(n) * 30).astype(np.int64)
    insured = np.where(hired, np.maximum(established, registered), NO_DATE)
    unstaffed = ~hired & (rng.random(n) < 0.5)
    insured = np.where(unstaffed, established + (rng.random(n) * 180).astype(np.int64), insured)
    ent.insured = np.minimum(insured, NO_DATE).astype(np.int32)
    # Size class from the headcount: staff now, or staff at closure.
    counted = (spells.end == NO_DATE) | (spells.reason == CLOSED)
    staff = np.bincount(spells.enterprise[counted], minlength=n)
    bounds = np.array([i.thresholds for i in INDUSTRIES])[ent.industry]
    ent.size = (staff[:, None] >= bounds).sum(axis=1).astype(np.int8)
    ent.legal_rep = _legal_reps(rng, people, ent, frame)


def _legal_reps(rng: np.random.Generator, people: People, ent: Enterprises, frame: Frame) -> Array:
    geo = regions.geography()
    age = people.age(frame.end)
    eligible = np.flatnonzero((age >= 25) & (age <= 75) & people.alive_at(frame.end))
    city = geo.county_city[people.county[eligible]]
    order = np.argsort(city, kind="stable")
    eligible, city = eligible[order], city[order]
    offsets = np.searchsorted(city, np.arange(geo.n_cities + 1))
    pos, ok = pick_in_groups(rng, offsets, ent.city.astype(np.int64))
    if eligible.size == 0:
        return np.full(ent.n, -1, dtype=np.int64)
    out: Array = np.where(ok, eligible[np.maximum(pos, 0)], -1)
    return out


def spells_table(spells: Spells, person_ids: pa.Array, enterprise_ids: pa.Array) -> pa.Table:
    return pa.table(
        {
            "spell_id": pa.array(np.arange(1, spells.n + 1), type=pa.int64()),
            "person_id": id_col(person_ids, spells.person),
            "enterprise_id": id_col(enterprise_ids, spells.enterprise),
            "start_date": date_col(spells.start),
            "end_date": date_col(spells.end),
            "end_reason": take_text(REASONS, spells.reason),
        }
    )
