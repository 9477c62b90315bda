"""The demo logins: one account per role, bound to the province, the first county or its first townships and
villages, all with the one published password."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from fupin.accounts.models import Role, User
from fupin.regions.models import Region

from .regions import PROVINCE, County

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
    DemoAccount("caizheng", Role.DEPARTMENT, "county", "县财政局（资金项目只读）", department="财政"),
    DemoAccount("xiang1", Role.TOWNSHIP, "township 1", "乡镇扶贫专干"),
    DemoAccount("xiang2", Role.TOWNSHIP, "township 2", "乡镇扶贫专干"),
    DemoAccount("cun1", Role.VILLAGE, "village 1.1", "村扶贫专干"),
    DemoAccount("cun2", Role.VILLAGE, "village 1.2", "村扶贫专干"),
    DemoAccount("cun3", Role.VILLAGE, "village 2.1", "村扶贫专干"),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


def has_demo_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    return User.objects.using(using).filter(username__in=DEMO_USERNAMES).exists()


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
