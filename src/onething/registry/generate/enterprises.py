"""Enterprises: about one per fifteen persons, of heavily skewed sizes.

Each enterprise has a registration county (the area code inside its unified social credit
code), an industry section of GB/T 4754-2017 and a hiring weight drawn from a Pareto law, so
most are micro firms and a few employ thousands. Dates (established, closed, insured) and
the size class are set after employment is simulated, from the staff the enterprise
actually has (see :func:`finish_enterprises`). Enterprises are stored in credit-code order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from onething.kit.ids import make_credit_codes
from onething.registry.generate import regions
from onething.registry.generate.arrays import (
    NO_DATE,
    Array,
    bool_col,
    choose,
    date_col,
    fixed_text,
    id_col,
    join_text,
    plain_text,
    take_text,
)

PERSONS_PER_ENTERPRISE = 15
SIZES = ("micro", "small", "medium", "large")


@dataclass(frozen=True, slots=True)
class Industry:
    section: str
    share: float  # share of enterprises
    staff: float  # relative hiring weight per enterprise
    injury_rate: int  # work-injury employer rate in 1/10000 of the base
    words: tuple[str, ...]  # name words
    thresholds: tuple[int, int, int]  # headcount from which small / medium / large


# Work-injury rates: eight industry risk classes with benchmark rates 0.2 %–1.9 % of the
# wage bill (人社部发〔2015〕71号); the class of each section here is illustrative.
# Size thresholds: headcount bounds of 统计上大中小微型企业划分办法(2017) for the section;
# sections classified there by revenue or assets use the "other" bounds (10/100/300).
_OTHER = (10, 100, 300)
INDUSTRIES: tuple[Industry, ...] = (
    Industry("A", 0.04, 1.0, 70, ("农业科技", "生态农业", "养殖"), _OTHER),
    Industry("B", 0.003, 8.0, 160, ("矿业", "煤业"), (20, 300, 1000)),
    Industry(
        "C",
        0.14,
        3.0,
        90,
        ("机械制造", "化工", "纺织", "食品", "电子科技", "橡胶制品", "新材料", "汽车零部件"),
        (20, 300, 1000),
    ),
    Industry("D", 0.005, 3.0, 70, ("热力", "新能源", "供水"), (20, 300, 1000)),
    Industry("E", 0.07, 2.0, 110, ("建筑工程", "建设集团", "装饰工程", "市政工程"), _OTHER),
    Industry("F", 0.30, 0.6, 40, ("商贸", "贸易", "超市", "医药连锁", "汽车销售"), (5, 20, 200)),
    Industry("G", 0.04, 1.5, 90, ("物流", "运输", "快递", "仓储"), (20, 300, 1000)),
    Industry("H", 0.03, 1.0, 40, ("餐饮管理", "酒店管理"), (10, 100, 300)),
    Industry("I", 0.05, 1.0, 20, ("信息技术", "网络科技", "软件"), (10, 100, 2000)),
    Industry("J", 0.01, 2.0, 20, ("投资管理", "融资担保"), _OTHER),
    Industry("K", 0.03, 1.0, 40, ("房地产开发", "物业管理", "置业"), (100, 300, 1000)),
    Industry("L", 0.12, 0.8, 40, ("企业管理咨询", "广告", "租赁"), _OTHER),
    Industry("M", 0.07, 0.8, 20, ("工程设计", "检测技术", "科技服务"), _OTHER),
    Industry("N", 0.01, 1.0, 70, ("环保科技", "园林绿化"), _OTHER),
    Industry("O", 0.03, 0.8, 40, ("家政服务", "汽车维修", "美容美发"), _OTHER),
    Industry("P", 0.01, 1.0, 20, ("教育咨询", "职业培训"), _OTHER),
    Industry("Q", 0.01, 1.5, 20, ("健康管理", "养老服务"), _OTHER),
    Industry("R", 0.02, 0.7, 40, ("文化传媒", "体育发展"), _OTHER),
)
_DISPATCH_WORD = "人力资源"
_BRAND = (
    "华鑫盛泰恒瑞金鸿丰宏信源德诚利达新嘉昌海润通博远兴佳汇正永安中鲁齐泉岱沂晟祥福康宇天辰光明宝隆"
)


@dataclass
class Enterprises:
    """One entry per enterprise, in credit-code order."""

    county: Array
    industry: Array
    weight: Array
    dispatch: Array
    ui_enrolled: Array  # registers its staff for unemployment insurance
    ids: pa.Array = field(repr=False)
    names: pa.Array = field(repr=False)
    established: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    closed: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    insured: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    size: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    legal_rep: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return int(self.county.size)

    @property
    def city(self) -> Array:
        out: Array = regions.geography().county_city[self.county]
        return out

    def injury_rate(self) -> Array:
        out: Array = np.array([i.injury_rate for i in INDUSTRIES])[self.industry]
        return out


def make_enterprises(rng: np.random.Generator, persons: int) -> Enterprises:
    geo = regions.geography()
    n = max(persons // PERSONS_PER_ENTERPRISE, len(geo.city_codes))
    county = choose(rng, n, geo.county_weight)
    # Every city has at least one enterprise, so every city has somewhere to work.
    county[: geo.n_cities] = [
        int(np.flatnonzero(geo.county_city == c)[0]) for c in range(geo.n_cities)
    ]
    industry = choose(rng, n, [i.share for i in INDUSTRIES])
    staff = np.array([i.staff for i in INDUSTRIES])[industry]
    # Pareto hiring weights, capped so that no employer dominates a city.
    weight = (np.minimum(rng.pareto(1.15, n), 1500.0) + 0.3) * staff
    dispatch = rng.random(n) < 0.012
    industry = np.where(dispatch, INDUSTRIES.index(_section("L")), industry)
    weight = np.where(dispatch, weight * 8 + 5, weight)
    ui_enrolled = rng.random(n) < 0.85
    # Distinct numeric organisation-code bodies, then credit-code order.
    body = np.unique(rng.integers(10_000_000, 99_999_999, int(n * 1.05) + 16))
    body = body[rng.permutation(body.size)[:n]]
    area = geo.county_codes[county].astype(np.int64)
    order = np.lexsort((body, area))
    county, industry, weight = county[order], industry[order], weight[order]
    dispatch, ui_enrolled, body, area = (
        dispatch[order],
        ui_enrolled[order],
        body[order],
        area[order],
    )
    ids = fixed_text(make_credit_codes(area, body))
    names = _names(rng, county, industry, dispatch, weight)
    return Enterprises(
        county=county.astype(np.int32),
        industry=industry.astype(np.int8),
        weight=weight,
        dispatch=dispatch,
        ui_enrolled=ui_enrolled,
        ids=ids,
        names=names,
    )


def _section(letter: str) -> Industry:
    return next(i for i in INDUSTRIES if i.section == letter)


def _names(
    rng: np.random.Generator, county: Array, industry: Array, dispatch: Array, weight: Array
) -> pa.Array:
    geo = regions.geography()
    n = county.size
    words: list[str] = [_DISPATCH_WORD]
    offsets, sizes = [], []
    for ind in INDUSTRIES:
        offsets.append(len(words))
        sizes.append(len(ind.words))
        words.extend(ind.words)
    off, size = np.array(offsets)[industry], np.array(sizes)[industry]
    word = np.where(dispatch, 0, off + (rng.random(n) * size).astype(np.int64))
    brand = list(_BRAND)
    b1 = rng.integers(0, len(brand), n)
    b2 = (b1 + rng.integers(1, len(brand), n)) % len(brand)
    big = weight > np.quantile(weight, 0.995) if n else weight > 0
    suffix = np.where(big, 2, (rng.random(n) < 0.2).astype(np.int64))
    cities = [geo.city_short(c) for c in range(geo.n_cities)]
    return join_text(
        plain_text(cities, geo.county_city[county]),
        plain_text(brand, b1),
        plain_text(brand, b2),
        plain_text(words, word),
        plain_text(("有限公司", "有限责任公司", "股份有限公司"), suffix),
    )


class EmployerSampler:
    """Draws employers with probability proportional to their hiring weight, by city."""

    def __init__(self, ent: Enterprises) -> None:
        self.cum = np.cumsum(ent.weight)
        city = ent.city
        bounds = np.searchsorted(city, np.arange(regions.geography().n_cities + 1))
        self.lo = np.r_[0.0, self.cum][bounds[:-1]]
        self.hi = np.r_[0.0, self.cum][bounds[1:]]
        self.n = ent.n

    def draw(self, rng: np.random.Generator, city: Array, local: float = 0.92) -> Array:
        """Employers of people living in ``city``: local with probability ``local``."""
        n = city.size
        u = rng.random(n)
        stay = rng.random(n) < local
        lo = np.where(stay, self.lo[city], 0.0)
        hi = np.where(stay, self.hi[city], self.cum[-1])
        out: Array = np.minimum(
            np.searchsorted(self.cum, lo + u * (hi - lo), side="right"), self.n - 1
        )
        return out


def enterprises_table(ent: Enterprises, person_ids: pa.Array) -> pa.Table:
    geo = regions.geography()
    rep = ent.legal_rep
    return pa.table(
        {
            "enterprise_id": ent.ids,
            "name": ent.names,
            "region_code": take_text([str(c) for c in geo.county_codes], ent.county),
            "industry": take_text([i.section for i in INDUSTRIES], ent.industry),
            "size": take_text(SIZES, ent.size),
            "established_on": date_col(ent.established),
            "closed_on": date_col(ent.closed),
            "labour_dispatch": bool_col(ent.dispatch),
            "legal_rep_id": id_col(person_ids, rep),
            "insured_on": date_col(ent.insured),
        }
    )


__all__ = ["NO_DATE", "EmployerSampler", "Enterprises", "make_enterprises"]
