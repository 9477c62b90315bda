"""Reverse lists (反向名单): the registered people a department's policies must cover, with only the fields the
department needs — education gets school-age children, medical insurance the people whose premiums are subsidised.

Departments match on the full ID number, so these exports carry it in full (as a text cell) and every download is
recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit.models import Action
from fupin.audit.services import record_event
from fupin.core.scope import user_scope_prefix
from fupin.core.tables import BOOL, DATE, Column, Table
from fupin.procedures import policy
from fupin.regions.models import PREFIX_LENGTH, Level, Region
from fupin.registry.choices import Health, HouseholdCategory, HouseholdStatus, Relation
from fupin.registry.models import Member

from .access import department_of

READERS = {Role.COUNTY, Role.DEPARTMENT, Role.ADMIN}

PERSON = [
    Column("姓名", "name"),
    Column("证件号码", "id_number", sensitive=True, width=22),
    Column("性别", "sex", code_table="sex"),
    Column("出生日期", "birth_date", DATE),
]
PLACE = [
    Column("乡镇", "household__village_id", region_level=Level.TOWNSHIP),
    Column("村", "household__village_id", region_level=Level.VILLAGE),
    Column("户编号", "household__number", width=20),
]


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _school_age(queryset, today):
    """Of compulsory-school age today by each county's policy ages (``procedures.policy``, 6 to 15 full years by
    default): born after (today − max − 1 years) and on or before (today − min years)."""
    digits = PREFIX_LENGTH[Level.COUNTY]
    counties = queryset.annotate(county=Substr("household__village_id", 1, digits)).order_by()
    by_ages: dict[tuple[int, int], list[str]] = {}
    for county in counties.values_list("county", flat=True).distinct():
        ages = policy.ages(today.year, county.ljust(12, "0"))
        by_ages.setdefault((ages.school_min, ages.school_max), []).append(county)
    condition = Q(pk__in=[])
    for (low, high), codes in by_ages.items():
        in_counties = Q()
        if len(by_ages) > 1:
            for code in codes:
                in_counties |= Q(household__village_id__startswith=code)
        condition |= in_counties & Q(birth_date__gt=_years_ago(today, high + 1), birth_date__lte=_years_ago(today, low))
    return queryset.filter(condition)


@dataclass(frozen=True)
class ReverseList:
    code: str
    name: str
    department: str
    description: str
    columns: list
    select: Callable  # (member queryset, today) → member queryset

    def table(self) -> Table:
        return Table(self.name, Member, [*PERSON, *self.columns, *PLACE],
                     order_by=("household__village_id", "household__number", "relation"))


REVERSE_LISTS: tuple[ReverseList, ...] = (
    ReverseList(
        "school_age_children", "义务教育适龄儿童名单", "教育",
        "在册贫困户中义务教育年龄（按各县参数，默认 6 至 15 周岁）的成员，供教育部门核对学籍、落实资助和控辍保学。",
        [Column("在校生状况", "schooling", code_table="schooling")],
        _school_age,
    ),
    ReverseList(
        "insurance_subsidy", "资助参保人员名单", "医保",
        "在册贫困户的全部在册成员及贫困户属性，供医保部门落实资助参保和待遇倾斜。",
        [Column("贫困户属性", "household__category", code_table="household_category"),
         Column("档案登记已参加基本医保", "basic_medical_insurance", BOOL)],
        lambda queryset, today: queryset,
    ),
    ReverseList(
        "dibao_members", "低保贫困户成员名单", "民政",
        "贫困户属性为低保贫困户、或登记享受低保的在册成员，供民政部门核对低保发放。",
        [Column("贫困户属性", "household__category", code_table="household_category"),
         Column("档案登记享受低保", "on_dibao", BOOL)],
        lambda queryset, today: queryset.filter(Q(household__category=HouseholdCategory.DIBAO) | Q(on_dibao=True)),
    ),
    ReverseList(
        "disabled_members", "残疾成员名单", "残联",
        "健康状况登记为残疾的在册成员，供残联核对办证和两项补贴。",
        [Column("残疾证号", "disability_cert", sensitive=True, width=24)],
        lambda queryset, today: queryset.filter(
            Q(health=Health.DISABLED) | Q(health__startswith=f"{Health.DISABLED},")
            | Q(health__contains=f",{Health.DISABLED}")
        ),
    ),
    ReverseList(
        "household_heads", "贫困户户主名单（住房安全）", "住建",
        "在册贫困户户主及住址，供住建部门安排农村房屋安全鉴定和危房改造。",
        [Column("家庭住址", "household__address", width=30)],
        lambda queryset, today: queryset.filter(relation=Relation.HEAD),
    ),
)



def can_download(user) -> bool:
    return user is None or user.is_superuser or (user.is_active and user.role in READERS)


def lists_for(user) -> list[ReverseList]:
    """The lists an account may download: a department account only those of its own department."""
    if not can_download(user):
        return []
    department = department_of(user)
    return [item for item in REVERSE_LISTS if department is None or item.department == department]


def members_for(item: ReverseList, user, today: dt.date | None = None):
    """Registered members of the user's region. Department accounts cannot browse the register; this audited export
    is the one channel through which they receive the people their policies must cover, so the region is applied
    here directly rather than through ``visible_to``."""
    queryset = Member.objects.filter(active=True, household__status__in=HouseholdStatus.REGISTERED)
    if user is not None and item not in lists_for(user):
        return queryset.none()
    prefix = "" if user is None else user_scope_prefix(user)
    if prefix is None:
        return queryset.none()
    if prefix:
        queryset = queryset.filter(household__village__code__in_region=prefix)
    return item.select(queryset, today or timezone.localdate())


def export(item: ReverseList, user, target, *, channel: str) -> int:
    """Write the list to ``target`` (path or binary file) and record the download."""
    count = item.table().write(members_for(item, user), target, full=True)
    region = user.region if user is not None and user.region_id else Region.objects.order_by("level", "code").first()
    if region is not None:
        record_event(region, action=Action.EXPORT, acting_user=user, channel=channel,
                     region_code=region.code, note=f"下载反向名单：{item.name}（{count} 人，含完整证件号码）")
    return count
