"""The main menu and the action buttons of the list pages, from one table: each entry names its page and who may
use it.

Every predicate is the check its page makes (``registry/access.py``, ``comparison/access.py``, the accounts
properties, ``audit.views``), so what the menu shows answers, and what an account may not use is not shown. The
context processor ``menu`` gives templates ``main_menu`` (the visible entries) and ``can`` (action name → bool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from fupin.accounts.models import Role
from fupin.assessment.access import assessment_work, surveys_anything
from fupin.assistance.access import is_helper
from fupin.audit.views import may_verify, may_view_log
from fupin.comparison import access as comparison
from fupin.comparison import reverse as reverse_lists
from fupin.monitoring.models import Family
from fupin.monitoring.services import ensure_can_run
from fupin.oversight import access as oversight_access
from fupin.oversight.access import oversight_work
from fupin.projects.access import money_work
from fupin.registry.access import register_work
from fupin.registry.services import ensure_can_write
from fupin.sectors.access import sectors_work
from fupin.sectors.kinds import MENU as SECTOR_MENU
from fupin.stats.access import stats_work
from fupin.whatif.access import whatif_work


def _passes(check: Callable) -> Callable:
    """A predicate from a check that raises PermissionDenied."""

    def allows(user) -> bool:
        try:
            check(user)
        except PermissionDenied:
            return False
        return True

    return allows


def everyone(user) -> bool:
    return True


def _register(user) -> bool:
    return register_work.allows(user)


def _assists(user) -> bool:
    """The register's staff, and a helper (帮扶责任人) with a login, for their own households."""
    return _register(user) or is_helper(user)


def _comparison(user) -> bool:
    return comparison.can_read_suspects(user) or comparison.can_read_datasets(user)


def _user_admin(user) -> bool:
    return user.can_administer or user.can_manage_security


def _login_log(user) -> bool:
    return user.can_manage_security or user.can_read_audit


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str = ""
    allows: Callable = everyone
    path: str = ""  # a page outside the URL names (the API documents)
    new_tab: bool = False
    divider_before: bool = False
    testid: str = ""
    children: tuple[Entry, ...] = field(default=())

    @property
    def url(self) -> str:
        return self.path or (reverse(self.url_name) if self.url_name else "#")

    def visible(self, user) -> list[Entry]:
        return [child for child in self.children if child.allows(user)]


MENU: tuple[Entry, ...] = (
    Entry(_("总览"), "registry:dashboard", _register),
    Entry(_("贫困户"), "registry:household_list", _register),
    Entry(_("人员"), "registry:member_list", _register),
    Entry(_("程序"), allows=_register, testid="nav-procedures", children=(
        Entry(_("程序办理"), "procedures:list", _register),
        Entry(_("公示公告"), "procedures:notice_list", _register),
        Entry(_("年度动态调整"), "procedures:adjustment_list", _register),
        Entry(_("过渡期政策"), "procedures:end_policies", _register),
        Entry(_("退出享受政策台账"), "procedures:policy_end_list", _register),
        Entry(_("扶贫标准"), "procedures:line_list", _register, divider_before=True),
        Entry(_("程序流程配置"), "procedures:definition_list", _register),
        Entry(_("节假日安排"), "procedures:calendar", _register),
        Entry(_("公开公示页面"), "public_notices:list", _register, new_tab=True),
    )),
    Entry(_("数据比对"), allows=_comparison, testid="nav-comparison", children=(
        Entry(_("疑点核查"), "comparison:suspect_list", comparison.can_read_suspects),
        Entry(_("核查进度"), "comparison:dashboard", comparison.can_read_suspects),
        Entry(_("比对数据"), "comparison:dataset_list", comparison.can_read_datasets),
        Entry(_("比对任务"), "comparison:run_list", comparison.can_read_runs),
        Entry(_("反向名单"), "comparison:reverse_lists", reverse_lists.can_download),
        Entry(_("比对总览"), "comparison:index", _comparison),
    )),
    Entry(_("防返贫监测"), allows=_register, testid="nav-monitoring", children=(
        Entry(_("监测总览"), "monitoring:overview", _register),
        Entry(_("预警核实"), "monitoring:alert_list", _register),
        Entry(_("监测对象"), "monitoring:monitored_list", _register),
        Entry(_("逻辑校验"), "monitoring:quality_list", _register),
        Entry(_("预警运行"), "monitoring:run_list", _register),
        Entry(_("规则与参数"), "monitoring:rule_list", _register),
    )),
    Entry(_("帮扶"), allows=_assists, testid="nav-assistance", children=(
        Entry(_("我的帮扶户"), "assistance:my_households", _assists),
        Entry(_("帮扶责任人"), "assistance:helper_list", _register),
        Entry(_("驻村工作队"), "assistance:team_list", _register),
        Entry(_("定点帮扶单位"), "assistance:unit_list", _register),
        Entry(_("走访计划/逾期走访"), "assistance:visit_plan_list", _register),
        Entry(_("帮扶参数"), "assistance:parameter_list", _register),
        Entry(_("批量打印扶贫手册"), "assistance:village_manuals", _register),
    )),
    Entry(_("项目资金"), allows=money_work.allows, testid="nav-money", children=(
        Entry(_("项目库"), "projects:list", money_work.allows),
        Entry(_("扶贫资金"), "funds:fund_list", money_work.allows),  # funds_work is money_work (funds/access.py)
        Entry(_("资金拨付"), "funds:disbursement_list", money_work.allows),
        Entry(_("资金异常"), "funds:anomaly_list", money_work.allows),
        Entry(_("项目资产"), "assets:list", money_work.allows),  # assets_work is money_work (assets/access.py)
        Entry(_("资产收益分配台账"), "assets:distribution_list", money_work.allows),
        Entry(_("小额信贷"), "credit:loan_list", money_work.allows),  # credit_work is money_work (credit/access.py)
    )),
    Entry(_("行业政策"), allows=sectors_work.allows, testid="nav-sectors", children=tuple(
        Entry(label, name, allows) for label, name, allows in SECTOR_MENU)),
    Entry(_("问题整改"), allows=oversight_work.allows, testid="nav-oversight", children=(
        Entry(_("问题台账"), "oversight:list", oversight_work.allows),
        Entry(_("整改统计"), "oversight:statistics", oversight_work.allows),
        Entry(_("导入问题清单"), "oversight:import", oversight_access.may_write),
        Entry(_("整改参数"), "oversight:parameter_list", oversight_work.allows),
    )),
    Entry(_("统计"), allows=stats_work.allows, testid="nav-stats", children=(
        Entry(_("驾驶舱"), "stats:index", stats_work.allows),
        Entry(_("目标任务"), "stats:target_list", stats_work.allows),
        Entry(_("统计报表"), "stats:report_list", stats_work.allows),
        Entry(_("数据汇总记录"), "stats:rebuild_list", stats_work.allows),
    )),
    Entry(_("贫困村出列"), allows=_register, testid="nav-villages", children=(
        Entry(_("出列评估"), "villages:list", _register),
        Entry(_("出列程序"), "villages:exit_list", _register),
        Entry(_("出列标准与指标"), "villages:configuration", _register),
    )),
    Entry(_("政策模拟"), "whatif:scenario_list", whatif_work.allows, testid="nav-whatif"),
    Entry(_("考核评估"), allows=assessment_work.allows, testid="nav-assessment", children=(
        Entry(_("评估批次"), "assessment:list", assessment_work.allows),
        Entry(_("入户调查"), "assessment:my_surveys", surveys_anything),
        Entry(_("三率一度门槛"), "assessment:gates", assessment_work.allows),
    )),
    Entry(_("行政区划"), "regions:tree", _register),
    Entry(_("后台任务"), "jobs:list"),
    Entry(_("系统"), testid="nav-system", children=(
        Entry(_("操作日志"), "audit:list", _passes(may_view_log)),
        Entry(_("日志完整性校验"), "audit:verify", _passes(may_verify)),
        Entry(_("用户管理"), "accounts:user_list", _user_admin),
        Entry(_("登录日志"), "accounts:login_log", _login_log),
        Entry(_("密码与登录策略"), "accounts:password_policy", lambda user: user.can_manage_security),
        Entry(_("代码表"), "dictionaries:list", lambda user: user.can_administer),
        Entry(_("账号安全"), "accounts:security", divider_before=True),
        Entry(_("API 令牌"), "accounts:tokens"),
        Entry(_("接口文档"), path="/api/docs"),
    )),
)


def _writes_register(user) -> bool:
    return _passes(lambda u: ensure_can_write(u, u.region_id or ""))(user)


def _runs(family):
    def allows(user) -> bool:
        return user.region_id is not None and _passes(lambda u: ensure_can_run(u, u.region, family))(user)

    return allows


# Buttons of the list pages that start work: shown only to accounts whose page would accept them.
ACTIONS: dict[str, Callable] = {
    "household_create": _writes_register,
    "household_import": _writes_register,
    "monitoring_run": _runs(Family.MONITORING),
    "quality_run": _runs(Family.QUALITY),
}


def visible_menu(user) -> list[tuple[Entry, list[Entry]]]:
    """(entry, its visible children) for each top-level entry the account may use; a group with no visible
    children is left out."""
    items = []
    for entry in MENU:
        if not entry.allows(user):
            continue
        children = entry.visible(user)
        if entry.children and not children:
            continue
        items.append((entry, children))
    return items


# Where each role lands after login: where its daily work is; everyone else on the overview.
LANDING = {Role.DEPARTMENT: "comparison:index", Role.SECURITY_ADMIN: "accounts:user_list",
           Role.AUDIT_ADMIN: "audit:list"}


def home(request):
    return redirect(LANDING.get(request.user.role, "registry:dashboard"))


def menu(request) -> dict:
    """Context processor (settings.TEMPLATES)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "main_menu": SimpleLazyObject(lambda: visible_menu(user)),
        "can": SimpleLazyObject(lambda: {name: allows(user) for name, allows in ACTIONS.items()}),
    }
