"""The demo region tree: 河南省, its cities and rural counties (舞钢市 first), generated townships and villages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from fupin.regions.models import Level

from .names import SURNAMES

PEOPLE_PER_COUNTY = 300_000
PROVINCE = ("410000000000", "河南省")
CITIES = {
    "4101": "郑州市", "4102": "开封市", "4103": "洛阳市", "4104": "平顶山市", "4105": "安阳市", "4106": "鹤壁市",
    "4107": "新乡市", "4108": "焦作市", "4109": "濮阳市", "4110": "许昌市", "4111": "漯河市", "4112": "三门峡市",
    "4113": "南阳市", "4114": "商丘市", "4115": "信阳市", "4116": "周口市", "4117": "驻马店市",
}
# Rural counties of Henan (GB/T 2260 style codes), 舞钢市 first; province-scale demos take them in this order.
COUNTIES = [
    ("410481", "舞钢市"), ("410421", "宝丰县"), ("410422", "叶县"), ("410423", "鲁山县"), ("410425", "郏县"),
    ("410482", "汝州市"), ("410221", "杞县"), ("410222", "通许县"), ("410223", "尉氏县"), ("410225", "兰考县"),
    ("410323", "新安县"), ("410324", "栾川县"), ("410325", "嵩县"), ("410326", "汝阳县"), ("410327", "宜阳县"),
    ("410328", "洛宁县"), ("410329", "伊川县"), ("410522", "安阳县"), ("410523", "汤阴县"), ("410526", "滑县"),
    ("410527", "内黄县"), ("410621", "浚县"), ("410622", "淇县"), ("410721", "新乡县"), ("410724", "获嘉县"),
    ("410725", "原阳县"), ("410726", "延津县"), ("410727", "封丘县"), ("410821", "修武县"), ("410822", "博爱县"),
    ("410823", "武陟县"), ("410825", "温县"), ("410922", "清丰县"), ("410923", "南乐县"), ("410926", "范县"),
    ("410927", "台前县"), ("410928", "濮阳县"), ("411024", "鄢陵县"), ("411025", "襄城县"), ("411121", "舞阳县"),
    ("411122", "临颍县"), ("411221", "渑池县"), ("411224", "卢氏县"), ("411321", "南召县"), ("411322", "方城县"),
    ("411323", "西峡县"), ("411324", "镇平县"), ("411325", "内乡县"), ("411326", "淅川县"), ("411327", "社旗县"),
    ("411328", "唐河县"), ("411329", "新野县"), ("411330", "桐柏县"), ("411421", "民权县"), ("411422", "睢县"),
    ("411423", "宁陵县"), ("411424", "柘城县"), ("411425", "虞城县"), ("411426", "夏邑县"), ("411521", "罗山县"),
    ("411522", "光山县"), ("411523", "新县"), ("411524", "商城县"), ("411525", "固始县"), ("411526", "潢川县"),
    ("411527", "淮滨县"), ("411528", "息县"), ("411621", "扶沟县"), ("411622", "西华县"), ("411623", "商水县"),
    ("411624", "沈丘县"), ("411625", "郸城县"), ("411627", "太康县"), ("411628", "鹿邑县"), ("411721", "西平县"),
    ("411722", "上蔡县"), ("411723", "平舆县"), ("411724", "正阳县"), ("411725", "确山县"), ("411726", "泌阳县"),
    ("411727", "汝南县"), ("411728", "遂平县"), ("411729", "新蔡县"),
]
# 舞钢's own towns (镇 1NN, 乡 2NN as the 统计用区划代码 rules have it); other counties get generated names.
WUGANG_TOWNSHIPS = [("尹集", "镇"), ("枣林", "镇"), ("八台", "镇"), ("武功", "乡"), ("杨庄", "乡"), ("庙街", "乡"), ("铁山", "乡")]

TOWN_FIRST = "石马高黄柳白龙杜孙吕辛寺前后东西南北大小张刘王金槐桑枣梨桃青牛凤关陈赵"
TOWN_SECOND = "集林台店寨营岗湾坡口寺城铺陵坪沟楼堂阳头关河桥庄冲"
VILLAGE_SUFFIX = "庄营寨楼岗店湾沟洼集桥庙园坡屯铺"
VILLAGE_FIRST = "东西南北前后大小上下新老石柳杨槐桑枣梨桃黄白红青马牛龙凤"
VILLAGE_SECOND = "门关岗河沟坡岭湾坪台楼庄"


@dataclass
class Village:
    code: str
    name: str
    poor: bool
    exit_year: int | None
    urban_rural_code: str


@dataclass
class Township:
    code: str
    name: str
    villages: list[Village] = field(default_factory=list)


@dataclass
class County:
    code: str
    name: str
    people: int
    townships: list[Township] = field(default_factory=list)

    @property
    def city_code(self) -> str:
        return self.code[:4] + "0" * 8


def _unique_names(rng, first: str, second: str, count: int, taken: set[str]) -> list[str]:
    """Two-character names, one character from each list, none of them in (and all added to) ``taken``."""
    names = []
    while len(names) < count:
        name = rng.choice(list(first)) + rng.choice(list(second))
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _village_names(rng, count: int) -> list[str]:
    """张庄村, 李营村 … mostly a surname and a place word, some 东关村-style names."""
    taken: set[str] = set()
    names = []
    while len(names) < count:
        if rng.random() < .75:
            name = rng.choice(list(SURNAMES[:40])) + rng.choice(list(VILLAGE_SUFFIX)) + "村"
        else:
            name = rng.choice(list(VILLAGE_FIRST)) + rng.choice(list(VILLAGE_SECOND)) + "村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def plan_regions(people: int, seed: int) -> list[County]:
    """Counties of about 300,000 people; a small demo is one county of 3 townships × 4 villages."""
    if people < 1:
        raise ValueError("人数必须大于0")
    rng = np.random.default_rng([seed, 0])
    n_counties = min(len(COUNTIES), max(1, round(people / PEOPLE_PER_COUNTY)))
    base, extra = divmod(people, n_counties)
    counties = []
    for index, (code6, name) in enumerate(COUNTIES[:n_counties]):
        county = County(code6 + "000000", name, base + (1 if index < extra else 0))
        townships_wanted = county.people / 25_000
        n_townships = int(rng.integers(10, 15)) if townships_wanted >= 10 else max(3, round(townships_wanted))
        if index == 0:
            kinds = WUGANG_TOWNSHIPS[:n_townships]
            taken = {stem for stem, _ in kinds}
            while len(kinds) < n_townships:
                stem = _unique_names(rng, TOWN_FIRST, TOWN_SECOND, 1, taken)[0]
                kinds.append((stem, "镇" if rng.random() < .6 else "乡"))
        else:
            stems = _unique_names(rng, TOWN_FIRST, TOWN_SECOND, n_townships, set())
            kinds = [(stem, "镇" if rng.random() < .6 else "乡") for stem in stems]
        numbers = {"镇": 100, "乡": 200}
        for stem, kind in kinds:
            code = county.code[:6] + f"{numbers[kind]:03d}" + "000"
            numbers[kind] += 1
            county.townships.append(Township(code, stem + kind))
        county.townships.sort(key=lambda t: t.code)
        villages_wanted = county.people / n_townships / 1250
        for township in county.townships:
            n_villages = int(rng.integers(15, 26)) if villages_wanted >= 15 else max(4, round(villages_wanted))
            for k, name in enumerate(_village_names(rng, n_villages)):
                poor = bool(rng.random() < .3)
                township.villages.append(Village(
                    code=township.code[:9] + f"{201 + k:03d}",
                    name=name,
                    poor=poor,
                    exit_year=int(rng.choice([2017, 2018, 2019, 2020], p=[.2, .3, .3, .2])) if poor else None,
                    urban_rural_code="210" if k == 0 else "220",
                ))
        counties.append(county)
    return counties


def region_frame(counties: list[County]) -> pl.DataFrame:
    rows = [(PROVINCE[0], PROVINCE[1], Level.PROVINCE, None, False, None, "")]
    for city4 in sorted({c.code[:4] for c in counties}):
        rows.append((city4 + "0" * 8, CITIES[city4], Level.CITY, PROVINCE[0], False, None, ""))
    for county in counties:
        rows.append((county.code, county.name, Level.COUNTY, county.city_code, False, None, ""))
        for township in county.townships:
            rows.append((township.code, township.name, Level.TOWNSHIP, county.code, False, None, ""))
            for v in township.villages:
                rows.append((v.code, v.name, Level.VILLAGE, township.code, v.poor, v.exit_year, v.urban_rural_code))
    return pl.DataFrame(
        rows,
        schema={"code": pl.String, "name": pl.String, "level": pl.Int16, "parent_id": pl.String,
                "is_poor_village": pl.Boolean, "exit_year": pl.Int16, "urban_rural_code": pl.String},
        orient="row",
    ).with_columns(active=pl.lit(True))
