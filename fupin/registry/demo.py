"""Demo data: a synthetic 河南省 / 平顶山市 region tree with a full 建档立卡 registry and a few years of history.

Everything is generated column-wise with NumPy and Polars, one county at a time, and written with
``fupin.core.bulkload`` (COPY on PostgreSQL), so 10 million people load with bounded memory. The rows follow the
same rules the registry services enforce: valid and unique ID numbers with sex and birth date derived from them,
exactly one head per household, ``size`` = active members, per-capita income as ``IncomeAccount.compute()``
rounds it, coded fields from the default code tables, and audit rows in the ``{field: [before, after]}`` shape.

``run()`` is the entry point (the ``fupin demo`` command is a thin caller); ``DEMO_ACCOUNTS`` lists the logins.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from fupin.accounts.models import Role, User
from fupin.audit.models import Action, AuditLog, Channel
from fupin.audit.services import append_frame, restart_chain
from fupin.core import bulkload
from fupin.core.idnumber import CHECK_CHARS, WEIGHTS
from fupin.regions.models import Level, Region

from .models import Household, IncomeAccount, Member, SecurityCheck

DEFAULT_PEOPLE = 5000
DEFAULT_SEED = 2014
PEOPLE_PER_COUNTY = 300_000
INCOME_FIRST_YEAR = 2019
SECURITY_YEARS = 3  # 两不愁三保障 checks for the last three years

# One password for every demo account; it satisfies the password policy (≥ 8 characters, letters and digits).
DEMO_PASSWORD = "Fupin2025"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str  # province | county | township N | village T.V (1-based, in the first county)
    full_name: str
    department: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN, "province", "系统管理员"),
    DemoAccount("anquan", Role.SECURITY_ADMIN, "province", "安全管理员"),
    DemoAccount("shenjiguan", Role.AUDIT_ADMIN, "province", "审计管理员"),
    DemoAccount("xian", Role.COUNTY, "county", "县乡村振兴局"),
    DemoAccount("lingdao", Role.LEADER, "county", "县领导（只读）"),
    DemoAccount("shenji", Role.AUDITOR, "county", "县审计局（只读）"),
    DemoAccount("yibao", Role.DEPARTMENT, "county", "县医疗保障局", department="医保"),  # as comparison.kinds names it
    DemoAccount("xiang1", Role.TOWNSHIP, "township 1", "乡镇扶贫专干"),
    DemoAccount("xiang2", Role.TOWNSHIP, "township 2", "乡镇扶贫专干"),
    DemoAccount("cun1", Role.VILLAGE, "village 1.1", "村扶贫专干"),
    DemoAccount("cun2", Role.VILLAGE, "village 1.2", "村扶贫专干"),
    DemoAccount("cun3", Role.VILLAGE, "village 2.1", "村扶贫专干"),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)

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

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马胡朱郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程魏苏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤"
)
SURNAME_WEIGHTS = np.array(
    [9, 8, 8, 6, 4, 3.5, 3, 2, 2, 1.5, 1.5, 2, 2, 1.5, 1.5, 2.5, 1, 2, .5, 1, 1, 1, 1, 1.5, 1, 1, 1, 1, .8, 1, .8,
     .5, .8, 1, 1, .8, .5, .8, .5, .5, .5, 1, .5, .8, 1, .8, .8, .8, .8, .5, .8, .8, .8, .8, .3, .3, .3, .3, .8, .3,
     .8, .2, 1, .5, .2, .8, .5, .8, .3, .8, .3, .5, .3, .3, .5, .5, .8, .6, .5, .6, .3, .6, .3, .2, .5, .2, .5, .6,
     .2, .4, .4, .3, .3, .6, .3, .4, .2, .3]
)
assert len(SURNAME_WEIGHTS) == len(SURNAMES)
GIVEN = {  # (sex, generation) → characters; names of the young sound like names of the young
    ("m", "old"): "建国军伟强明华平志勇永海新卫东春林峰磊涛超鹏杰斌刚亮辉文宝保成德福全富贵长山中民利振庆学根水发玉金光耀荣旺胜喜铁松顺",
    ("f", "old"): "秀英兰芳霞丽娟敏静玲燕红梅琴萍艳桂花凤珍云莲春菊荣丹婷雪慧洁颖翠彩琼巧爱娜晶",
    ("m", "young"): "子浩宇轩豪博睿俊杰泽一梓晨航鑫阳鹏铭哲瑞凯文天佳嘉奕辰煜",
    ("f", "young"): "子欣怡涵雨梓萱诗琪可馨佳悦思彤语若雅依晨梦瑶婉蕊娅妍",
}
TOWN_FIRST = "石马高黄柳白龙杜孙吕辛寺前后东西南北大小张刘王金槐桑枣梨桃青牛凤关陈赵"
TOWN_SECOND = "集林台店寨营岗湾坡口寺城铺陵坪沟楼堂阳头关河桥庄冲"
VILLAGE_SUFFIX = "庄营寨楼岗店湾沟洼集桥庙园坡屯铺"
VILLAGE_FIRST = "东西南北前后大小上下新老石柳杨槐桑枣梨桃黄白红青马牛龙凤"
VILLAGE_SECOND = "门关岗河沟坡岭湾坪台楼庄"
NUMERALS = "一二三四五六七八九十"
PHONE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "182", "187", "188", "130",
                  "131", "132", "155", "156", "185", "186", "133", "153", "180", "189"]
BANKS = [("舞钢市农村信用合作联社", "623059"), ("中国邮政储蓄银行", "621799"), ("中国农业银行", "622848")]

# Code-table distributions (fupin.dictionaries.defaults); tuples of (code, weight).
MAIN_CAUSES = [("1", .33), ("7", .16), ("8", .12), ("9", .12), ("2", .09), ("3", .07), ("11", .04), ("4", .02),
               ("5", .02), ("10", .01), ("6", .01), ("99", .01)]
OTHER_CAUSES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "99"]
EXIT_YEARS = [(2016, .14), (2017, .22), (2018, .26), (2019, .28), (2020, .10)]
IDENTIFICATION_YEARS = [(2014, .72), (2015, .14), (2016, .14)]
# Household kinds: (status, weight). 一般农户 (category 4) are the ordinary households taken in for monitoring
# from 2020 on (边缘易致贫户); their status is 新识别.
KIND_EXITED, KIND_POOR, KIND_RETURNED, KIND_NEW, KIND_ORDINARY = range(5)
KINDS = [(KIND_EXITED, .86), (KIND_POOR, .025), (KIND_RETURNED, .02), (KIND_NEW, .035), (KIND_ORDINARY, .06)]
KIND_STATUS = {KIND_EXITED: "2", KIND_POOR: "1", KIND_RETURNED: "3", KIND_NEW: "4", KIND_ORDINARY: "4"}
SIZE_WEIGHTS = [(1, .12), (2, .22), (3, .22), (4, .22), (5, .14), (6, .06), (7, .02)]
# 文化程度 by birth cohort (before 1955, 1955-69, 1970-84, 1985 on): 文盲或半文盲 小学 初中 高中 大专 本科及以上
EDUCATION_BY_COHORT = np.array([
    [.45, .40, .13, .02, .00, .00],
    [.15, .40, .38, .06, .01, .00],
    [.04, .25, .55, .12, .03, .01],
    [.01, .08, .50, .25, .10, .06],
])
HEALTH_COMBOS = ["1", "2", "3", "2,3", "4", "2,4", "3,4", "2,3,4"]  # bit 1 chronic, 2 serious, 4 disabled
REMOVAL_REASONS = [("死亡", .5), ("婚嫁迁出", .3), ("户口迁出", .2)]

# Member roles inside the generator (relation codes follow from role and sex).
HEAD, SPOUSE, CHILD, PARENT, SON, DAUGHTER_IN_LAW, GRANDCHILD = range(7)

Report = Callable[[str], None]


# ---------------------------------------------------------------------------------------------------------------
# Region tree


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


# ---------------------------------------------------------------------------------------------------------------
# Column helpers


def _weighted(rng, pairs, n):
    values, weights = zip(*pairs)
    weights = np.asarray(weights, dtype=float)
    return np.asarray(values)[rng.choice(len(values), n, p=weights / weights.sum())]


def _frame(columns: dict) -> pl.DataFrame:
    """A DataFrame from NumPy and Polars columns; NumPy string arrays go through their few distinct values,
    which is many times faster than converting every string."""
    converted = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind == "U":
            distinct, inverse = np.unique(values, return_inverse=True)
            values = pl.Series(distinct.tolist(), dtype=pl.String).gather(inverse.ravel())
        converted[name] = values
    return pl.DataFrame(converted)


def _pick(chars, idx) -> pl.Series:
    return pl.Series(list(chars), dtype=pl.String).gather(idx)


def _ints(rng, low, high, n):
    """Uniform integers in [low, high] (inclusive)."""
    return rng.integers(low, high + 1, n)


def _divide_half_even(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num ÷ den rounded half to even, as Decimal.quantize() rounds (the per-capita income rule)."""
    sign = np.sign(num)
    q, r = np.divmod(np.abs(num), den)
    up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    return sign * (q + up)


def _money(cents) -> pl.Series:
    return pl.Series(np.asarray(cents, dtype=np.int64)).cast(pl.Decimal(18, 2)) / 100


def _timestamps(local_days: np.ndarray, seconds: np.ndarray) -> pl.Series:
    """Beijing-time day numbers (days since 1970-01-01) and seconds of day → UTC datetimes."""
    epoch = local_days.astype(np.int64) * 86400 + seconds.astype(np.int64) - 8 * 3600
    return pl.from_epoch(pl.Series(epoch), time_unit="s").dt.replace_time_zone("UTC")


def _office_seconds(rng, n):
    return _ints(rng, 8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60, n)


def _day(year, month=1, day=1):
    """Days since 1970-01-01 of a date; ``year`` may be an array."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + (day - 1)


def id_numbers(area6: int, birth_days: np.ndarray, sequence: np.ndarray) -> pl.Series:
    """18-digit ID numbers: area code, birth date, 3-digit sequence and the MOD 11-2 check character."""
    dates = birth_days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    body = area6 * 10**11 + (years * 10000 + months * 100 + days) * 1000 + sequence
    total = np.zeros(len(body), dtype=np.int64)
    rest = body.copy()
    for weight in reversed(WEIGHTS):
        total += (rest % 10) * weight
        rest //= 10
    return pl.Series(body).cast(pl.String) + pl.Series(list(CHECK_CHARS)).gather(total % 11)


def _sequences(rng, birth_days: np.ndarray, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sequence numbers unique per (birth date, sex) in one area code, odd for men; crowded days spill over."""
    n = len(birth_days)
    birth_days = birth_days.copy()
    stride = 173  # coprime with 499, so ranks map to distinct slots in a shuffled-looking order
    start = int(rng.integers(0, 499))
    tiebreak = rng.random(n)
    while True:
        key = birth_days * 2 + male
        order = np.lexsort((tiebreak, key))
        sorted_key = key[order]
        first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
        positions = np.arange(n)
        rank_sorted = positions - np.maximum.accumulate(np.where(first, positions, 0))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = rank_sorted
        crowded = rank >= 499
        if not crowded.any():
            break
        birth_days[crowded] -= 1
    slot = (start + rank * stride) % 499
    return 2 * slot + np.where(male, 1, 2), birth_days


# ---------------------------------------------------------------------------------------------------------------
# One county


@dataclass
class CountyData:
    """A county's rows with 0-based ids; ``with_ids`` shifts them to the ids allocated in the database."""

    households: pl.DataFrame
    members: pl.DataFrame
    income: pl.DataFrame
    security: pl.DataFrame
    audit: pl.DataFrame  # object_idx / parent_idx refer to the household or member frames

    def counts(self) -> dict[str, int]:
        return {
            "households": self.households.height, "members": self.members.height, "income": self.income.height,
            "security": self.security.height, "audit": self.audit.height,
        }


def generate_county(county: County, seed: int, county_index: int, today: dt.date) -> CountyData:
    rng = np.random.default_rng([seed, 1, county_index])
    villages = [v for t in county.townships for v in t.villages]
    township_of = [t.name for t in county.townships for _ in t.villages]
    n_villages = len(villages)
    today_day = _day(today.year, today.month, today.day)
    last_year = today.year - 1

    # --- household sizes (exactly county.people members) and villages
    sizes = _weighted(rng, SIZE_WEIGHTS, int(county.people / 3.3 * 1.15) + 20)
    while sizes.sum() < county.people:
        sizes = np.r_[sizes, _weighted(rng, SIZE_WEIGHTS, 100)]
    cumulative = np.cumsum(sizes)
    H = int(np.searchsorted(cumulative, county.people)) + 1
    sizes = sizes[:H].astype(np.int64)
    sizes[-1] -= cumulative[H - 1] - county.people
    village_weight = rng.uniform(.6, 1.4, n_villages)
    village_idx = np.sort(np.r_[
        np.arange(min(H, n_villages)),
        rng.choice(n_villages, max(0, H - n_villages), p=village_weight / village_weight.sum()),
    ])
    rng.shuffle(sizes)
    village_first = np.searchsorted(village_idx, np.arange(n_villages))
    in_village_seq = np.arange(H) - village_first[village_idx] + 1

    # --- household kinds, years, category inputs
    kind = _weighted(rng, KINDS, H)
    ident_year = _weighted(rng, IDENTIFICATION_YEARS, H)
    ident_year = np.where(kind == KIND_NEW, _ints(rng, 2019, 2020, H), ident_year)
    ident_year = np.where(kind == KIND_ORDINARY, _ints(rng, 2020, min(2024, last_year), H), ident_year)
    exited = (kind == KIND_EXITED) | (kind == KIND_RETURNED)
    exit_year = np.maximum(_weighted(rng, EXIT_YEARS, H), ident_year + 1)
    exit_year = np.where(exited, np.minimum(exit_year, 2020), 0)
    return_year = np.where(kind == KIND_RETURNED, _ints(rng, 2021, min(2024, last_year), H), 0)
    # The 2014 campaign registered households between April and October; later years mid-year.
    ident_day = np.where(
        ident_year == 2014,
        _day(ident_year, 4, 1) + _ints(rng, 0, 213, H),
        _day(ident_year, 6, 1) + _ints(rng, 0, 150, H),
    )

    # --- member skeleton: roles by slot
    head_age = np.clip(np.round(rng.normal(53, 13, H)), 22, 90).astype(np.int64)
    head_male = rng.random(H) < .87
    has_spouse = (sizes >= 2) & (rng.random(H) < .85)
    rest = sizes - 1 - has_spouse
    n_parents = np.where(head_age <= 58, np.minimum(rest, _weighted(rng, [(0, .6), (1, .25), (2, .15)], H)), 0)
    n_children = rest - n_parents
    three_generations = (head_age >= 52) & (n_children >= 3) & (rng.random(H) < .7)
    son_age = np.maximum(head_age - _ints(rng, 22, 32, H), 20)

    M = int(sizes.sum())
    hh = np.repeat(np.arange(H), sizes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    slot = np.arange(M) - starts[hh]
    child_no = slot - 1 - has_spouse[hh]
    role = np.full(M, CHILD)
    role[slot == 0] = HEAD
    role[(slot == 1) & has_spouse[hh]] = SPOUSE
    is_parent = (slot > 0) & (child_no >= n_children[hh])
    role[is_parent] = PARENT
    three = three_generations[hh] & (role == CHILD)
    role[three & (child_no == 0)] = SON
    role[three & (child_no == 1)] = DAUGHTER_IN_LAW
    role[three & (child_no >= 2)] = GRANDCHILD
    parent_no = child_no - n_children[hh]

    h_age = head_age[hh]
    age = np.select(
        [role == HEAD, role == SPOUSE, role == PARENT, role == SON, role == DAUGHTER_IN_LAW, role == GRANDCHILD],
        [
            h_age,
            np.clip(h_age + np.round(rng.normal(0, 3, M)).astype(np.int64) + np.where(head_male[hh], -2, 2), 20, 95),
            np.minimum(h_age + _ints(rng, 21, 33, M), 98),
            son_age[hh],
            np.maximum(son_age[hh] + _ints(rng, -4, 3, M), 20),
            np.maximum(son_age[hh] - _ints(rng, 20, 33, M), 0),
        ],
        default=h_age - _ints(rng, 21, 40, M),
    )
    age = np.where(age < 0, _ints(rng, 0, 3, M), age)
    random_sex = rng.random(M) < .52
    male = np.select(
        [role == HEAD, role == SPOUSE, role == SON, role == DAUGHTER_IN_LAW, role == PARENT],
        [
            head_male[hh],
            ~head_male[hh],
            True,
            False,
            np.where(n_parents[hh] == 2, parent_no == 0, rng.random(M) < .4),
        ],
        default=random_sex,
    )
    relation = np.select(
        [role == HEAD, role == SPOUSE, role == PARENT, role == SON, role == DAUGHTER_IN_LAW, role == GRANDCHILD],
        [
            np.full(M, "01"), np.full(M, "10"), np.where(male, "51", "52"), np.full(M, "20"), np.full(M, "21"),
            np.where(male, "40", "41"),
        ],
        default=np.where(male, "20", "30"),
    )

    # --- birth dates and ID numbers
    birth_day = today_day - np.round(age * 365.2425).astype(np.int64) - _ints(rng, 1, 364, M)
    sequence, birth_day = _sequences(rng, birth_day, male)
    ids = id_numbers(int(county.code[:6]), birth_day, sequence)
    exact_age = ((today_day - birth_day) / 365.2425).astype(np.int64)
    birth_year = birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970

    # --- names: the family surname passes to the head (when a man), his father, children and grandchildren
    surname_p = SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()
    family = rng.choice(len(SURNAMES), H, p=surname_p)[hh]
    own = rng.choice(len(SURNAMES), M, p=surname_p)
    inherits = ((role == HEAD) & male) | ((role == SPOUSE) & male) | ((role == PARENT) & male) | np.isin(
        role, [CHILD, SON, GRANDCHILD]
    )
    surname = _pick(SURNAMES, np.where(inherits, family, own))
    young = birth_year >= 1995
    given = pl.Series([""] * M)
    two_chars = rng.random(M) < .75
    for (sex_key, generation), chars in GIVEN.items():
        mask = (male if sex_key == "m" else ~male) & (young if generation == "young" else ~young)
        first = _pick(chars, rng.integers(0, len(chars), M))
        second = _pick(chars, rng.integers(0, len(chars), M))
        one = pl.select(pl.when(pl.Series(two_chars)).then(first + second).otherwise(first)).to_series()
        given = pl.select(pl.when(pl.Series(mask)).then(one).otherwise(given)).to_series()
    name = surname + given

    # --- schooling / education (students have 在校生状况, everyone else 文化程度)
    u = rng.random(M)
    schooling = np.select(
        [
            exact_age < 3, exact_age < 6, exact_age < 12, exact_age == 12, exact_age == 13, exact_age == 14,
            (exact_age < 18) & (u < .5), (exact_age < 18) & (u < .8),
            (exact_age < 22) & (u < .15), (exact_age < 22) & (u < .27), (exact_age < 22) & (u < .30),
            (exact_age < 24) & (u < .05),
        ],
        ["01", np.where(u < .85, "02", "01"), "03", "04", "05", "06", "07", "08", "09", "11", "10", "11"],
        default="",
    )
    cohort = np.digitize(birth_year, [1955, 1970, 1985])
    cumulative_edu = np.cumsum(EDUCATION_BY_COHORT, axis=1)[cohort]
    edu_draw = (rng.random(M)[:, None] > cumulative_edu).sum(axis=1)
    # Young people out of school finished at least 初中.
    edu_draw = np.where(exact_age < 25, np.maximum(edu_draw, 2), edu_draw)
    education = np.where((schooling == "") & (exact_age >= 15), (np.minimum(edu_draw, 5) + 1).astype(str), "")
    student = np.isin(schooling, ["03", "04", "05", "06", "07", "08", "09", "10", "11", "12"])

    # --- health (bitmask: 1 chronic, 2 serious illness, 4 disabled), shaped by the household's main cause
    health_bits = (
        (rng.random(M) < np.minimum(.03 + .005 * np.maximum(exact_age - 30, 0), .45)) * 1
        + (rng.random(M) < np.where(exact_age > 50, .035, .012)) * 2
        + (rng.random(M) < .035) * 4
    )
    main_cause = _weighted(rng, MAIN_CAUSES, H)
    has_student = np.bincount(hh, weights=student, minlength=H) > 0
    main_cause = np.where((main_cause == "3") & ~has_student, np.where(rng.random(H) < .5, "7", "9"), main_cause)
    target = starts + (rng.random(H) * sizes).astype(np.int64)  # the member whose illness or disability counts
    ill = main_cause == "1"
    health_bits[target[ill]] |= np.where(rng.random(ill.sum()) < .7, 1, 2)
    disabled_household = main_cause == "2"
    health_bits[target[disabled_household]] |= 4
    health = _pick(HEALTH_COMBOS, health_bits)
    disabled = (health_bits & 4) > 0
    disability_cert = pl.select(
        pl.when(pl.Series(disabled))
        .then(ids + pl.Series(_ints(rng, 1, 7, M).astype(str)) + pl.Series(_ints(rng, 1, 4, M).astype(str)))
        .otherwise(pl.lit(""))
    ).to_series()

    # --- labour, work, insurance
    sick = (health_bits & 6) > 0
    u = rng.random(M)
    working_age = (exact_age >= 16) & (exact_age < 60)
    labour = np.select(
        [
            exact_age < 16, student,
            working_age & sick, working_age & ((health_bits & 1) > 0),
            working_age,
            (exact_age < 70) & ~sick, exact_age < 70,
        ],
        [
            "", "5",
            np.where(u < .6, "4", "3"), np.where(u < .5, "3", "1"),
            np.select([u < .78, u < .96], ["1", "2"], "3"),
            np.select([u < .35, u < .85], ["1", "3"], "5"), np.select([u < .5, u < .8], ["3", "4"], "5"),
        ],
        default=np.select([u < .6, u < .85], ["5", "4"], "3"),
    )
    can_work = np.isin(labour, ["1", "2", "3"]) & (exact_age >= 18) & (exact_age <= 62)
    works = can_work & (rng.random(M) < np.where(labour == "3", .3, .72))
    work_location = np.where(works, _weighted(rng, [("1", .12), ("2", .23), ("3", .30), ("4", .35)], M), "")
    work_location = np.where(~works & (exact_age >= 16) & (exact_age <= 65) & ~student, "0", work_location)
    work_months = np.where(works, _ints(rng, 3, 12, M), 0)
    basic_medical = rng.random(M) < .995
    serious_insurance = basic_medical & (rng.random(M) < .985)
    pension = (exact_age >= 16) & ~student & (rng.random(M) < .85)

    # --- category, 低保 and 特困供养
    adult_labour = np.bincount(hh, weights=np.isin(labour, ["1", "2"]) & working_age, minlength=H)
    tekun_candidate = (sizes <= 2) & (head_age >= 60) & (adult_labour == 0) & (kind != KIND_ORDINARY)
    category = np.where(tekun_candidate & (rng.random(H) < .35), "3", "1")
    dibao_share = np.where(kind == KIND_POOR, .5, .22)
    category = np.where((category == "1") & (kind != KIND_ORDINARY) & (rng.random(H) < dibao_share), "2", category)
    category = np.where(kind == KIND_ORDINARY, "4", category)
    on_tekun = category[hh] == "3"
    on_dibao = (category[hh] == "2") & ((role == HEAD) | (rng.random(M) < .5))

    other = rng.random(M) < .04
    political = np.select(
        [(exact_age >= 18) & other, (exact_age >= 14) & (exact_age <= 28) & (rng.random(M) < .25)], ["01", "03"], "13"
    )
    ethnicity = _weighted(rng, [("01", .986), ("03", .011), ("11", .002), ("02", .001)], H)[hh]

    # --- 减员: a few non-head members left the register (death, marriage, moving away)
    removed = (role != HEAD) & (rng.random(M) < .015)
    reason = np.where(removed, np.where(exact_age >= 70, "死亡", _weighted(rng, REMOVAL_REASONS, M)), "")
    active = ~removed
    active_size = np.bincount(hh, weights=active, minlength=H).astype(np.int64)

    # --- other causes: up to two, distinct from the main cause
    cause_index = {c: i for i, c in enumerate(OTHER_CAUSES)}
    main_i = np.vectorize(cause_index.get)(main_cause)
    first_i = rng.integers(0, 11, H)
    first_i = first_i + (first_i >= main_i)
    second_i = rng.integers(0, 10, H)
    low, high = np.minimum(main_i, first_i), np.maximum(main_i, first_i)
    second_i = second_i + (second_i >= low)
    second_i = second_i + (second_i >= high)
    n_other = _weighted(rng, [(0, .45), (1, .35), (2, .20)], H)
    codes = pl.Series(OTHER_CAUSES)
    c1, c2 = codes.gather(np.minimum(first_i, second_i)), codes.gather(np.maximum(first_i, second_i))
    only = codes.gather(first_i)
    other_causes = pl.select(
        pl.when(pl.Series(n_other) == 2).then(c1 + "," + c2)
        .when(pl.Series(n_other) == 1).then(only)
        .otherwise(pl.lit(""))
    ).to_series()

    # --- household frame
    village_codes = pl.Series([v.code for v in villages]).gather(village_idx)
    number = village_codes + pl.Series(in_village_seq).cast(pl.String).str.zfill(4)
    groups_per_village = _ints(rng, 5, 10, n_villages)
    group = (rng.random(H) * groups_per_village[village_idx]).astype(np.int64)
    group_name = _pick(NUMERALS, group) + "组"
    address = (
        pl.Series(township_of).gather(village_idx) + pl.Series([v.name for v in villages]).gather(village_idx)
        + group_name + pl.Series(_ints(rng, 1, 160, H)).cast(pl.String) + "号"
    )
    phone = pl.Series(PHONE_PREFIXES).gather(rng.integers(0, len(PHONE_PREFIXES), H)) + pl.Series(
        rng.integers(0, 10**8, H)
    ).cast(pl.String).str.zfill(8)
    bank = rng.choice(len(BANKS), H, p=[.6, .25, .15])
    bank_name = pl.Series([b[0] if i else county.name + "农村信用合作联社" for i, b in enumerate(BANKS)]).gather(bank)
    bank_account = pl.Series([b[1] for b in BANKS]).gather(bank) + pl.Series(
        rng.integers(0, 10**13, H)
    ).cast(pl.String).str.zfill(13)
    cultivated = np.round(np.clip(rng.lognormal(.9, .6, H) * np.sqrt(sizes), .3, 30), 1)
    forest = np.where(rng.random(H) < .25, np.round(rng.uniform(.5, 12, H), 1), 0.0)
    house_area = np.round(np.clip(rng.normal(95, 30, H), 30, 260), 0)
    distance = np.round(rng.exponential(.6, H), 1)
    head_member = starts
    head_name = name.gather(head_member)
    head_id = ids.gather(head_member)
    status = np.vectorize(KIND_STATUS.get)(kind)
    standard = np.where(rng.random(H) < .8, "1", "2")
    status_day = np.where(exited, _day(np.maximum(exit_year, 2016), 11, 1) + _ints(rng, 0, 50, H), 0)
    return_day = np.where(kind == KIND_RETURNED, _day(np.maximum(return_year, 2021), 5, 1) + _ints(rng, 0, 150, H), 0)
    ident_seconds = _office_seconds(rng, H)
    created = _timestamps(ident_day, ident_seconds)
    last_change_day = np.maximum.reduce([ident_day, status_day, return_day])
    households = _frame({
        "idx": np.arange(H),
        "number": number,
        "village_id": village_codes,
        "group_name": group_name,
        "address": address,
        "phone": phone,
        "bank_name": bank_name,
        "bank_account": bank_account,
        "category": category,
        "status": status,
        "identification_standard": standard,
        "identification_year": ident_year.astype(np.int16),
        "exit_year": pl.Series(np.where(exited, exit_year, 0)).replace(0, None).cast(pl.Int16),
        "main_cause": main_cause,
        "other_causes": other_causes,
        "enjoys_policy": np.ones(H, dtype=bool),
        "cultivated_area": pl.Series(cultivated).cast(pl.Decimal(10, 2)),
        "forest_area": pl.Series(forest).cast(pl.Decimal(10, 2)),
        "house_area": pl.Series(house_area).cast(pl.Decimal(10, 2)),
        "road_type": _weighted(rng, [("3", .70), ("2", .15), ("4", .08), ("1", .07)], H),
        "fuel_type": _weighted(rng, [("4", .45), ("1", .35), ("3", .15), ("9", .05)], H),
        "distance_to_road_km": pl.Series(distance).cast(pl.Decimal(10, 2)),
        "has_production_power": rng.random(H) < .99,
        "has_living_power": np.ones(H, dtype=bool),
        "has_sanitary_toilet": rng.random(H) < .7,
        "in_cooperative": rng.random(H) < .35,
        "head_name": head_name,
        "head_id_number": head_id,
        "size": active_size.astype(np.int16),
        "created": created,
        "updated": _timestamps(last_change_day, ident_seconds),
    })

    # --- members frame; members born after the household was registered were added later (自然增加)
    added_day = np.maximum(ident_day[hh], birth_day + _ints(rng, 30, 200, M))
    added_day = np.minimum(added_day, today_day - 1)
    later = added_day > ident_day[hh]
    removed_day = np.where(removed, np.minimum(
        np.maximum(added_day + 365, _day(np.maximum(ident_year[hh] + 1, 2015), 1, 1)) + _ints(rng, 0, 1500, M),
        today_day - 1,
    ), 0)
    member_seconds = np.where(later, _office_seconds(rng, M), ident_seconds[hh])
    members = _frame({
        "idx": np.arange(M),
        "household_idx": hh,
        "name": name,
        "id_number": ids,
        "sex": np.where(male, "1", "2"),
        "birth_date": pl.Series(birth_day.astype(np.int32)).cast(pl.Date),
        "relation": relation,
        "ethnicity": ethnicity,
        "political_status": political,
        "education": education,
        "schooling": schooling,
        "health": health,
        "disability_cert": disability_cert,
        "labour_skill": labour,
        "work_location": work_location,
        "work_months": work_months.astype(np.int16),
        "basic_medical_insurance": basic_medical,
        "serious_illness_insurance": serious_insurance,
        "pension_insurance": pension,
        "on_dibao": on_dibao,
        "on_tekun": on_tekun,
        "active": active,
        "removed_reason": reason,
        "created": _timestamps(added_day, member_seconds),
        "updated": _timestamps(np.maximum(added_day, removed_day), member_seconds),
    })

    # --- yearly income accounts: every component in whole yuan, per-capita rounded like compute()
    years = np.arange(INCOME_FIRST_YEAR, last_year + 1)
    Y = len(years)
    monthly_wage = np.select(
        [work_location == "1", work_location == "2", work_location == "3"], [1800, 2200, 2800], 3500
    )
    member_wage = np.where(works, work_months * monthly_wage * rng.uniform(.8, 1.2, M), 0)
    wage_base = np.bincount(hh, weights=member_wage * active, minlength=H)
    business_base = cultivated * rng.uniform(550, 900, H) + np.where(rng.random(H) < .3, rng.uniform(1000, 8000, H), 0)
    property_base = np.where(rng.random(H) < .6, rng.uniform(300, 1000, H), 0) + np.where(
        rng.random(H) < .15, cultivated * 600, 0
    )
    dibao_people = np.bincount(hh, weights=on_dibao & active, minlength=H)
    tekun_people = np.bincount(hh, weights=on_tekun & active, minlength=H)
    elders = np.bincount(hh, weights=(exact_age >= 60) & active, minlength=H)
    transfer_base = dibao_people * 3000 + tekun_people * 5500 + elders * 1300 + forest * 15 + cultivated * 100
    serious = np.bincount(hh, weights=((health_bits & 2) > 0) & active, minlength=H) > 0
    chronic = np.bincount(hh, weights=((health_bits & 1) > 0) & active, minlength=H) > 0

    yh = np.repeat(np.arange(H), Y)
    year = np.tile(years, H)
    n = H * Y
    growth = 1.06 ** (year - INCOME_FIRST_YEAR) * np.where(year == 2020, .88, 1) * rng.uniform(.9, 1.1, n)
    weak = ((kind[yh] == KIND_POOR) | ((kind[yh] == KIND_RETURNED) & (year >= return_year[yh]))) | (
        (kind[yh] == KIND_ORDINARY) & (year >= ident_year[yh]) & (rng.random(n) < .6)
    )
    earning = np.where(weak, .3, 1.0) * growth
    wage = np.round(wage_base[yh] * earning).astype(np.int64)
    business = np.round(business_base[yh] * earning).astype(np.int64)
    costs = np.where(business > 0, np.round(business * rng.uniform(.3, .5, n)), 0).astype(np.int64)
    prop = np.round(property_base[yh] * growth).astype(np.int64)
    transfer = np.round(
        transfer_base[yh] * 1.05 ** (year - INCOME_FIRST_YEAR) + rng.uniform(200, 600, n)
    ).astype(np.int64)
    medical = np.round(np.select(
        [serious[yh], chronic[yh]], [rng.uniform(3000, 20000, n), rng.uniform(500, 3000, n)],
        np.where(rng.random(n) < .3, rng.uniform(0, 300, n), 0),
    )).astype(np.int64)
    size_y = np.maximum(active_size[yh], 1)
    net_cents = (wage + business + prop + transfer - costs) * 100
    per_capita = _divide_half_even(net_cents, size_y)
    account_day = _day(year + 1, 1, 5) + _ints(rng, 0, 80, n)
    account_day = np.minimum(account_day, today_day - 1)
    income = _frame({
        "household_idx": yh,
        "year": year.astype(np.int16),
        "wage_income": _money(wage * 100),
        "business_income": _money(business * 100),
        "property_income": _money(prop * 100),
        "transfer_income": _money(transfer * 100),
        "business_costs": _money(costs * 100),
        "medical_out_of_pocket": _money(medical * 100),
        "household_size": size_y.astype(np.int16),
        "net_income": _money(net_cents),
        "per_capita_net_income": _money(per_capita),
        "updated": _timestamps(account_day, _office_seconds(rng, n)),
    })

    # --- 两不愁三保障 checks for the last years: a few C/D houses (some repaired later), uninsured members
    check_years = years[-SECURITY_YEARS:]
    C = len(check_years)
    ch = np.repeat(np.arange(H), C)
    check_year = np.tile(check_years, H)
    grade = _weighted(rng, [("A", .62), ("B", .345), ("C", .03), ("D", .005)], H)
    repaired_in = _ints(rng, int(check_years[0]), int(check_years[-1]) + 3, H)
    house_grade = np.where(np.isin(grade[ch], ["C", "D"]) & (check_year >= repaired_in[ch]), "B", grade[ch])
    housing_ok = np.isin(house_grade, ["A", "B"])
    uninsured = np.bincount(hh, weights=~basic_medical & active, minlength=H) > 0
    medical_ok = ~uninsured[ch]
    water_ok = rng.random(H * C) >= .01
    note = np.select(
        [~housing_ok, ~water_ok, ~medical_ok],
        [np.char.add(np.char.add("住房为", house_grade), "级危房，已纳入危房改造计划"), "饮水不安全，已列入农村饮水工程",
         "有成员未参加基本医疗保险，已督促参保"],
        "",
    )
    cadre_chars = GIVEN["m", "old"]
    cadre = (
        _pick(SURNAMES, rng.integers(0, len(SURNAMES), n_villages))
        + _pick(cadre_chars, rng.integers(0, len(cadre_chars), n_villages))
        + _pick(cadre_chars, rng.integers(0, len(cadre_chars), n_villages))
    )
    security = _frame({
        "household_idx": ch,
        "year": check_year.astype(np.int16),
        "food_secure": np.ones(H * C, dtype=bool),
        "clothing_secure": np.ones(H * C, dtype=bool),
        "education_secure": np.ones(H * C, dtype=bool),
        "medical_secure": medical_ok,
        "housing_secure": housing_ok,
        "water_secure": water_ok,
        "house_grade": house_grade,
        "checked_on": pl.Series(np.minimum(_day(check_year, 10, 1) + _ints(rng, 0, 75, H * C), today_day - 1)
                                .astype(np.int32)).cast(pl.Date),
        "checked_by": cadre.gather(village_idx[ch]),
        "note": note,
    })

    audit = _audit_frame(rng, households, members, kind, ident_day, ident_seconds, status_day, return_day,
                         exit_year, return_year, added_day, member_seconds, later, removed, removed_day)
    return CountyData(households, members, income, security, audit)


def _audit_frame(rng, households, members, kind, ident_day, ident_seconds, status_day, return_day, exit_year,
                 return_year, added_day, member_seconds, later, removed, removed_day) -> pl.DataFrame:
    """History: registration (import), members added and removed, 脱贫 marking and 返贫 (system).

    ``changes`` hold the main fields of a created record, not every column, to keep the table lean at
    province scale; ID numbers are masked as audit.services masks them.
    """
    registered = np.bincount(members["household_idx"].to_numpy(), weights=~later, minlength=households.height)
    h = households.with_columns(
        initial_status=pl.Series(np.where((kind == KIND_NEW) | (kind == KIND_ORDINARY), "4", "1")),
        initial_size=pl.Series(registered.astype(np.int64)),  # members born later were added later
    )
    m = members.with_columns(region_code=households.get_column("village_id").gather(members["household_idx"]))
    null = pl.lit("null")

    def household_entries(frame, action, channel, time, note, changes):
        return frame.select(
            object_type=pl.lit("household"), object_idx=pl.col("idx"),
            object_repr=pl.col("number") + " " + pl.col("head_name"),
            parent_idx=pl.lit(None, dtype=pl.Int64), region_code=pl.col("village_id"),
            action=pl.lit(action.value), channel=channel, time=time, note=note, changes=changes,
        )

    def member_entries(frame, action, channel, time, note, changes):
        return frame.select(
            object_type=pl.lit("member"), object_idx=pl.col("idx"), object_repr=pl.col("name"),
            parent_idx=pl.col("household_idx"), region_code=pl.col("region_code"),
            action=pl.lit(action.value), channel=channel, time=time, note=note, changes=changes,
        )

    import_channel = pl.lit(Channel.IMPORT.value)
    system_channel = pl.lit(Channel.SYSTEM.value)
    exited_idx, returned_idx = np.flatnonzero(status_day), np.flatnonzero(return_day)
    removed_idx = np.flatnonzero(removed)
    frames = [
        household_entries(
            h, Action.CREATE, import_channel, pl.col("created"), pl.lit("建档立卡信息采集导入"),
            _changes(
                category=(null, _json_str(pl.col("category"))),
                head_id_number=(null, _json_str(_masked(pl.col("head_id_number")))),
                head_name=(null, _json_str(pl.col("head_name"))),
                identification_year=(null, _json_num(pl.col("identification_year"))),
                main_cause=(null, _json_str(pl.col("main_cause"))),
                number=(null, _json_str(pl.col("number"))),
                size=(null, _json_num(pl.col("initial_size"))),
                status=(null, _json_str(pl.col("initial_status"))),
                village=(null, _json_str(pl.col("village_id"))),
            ),
        ),
        # Members' "household": [null, id] is prepended once ids are known (_with_ids).
        member_entries(
            m, Action.CREATE,
            pl.Series(np.where(later, 1, 0)).replace_strict([0, 1], [Channel.IMPORT.value, Channel.SYSTEM.value]),
            _timestamps(added_day, member_seconds),
            pl.Series(np.where(later, 1, 0)).replace_strict([0, 1], ["建档立卡信息采集导入", "动态调整：新增人口"]),
            _changes(
                birth_date=(null, _json_str(pl.col("birth_date").cast(pl.String))),
                id_number=(null, _json_str(_masked(pl.col("id_number")))),
                name=(null, _json_str(pl.col("name"))),
                relation=(null, _json_str(pl.col("relation"))),
                sex=(null, _json_str(pl.col("sex"))),
            ),
        ).with_columns(links_household=pl.lit(True)),
        member_entries(
            m[removed_idx], Action.UPDATE, system_channel,
            _timestamps(removed_day[removed_idx], _office_seconds(rng, len(removed_idx))), pl.lit("动态调整：自然减少"),
            _changes(
                active=(pl.lit("true"), pl.lit("false")),
                removed_reason=(pl.lit('""'), _json_str(pl.col("removed_reason"))),
            ),
        ),
        household_entries(
            h[exited_idx], Action.UPDATE, system_channel,
            _timestamps(status_day[exited_idx], _office_seconds(rng, len(exited_idx))),
            pl.col("exit_year").cast(pl.String) + "年度脱贫退出标识",
            _changes(exit_year=(null, _json_num(pl.col("exit_year"))), status=(pl.lit('"1"'), pl.lit('"2"'))),
        ),
        household_entries(
            h[returned_idx], Action.UPDATE, system_channel,
            _timestamps(return_day[returned_idx], _office_seconds(rng, len(returned_idx))),
            pl.Series(return_year[returned_idx]).cast(pl.String) + "年度返贫纳入",
            _changes(status=(pl.lit('"2"'), pl.lit('"3"'))),
        ),
    ]
    return pl.concat(frames, how="diagonal").with_columns(pl.col("links_household").fill_null(False))


def _json_str(expr: pl.Expr) -> pl.Expr:
    return '"' + expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True) + '"'


def _json_num(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("null")


def _changes(**fields: tuple[pl.Expr, pl.Expr]) -> pl.Expr:
    """The audit ``changes`` JSON, {field: [before, after]} with keys sorted as audit.services.diff sorts them,
    built by string concatenation (values given as JSON text): far faster than encoding structs."""
    parts = []
    for position, (name, (before, after)) in enumerate(sorted(fields.items())):
        parts += [pl.lit(("{" if position == 0 else ",") + f'"{name}":['), before, pl.lit(","), after, pl.lit("]")]
    return pl.concat_str([*parts, pl.lit("}")])


def _masked(col: pl.Expr) -> pl.Expr:
    """410481********1234, as fupin.core.idnumber.mask writes it."""
    return col.str.slice(0, 6) + pl.lit("*" * 8) + col.str.slice(14, 4)


# ---------------------------------------------------------------------------------------------------------------
# Loading




REGISTRY_MODELS = (Household, Member, IncomeAccount, SecurityCheck, AuditLog)  # the order of CountyData.counts()


def _with_ids(data: CountyData, bases: dict[type, int]) -> dict[type, pl.DataFrame]:
    """Shift the generator's 0-based indexes to the ids allocated in the database."""
    hb, mb = bases[Household], bases[Member]

    def numbered(frame, model):
        return pl.int_range(bases[model], bases[model] + frame.height, dtype=pl.Int64)

    households = data.households.with_columns(id=pl.col("idx") + hb).drop("idx")
    members = data.members.with_columns(id=pl.col("idx") + mb, household_id=pl.col("household_idx") + hb).drop(
        "idx", "household_idx"
    )
    income = data.income.with_columns(
        id=numbered(data.income, IncomeAccount), household_id=pl.col("household_idx") + hb
    ).drop("household_idx")
    security = data.security.with_columns(
        id=numbered(data.security, SecurityCheck), household_id=pl.col("household_idx") + hb
    ).drop("household_idx")
    parent_id = (pl.col("parent_idx") + hb).cast(pl.String)
    audit = data.audit.with_columns(  # ids come from the chain's writer, in chain order
        object_id=(pl.col("object_idx") + pl.when(pl.col("object_type") == "household").then(hb).otherwise(mb))
        .cast(pl.String),
        parent_type=pl.when(pl.col("parent_idx").is_null()).then(pl.lit("")).otherwise(pl.lit("household")),
        parent_id=parent_id.fill_null(""),
        changes=pl.when(pl.col("links_household"))
        .then('{"household":[null,' + parent_id + "]," + pl.col("changes").str.slice(1))
        .otherwise(pl.col("changes")),
        user_id=pl.lit(None, dtype=pl.Int64),
        username=pl.lit(""),
    ).drop("object_idx", "parent_idx", "links_household")
    return {Household: households, Member: members, IncomeAccount: income, SecurityCheck: security, AuditLog: audit}


class DemoRefused(Exception):
    """The database holds data that is not demo data; the message says how to proceed."""


@dataclass
class DemoResult:
    counties: list[County]
    counts: dict[str, int]
    accounts: list[tuple[DemoAccount, Region]]
    generate_seconds: float = 0.0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    wipe_seconds: float = 0.0

    @property
    def people(self) -> int:
        return self.counts.get("members", 0)


def has_demo_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    return User.objects.using(using).filter(username__in=DEMO_USERNAMES).exists()


def _dependents(targets: set[type], skip: set[type]) -> list:
    """Reverse relations pointing at ``targets`` from models outside them (other apps' tables)."""
    return [
        rel for model in targets for rel in model._meta.related_objects
        if rel.related_model not in targets and rel.related_model not in skip
    ]


def _clear_dependents(targets: set[type], skip: set[type], using: str) -> None:
    """Empty or unlink other apps' rows that refer to the tables about to be wiped (as on_delete says)."""
    from django.db.models import SET_NULL

    for rel in _dependents(targets, skip):
        if rel.many_to_many:
            rel.through._default_manager.using(using).all().delete()
            continue
        rows = rel.related_model._base_manager.using(using).filter(**{f"{rel.field.name}__isnull": False})
        if rel.on_delete is SET_NULL:
            rows.update(**{rel.field.name: None})
        else:
            rows.delete()


def wipe(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """Remove the registry, the audit trail, the demo accounts and the region tree.

    Other accounts survive, unbound from their region; the returned {username: region code} lets ``run`` bind
    them again once the tree exists. Rows of other apps that hang off households or regions go too.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    big = [SecurityCheck, IncomeAccount, Member, Household, AuditLog]  # children first
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE … CASCADE also empties other apps' tables that reference these ones. It refuses to
                # run while deferred foreign-key checks are pending in the transaction, so run those first.
                connection.check_constraints()
                cursor.execute(f"TRUNCATE {', '.join(qn(m._meta.db_table) for m in big)} CASCADE")
            else:
                _clear_dependents(set(big), {User}, using)
                for model in big:
                    cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")
        User.objects.using(using).filter(username__in=DEMO_USERNAMES).delete()
        bound = User.objects.using(using).filter(region__isnull=False)
        bindings = dict(bound.values_list("username", "region_id"))
        bound.update(region=None)
        _clear_dependents({Region}, {User, Household}, using)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {qn(Region._meta.db_table)}")
        # Emptying the audit log above is the one place its rows go: PostgreSQL's append-only trigger is a row
        # trigger, which TRUNCATE does not fire, and SQLite has none. That is acceptable for demo data only (run
        # refuses a database holding real data without --reset), and the chain restarts with a row saying so.
        restart_chain("演示数据重置：操作日志已清空，哈希链自此重新开始", using=using)
    return bindings


def account_region(account: DemoAccount, county: County) -> str:
    if account.where == "province":
        return PROVINCE[0]
    if account.where == "county":
        return county.code
    kind, position = account.where.split()
    if kind == "township":
        return county.townships[int(position) - 1].code
    township, village = (int(p) for p in position.split("."))
    return county.townships[township - 1].villages[village - 1].code


def create_accounts(county: County, using: str = DEFAULT_DB_ALIAS) -> list[tuple[DemoAccount, Region]]:
    """The demo logins of DEMO_ACCOUNTS, all with DEMO_PASSWORD (hashed once: hashing is slow on purpose).

    The published password would fail the password policy, so it is set without it; outside demo mode
    (FUPIN_DEMO_MODE) each account must change it at its first login.
    """
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    hashed = make_password(DEMO_PASSWORD)
    regions = Region.objects.using(using).in_bulk([account_region(a, county) for a in DEMO_ACCOUNTS])
    created = []
    for account in DEMO_ACCOUNTS:
        region = regions[account_region(account, county)]
        user = User(
            username=account.username, role=account.role, region=region, full_name=account.full_name,
            department=account.department, is_staff=account.role == Role.ADMIN,
            password_changed_at=timezone.now(), must_change_password=not settings.FUPIN_DEMO_MODE,
        )
        user.password = hashed
        user.save(using=using)
        created.append((account, region))
    return created


# The demo province's own lines for the transition period (2021–2025). The national tables stop at 2020 (poverty)
# and 2021 (monitoring); from 2022 each province sets its own figures, so these are plausible demo values, marked so.
DEMO_LINES = {
    "poverty": {2021: 4200, 2022: 4400, 2023: 4600, 2024: 4800, 2025: 5000},
    "monitoring": {2021: 6000, 2022: 6300, 2023: 6900, 2024: 7200, 2025: 7500},
}


def create_lines(county: County, using: str = DEFAULT_DB_ALIAS) -> None:
    from fupin.procedures.models import PovertyLine

    province = county.code[:2] + "0" * 10
    PovertyLine.objects.using(using).bulk_create(
        PovertyLine(kind=kind, year=year, region_id=province, amount=amount, note="演示数据，非正式标准")
        for kind, years in DEMO_LINES.items()
        for year, amount in years.items()
    )


def run(
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    *,
    reset: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    report: Report | None = None,
    today: dt.date | None = None,
) -> DemoResult:
    """Generate and load the demo in one transaction, so a run that fails leaves the database as it was.

    Memory stays bounded: counties are generated and written one at a time. The registry tables' plain indexes
    are built once at the end (bulkload.deferred_indexes). A database holding demo data (or any data, with
    ``reset``) is wiped first; a database holding other data is refused, so real data is never lost by accident.
    """
    from django.utils import timezone

    report = report or (lambda message: None)
    today = today or timezone.localdate()
    counties = plan_regions(people, seed)
    result = DemoResult(counties, {}, [])
    connection = connections[using]
    with (
        bulkload.bulk_session(using),
        transaction.atomic(using=using),
        # The plain indexes go before the wipe too: SQLite deletes row by row, updating each index.
        bulkload.deferred_indexes(*REGISTRY_MODELS, using=using),
    ):
        started = time.perf_counter()
        bindings: dict[str, str] = {}
        if reset or has_demo_data(using):
            report("清除原有演示数据……")
            bindings = wipe(using)
        elif Household.objects.using(using).exists() or Region.objects.using(using).exists():
            raise DemoRefused(
                "数据库中已有行政区划或建档立卡数据（不是演示数据）。如确定要清空并生成演示数据，请加 --reset"
            )
        result.wipe_seconds = time.perf_counter() - started

        regions = region_frame(counties)
        bulkload.load_frame(Region, regions, using=using)
        result.accounts = create_accounts(counties[0], using)
        create_lines(counties[0], using)
        existing = set(Region.objects.using(using).filter(code__in=bindings.values()).values_list("code", flat=True))
        for username, code in bindings.items():
            if code in existing:
                User.objects.using(using).filter(username=username).update(region_id=code)
        report(f"行政区划 {regions.height:,} 个（{len(counties)} 个县）")

        totals: dict[str, int] = {}
        for index, county in enumerate(counties):
            started = time.perf_counter()
            data = generate_county(county, seed, index, today)
            result.generate_seconds += time.perf_counter() - started
            started = time.perf_counter()
            sizes = dict(zip(REGISTRY_MODELS, data.counts().values()))
            bases = {
                model: bulkload.allocate_ids(model, n, using) for model, n in sizes.items() if model is not AuditLog
            }
            for model, frame in _with_ids(data, bases).items():
                if model is AuditLog:
                    append_frame(frame, using=using)
                else:
                    bulkload.load_frame(model, frame, using=using)
            if connection.vendor == "postgresql":
                # Run this county's deferred foreign-key checks now, so the queue never outgrows a county.
                connection.check_constraints()
            result.load_seconds += time.perf_counter() - started
            for key, n in data.counts().items():
                totals[key] = totals.get(key, 0) + n
            report(
                f"[{index + 1}/{len(counties)}] {county.name}：{data.households.height:,} 户 "
                f"{data.members.height:,} 人，收支 {data.income.height:,} 条，三保障 {data.security.height:,} 条，"
                f"日志 {data.audit.height:,} 条"
            )
            del data
        started = time.perf_counter()
        report("建立索引……")
    result.index_seconds = time.perf_counter() - started
    result.counts = totals
    return result
