"""Chinese personal names for synthetic residents, drawn from shipped frequency lists.

Surnames carry approximate frequencies for Shandong (王, 张, 李 and 刘 together about a third
of the population; 孙, 于, 孔, 姜, 隋 and 逄 more common here than nationally). The figures are
rounded recollections of published surname rankings, good enough for plausible data and not a
statistic to quote. Given names use characters typical of the person's sex and birth
cohort (建国 and 秀兰 for the 1950s, 伟 and 丽 for the 1970s–80s, 梓涵 and 子轩 after 2005),
one or two characters long.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from onething.registry.generate.arrays import Array, choose, join_text, plain_text

# (surname, approximate share in per mille)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 106), ("张", 89), ("李", 80), ("刘", 72), ("孙", 30), ("杨", 25), ("陈", 23),
    ("赵", 22), ("高", 18), ("徐", 16), ("马", 15), ("于", 15), ("郭", 11), ("宋", 11),
    ("韩", 10), ("周", 10), ("朱", 9), ("吴", 8), ("姜", 8), ("孟", 5), ("崔", 7), ("曹", 7),
    ("任", 7), ("田", 7), ("孔", 6), ("侯", 6), ("魏", 6), ("丁", 6), ("董", 6), ("吕", 6),
    ("贾", 5), ("梁", 5), ("许", 5), ("胡", 5), ("杜", 5), ("邢", 4), ("薛", 4), ("尹", 4),
    ("袁", 4), ("范", 4), ("程", 4), ("冯", 4), ("石", 4), ("郑", 4), ("闫", 4), ("谢", 3),
    ("邵", 3), ("秦", 3), ("苗", 3), ("牛", 3), ("曲", 3), ("蒋", 3), ("葛", 3), ("付", 3),
    ("武", 3), ("黄", 3), ("颜", 2), ("鲁", 2), ("翟", 2), ("庞", 2), ("毕", 2), ("唐", 2),
    ("蔡", 2), ("潘", 2), ("彭", 2), ("肖", 2), ("房", 2), ("宫", 2), ("纪", 2), ("卢", 2),
    ("安", 2), ("白", 2), ("夏", 2), ("乔", 2), ("隋", 1.5), ("栾", 1), ("仲", 1), ("臧", 1),
    ("解", 1), ("盛", 1), ("宁", 1), ("单", 1), ("申", 1), ("方", 1), ("陆", 1), ("段", 1),
    ("亓", 0.5), ("逄", 0.5), ("慕", 0.5), ("展", 0.5), ("欧阳", 0.1), ("诸葛", 0.05),
    ("司马", 0.05), ("东方", 0.03),
)  # fmt: skip

# Given-name characters by birth cohort (before 1970, 1970–1989, 1990–2004, 2005 on).
_MALE = (
    "建国军华明德福山林忠文志光学东海平成金祥庆贵宝荣兴树春生民胜永利发才洪友常振广",
    "伟强磊军勇刚杰涛斌辉鹏超波亮峰健俊飞明林东华建志海龙宁鑫凯",
    "浩宇杰鹏帅超凯旭晨阳昊博飞龙文轩振磊鑫嘉豪泽伟航",
    "子轩浩宇梓睿泽铭辰俊宸皓奕博一诺承沐景晨航骏瑞锦",
)
_FEMALE = (
    "秀兰英桂珍玉凤芳淑华荣梅琴云芝霞敏香翠爱美菊莲素春红",
    "丽艳敏静燕娟霞红芳萍玲娜婷莉颖洁慧晶丹蕾倩",
    "婷雪琳欣悦怡倩晴佳璐蕾瑶萌璇洁颖雨晨琪",
    "梓涵萱欣怡一诺若汐雨桐可馨语依晨思佳子沐芮安",
)
_COHORT_STARTS = (1970, 1990, 2005)
# Share of two-character given names by cohort.
_TWO_CHAR_SHARE = (0.75, 0.45, 0.55, 0.85)


def _pools() -> tuple[tuple[str, ...], Array, Array]:
    """All characters (index 0 is the empty string), and per pool its offset and size."""
    chars: list[str] = [""]
    offsets: list[int] = []
    sizes: list[int] = []
    for pool in (*_FEMALE, *_MALE):  # pool index = male * 4 + cohort
        offsets.append(len(chars))
        sizes.append(len(pool))
        chars.extend(pool)
    return tuple(chars), np.array(offsets), np.array(sizes)


def person_names(rng: np.random.Generator, male: Array, birth_year: Array) -> pa.Array:
    """Full names (surname + one or two given-name characters) for each person."""
    n = male.size
    surname = choose(rng, n, [w for _, w in SURNAMES])
    cohort = np.searchsorted(np.array(_COHORT_STARTS), birth_year, side="right")
    pool = male.astype(np.int64) * 4 + cohort
    chars, offsets, sizes = _pools()
    first = offsets[pool] + (rng.random(n) * sizes[pool]).astype(np.int64)
    second = offsets[pool] + (rng.random(n) * sizes[pool]).astype(np.int64)
    # Avoid doubled characters (明明) except by chance for the youngest cohort.
    second = np.where((second == first) & (cohort < 3), offsets[pool], second)
    two = rng.random(n) < np.array(_TWO_CHAR_SHARE)[cohort]
    second = np.where(two, second, 0)
    return join_text(
        plain_text([s for s, _ in SURNAMES], surname),
        plain_text(chars, first),
        plain_text(chars, second),
    )
