"""What planting draws from: pools of eligible entities and shared helpers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
)
from onething.registry.generate.benefits import (
    PENSION,
    RESIDENT_PENSION,
    payment_months,
)
from onething.registry.generate.employment import (
    Spells,
)
from onething.registry.generate.enterprises import EmployerSampler
from onething.registry.generate.world import World


def how_many(rate: float, pool: int) -> int:
    """Entities to plant a kind on: the rate's share of the pool, at least one if any."""
    if pool == 0 or rate <= 0:
        return 0
    return min(pool, max(1, round(rate * pool)))


def pick_some(rng: np.random.Generator, pool: Array, rate: float) -> Array:
    """A random sample (in index order) of ``how_many`` entries of ``pool``."""
    k = how_many(rate, int(pool.size))
    out: Array = np.sort(rng.choice(pool, size=k, replace=False)) if k else pool[:0]
    return out


def clean_person(w: World, used: Array) -> Array:
    """Alive, never in prison, not already carrying a planted anomaly."""
    p = w.people
    out: Array = (p.death == NO_DATE) & (p.prison_start == NO_DATE) & ~used
    return out


def pension_pool(w: World, used: Array, min_months: int, benefits: tuple[int, ...]) -> Array:
    """Pension-type awards of people with exactly one, paid ``min_months`` in the window."""
    aw = w.awards
    pension_type = np.isin(aw.benefit, (PENSION, RESIDENT_PENSION))
    per_person = np.bincount(aw.person[pension_type], minlength=w.people.n)
    first, last = payment_months(aw, w.people, w.frame)
    ok = (
        np.isin(aw.benefit, benefits)
        & (per_person[aw.person] == 1)
        & clean_person(w, used)[aw.person]
        & (last - first + 1 >= min_months)
    )
    out: Array = np.flatnonzero(ok)
    return out


def enterprise_ids(w: World, ent: Array) -> list[str]:
    out: list[str] = w.ent.ids.take(ent).to_pylist()
    return out


def draw_employers(
    rng: np.random.Generator,
    w: World,
    person: Array,
    start: Array,
    extra_ok: Callable[[Array, Array], Array] | None = None,
) -> Array:
    """Registered, open employers founded before ``start``, near each person (-1: none)."""
    ent = w.ent
    city = regions.geography().county_city[w.people.county[person]]
    sampler = EmployerSampler(ent)
    found = np.full(person.size, -1, dtype=np.int64)
    for _ in range(8):
        need = np.flatnonzero(found < 0)
        if need.size == 0:
            break
        cand = sampler.draw(rng, city[need], local=0.99)
        ok = (
            (ent.insured[cand] != NO_DATE)
            & (ent.closed[cand] == NO_DATE)
            & (ent.established[cand] < start[need])
        )
        if extra_ok is not None:
            ok &= extra_ok(need, cand)
        found[need[ok]] = cand[ok]
    return found


def active_spells(sp: Spells) -> Array:
    out: Array = sp.end == NO_DATE
    return out
