"""Planting the benefit anomalies: pensions after death, in prison, twice, early without a
basis; unemployment benefit while employed or while receiving a pension."""

from __future__ import annotations

import numpy as np

from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    add_years,
    month_end,
    month_of,
    month_start,
)
from onething.registry.generate.benefits import (
    PENSION,
    RESIDENT_PENSION,
    UNEMPLOYMENT,
    last_employer_county,
    new_awards,
    payment_months,
    unemployment_amount,
)
from onething.registry.generate.employment import (
    EMPLOYEE,
    INVOLUNTARY_UNEMPLOYMENT,
    NO_BASIS,
    NORMAL,
    RESIGNED,
    RETIRED,
    Spells,
)
from onething.registry.generate.frame import UNEMPLOYMENT_PAY_DAY
from onething.registry.generate.plant_pools import (
    clean_person,
    draw_employers,
    enterprise_ids,
    pension_pool,
    pick_some,
)
from onething.registry.generate.world import World


def early_pension_without_basis(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """A pension with no basis years before the statutory age; the job ends at its start."""
    p, f = w.people, w.frame
    birthday = add_years(p.birth, np.where(p.male, 60, 55)).astype(np.int64)
    lo = max(f.first_period, f.end_month - 30)
    month = rng.integers(lo, f.end_month, p.n) if f.end_month > lo else np.full(p.n, lo)
    start = month_start(month).astype(np.int64)
    has_spell = np.zeros(p.n, dtype=np.bool_)
    has_spell[w.spells.person] = True
    second = np.zeros(p.n, dtype=np.bool_)
    second[w.spells.person[~w.spells.primary]] = True
    awarded = np.zeros(p.n, dtype=np.bool_)  # any benefit already: unemployment or pension
    awarded[w.awards.person] = True
    ok = (
        clean_person(w, used)
        & (w.careers.kind == EMPLOYEE)
        & has_spell
        & ~second
        & ~awarded
        & (start >= add_years(p.birth, 45))
        & (start + 365 <= birthday)
        & (start <= f.end)
    )
    chosen = pick_some(rng, np.flatnonzero(ok), rate)
    if chosen.size == 0:
        return
    s_day = np.full(p.n, NO_DATE, dtype=np.int64)
    s_day[chosen] = start[chosen]
    sp = w.spells
    at = s_day[sp.person]
    drop = sp.start >= at
    cut = ~drop & (at != NO_DATE) & (sp.end >= at)
    sp.end = np.where(cut, at - 1, sp.end).astype(np.int32)
    sp.reason = np.where(cut, RETIRED, sp.reason).astype(np.int8)
    w.spells = sp.select(~drop)
    w.uninsured_spell = w.uninsured_spell[~drop]
    w.careers.pension_start[chosen] = start[chosen]
    home = last_employer_county(p, w.spells, w.ent.county)
    amount = np.round(np.exp(rng.normal(np.log(2_800), 0.25, chosen.size)) * 100)
    w.awards = w.awards.append(
        new_awards(
            chosen,
            PENSION,
            NO_BASIS,
            county=home[chosen],
            start=start[chosen],
            end=p.death[chosen],
            monthly=amount,
        )
    )
    used[chosen] = True
    w.truth.add(
        "early_pension_without_basis",
        chosen,
        start[chosen],
        birthday[chosen] - 1,
        [{"basis": "none", "statutory_date": int(b)} for b in birthday[chosen]],
    )


def unemployment_benefit_while_employed(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """A new job taken while the unemployment benefit keeps being paid."""
    aw, p, f = w.awards, w.people, w.frame
    first, last = payment_months(aw, p, f)
    ok = (aw.benefit == UNEMPLOYMENT) & (last - first + 1 >= 2) & clean_person(w, used)[aw.person]
    pool = np.flatnonzero(ok)
    _, one = np.unique(aw.person[pool], return_index=True)
    chosen = pick_some(rng, pool[one], rate)
    if chosen.size == 0:
        return
    person = aw.person[chosen]
    first, last = first[chosen], last[chosen]
    month = first + (rng.random(chosen.size) * (last - first)).astype(np.int64)
    start = np.minimum(month_start(month) + rng.integers(0, 20, chosen.size), f.end)
    employer = draw_employers(rng, w, person, start)
    ok = employer >= 0
    chosen, person, month, last, start, employer = (
        a[ok] for a in (chosen, person, month, last, start, employer)
    )
    stop = aw.end[chosen]
    open_ = stop > f.end
    w.spells = w.spells.append(
        Spells(
            person=person,
            enterprise=employer,
            start=start.astype(np.int32),
            end=np.where(open_, NO_DATE, stop).astype(np.int32),
            reason=np.where(open_, -1, RESIGNED).astype(np.int8),
            primary=np.ones(person.size, dtype=np.bool_),
        )
    )
    w.uninsured_spell = np.r_[w.uninsured_spell, np.zeros(person.size, dtype=np.bool_)]
    used[person] = True
    w.truth.add(
        "unemployment_benefit_while_employed",
        person,
        month_start(month),
        month_start(last),
        [{"enterprise_id": e} for e in enterprise_ids(w, employer)],
    )


def unemployment_benefit_while_pension(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """An unemployment benefit awarded to a pensioner."""
    aw, f = w.awards, w.frame
    pool = pension_pool(w, used, 4, (PENSION, RESIDENT_PENSION))
    first, last = payment_months(aw, w.people, f)
    last = np.minimum(last, f.last_period(UNEMPLOYMENT_PAY_DAY))
    pool = pool[last[pool] - first[pool] + 1 >= 3]
    chosen = pick_some(rng, pool, rate)
    if chosen.size == 0:
        return
    first, last = first[chosen], last[chosen]
    m = first + (rng.random(chosen.size) * (last - first - 1)).astype(np.int64)
    d = 1 + (rng.random(chosen.size) * np.minimum(9, last - m + 1)).astype(np.int64)
    stop = m + d - 1
    person = aw.person[chosen]
    county = aw.county[chosen]
    w.awards = w.awards.append(
        new_awards(
            person,
            UNEMPLOYMENT,
            INVOLUNTARY_UNEMPLOYMENT,
            county=county,
            start=month_start(m),
            end=month_end(stop),
            monthly=unemployment_amount(county),
        )
    )
    used[person] = True
    w.truth.add("unemployment_benefit_while_pension", person, month_start(m), month_start(stop))


def double_receipt(rng: np.random.Generator, w: World, rate: float, used: Array) -> None:
    """A second pension-type award over a running pension (resident or another region)."""
    aw, p, f = w.awards, w.people, w.frame
    pool = pension_pool(w, used, 3, (PENSION,))
    pool = pool[aw.basis[pool] == NORMAL]
    chosen = pick_some(rng, pool, rate)
    if chosen.size == 0:
        return
    first, last = payment_months(aw, p, f)
    first, last = first[chosen], last[chosen]
    m = first + (rng.random(chosen.size) * (last - first)).astype(np.int64)
    person = aw.person[chosen]
    start = month_start(m)
    sixty = add_years(p.birth[person], 60) <= start
    resident = sixty & (rng.random(chosen.size) < 0.6)
    geo = regions.geography()
    city = geo.county_city[aw.county[chosen]]
    other = (city + rng.integers(1, geo.n_cities, chosen.size)) % geo.n_cities
    elsewhere = np.array([int(np.flatnonzero(geo.county_city == c)[0]) for c in other])
    county = np.where(resident, p.county[person], elsewhere)
    amount = np.where(resident, 16_000 + rng.integers(0, 20_000, chosen.size), aw.monthly[chosen])
    w.awards = w.awards.append(
        new_awards(
            person,
            np.where(resident, RESIDENT_PENSION, PENSION),
            NORMAL,
            county=county,
            start=start,
            end=np.full(chosen.size, NO_DATE),
            monthly=amount,
        )
    )
    used[person] = True
    w.truth.add(
        "double_receipt",
        person,
        start,
        month_start(last),
        [{"second": "resident_pension" if r else "pension"} for r in resident],
    )


def pension_after_death(rng: np.random.Generator, w: World, rate: float, used: Array) -> None:
    """A pensioner's death that never reached the paying agency."""
    aw, p, f = w.awards, w.people, w.frame
    chosen = pick_some(rng, pension_pool(w, used, 4, (PENSION, RESIDENT_PENSION)), rate)
    if chosen.size == 0:
        return
    first, last = payment_months(aw, p, f)
    first, last = first[chosen], last[chosen]
    after = 1 + (rng.random(chosen.size) * np.minimum(12, last - first - 1)).astype(np.int64)
    died_in = last - after
    person = aw.person[chosen]
    p.death[person] = month_start(died_in) + rng.integers(0, 27, chosen.size)
    p.death_source[person] = rng.integers(0, 3, chosen.size)
    aw.pay_past_death[chosen] = True
    used[person] = True
    w.truth.add(
        "pension_after_death",
        person,
        month_start(died_in + 1),
        month_start(last),
        [{"death_date": int(d)} for d in p.death[person]],
    )


def benefit_during_incarceration(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """A pension still paid while its holder is in prison."""
    aw, p, f = w.awards, w.people, w.frame
    chosen = pick_some(rng, pension_pool(w, used, 4, (PENSION, RESIDENT_PENSION)), rate)
    if chosen.size == 0:
        return
    first, last = payment_months(aw, p, f)
    first, last = first[chosen], last[chosen]
    jailed = first + (rng.random(chosen.size) * (last - first - 2)).astype(np.int64)
    person = aw.person[chosen]
    start = month_start(jailed) + rng.integers(0, 25, chosen.size)
    release = month_start(jailed + rng.integers(2, 9, chosen.size)) + rng.integers(
        0, 27, chosen.size
    )
    serving = (rng.random(chosen.size) < 0.5) | (release > f.end)
    end = np.where(serving, NO_DATE, release)
    p.prison_start[person] = start
    p.prison_end[person] = end
    aw.pay_in_prison[chosen] = True
    used[person] = True
    stop = np.where(serving, last, np.minimum(last, month_of(end)))
    w.truth.add("benefit_during_incarceration", person, month_start(jailed + 1), month_start(stop))
