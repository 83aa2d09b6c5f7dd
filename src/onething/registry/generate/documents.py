"""Skill certificates (职业技能等级证书) and the e-license library (电子证照库).

Certificates: about one in eight employees and flexible workers of working age (fewer
others) holds one or two, issued in the last eight years, some in occupations on a
shortage list (the list here is illustrative, not Shandong's published one).

Licenses: an ID card for every living person from 16 (valid 10 years if issued before 26,
20 years before 46, then without limit), a household register per household (to its
head), a birth medical certificate for children born since 1996, a marriage certificate
for each spouse of a couple, a business licence for every enterprise, a social-security
card for every living insured person, a death certificate for every death, and a license
for every skill certificate. License numbers are fictitious.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    add_years,
    age_years,
    as_dict,
    ascii_const,
    ascii_join,
    choose,
    date_col,
    day,
    digits,
    id_col,
    join_text,
    take_text,
    year_of,
)
from onething.registry.generate.employment import NOT_INSURED, Careers
from onething.registry.generate.frame import Frame
from onething.registry.generate.insurance import Enrolments
from onething.registry.generate.people import People

if TYPE_CHECKING:
    from onething.registry.generate.world import World

LEVELS = ("初级", "中级", "高级", "技师", "高级技师")
# (occupation, on the shortage list) — illustrative.
OCCUPATIONS: tuple[tuple[str, bool], ...] = (
    ("电工", True), ("焊工", True), ("车工", False), ("钳工", False), ("数控车工", True),
    ("汽车维修工", False), ("育婴员", True), ("保育员", False), ("养老护理员", True),
    ("家政服务员", False), ("中式烹调师", False), ("中式面点师", False), ("美容师", False),
    ("美发师", False), ("保安员", False), ("消防设施操作员", False), ("电子商务师", False),
    ("物流服务师", False), ("工业机器人系统操作员", True), ("计算机程序设计员", True),
    ("人工智能训练师", True), ("健康管理师", False), ("公共营养师", False), ("茶艺师", False),
    ("农业技术员", False), ("叉车司机", False), ("砌筑工", False), ("钢筋工", False),
    ("电梯安装维修工", True), ("制冷空调系统安装维修工", False), ("无人机驾驶员", True),
    ("互联网营销师", False), ("化工总控工", True), ("仪器仪表维修工", True),
)  # fmt: skip
LICENSE_TYPES = (
    "id_card",
    "household_register",
    "birth_medical_certificate",
    "marriage_certificate",
    "business_licence",
    "social_security_card",
    "death_certificate",
    "skill_certificate",
)
_BIRTH_CERTIFICATES_FROM = day(date(1996, 1, 1))  # 出生医学证明 since 1996
_CARDS_FROM = day(date(2010, 1, 1))
_PREFIX = ("SFZ", "HKB", "CSZ", "JHZ", "YYZZ", "SBK", "SWZ", "JNZ")


@dataclass(frozen=True)
class Certificates:
    """The skill-certificate table, with the holder (person index) and issue day of each."""

    table: pa.Table
    holder: Array
    issued: Array


def certificates(
    rng: np.random.Generator, people: People, careers: Careers, frame: Frame
) -> Certificates:
    """Skill certificates of the working-age population."""
    end = frame.end
    age = people.age(end)
    working = (age >= 20) & (age <= 62) & people.alive_at(end)
    p = np.where(careers.kind != NOT_INSURED, 0.12, 0.03) * working
    holder = np.flatnonzero(rng.random(people.n) < p)
    holder = np.sort(np.r_[holder, holder[rng.random(holder.size) < 0.2]])
    n = holder.size
    issued = end - (rng.random(n) * 8 * 365).astype(np.int64)
    issued = np.maximum(issued, add_years(people.birth[holder], 18))
    issued = np.minimum(issued, end)
    occupation = choose(rng, n, np.ones(len(OCCUPATIONS)))
    level = choose(rng, n, [0.40, 0.35, 0.18, 0.05, 0.02])
    order = np.lexsort((issued, holder))
    holder, issued, occupation, level = (
        holder[order],
        issued[order],
        occupation[order],
        level[order],
    )
    geo = regions.geography()
    county = people.county[holder]
    ids = ascii_join(
        ascii_const("S", n),
        digits(year_of(issued), 4),
        digits(geo.county_codes[county], 6),
        digits(np.arange(1, n + 1), 8),
    )
    table = pa.table(
        {
            "certificate_id": ids,
            "person_id": id_col(people.ids, holder),
            "occupation": take_text([o for o, _ in OCCUPATIONS], occupation),
            "level": take_text(LEVELS, level),
            "shortage": pa.array(np.array([s for _, s in OCCUPATIONS])[occupation]),
            "issued_on": date_col(issued),
        }
    )
    return Certificates(table, holder, issued)


def _issuers(suffix: str) -> list[str]:
    geo = regions.geography()
    return [f"{name}{suffix}" for name in geo.county_names]


def _police() -> list[str]:
    geo = regions.geography()
    out = []
    for i, name in enumerate(geo.county_names):
        city = geo.city_names[int(geo.county_city[i])]
        short = name[:-1] if len(name) > 2 and name[-1] in "区县市" else name
        out.append(f"{city}公安局{short}分局")
    return out


def licenses(
    rng: np.random.Generator, w: World, enrol: Enrolments, certs: Certificates
) -> pa.Table:
    """The e-license table (one part per license type)."""
    people, households, ent, frame = w.people, w.households, w.ent, w.frame
    end = frame.end
    alive = people.alive_at(end)
    age = people.age(end)
    parts: list[dict[str, pa.Array]] = []
    police = _police()

    # ID cards.
    p = np.flatnonzero(alive & (age >= 16))
    issued = np.maximum(
        end - (rng.random(p.size) * 10 * 365).astype(np.int64), add_years(people.birth[p], 16)
    )
    at_issue = age_years(people.birth[p], issued)
    valid = np.where(
        at_issue < 26,
        add_years(issued, 10),
        np.where(at_issue < 46, add_years(issued, 20), NO_DATE),
    )
    parts.append(
        _rows(0, id_col(people.ids, p), take_text(police, people.county[p]),
              issued, valid=valid, license_ids=join_text("ID", people.ids.take(pa.array(p))))
    )  # fmt: skip
    # Household registers.
    head = households.head
    issued = np.maximum(
        end - (rng.random(head.size) * 20 * 365).astype(np.int64),
        add_years(people.birth[head], 16),
    )
    parts.append(
        _rows(1, id_col(people.ids, head),
              take_text(police, households.county), np.minimum(issued, end))
    )  # fmt: skip
    # Birth medical certificates.
    c = np.flatnonzero((age < 18) & (people.birth >= _BIRTH_CERTIFICATES_FROM))
    parts.append(
        _rows(2, id_col(people.ids, c),
              take_text(_issuers("妇幼保健院"), people.county[c]),
              np.minimum(people.birth[c] + rng.integers(0, 4, c.size), end))
    )  # fmt: skip
    # Marriage certificates, one per spouse.
    husbands, wives, married = households.marriages
    spouses = np.ravel(np.column_stack([husbands, wives]))
    m_day = np.repeat(married, 2)
    parts.append(
        _rows(3, id_col(people.ids, spouses),
              take_text(_issuers("民政局"), people.county[spouses]), m_day)
    )  # fmt: skip
    # Business licences.
    parts.append(
        _rows(4, ent.ids, take_text(_issuers("市场监督管理局"), ent.county),
              ent.established)
    )  # fmt: skip
    # Social-security cards for the living insured.
    first = np.full(people.n, NO_DATE, dtype=np.int64)
    np.minimum.at(first, enrol.person, enrol.start)
    s = np.flatnonzero((first != NO_DATE) & alive)
    issued = np.minimum(
        np.maximum(first[s], _CARDS_FROM + (rng.random(s.size) * 5 * 365).astype(np.int64)), end
    )
    parts.append(
        _rows(5, id_col(people.ids, s),
              take_text(_issuers("人力资源和社会保障局"), people.county[s]),
              issued, valid=add_years(issued, 10))
    )  # fmt: skip
    # Death certificates.
    d = np.flatnonzero(people.death != NO_DATE)
    parts.append(
        _rows(6, id_col(people.ids, d),
              take_text(_issuers("人民医院"), people.county[d]), people.death[d])
    )  # fmt: skip
    # Skill certificates.
    parts.append(
        _rows(7, id_col(people.ids, certs.holder),
              take_text(_issuers("人力资源和社会保障局"), people.county[certs.holder]),
              certs.issued, license_ids=join_text("JN", certs.table["certificate_id"]))
    )  # fmt: skip
    return pa.concat_tables([pa.table(part) for part in parts])


def _rows(
    kind: int,
    holders: pa.Array,
    issuer: pa.Array,
    issued: Array,
    *,
    valid: Array | None = None,
    license_ids: pa.Array | None = None,
) -> dict[str, pa.Array]:
    n = len(holders)
    enterprise = LICENSE_TYPES[kind] == "business_licence"
    if license_ids is None:
        license_ids = ascii_join(ascii_const(_PREFIX[kind], n), digits(np.arange(1, n + 1), 10))
    return {
        "license_id": license_ids.cast(pa.string()),
        "license_type": take_text(LICENSE_TYPES, np.full(n, kind)),
        "holder_kind": take_text(("person", "enterprise"), np.full(n, enterprise)),
        "holder_id": as_dict(holders),
        "issuer": issuer,
        "issued_on": date_col(np.asarray(issued)),
        "valid_until": date_col(np.full(n, NO_DATE) if valid is None else np.asarray(valid)),
    }
