"""Planting the employment and insurance anomalies: an employer without registration, an
employee without insurance, contributions without employment, abnormal back payments."""

from __future__ import annotations

from typing import Any

import numpy as np

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
)
from onething.registry.generate.contributions import MODE_FLEXIBLE, streams
from onething.registry.generate.employment import (
    EMPLOYEE,
    NORMAL,
    NOT_INSURED,
)
from onething.registry.generate.frame import CONTRIBUTION_PAY_DAY
from onething.registry.generate.insurance import (
    K_EMPLOYEE,
    K_FLEXIBLE,
    S_INJURY,
    S_PENSION,
    S_UNEMPLOYMENT,
    new_enrolments,
)
from onething.registry.generate.plant_pools import (
    active_spells,
    clean_person,
    draw_employers,
    enterprise_ids,
    pick_some,
)
from onething.registry.generate.world import World


def enterprise_without_registration(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """A small employer with staff and no social-insurance registration; staff uninsured."""
    ent, sp = w.ent, w.spells
    active = active_spells(sp)
    staff = np.bincount(sp.enterprise[active], minlength=ent.n)
    ok = (staff >= 1) & (staff <= 30) & ~ent.dispatch & (ent.insured != NO_DATE)
    chosen = pick_some(rng, np.flatnonzero(ok), rate)
    if chosen.size == 0:
        return
    ent.insured[chosen] = NO_DATE
    hit = active & np.isin(sp.enterprise, chosen)
    earliest = np.full(ent.n, NO_DATE, dtype=np.int64)
    np.minimum.at(earliest, sp.enterprise[hit], sp.start[hit])
    end = np.full(chosen.size, w.frame.end)
    w.truth.add("enterprise_without_registration", chosen, earliest[chosen], end)
    staff_spells = np.flatnonzero(hit)
    person = sp.person[staff_spells]
    used[person] = True
    w.truth.add(
        "employed_without_insurance",
        person,
        sp.start[staff_spells],
        np.full(person.size, w.frame.end),
        [
            {"enterprise_id": e, "caused_by": "enterprise_without_registration"}
            for e in enterprise_ids(w, sp.enterprise[staff_spells])
        ],
    )


def employed_without_insurance(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """A recent hire at a registered employer who was never enrolled."""
    sp, f = w.spells, w.frame
    second = np.zeros(w.people.n, dtype=np.bool_)
    second[sp.person[~sp.primary]] = True
    ok = (
        active_spells(sp)
        & sp.primary
        & (sp.start >= f.end - 2 * 365)
        & (w.ent.insured[sp.enterprise] != NO_DATE)
        & ~used[sp.person]
        & ~second[sp.person]
    )
    chosen = pick_some(rng, np.flatnonzero(ok), rate)
    _, first = np.unique(sp.person[chosen], return_index=True)
    chosen = chosen[first]
    if chosen.size == 0:
        return
    w.uninsured_spell[chosen] = True
    person = sp.person[chosen]
    used[person] = True
    w.truth.add(
        "employed_without_insurance",
        person,
        sp.start[chosen],
        np.full(chosen.size, f.end),
        [{"enterprise_id": e} for e in enterprise_ids(w, sp.enterprise[chosen])],
    )


def contribution_outside_employment(
    rng: np.random.Generator, w: World, rate: float, used: Array
) -> None:
    """Contributions paid by an employer for someone who never worked there."""
    p, f, ent = w.people, w.frame, w.ent
    age = p.age(f.end)
    has_spell = np.zeros(p.n, dtype=np.bool_)
    has_spell[w.spells.person] = True
    ok = (
        clean_person(w, used)
        & (w.careers.kind == NOT_INSURED)
        & ~has_spell
        & (age >= 20)
        & (age <= 55)
    )
    chosen = pick_some(rng, np.flatnonzero(ok), rate)
    if chosen.size == 0:
        return
    last_period = f.last_period(CONTRIBUTION_PAY_DAY)
    window = last_period - f.first_period + 1
    length = np.minimum(rng.integers(3, 13, chosen.size), window)
    m0 = f.first_period + (rng.random(chosen.size) * (window - length + 1)).astype(np.int64)
    stop = m0 + length - 1
    employer = draw_employers(rng, w, chosen, np.full(chosen.size, f.first_period_day))
    ok = employer >= 0
    chosen, m0, stop, employer = chosen[ok], m0[ok], stop[ok], employer[ok]
    start = month_start(m0)
    end = np.minimum(month_end(stop), f.end)
    for scheme in (S_PENSION, S_INJURY, S_UNEMPLOYMENT):
        sel = ent.ui_enrolled[employer] if scheme == S_UNEMPLOYMENT else np.ones_like(m0, bool)
        w.extra_enrolments.append(
            new_enrolments(
                chosen[sel],
                scheme,
                K_EMPLOYEE,
                county=ent.county[employer[sel]],
                start=start[sel],
                end=end[sel],
                enterprise=employer[sel],
            )
        )
    used[chosen] = True
    w.truth.add(
        "contribution_outside_employment",
        chosen,
        start,
        month_start(stop),
        [{"enterprise_id": e} for e in enterprise_ids(w, employer)],
    )


def abnormal_back_payment(rng: np.random.Generator, w: World, rate: float, used: Array) -> None:
    """Years of pension contributions back-paid in the months before retiring."""
    aw, p, f = w.awards, w.people, w.frame
    first_spell = np.full(p.n, NO_DATE, dtype=np.int64)
    np.minimum.at(first_spell, w.spells.person, w.spells.start)
    # No job started in the window: its late registration could add back payments.
    last_spell = np.full(p.n, -1, dtype=np.int64)
    np.maximum.at(last_spell, w.spells.person, w.spells.start)
    pension_holders = np.bincount(
        aw.person[np.isin(aw.benefit, (PENSION, RESIDENT_PENSION))], minlength=p.n
    )
    ok = (
        (aw.benefit == PENSION)
        & (aw.basis == NORMAL)
        & (aw.start >= f.end - 5 * 365)
        & (aw.start <= f.end)
        & (w.careers.kind[aw.person] == EMPLOYEE)
        & (first_spell[aw.person] != NO_DATE)
        & (last_spell[aw.person] < f.first_period_day)
        & (pension_holders[aw.person] == 1)
        & clean_person(w, used)[aw.person]
    )
    pool = np.flatnonzero(ok)
    person = aw.person[pool]
    k = rng.integers(24, 61, pool.size)
    stop = month_of(first_spell[person]).astype(np.int64) - 1 - rng.integers(0, 12, pool.size)
    begin = np.maximum(stop - k + 1, month_of(add_years(p.birth[person], 18)).astype(np.int64))
    pool = pool[stop - begin + 1 >= 12]
    chosen = pick_some(rng, pool, rate)
    if chosen.size == 0:
        return
    at = np.searchsorted(np.flatnonzero(ok), chosen)
    person, begin, stop = aw.person[chosen], begin[at], stop[at]
    months = stop - begin + 1
    paid = aw.start[chosen].astype(np.int64) - rng.integers(15, 150, chosen.size)
    w.extra_streams.append(
        streams(
            person,
            -1,
            S_PENSION,
            begin,
            months,
            mode=MODE_FLEXIBLE,
            factor=0.6,
            late=months,
            late_paid=paid,
        )
    )
    w.extra_enrolments.append(
        new_enrolments(
            person,
            S_PENSION,
            K_FLEXIBLE,
            county=p.county[person],
            start=month_start(begin),
            end=month_end(stop),
        )
    )
    used[person] = True
    details: list[dict[str, Any]] = [
        {"months": int(m), "paid_on": int(d), "pension_start": int(s)}
        for m, d, s in zip(months, paid, aw.start[chosen], strict=True)
    ]
    w.truth.add("abnormal_back_payment", person, month_start(begin), month_start(stop), details)
