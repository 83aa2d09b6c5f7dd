"""Where synthetic people live: the real 16 cities of Shandong and their counties.

County-level divisions come from the shipped NBS 2023 list (statistical development zones,
code ``37xx7x``, excluded: they never appear in an ID number and are not hukou places).
People are spread over cities in proportion to their resident population and evenly over
the counties of a city. The region table itself is the shipped list
(:func:`onething.registry.io.regions.shipped_regions_arrow`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from onething.kit.ids import is_development_zone
from onething.registry.generate.arrays import Array

# Approximate resident population at the end of 2023, in 10,000 persons, from the cities'
# statistical communiqués as remembered (rounded; only the proportions matter here).
CITY_POPULATION: dict[str, float] = {
    "3701": 951.5,  # 济南
    "3702": 1037.2,  # 青岛
    "3703": 470.6,  # 淄博
    "3704": 379.4,  # 枣庄
    "3705": 220.9,  # 东营
    "3706": 704.9,  # 烟台
    "3707": 938.7,  # 潍坊
    "3708": 829.7,  # 济宁
    "3709": 535.6,  # 泰安
    "3710": 292.0,  # 威海
    "3711": 295.3,  # 日照
    "3713": 1099.4,  # 临沂
    "3714": 556.0,  # 德州
    "3715": 589.4,  # 聊城
    "3716": 391.8,  # 滨州
    "3717": 868.0,  # 菏泽
}

# 莱芜市 (3712) was merged into 济南 in 2019: people registered there before keep ID
# numbers with its abolished codes (FACTS §1.1, §1.3), still valid.
LAIWU_LEGACY: dict[int, int] = {370116: 371202, 370117: 371203}
LAIWU_MERGED_ON = (2019, 1, 1)

# Common street names for synthetic registered addresses.
STREETS: tuple[str, ...] = (
    "人民路", "解放路", "建设路", "和平路", "中山路", "文化路", "新华路", "胜利街",
    "青年路", "幸福街", "振兴路", "工业路", "北京路", "泰山路", "黄河路", "长江路",
    "府前街", "兴华路", "滨河路", "花园路", "光明街", "东风路", "朝阳路", "育才路",
    "金山路", "银河路", "齐鲁大道", "站前街", "学府路", "健康路",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Geography:
    """Counties usable as hukou and registration places, with their cities."""

    county_codes: Array  # int32, sorted
    county_names: tuple[str, ...]
    county_city: Array  # index into city_codes
    county_weight: Array  # float64, share of the population
    city_codes: tuple[str, ...]  # four-digit
    city_names: tuple[str, ...]

    @property
    def n_counties(self) -> int:
        return int(self.county_codes.size)

    @property
    def n_cities(self) -> int:
        return len(self.city_codes)

    def city_short(self, city: int) -> str:
        """济南市 → 济南."""
        return self.city_names[city].removesuffix("市")


def _read(name: str) -> list[dict[str, str]]:
    text = (resources.files("onething") / "data" / "regions" / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def geography() -> Geography:
    cities = _read("shandong_cities_nbs2023.csv")
    city_codes = tuple(c["code"] for c in cities)
    city_names = tuple(c["name"] for c in cities)
    counties = [
        c for c in _read("shandong_counties_nbs2023.csv") if not is_development_zone(c["code"])
    ]
    counties.sort(key=lambda c: c["code"])
    codes = np.array([int(c["code"]) for c in counties], dtype=np.int32)
    city_idx = np.array([city_codes.index(c["cityCode"]) for c in counties], dtype=np.int32)
    per_city = np.bincount(city_idx, minlength=len(city_codes))
    population = np.array([CITY_POPULATION[c] for c in city_codes])
    weight = population[city_idx] / per_city[city_idx]
    return Geography(
        county_codes=codes,
        county_names=tuple(c["name"] for c in counties),
        county_city=city_idx,
        county_weight=weight / weight.sum(),
        city_codes=city_codes,
        city_names=city_names,
    )
