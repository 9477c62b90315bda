"""The demo registry: one county's households, members, income accounts and 两不愁三保障 checks, generated
column-wise with NumPy and Polars.

The rows follow the rules the registry services enforce: valid and unique ID numbers with sex and birth date
derived from them, exactly one head per household, ``size`` = active members, per-capita income as
``IncomeAccount.compute()`` rounds it, and coded fields from the default code tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from fupin.accounts.models import Role
from fupin.audit.models import AuditLog
from fupin.core.idnumber import CHECK_CHARS, WEIGHTS
from fupin.monitoring.models import IncomeCheck, MonitoredHousehold
from fupin.registry.choices import (
    HouseholdCategory,
    HouseholdStatus,
    IdentificationStandard,
    LabourSkill,
    MonitoringKind,
    Relation,
    Schooling,
    type_for_status,
)
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck

from .accounts import DEMO_ACCOUNTS, account_region
from .audit import history_frame
from .columns import day_number, divide_half_even, frame, ints, money, office_seconds, pick, timestamps, weighted
from .monitoring import monitored_frame
from .names import GIVEN, SURNAME_WEIGHTS, SURNAMES
from .procedures import income_lines
from .regions import County

INCOME_FIRST_YEAR = 2019
SECURITY_YEARS = 3  # 两不愁三保障 checks for the last three years
NUMERALS = "一二三四五六七八九十"
PHONE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "182", "187", "188", "130",
                  "131", "132", "155", "156", "185", "186", "133", "153", "180", "189"]
BANKS = [("舞钢市农村信用合作联社", "623059"), ("中国邮政储蓄银行", "621799"), ("中国农业银行", "622848")]

# Code-table distributions (codes as in fupin/dictionaries/migrations/0002_default_entries.json); tuples of (code, weight).
MAIN_CAUSES = [("1", .33), ("7", .16), ("8", .12), ("9", .12), ("2", .09), ("3", .07), ("11", .04), ("4", .02),
               ("5", .02), ("10", .01), ("6", .01), ("99", .01)]
OTHER_CAUSES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "99"]
EXIT_YEARS = [(2016, .14), (2017, .22), (2018, .26), (2019, .28), (2020, .10)]
IDENTIFICATION_YEARS = [(2014, .72), (2015, .14), (2016, .14)]
# Population kinds: (kind, weight). Most rural households were never on the 建档立卡 register (一般农户, blank
# status); the registered poor of 2014–2016 are 脱贫户 now, a few returned (返贫), and a handful are still poor.
KIND_EXITED, KIND_POOR, KIND_RETURNED, KIND_NEW, KIND_ORDINARY = range(5)
KINDS = [(KIND_EXITED, .185), (KIND_POOR, .003), (KIND_RETURNED, .005), (KIND_NEW, .002), (KIND_ORDINARY, .805)]
KIND_STATUS = {KIND_EXITED: HouseholdStatus.EXITED, KIND_POOR: HouseholdStatus.POOR, KIND_RETURNED: HouseholdStatus.RETURNED,
               KIND_NEW: HouseholdStatus.NEW, KIND_ORDINARY: ""}
# Income profiles: a household's per-capita income against the year's monitoring line (``income_lines``).
# NORMAL stays well above it; EDGE falls between the poverty line and the monitoring line, WEAK below the poverty
# line, from ``weak_from`` on; RECOVERED was weak while monitored and is above the line again.
NORMAL, EDGE, WEAK, RECOVERED = range(4)
# 监测对象 ever identified (2021 on), by 户类型: share of households and the kinds they were given; ELIMINATED of
# them have had the risk eliminated since.
MONITORED_SHARE = {KIND_EXITED: .10, KIND_ORDINARY: .04}
MONITORED_KINDS = {KIND_EXITED: [(MonitoringKind.UNSTABLE, .85), (MonitoringKind.SUDDEN, .15)],
                   KIND_ORDINARY: [(MonitoringKind.EDGE, .8), (MonitoringKind.SUDDEN, .2)]}
ELIMINATED = .55
# Households the village has not yet verified: their income fell within the monitoring range this or last year.
UNVERIFIED_EDGE = {KIND_EXITED: .012, KIND_ORDINARY: .008}
# The households the demo's procedures start from (demo.workflows), placed in the demo accounts' villages so that
# every chain has a household that meets its precondition: (kind, income profile, monitored kind) per village.
SAMPLE_PROFILES = (
    [(KIND_POOR, NORMAL, "")] * 3 + [(KIND_ORDINARY, WEAK, "")] * 3 + [(KIND_EXITED, WEAK, "")] * 3
    + [(KIND_ORDINARY, EDGE, "")] * 2 + [(KIND_EXITED, EDGE, "")] * 2
    + [(KIND_ORDINARY, RECOVERED, MonitoringKind.EDGE)] * 2 + [(KIND_EXITED, RECOVERED, MonitoringKind.UNSTABLE)] * 2
)
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


def sample_villages(county: County) -> list[str]:
    """The villages of the demo's village accounts, where the sample households of SAMPLE_PROFILES live."""
    return [account_region(a, county) for a in DEMO_ACCOUNTS if a.role == Role.VILLAGE]


@dataclass
class Sample:
    index: np.ndarray
    kind: np.ndarray
    profile: np.ndarray
    monitored: np.ndarray


def _sample_households(village_idx: np.ndarray, villages: list[int]) -> Sample:
    """The first households of each sample village take the profiles of SAMPLE_PROFILES (as many as it has)."""
    index, profiles = [np.zeros(0, dtype=np.int64)], []
    for village in villages:
        members = np.flatnonzero(village_idx == village)[:len(SAMPLE_PROFILES)]
        index.append(members)
        profiles += SAMPLE_PROFILES[:len(members)]
    kinds, income, monitored = zip(*profiles) if profiles else ((), (), ())
    return Sample(np.concatenate(index).astype(np.int64), np.array(kinds, dtype=np.int64),
                  np.array(income, dtype=np.int64), np.array(monitored, dtype="<U1"))


# The order of CountyData.counts(), parents before children.
REGISTRY_MODELS = (Household, Member, IncomeAccount, SecurityCheck, MonitoredHousehold, IncomeCheck, AuditLog)


@dataclass
class CountyData:
    """A county's rows with 0-based ids; ``with_ids`` shifts them to the ids allocated in the database."""

    households: pl.DataFrame
    members: pl.DataFrame
    income: pl.DataFrame
    security: pl.DataFrame
    monitored: pl.DataFrame
    income_checks: pl.DataFrame
    audit: pl.DataFrame  # object_idx / parent_idx refer to the household or member frames

    def counts(self) -> dict[str, int]:
        return {
            "households": self.households.height, "members": self.members.height, "income": self.income.height,
            "security": self.security.height, "monitored": self.monitored.height,
            "income_checks": self.income_checks.height, "audit": self.audit.height,
        }

    def with_ids(self, bases: dict[type, int]) -> dict[type, pl.DataFrame]:
        """Shift the generator's 0-based indexes to the ids allocated in the database."""
        hb, mb = bases[Household], bases[Member]

        def numbered(frame, model):
            return pl.int_range(bases[model], bases[model] + frame.height, dtype=pl.Int64)

        households = self.households.with_columns(id=pl.col("idx") + hb).drop("idx")
        members = self.members.with_columns(id=pl.col("idx") + mb, household_id=pl.col("household_idx") + hb).drop(
            "idx", "household_idx"
        )
        income = self.income.with_columns(
            id=numbered(self.income, IncomeAccount), household_id=pl.col("household_idx") + hb
        ).drop("household_idx")
        security = self.security.with_columns(
            id=numbered(self.security, SecurityCheck), household_id=pl.col("household_idx") + hb
        ).drop("household_idx")
        monitored = self.monitored.with_columns(
            id=numbered(self.monitored, MonitoredHousehold), household_id=pl.col("household_idx") + hb
        ).drop("household_idx")
        checks = self.income_checks.with_columns(
            id=numbered(self.income_checks, IncomeCheck), household_id=pl.col("household_idx") + hb
        ).drop("household_idx")
        parent_id = (pl.col("parent_idx") + hb).cast(pl.String)
        audit = self.audit.with_columns(  # ids come from the chain's writer, in chain order
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
        return {Household: households, Member: members, IncomeAccount: income, SecurityCheck: security,
                MonitoredHousehold: monitored, IncomeCheck: checks, AuditLog: audit}


def generate_county(county: County, seed: int, county_index: int, today: dt.date) -> CountyData:
    rng = np.random.default_rng([seed, 1, county_index])
    villages = [v for t in county.townships for v in t.villages]
    township_of = [t.name for t in county.townships for _ in t.villages]
    n_villages = len(villages)
    today_day = day_number(today.year, today.month, today.day)
    last_year = today.year - 1

    # --- household sizes (exactly county.people members) and villages
    sizes = weighted(rng, SIZE_WEIGHTS, int(county.people / 3.3 * 1.15) + 20)
    while sizes.sum() < county.people:
        sizes = np.r_[sizes, weighted(rng, SIZE_WEIGHTS, 100)]
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
    kind = weighted(rng, KINDS, H)
    profile, weak_from, recovered_in = np.full(H, NORMAL), np.full(H, 9999), np.full(H, 9999)
    monitored_in = ints(rng, 2021, last_year, H)
    ever = rng.random(H) < np.select([kind == KIND_EXITED, kind == KIND_ORDINARY],
                                     [MONITORED_SHARE[KIND_EXITED], MONITORED_SHARE[KIND_ORDINARY]], 0)
    monitored_kind = np.where(kind == KIND_EXITED, weighted(rng, MONITORED_KINDS[KIND_EXITED], H),
                              weighted(rng, MONITORED_KINDS[KIND_ORDINARY], H))
    unverified = ~ever & (rng.random(H) < np.select(
        [kind == KIND_EXITED, kind == KIND_ORDINARY], [UNVERIFIED_EDGE[KIND_EXITED], UNVERIFIED_EDGE[KIND_ORDINARY]], 0))
    # The demo accounts' villages are in the first county.
    codes = [v.code for v in villages]
    sample = _sample_households(village_idx, [codes.index(c) for c in sample_villages(county)] if county_index == 0 else [])
    in_sample = np.zeros(H, dtype=bool)
    in_sample[sample.index] = True
    kind[sample.index] = sample.kind
    ever[sample.index] = sample.monitored != ""
    monitored_kind[sample.index] = sample.monitored
    monitored_in[sample.index] = last_year - 2
    unverified &= ~in_sample
    # 监测户: a few eliminated since, the others still monitored; SUDDEN ones had a shock, not a low income.
    eliminated_in = np.minimum(monitored_in + ints(rng, 1, 2, H), last_year)
    eliminated = ever & (rng.random(H) < ELIMINATED) & (monitored_in < last_year) & ~in_sample
    low_income = ever & (monitored_kind != MonitoringKind.SUDDEN)
    recovered = low_income & (eliminated | (rng.random(H) < .5)) & (monitored_in < last_year)
    profile = np.where(low_income, np.where(recovered, RECOVERED, np.where(rng.random(H) < .5, EDGE, WEAK)), profile)
    weak_from = np.where(low_income, monitored_in, weak_from)
    recovered_in = np.where(recovered, np.where(eliminated, eliminated_in, monitored_in + 1), recovered_in)
    profile = np.where(unverified, EDGE, profile)
    weak_from = np.where(unverified, ints(rng, last_year - 1, last_year, H), weak_from)
    ident_year = weighted(rng, IDENTIFICATION_YEARS, H)
    ident_year = np.where(kind == KIND_NEW, ints(rng, 2019, 2020, H), ident_year)
    ident_year = np.where(kind == KIND_ORDINARY, 2021, ident_year)  # the year the village registered it
    exited = (kind == KIND_EXITED) | (kind == KIND_RETURNED)
    exit_year = np.maximum(weighted(rng, EXIT_YEARS, H), ident_year + 1)
    exit_year = np.where(exited, np.minimum(exit_year, 2020), 0)
    return_year = np.where(kind == KIND_RETURNED, ints(rng, 2021, min(2024, last_year), H), 0)
    poor = np.isin(kind, [KIND_POOR, KIND_RETURNED, KIND_NEW])
    # The poor still in poverty: half are ready to exit (NORMAL), the others below the poverty line.
    poor_weak = poor & ((kind != KIND_POOR) | (rng.random(H) < .5))
    profile = np.where(poor_weak, WEAK, profile)
    weak_from = np.where(poor_weak, np.where(kind == KIND_RETURNED, return_year, INCOME_FIRST_YEAR), weak_from)
    profile[sample.index] = sample.profile
    weak_from[sample.index] = np.where(sample.profile == RECOVERED, last_year - 2, last_year - 1)
    recovered_in[sample.index] = np.where(sample.profile == RECOVERED, last_year - 1, 9999)
    monitoring = ever & ~eliminated
    # The 2014 campaign registered households between April and October; later years mid-year.
    ident_day = np.where(
        ident_year == 2014,
        day_number(ident_year, 4, 1) + ints(rng, 0, 213, H),
        day_number(ident_year, 6, 1) + ints(rng, 0, 150, H),
    )

    # --- member skeleton: roles by slot
    head_age = np.clip(np.round(rng.normal(53, 13, H)), 22, 90).astype(np.int64)
    head_male = rng.random(H) < .87
    has_spouse = (sizes >= 2) & (rng.random(H) < .85)
    rest = sizes - 1 - has_spouse
    n_parents = np.where(head_age <= 58, np.minimum(rest, weighted(rng, [(0, .6), (1, .25), (2, .15)], H)), 0)
    n_children = rest - n_parents
    three_generations = (head_age >= 52) & (n_children >= 3) & (rng.random(H) < .7)
    son_age = np.maximum(head_age - ints(rng, 22, 32, H), 20)

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
            np.minimum(h_age + ints(rng, 21, 33, M), 98),
            son_age[hh],
            np.maximum(son_age[hh] + ints(rng, -4, 3, M), 20),
            np.maximum(son_age[hh] - ints(rng, 20, 33, M), 0),
        ],
        default=h_age - ints(rng, 21, 40, M),
    )
    age = np.where(age < 0, ints(rng, 0, 3, M), age)
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
            np.full(M, Relation.HEAD), np.full(M, Relation.SPOUSE), np.where(male, "51", "52"), np.full(M, "20"), np.full(M, "21"),
            np.where(male, "40", "41"),
        ],
        default=np.where(male, "20", "30"),
    )

    # --- birth dates and ID numbers
    birth_day = today_day - np.round(age * 365.2425).astype(np.int64) - ints(rng, 1, 364, M)
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
    surname = pick(SURNAMES, np.where(inherits, family, own))
    young = birth_year >= 1995
    given = pl.Series([""] * M)
    two_chars = rng.random(M) < .75
    for (sex_key, generation), chars in GIVEN.items():
        mask = (male if sex_key == "m" else ~male) & (young if generation == "young" else ~young)
        first = pick(chars, rng.integers(0, len(chars), M))
        second = pick(chars, rng.integers(0, len(chars), M))
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
    student = np.isin(schooling, Schooling.IN_SCHOOL)

    # --- health (bitmask: 1 chronic, 2 serious illness, 4 disabled), shaped by the household's main cause
    health_bits = (
        (rng.random(M) < np.minimum(.03 + .005 * np.maximum(exact_age - 30, 0), .45)) * 1
        + (rng.random(M) < np.where(exact_age > 50, .035, .012)) * 2
        + (rng.random(M) < .035) * 4
    )
    main_cause = weighted(rng, MAIN_CAUSES, H)
    has_student = np.bincount(hh, weights=student, minlength=H) > 0
    main_cause = np.where((main_cause == "3") & ~has_student, np.where(rng.random(H) < .5, "7", "9"), main_cause)
    target = starts + (rng.random(H) * sizes).astype(np.int64)  # the member whose illness or disability counts
    registered = kind != KIND_ORDINARY  # on the 建档立卡 register: the cause shaped their health
    ill = registered & (main_cause == "1")
    health_bits[target[ill]] |= np.where(rng.random(ill.sum()) < .7, 1, 2)
    disabled_household = registered & (main_cause == "2")
    health_bits[target[disabled_household]] |= 4
    health = pick(HEALTH_COMBOS, health_bits)
    disabled = (health_bits & 4) > 0
    disability_cert = pl.select(
        pl.when(pl.Series(disabled))
        .then(ids + pl.Series(ints(rng, 1, 7, M).astype(str)) + pl.Series(ints(rng, 1, 4, M).astype(str)))
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
    can_work = np.isin(labour, LabourSkill.ABLE_TO_WORK) & (exact_age >= 18) & (exact_age <= 62)
    works = can_work & (rng.random(M) < np.where(labour == "3", .3, .72))
    work_location = np.where(works, weighted(rng, [("1", .12), ("2", .23), ("3", .30), ("4", .35)], M), "")
    work_location = np.where(~works & (exact_age >= 16) & (exact_age <= 65) & ~student, "0", work_location)
    work_months = np.where(works, ints(rng, 3, 12, M), 0)
    basic_medical = (rng.random(M) < .999) | in_sample[hh]
    serious_insurance = basic_medical & ((rng.random(M) < .998) | in_sample[hh])
    pension = (exact_age >= 16) & ~student & ((rng.random(M) < .97) | in_sample[hh])

    # --- category, 低保 and 特困供养
    adult_labour = np.bincount(hh, weights=np.isin(labour, LabourSkill.LABOURER) & working_age, minlength=H)
    tekun_candidate = (sizes <= 2) & (head_age >= 60) & (adult_labour == 0) & (kind != KIND_ORDINARY)
    category = np.where(tekun_candidate & (rng.random(H) < .35), HouseholdCategory.TEKUN, HouseholdCategory.ORDINARY_POOR)
    dibao_share = np.where(kind == KIND_POOR, .5, .22)
    category = np.where((category == HouseholdCategory.ORDINARY_POOR) & (kind != KIND_ORDINARY)
                        & (rng.random(H) < dibao_share), HouseholdCategory.DIBAO, category)
    category = np.where(kind == KIND_ORDINARY, "", category)
    on_tekun = category[hh] == HouseholdCategory.TEKUN
    on_dibao = (category[hh] == HouseholdCategory.DIBAO) & ((role == HEAD) | (rng.random(M) < .5))

    other = rng.random(M) < .04
    political = np.select(
        [(exact_age >= 18) & other, (exact_age >= 14) & (exact_age <= 28) & (rng.random(M) < .25)], ["01", "03"], "13"
    )
    ethnicity = weighted(rng, [("01", .986), ("03", .011), ("11", .002), ("02", .001)], H)[hh]

    # --- 减员: a few non-head members left the register (death, marriage, moving away)
    removed = (role != HEAD) & (rng.random(M) < .015)
    reason = np.where(removed, np.where(exact_age >= 70, "死亡", weighted(rng, REMOVAL_REASONS, M)), "")
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
    n_other = np.where(registered, weighted(rng, [(0, .45), (1, .35), (2, .20)], H), 0)
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
    groups_per_village = ints(rng, 5, 10, n_villages)
    group = (rng.random(H) * groups_per_village[village_idx]).astype(np.int64)
    group_name = pick(NUMERALS, group) + "组"
    address = (
        pl.Series(township_of).gather(village_idx) + pl.Series([v.name for v in villages]).gather(village_idx)
        + group_name + pl.Series(ints(rng, 1, 160, H)).cast(pl.String) + "号"
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
    status = np.vectorize(KIND_STATUS.get, otypes=["<U1"])(kind)
    household_type = np.vectorize(type_for_status, otypes=["<U1"])(status)
    standard = np.where(rng.random(H) < .8, IdentificationStandard.NATIONAL, IdentificationStandard.PROVINCIAL)
    standard = np.where(registered, standard, "")
    status_day = np.where(exited, day_number(np.maximum(exit_year, 2016), 11, 1) + ints(rng, 0, 50, H), 0)
    return_day = np.where(kind == KIND_RETURNED, day_number(np.maximum(return_year, 2021), 5, 1) + ints(rng, 0, 150, H), 0)
    ident_seconds = office_seconds(rng, H)
    created = timestamps(ident_day, ident_seconds)
    last_change_day = np.maximum.reduce([ident_day, status_day, return_day])
    households = frame({
        "idx": np.arange(H),
        "number": number,
        "village_id": village_codes,
        "group_name": group_name,
        "address": address,
        "phone": phone,
        "bank_name": bank_name,
        "bank_account": bank_account,
        "category": category,
        "household_type": household_type,
        "status": status,
        "monitoring_kind": np.where(monitoring, monitored_kind, ""),
        "identification_standard": standard,
        "identification_year": pl.Series(np.where(registered, ident_year, 0)).replace(0, None).cast(pl.Int16),
        "exit_year": pl.Series(np.where(exited, exit_year, 0)).replace(0, None).cast(pl.Int16),
        "main_cause": np.where(registered, main_cause, ""),
        "other_causes": other_causes,
        "enjoys_policy": np.ones(H, dtype=bool),
        "cultivated_area": pl.Series(cultivated).cast(pl.Decimal(10, 2)),
        "forest_area": pl.Series(forest).cast(pl.Decimal(10, 2)),
        "house_area": pl.Series(house_area).cast(pl.Decimal(10, 2)),
        "road_type": weighted(rng, [("3", .70), ("2", .15), ("4", .08), ("1", .07)], H),
        "fuel_type": weighted(rng, [("4", .45), ("1", .35), ("3", .15), ("9", .05)], H),
        "distance_to_road_km": pl.Series(distance).cast(pl.Decimal(10, 2)),
        "has_production_power": rng.random(H) < .99,
        "has_living_power": np.ones(H, dtype=bool),
        "has_sanitary_toilet": rng.random(H) < .7,
        "in_cooperative": rng.random(H) < .35,
        "head_name": head_name,
        "head_id_number": head_id,
        "size": active_size.astype(np.int16),
        "created": created,
        "updated": timestamps(last_change_day, ident_seconds),
    })

    # --- members frame; members born after the household was registered were added later (自然增加)
    added_day = np.maximum(ident_day[hh], birth_day + ints(rng, 30, 200, M))
    added_day = np.minimum(added_day, today_day - 1)
    later = added_day > ident_day[hh]
    removed_day = np.where(removed, np.minimum(
        np.maximum(added_day + 365, day_number(np.maximum(ident_year[hh] + 1, 2015), 1, 1)) + ints(rng, 0, 1500, M),
        today_day - 1,
    ), 0)
    member_seconds = np.where(later, office_seconds(rng, M), ident_seconds[hh])
    members = frame({
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
        "created": timestamps(added_day, member_seconds),
        "updated": timestamps(np.maximum(added_day, removed_day), member_seconds),
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
    growth = 1.06 ** (year - INCOME_FIRST_YEAR) * np.where(year == 2020, .88, 1) * rng.uniform(.95, 1.05, n)
    wage = wage_base[yh] * growth
    business = business_base[yh] * growth
    costs = np.where(business > 0, business * rng.uniform(.3, .5, n), 0)
    prop = property_base[yh] * growth
    transfer = transfer_base[yh] * 1.05 ** (year - INCOME_FIRST_YEAR) + rng.uniform(200, 600, n)
    size_y = np.maximum(active_size[yh], 1)
    # Each household's per-capita income against the year's monitoring line follows its profile: NORMAL ones
    # stay above a floor of their own, the others are held within the range their profile says; every component
    # is scaled alike, so the household keeps the mix of its income.
    line = income_lines(years)[year - INCOME_FIRST_YEAR]
    p = profile[yh]
    within = (year >= weak_from[yh]) & (year < recovered_in[yh]) & (p != NORMAL)
    ratio = np.select(
        [within & (p == WEAK), within & (p != WEAK)],
        [rng.uniform(.45, .6, H)[yh], rng.uniform(.72, .95, H)[yh]],
        np.where(profile == NORMAL, rng.uniform(1.2, 2.2, H), rng.uniform(1.1, 1.5, H))[yh],
    ) * rng.uniform(.98, 1.02, n)
    natural = (wage + business + prop + transfer - costs) / size_y
    target = ratio * line
    scale = np.where(within | (natural < target), target / np.maximum(natural, 1), 1.0)
    wage, business, costs, prop = (np.round(part * scale).astype(np.int64) for part in (wage, business, costs, prop))
    transfer = np.round(np.where(natural > 0, transfer * scale, target * size_y)).astype(np.int64)
    medical = np.round(np.select(
        [serious[yh], chronic[yh]], [rng.uniform(1500, 9000, n), rng.uniform(300, 2000, n)],
        np.where(rng.random(n) < .3, rng.uniform(0, 300, n), 0),
    )).astype(np.int64)
    net_cents = (wage + business + prop + transfer - costs) * 100
    per_capita = divide_half_even(net_cents, size_y)
    account_day = day_number(year + 1, 1, 5) + ints(rng, 0, 80, n)
    account_day = np.minimum(account_day, today_day - 1)
    income = frame({
        "household_idx": yh,
        "year": year.astype(np.int16),
        "wage_income": money(wage * 100),
        "business_income": money(business * 100),
        "property_income": money(prop * 100),
        "transfer_income": money(transfer * 100),
        "business_costs": money(costs * 100),
        "medical_out_of_pocket": money(medical * 100),
        "household_size": size_y.astype(np.int16),
        "net_income": money(net_cents),
        "per_capita_net_income": money(per_capita),
        "updated": timestamps(account_day, office_seconds(rng, n)),
    })

    # --- 两不愁三保障 checks for the last years: a few C/D houses (some repaired later), uninsured members
    check_years = years[-SECURITY_YEARS:]
    C = len(check_years)
    ch = np.repeat(np.arange(H), C)
    check_year = np.tile(check_years, H)
    grade = weighted(rng, [("A", .62), ("B", .375), ("C", .004), ("D", .001)], H)
    grade = np.where(in_sample & np.isin(grade, ["C", "D"]), "B", grade)
    repaired_in = ints(rng, int(check_years[0]), int(check_years[-1]) + 3, H)
    house_grade = np.where(np.isin(grade[ch], ["C", "D"]) & (check_year >= repaired_in[ch]), "B", grade[ch])
    housing_ok = np.isin(house_grade, ["A", "B"])
    uninsured = np.bincount(hh, weights=~basic_medical & active, minlength=H) > 0
    medical_ok = ~uninsured[ch]
    water_ok = (rng.random(H * C) >= .002) | in_sample[ch]
    note = np.select(
        [~housing_ok, ~water_ok, ~medical_ok],
        [np.char.add(np.char.add("住房为", house_grade), "级危房，已纳入危房改造计划"), "饮水不安全，已列入农村饮水工程",
         "有成员未参加基本医疗保险，已督促参保"],
        "",
    )
    cadre_chars = GIVEN["m", "old"]
    cadre = (
        pick(SURNAMES, rng.integers(0, len(SURNAMES), n_villages))
        + pick(cadre_chars, rng.integers(0, len(cadre_chars), n_villages))
        + pick(cadre_chars, rng.integers(0, len(cadre_chars), n_villages))
    )
    security = frame({
        "household_idx": ch,
        "year": check_year.astype(np.int16),
        "food_secure": np.ones(H * C, dtype=bool),
        "clothing_secure": np.ones(H * C, dtype=bool),
        "education_secure": np.ones(H * C, dtype=bool),
        "medical_secure": medical_ok,
        "housing_secure": housing_ok,
        "water_secure": water_ok,
        "house_grade": house_grade,
        "checked_on": pl.Series(np.minimum(day_number(check_year, 10, 1) + ints(rng, 0, 75, H * C), today_day - 1)
                                .astype(np.int32)).cast(pl.Date),
        "checked_by": cadre.gather(village_idx[ch]),
        "note": note,
    })

    at_inclusion = np.arange(H) * Y + np.clip(monitored_in - INCOME_FIRST_YEAR, 0, Y - 1)
    monitored, checks = monitored_frame(
        rng, households, monitored=ever, kind=monitored_kind, year=monitored_in, eliminated=eliminated,
        eliminated_year=eliminated_in, per_capita=per_capita[at_inclusion], line=income_lines(monitored_in),
        no_work_capacity=adult_labour == 0, recovered_year=np.where(profile == RECOVERED, recovered_in, 9999),
        today_day=today_day,
    )
    audit = history_frame(
        rng, households, members, initial_status=np.select(
            [kind == KIND_NEW, kind == KIND_ORDINARY], [HouseholdStatus.NEW, ""], HouseholdStatus.POOR),
        status_day=status_day, return_day=return_day, return_year=return_year, added_day=added_day,
        member_seconds=member_seconds, later=later, removed=removed, removed_day=removed_day,
    )
    return CountyData(households, members, income, security, monitored, checks, audit)


