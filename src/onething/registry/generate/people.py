"""Persons, households, deaths and prison terms of the synthetic province.

Ages follow China's population pyramid around 2025 (few children born after 2017, bulges at
30–40 and 50–60); sex ratios are slightly male among the young and female among the old
(about 51 % male overall). Every person gets a valid 18-digit resident ID whose area code
is the hukou county (or, for people of 莱芜 registered before the 2019 merger, the abolished
3712xx code), whose birth date is the person's and whose sequence code is odd for men and
unique among people of the same county and birth date. Persons are stored in ID order, so a
person's index orders like the ID string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa

from onething.kit.ids import make_mobiles, make_resident_ids
from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    age_years,
    ascii_join,
    choose,
    date_col,
    day,
    digits,
    fixed_text,
    id_col,
    join_text,
    plain_text,
    rank_within,
    take_text,
    year_of,
    yyyymmdd,
)
from onething.registry.generate.frame import Frame
from onething.registry.generate.names import person_names

EDUCATION = ("primary", "junior", "senior", "vocational", "college", "bachelor", "postgraduate")
DEATH_SOURCES = ("police", "civil_affairs", "health")
DEATH_YEARS = 5
"""Deaths of the last five years are on record."""

# Share of the population (per cent) by single year of age 0–9 (China's births 2016–2025
# over 1.41 billion people: 17.9 million in 2016 down to about 9 million) and by five-year
# group from 10 on (approximate 2025 structure: bulges at 30–39 and 50–59).
_AGE_0_9 = (0.64, 0.68, 0.64, 0.68, 0.75, 0.85, 1.04, 1.08, 1.22, 1.27)
_AGE_GROUPS_FROM_10 = (
    6.1, 5.6, 5.2, 5.6, 7.9, 8.6, 6.8, 6.7, 8.4, 8.5, 6.7, 5.9, 5.4, 3.3, 2.0, 1.1, 0.4, 0.1,
)  # fmt: skip
# Education by birth cohort (before 1960, 1960–74, 1975–89, from 1990), in EDUCATION order.
_EDUCATION_BY_COHORT = (
    (0.45, 0.35, 0.12, 0.03, 0.03, 0.02, 0.00),
    (0.20, 0.45, 0.18, 0.07, 0.06, 0.04, 0.00),
    (0.08, 0.40, 0.15, 0.10, 0.13, 0.12, 0.02),
    (0.02, 0.22, 0.12, 0.14, 0.22, 0.24, 0.04),
)
_COHORT_STARTS = (1960, 1975, 1990)


@dataclass
class People:
    """One entry per person, in person-ID order (arrays of equal length)."""

    county: Array  # index into the geography's counties (hukou)
    id_area: Array  # six-digit area code in the ID number
    birth: Array  # day numbers
    male: Array
    seq: Array
    education: Array  # index into EDUCATION, -1 = none recorded
    death: Array  # day number or NO_DATE
    death_source: Array
    prison_start: Array  # day number or NO_DATE (no prison term)
    prison_end: Array  # day number or NO_DATE (still serving, if prison_start is set)
    ids: pa.Array = field(repr=False)
    names: pa.Array = field(repr=False)
    mobile: pa.Array = field(repr=False)
    household: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return int(self.birth.size)

    def age(self, at: int) -> Array:
        return age_years(self.birth, at)

    def alive_at(self, at: int) -> Array:
        out: Array = self.death > at
        return out


@dataclass
class Households:
    head: Array  # person index
    county: Array
    ids: pa.Array = field(repr=False)
    address: pa.Array = field(repr=False)
    marriages: tuple[Array, Array, Array] = field(repr=False, default=(np.zeros(0),) * 3)
    """Couples: (husband index, wife index, marriage day)."""

    @property
    def n(self) -> int:
        return int(self.head.size)


def _ages(rng: np.random.Generator, n: int) -> Array:
    """Ages in days."""
    weights = list(_AGE_0_9) + [w / 5 for w in _AGE_GROUPS_FROM_10 for _ in range(5)]
    years = choose(rng, n, weights)
    days: Array = ((years + rng.random(n)) * 365.2425).astype(np.int32)
    return days


def _male_share(age: Array) -> Array:
    out: Array = np.select([age < 40, age < 65, age < 80], [0.53, 0.51, 0.47], default=0.42)
    return out


def _education(rng: np.random.Generator, birth_year: Array, age: Array) -> Array:
    n = age.size
    cohort = np.searchsorted(np.array(_COHORT_STARTS), birth_year, side="right")
    table = np.cumsum(np.array(_EDUCATION_BY_COHORT), axis=1)
    table[:, -1] = 1.0
    u = rng.random(n)
    edu = (u[:, None] > table[cohort]).sum(axis=1).astype(np.int8)
    # People still at school have not finished their highest level yet.
    edu = np.where((age >= 18) & (age < 22) & (edu >= 5), 2, edu)
    edu = np.where((age >= 22) & (age < 25) & (edu == 6), 5, edu)
    school = np.select(
        [age < 6, age < 12, age < 15, age < 18],
        [-1, 0, 1, np.where(rng.random(n) < 0.7, 2, 3)],
        default=edu,
    )
    out: Array = school.astype(np.int8)
    return out


def make_people(rng: np.random.Generator, n: int, frame: Frame) -> People:
    geo = regions.geography()
    end = frame.end
    age_days = _ages(rng, n)
    birth = (end - age_days).astype(np.int32)
    age = age_years(birth, end)
    male = rng.random(n) < _male_share(age)
    county = choose(rng, n, geo.county_weight)
    area = geo.county_codes[county].astype(np.int64)
    merged = birth < day(date(*regions.LAIWU_MERGED_ON))
    for current, legacy in regions.LAIWU_LEGACY.items():
        area = np.where((area == current) & merged, legacy, area)
    born = yyyymmdd(birth)
    # Unique sequence codes per (area, birth date): rank within the group, odd for men.
    rank = rank_within(area * 100_000_000 + born)
    offset = 1 + (born * 7 + area) % 300
    seq = 2 * (offset + rank) + male.astype(np.int64)
    order = np.argsort(area * 10**11 + born * 1000 + seq, kind="stable")
    county, area, birth, male = county[order], area[order], birth[order], male[order]
    seq, age, born = seq[order], age[order], born[order]
    ids = fixed_text(make_resident_ids(area, born, seq))
    birth_year = year_of(birth)
    names = person_names(rng, male, birth_year)
    education = _education(rng, birth_year, age)
    death, source = _deaths(rng, birth, age, frame)
    prison_start, prison_end = _prison_terms(rng, birth, male, death, frame)
    mobile = _mobiles(rng, age)
    return People(
        county=county.astype(np.int32),
        id_area=area.astype(np.int32),
        birth=birth,
        male=male,
        seq=seq.astype(np.int32),
        education=education,
        death=death,
        death_source=source,
        prison_start=prison_start,
        prison_end=prison_end,
        ids=ids,
        names=names,
        mobile=mobile,
    )


def _deaths(
    rng: np.random.Generator, birth: Array, age: Array, frame: Frame
) -> tuple[Array, Array]:
    """Deaths of the last DEATH_YEARS years (Gompertz mortality by age)."""
    n = birth.size
    rate = np.exp(-10.0 + 0.09 * age)
    dies = rng.random(n) < 1 - np.exp(-DEATH_YEARS * rate)
    when = frame.end - (rng.random(n) * DEATH_YEARS * 365.2425).astype(np.int32)
    when = np.maximum(when, birth + 1)
    death = np.where(dies, when, NO_DATE).astype(np.int32)
    source = choose(rng, n, [0.5, 0.3, 0.2]).astype(np.int8)
    return death, source


def _prison_terms(
    rng: np.random.Generator, birth: Array, male: Array, death: Array, frame: Frame
) -> tuple[Array, Array]:
    """About 0.2 % of adults have a prison term on record (mostly men)."""
    n = birth.size
    age = age_years(birth, frame.end)
    p = np.where(male, 0.004, 0.0004) * ((age >= 20) & (age < 70))
    jailed = rng.random(n) < p
    adult = birth + 18 * 365 + 5
    start = frame.end - (rng.random(n) * 12 * 365).astype(np.int32)
    start = np.maximum(start, adult)
    length = np.exp(rng.normal(np.log(30 * 30.44), 0.7, n)).astype(np.int32)
    end = start + np.maximum(length, 90)
    end = np.where(end > frame.end, NO_DATE, end)
    jailed &= (start < frame.end - 30) & (death > start + 30)
    end = np.where(jailed & (death < end), death, end)
    return (
        np.where(jailed, start, NO_DATE).astype(np.int32),
        np.where(jailed, end, NO_DATE).astype(np.int32),
    )


def _mobiles(rng: np.random.Generator, age: Array) -> pa.Array:
    has = (age >= 18) & (rng.random(age.size) < np.where(age >= 75, 0.75, 0.96))
    numbers = make_mobiles(rng, int(has.sum()))
    positions = np.cumsum(has) - 1
    dictionary = fixed_text(numbers)
    mask = ~has
    return dictionary.take(pa.array(np.where(has, positions, 0), mask=mask))


# --- households -------------------------------------------------------------------------


def make_households(rng: np.random.Generator, people: People, frame: Frame) -> Households:
    """Group the living into households of their county: couples with their children,
    young adults mostly living with their parents, other adults on their own."""
    n = people.n
    end = frame.end
    age = people.age(end)
    alive = people.alive_at(end)
    county = people.county.astype(np.int64)
    male = people.male
    p_married = np.where(
        male,
        np.select([age < 23, age < 28, age < 33, age < 75], [0, 0.35, 0.7, 0.88], 0.6),
        np.select([age < 21, age < 26, age < 31, age < 70], [0, 0.4, 0.75, 0.9], 0.6),
    )
    married = alive & (rng.random(n) < p_married)
    husbands, wives = _pair(county, people.birth, married & male, married & ~male)
    m_day = np.maximum(people.birth[husbands] + 23 * 365, people.birth[wives] + 21 * 365)
    m_day = m_day + (rng.random(husbands.size) * 8 * 365).astype(np.int32)
    m_day = np.where(m_day > end, end - (rng.random(husbands.size) * 365).astype(np.int32), m_day)

    household = np.full(n, -1, dtype=np.int64)
    n_couples = husbands.size
    household[husbands] = np.arange(n_couples)
    household[wives] = np.arange(n_couples)
    head_is_wife = rng.random(n_couples) < 0.2
    young = alive & (household < 0) & ((age < 18) | ((age < 30) & (rng.random(n) < 0.7)))
    kids = np.flatnonzero(young)
    parents = _parents(rng, people, husbands, kids)
    household[kids[parents >= 0]] = parents[parents >= 0]
    # Everybody else alive heads a household of their own.
    solo = np.flatnonzero(alive & (household < 0))
    household[solo] = n_couples + np.arange(solo.size)
    head = np.concatenate([np.where(head_is_wife, wives, husbands), solo])
    households = _number(rng, people, head, household)
    households.marriages = (husbands, wives, m_day.astype(np.int32))
    return households


def _parents(rng: np.random.Generator, people: People, husbands: Array, kids: Array) -> Array:
    """For each child, a couple (index into ``husbands``) of its county whose husband was
    born 24–34 years earlier (within three years; failing that the nearest), or -1."""
    if husbands.size == 0:
        return np.full(kids.size, -1, dtype=np.int64)
    county = people.county.astype(np.int64)
    couple_key = county[husbands] * 1_000_000 + people.birth[husbands] + 40_000
    order = np.argsort(couple_key, kind="stable")
    sorted_key = couple_key[order]
    target = people.birth[kids] - ((24 + rng.random(kids.size) * 10) * 365.2425).astype(np.int32)
    k_county = county[kids]
    base = k_county * 1_000_000 + 40_000
    lo = np.searchsorted(sorted_key, k_county * 1_000_000)
    hi = np.searchsorted(sorted_key, (k_county + 1) * 1_000_000)
    near_lo = np.searchsorted(sorted_key, base + target - 1096)
    near_hi = np.searchsorted(sorted_key, base + target + 1096)
    pick = near_lo + (rng.random(kids.size) * (near_hi - near_lo)).astype(np.int64)
    nearest = np.searchsorted(sorted_key, base + target)
    pos = np.clip(np.where(near_hi > near_lo, pick, nearest), lo, np.maximum(hi - 1, 0))
    out: Array = np.where(hi > lo, order[np.clip(pos, 0, order.size - 1)], -1)
    return out


def _number(rng: np.random.Generator, people: People, head: Array, household: Array) -> Households:
    """Number households per county in the order of their heads; addresses."""
    geo = regions.geography()
    h_county = people.county.astype(np.int64)[head]
    order = np.lexsort((head, h_county))
    renumber = np.empty(head.size, dtype=np.int64)
    renumber[order] = np.arange(head.size)
    head = head[order]
    h_county = h_county[order]
    people.household = np.where(household >= 0, renumber[np.maximum(household, 0)], -1)
    seq_in_county = rank_within(h_county)
    codes = geo.county_codes[h_county]
    ids = ascii_join(digits(codes, 6), digits(seq_in_county + 1, 9))
    city = geo.county_city[h_county]
    street = rng.integers(0, len(regions.STREETS), head.size)
    number = rng.integers(1, 400, head.size)
    address = join_text(
        plain_text(geo.city_names, city),
        plain_text(geo.county_names, h_county),
        plain_text(regions.STREETS, street),
        pa.array(number.astype(np.int64)).cast(pa.string()),
        "号",
    )
    return Households(head=head, county=h_county.astype(np.int32), ids=ids, address=address)


def _pair(county: Array, birth: Array, men: Array, women: Array) -> tuple[Array, Array]:
    """Pair the k-th oldest man of a county with its k-th oldest woman."""
    m = np.flatnonzero(men)
    w = np.flatnonzero(women)
    m = m[np.lexsort((birth[m], county[m]))]
    w = w[np.lexsort((birth[w], county[w]))]
    m_key = county[m] * 10_000_000 + rank_within(county[m])
    w_key = county[w] * 10_000_000 + rank_within(county[w])
    common, mi, wi = np.intersect1d(m_key, w_key, assume_unique=True, return_indices=True)
    del common
    return m[mi], w[wi]


# --- tables -----------------------------------------------------------------------------


def persons_table(people: People, households: Households) -> pa.Table:
    geo = regions.geography()
    hh = people.household
    return pa.table(
        {
            "person_id": people.ids,
            "name": people.names,
            "sex": take_text(("F", "M"), people.male.astype(np.int8)),
            "birth_date": date_col(people.birth),
            "hukou_region": take_text([str(c) for c in geo.county_codes], people.county),
            "household_id": id_col(households.ids, hh),
            "mobile": people.mobile,
            "education": take_text(EDUCATION, people.education),
        }
    )


def households_table(people: People, households: Households) -> pa.Table:
    geo = regions.geography()
    return pa.table(
        {
            "household_id": households.ids,
            "head_id": id_col(people.ids, households.head),
            "region_code": take_text([str(c) for c in geo.county_codes], households.county),
            "address": households.address,
        }
    )


def deaths_table(people: People) -> pa.Table:
    dead = np.flatnonzero(people.death != NO_DATE)
    return pa.table(
        {
            "person_id": id_col(people.ids, dead),
            "death_date": date_col(people.death[dead]),
            "source": take_text(DEATH_SOURCES, people.death_source[dead]),
        }
    )


def incarcerations_table(people: People) -> pa.Table:
    jailed = np.flatnonzero(people.prison_start != NO_DATE)
    return pa.table(
        {
            "incarceration_id": pa.array(np.arange(1, jailed.size + 1), type=pa.int64()),
            "person_id": id_col(people.ids, jailed),
            "start_date": date_col(people.prison_start[jailed]),
            "end_date": date_col(people.prison_end[jailed]),
        }
    )
