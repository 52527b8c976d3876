"""Chenzhou's counties, townships and villages, with current and retired region codes.

The retired 4328xx codes (郴州地区, before 1995) still sit in the IDs of older people:
they are valid numbers and must never be flagged for their region code alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    name: str
    code: str  # current region code
    old_code: str  # code of the same area before 1995
    weight: int  # share of reservoir migrants (东江 reservoir makes 资兴 the largest)
    townships: tuple[str, ...]


COUNTIES: tuple[County, ...] = (
    County("北湖区", "431002", "432801", 5, ("华塘镇", "鲁塘镇", "石盖塘街道", "保和瑶族乡")),
    County(
        "苏仙区",
        "431003",
        "432821",
        8,
        ("五里牌镇", "良田镇", "栖凤渡镇", "桥口镇", "许家洞镇", "坳上镇"),
    ),
    County(
        "资兴市",
        "431081",
        "432802",
        30,
        (
            "东江街道",
            "唐洞街道",
            "兴宁镇",
            "州门司镇",
            "黄草镇",
            "汤溪镇",
            "清江镇",
            "白廊镇",
            "三都镇",
            "蓼江镇",
        ),
    ),
    County("桂阳县", "431021", "432822", 10, ("欧阳海乡", "樟市镇", "正和镇", "雷坪镇", "仁义镇")),
    County(
        "宜章县", "431022", "432824", 9, ("莽山瑶族乡", "五岭镇", "瑶岗仙镇", "天塘镇", "长村乡")
    ),
    County("永兴县", "431023", "432823", 7, ("鲤鱼塘镇", "高亭乡", "油麻镇", "黄泥镇")),
    County("嘉禾县", "431024", "432826", 3, ("石桥镇", "广发镇", "行廊镇")),
    County("临武县", "431025", "432827", 4, ("舜峰镇", "西山瑶族乡", "汾市镇")),
    County("汝城县", "431026", "432828", 12, ("热水镇", "暖水镇", "延寿瑶族乡", "三江口瑶族镇")),
    County("桂东县", "431027", "432829", 4, ("沤江镇", "寨前镇", "清泉镇")),
    County("安仁县", "431028", "432830", 8, ("永乐江镇", "龙海镇", "豪山乡")),
)

COUNTY_INDEX = {c.name: i for i, c in enumerate(COUNTIES)}

# Every township gets a global number so a row can carry it as one small int.
TOWNSHIPS: tuple[tuple[int, str], ...] = tuple(
    (ci, t) for ci, c in enumerate(COUNTIES) for t in c.townships
)
TOWNSHIPS_OF: tuple[tuple[int, ...], ...] = tuple(
    tuple(ti for ti, (ci, _) in enumerate(TOWNSHIPS) if ci == c) for c in range(len(COUNTIES))
)

_V1 = "东西南北新大小上下石黄白青龙凤田塘岭山坪洞源江桥湾竹茶杉枫樟松梅桃李"
_V2 = "坪塘岭冲湾洞源口桥田头山江溪垅坑背坳"


def villages(rng: random.Random, count: int) -> list[str]:
    """Distinct village names for one township (移民新村 is a resettlement village)."""
    names = ["移民新村"]
    seen = set(names)
    while len(names) < count:
        name = rng.choice(_V1) + rng.choice(_V2) + "村"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


_UNIT_KINDS = (
    "人民政府",
    "财政所",
    "中心学校",
    "卫生院",
    "农业综合服务中心",
    "派出所",
    "国土资源所",
)
_COUNTY_UNITS = ("教育局", "人民医院", "财政局", "自然资源局", "水利局", "移民事务中心", "中医医院")


def employer(rng: random.Random, county: int) -> str:
    """A public employer in the county: a township office or a county bureau."""
    c = COUNTIES[county]
    if rng.random() < 0.6:
        return c.name + rng.choice(c.townships) + rng.choice(_UNIT_KINDS)
    return c.name + rng.choice(_COUNTY_UNITS)
