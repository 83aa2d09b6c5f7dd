"""Insurance enrolments (参保登记).

Enrolments follow the spells: an employee is enrolled in pension, work-injury and medical
insurance (and unemployment insurance where the employer registers it, 85 % of employers)
by each employer for the spell's dates; a second job carries work-injury insurance only
(单工伤). Flexible workers insure pension and medical themselves; retirees keep employee
medical insurance; everybody else has resident medical insurance and, from 16, most have
resident pension insurance. Monthly contributions follow in :mod:`.contributions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    Columns,
    add_years,
    date_col,
    day,
    dict_col,
    id_col,
    order_by,
    take_text,
)
from onething.registry.generate.benefits import PENSION, RESIDENT_PENSION, Awards
from onething.registry.generate.employment import EMPLOYEE, FLEXIBLE, NOT_INSURED, Careers, Spells
from onething.registry.generate.enterprises import Enterprises
from onething.registry.generate.frame import RESIDENT_MEDICAL_START, RESIDENT_PENSION_START, Frame
from onething.registry.generate.people import People

if TYPE_CHECKING:
    from onething.registry.generate.world import World

SCHEMES = ("pension", "unemployment", "injury", "medical")
S_PENSION, S_UNEMPLOYMENT, S_INJURY, S_MEDICAL = range(4)
KINDS = ("employee", "resident", "flexible")
K_EMPLOYEE, K_RESIDENT, K_FLEXIBLE = range(3)
_DAY_BASE = -40_000  # 1860-06-05: every start date lies after it


@dataclass
class Enrolments(Columns):
    person: Array
    scheme: Array
    kind: Array
    enterprise: Array  # -1 for none
    county: Array
    start: Array
    end: Array
    spell: Array  # the spell an employee enrolment follows, -1 otherwise


def new_enrolments(
    person: Array,
    scheme: int | Array,
    kind: int,
    *,
    county: Array,
    start: Array,
    end: Array,
    enterprise: Array | int = -1,
    spell: Array | int = -1,
) -> Enrolments:
    n = person.size

    def full(v: Array | int, dtype: type) -> Array:
        return np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()

    return Enrolments(
        person=person.astype(np.int64),
        scheme=full(scheme, np.int8),
        kind=full(kind, np.int8),
        enterprise=full(enterprise, np.int64),
        county=county.astype(np.int32),
        start=start.astype(np.int32),
        end=end.astype(np.int32),
        spell=full(spell, np.int64),
    )


def make_enrolments(rng: np.random.Generator, w: World) -> Enrolments:
    """Every enrolment of the world (planted spells without insurance left out)."""
    people, careers, spells, ent, awards, frame = (
        w.people,
        w.careers,
        w.spells,
        w.ent,
        w.awards,
        w.frame,
    )
    uninsured_spell = w.uninsured_spell
    n = people.n
    death = people.death
    parts: list[Enrolments] = []
    # Employees: by spell, at registered employers only.
    registered = ent.insured[spells.enterprise] != NO_DATE
    covered = registered & ~uninsured_spell
    idx = np.flatnonzero(covered & spells.primary)
    for scheme in (S_PENSION, S_UNEMPLOYMENT, S_INJURY, S_MEDICAL):
        sel = idx[ent.ui_enrolled[spells.enterprise[idx]]] if scheme == S_UNEMPLOYMENT else idx
        parts.append(_by_spell(spells, ent, sel, scheme))
    parts.append(_by_spell(spells, ent, np.flatnonzero(covered & ~spells.primary), S_INJURY))
    # Flexible workers insure themselves until their pension starts.
    flex = np.flatnonzero(careers.kind == FLEXIBLE)
    f_start = np.maximum(
        add_years(people.birth[flex], 22 + rng.integers(0, 10, flex.size)),
        frame.records_from + (rng.random(flex.size) * 15 * 365).astype(np.int64),
    )
    f_end = np.minimum(careers.pension_start[flex].astype(np.int64) - 1, death[flex])
    ok = (f_start <= np.minimum(f_end, frame.end)) & (f_start <= frame.end)
    flex, f_start, f_end = flex[ok], f_start[ok], f_end[ok]
    f_end = np.where(f_end > frame.end, NO_DATE, f_end)
    for scheme in (S_PENSION, S_MEDICAL):
        parts.append(
            new_enrolments(
                flex, scheme, K_FLEXIBLE, county=people.county[flex], start=f_start, end=f_end
            )
        )
    # Pensioners keep employee medical insurance from their first pension.
    first_pension = np.full(n, NO_DATE, dtype=np.int64)
    is_pension = awards.benefit == PENSION
    np.minimum.at(first_pension, awards.person[is_pension], awards.start[is_pension])
    retired = np.flatnonzero(first_pension != NO_DATE)
    parts.append(
        new_enrolments(
            retired,
            S_MEDICAL,
            K_EMPLOYEE,
            county=people.county[retired],
            start=first_pension[retired],
            end=death[retired],
        )
    )
    parts.append(_resident_pension(rng, people, careers, awards, frame))
    has_spell = np.zeros(n, dtype=np.bool_)
    has_spell[spells.person] = True
    resident = (
        ((careers.kind == NOT_INSURED) | ((careers.kind == EMPLOYEE) & ~has_spell))
        & (first_pension == NO_DATE)
        & (rng.random(n) < 0.95)
    )
    r = np.flatnonzero(resident)
    r_start = np.maximum(
        people.birth[r].astype(np.int64),
        day(RESIDENT_MEDICAL_START) + (rng.random(r.size) * 2 * 365).astype(np.int64),
    )
    ok = r_start <= np.minimum(death[r], frame.end)
    r, r_start = r[ok], r_start[ok]
    parts.append(
        new_enrolments(
            r, S_MEDICAL, K_RESIDENT, county=people.county[r], start=r_start, end=death[r]
        )
    )
    return Enrolments.concat(parts)


def _by_spell(spells: Spells, ent: Enterprises, idx: Array, scheme: int) -> Enrolments:
    employer = spells.enterprise[idx]
    return new_enrolments(
        spells.person[idx],
        scheme,
        K_EMPLOYEE,
        county=ent.county[employer],
        start=spells.start[idx],
        end=spells.end[idx],
        enterprise=employer,
        spell=idx,
    )


def _resident_pension(
    rng: np.random.Generator, people: People, careers: Careers, awards: Awards, frame: Frame
) -> Enrolments:
    n = people.n
    award_start = np.full(n, NO_DATE, dtype=np.int64)
    resident = awards.benefit == RESIDENT_PENSION
    np.minimum.at(award_start, awards.person[resident], awards.start[resident])
    has_award = award_start != NO_DATE
    sixteen = add_years(people.birth, 16).astype(np.int64)
    start = np.maximum(
        sixteen + (rng.random(n) * 10 * 365).astype(np.int64),
        day(RESIDENT_PENSION_START) + (rng.random(n) * 2 * 365).astype(np.int64),
    )
    start = np.where(has_award, np.minimum(start, award_start - 30), start)
    end = np.where(has_award, award_start - 1, people.death)
    takes = (careers.kind == NOT_INSURED) & (has_award | (rng.random(n) < 0.8))
    ok = takes & (start <= np.minimum(end, frame.end)) & (start >= sixteen)
    p = np.flatnonzero(ok)
    return new_enrolments(
        p, S_PENSION, K_RESIDENT, county=people.county[p], start=start[p], end=end[p]
    )


def sort_enrolments(e: Enrolments) -> Enrolments:
    """By person, scheme and start date."""
    return e.select(order_by(e.person, e.scheme, e.start - _DAY_BASE, widths=(2, 18)))


def enrolments_table(e: Enrolments, people: People, ent_ids: pa.Array) -> pa.Table:
    geo = regions.geography()
    return pa.table(
        {
            "enrolment_id": pa.array(np.arange(1, e.n + 1), type=pa.int64()),
            "person_id": id_col(people.ids, e.person),
            "scheme": take_text(SCHEMES, e.scheme),
            "kind": take_text(KINDS, e.kind),
            "enterprise_id": dict_col(e.enterprise, ent_ids),
            "region_code": take_text([str(c) for c in geo.county_codes], e.county),
            "start_date": date_col(e.start),
            "end_date": date_col(e.end),
        }
    )
