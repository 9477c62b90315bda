"""Preconditions of each procedure kind, stated in Chinese with the figures behind them.

The member- and check-level conditions are querysets' ``Q`` objects, so the per-household check here and the
set-based candidate proposal in ``adjustment.py`` test exactly the same thing.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from fupin.core import idnumber
from fupin.dictionaries.services import labels
from fupin.registry.choices import Health, HouseGrade, HouseholdCategory, HouseholdStatus, Relation, Schooling
from fupin.registry.models import IncomeAccount, SecurityCheck
from fupin.registry.services import Duplicate, duplicate_member, registered_elsewhere_error

from . import lines, policy
from .models import Kind, LineKind

SECURITY_FIELDS = {
    "food_secure": "不愁吃", "clothing_secure": "不愁穿", "education_secure": "义务教育",
    "medical_secure": "基本医疗", "housing_secure": "住房安全", "water_secure": "饮水安全",
}

ADD_CHANGES = {"birth": "出生", "marriage_in": "嫁入（入赘）", "move_in": "迁入", "merge": "合户并入"}
REMOVE_CHANGES = {"death": "死亡", "marriage_out": "出嫁（外嫁）", "move_out": "迁出", "split": "分户迁出"}
NATURAL_CHANGES = {**ADD_CHANGES, **REMOVE_CHANGES, "dissolve": "整户消亡（销户）", "recorded": "本年已登记增减确认"}


def yuan(amount) -> str:
    amount = Decimal(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def out_of_school_q(year: int, ages: policy.Ages) -> Q:
    """Members of compulsory-school age not at school, unless excused by health."""
    after, until = ages.school_birth_range(year)
    excused = Q()
    for code in Health.EXCUSES_SCHOOL:
        excused |= Q(health__contains=code)
    return Q(active=True, birth_date__gt=after, birth_date__lte=until) & ~Q(schooling__in=Schooling.IN_SCHOOL) & ~excused


def uninsured_q() -> Q:
    """Members without 城乡居民基本医疗保险 or without 大病保险 (seed 001_0bb7bab9b073102f.txt: 全部纳入基本医保、大病保险)."""
    return Q(active=True) & (Q(basic_medical_insurance=False) | Q(serious_illness_insurance=False))


def unpensioned_q(year: int, ages: policy.Ages) -> Q:
    """Members of working age (``policy.Ages``, the contribution age of 城乡居民基本养老保险) without 养老保险.

    What counts as covered: the member's 参加养老保险 is set, which a village records for anyone paying into the
    城乡居民 or the 职工 pension and for anyone already drawing a pension (e.g. retired early), whatever their age.
    Exempt by policy: members at school (在校生, who may not join the 城乡居民 pension), and members below or above
    the working age (at the upper age the pension is drawn, no longer paid in) — seed 001_0bb7bab9b073102f.txt,
    docs/domain-facts.md §3.3.
    """
    after, until = ages.labour_birth_range(year)
    return (Q(active=True, pension_insurance=False, birth_date__gt=after, birth_date__lte=until)
            & ~Q(schooling__in=Schooling.IN_SCHOOL))


def secure_check_q() -> Q:
    """A yearly check with all six securities met and no C/D-grade house."""
    return Q(**{name: True for name in SECURITY_FIELDS}) & ~Q(house_grade__in=HouseGrade.DANGEROUS)


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    # New members' numbers held outside the household's village, for the caller to report to the level above.
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        return "；".join(self.problems)


def status_label(code: str) -> str:
    return labels("household_status").get(code, code or "未填写")


def _line(result: CheckResult, household, year: int):
    line = lines.resolve(LineKind.POVERTY, year, household.village_id)
    if line is None:
        result.problems.append(f"未设置{year}年度扶贫标准，请管理员先录入")
    else:
        result.figures["line"] = line.as_figures()
    return line


def _account(result: CheckResult, household, year: int):
    account = IncomeAccount.objects.filter(household=household, year=year).first()
    if account is None:
        result.problems.append(f"缺少{year}年度收支测算，请先录入该户{year}年度收支")
    else:
        result.figures["per_capita_income"] = str(account.per_capita_net_income)
        result.figures["income_year"] = year
    return account


def _security(result: CheckResult, household, year: int):
    """Problems for every unmet security; returns the check (or None)."""
    check = SecurityCheck.objects.filter(household=household, year=year).first()
    if check is None:
        result.problems.append(f"缺少{year}年度“两不愁三保障”核查，请先录入")
        return None
    unmet = [label for name, label in SECURITY_FIELDS.items() if not getattr(check, name)]
    result.figures["security"] = {"year": year, "unmet": unmet, "house_grade": check.house_grade}
    if check.house_grade in HouseGrade.DANGEROUS:
        result.problems.append(f"住房为{check.house_grade}级危房")
    if unmet:
        result.problems.append(f"{'、'.join(unmet)}未保障")
    return check


def _members(result: CheckResult, household, year: int) -> None:
    ages = policy.ages(year, household.village_id)
    sept_first = dt.date(year, 9, 1)
    for member in household.members.filter(out_of_school_q(year, ages)).order_by("birth_date"):
        result.problems.append(f"成员{member.name}，{age_on(member.birth_date, sept_first)}岁，义务教育阶段适龄未在校")
    insurance_problems(result, household, year, ages)


def insurance_problems(result: CheckResult, household, year: int, ages: policy.Ages) -> None:
    """One problem per member missing 基本医疗保险, 大病保险 or (of working age) 城乡居民基本养老保险, naming the
    member by name and masked ID number (exit here, 风险消除 in monitoring.criteria)."""
    uninsured = household.members.filter(uninsured_q())
    unpensioned = household.members.filter(unpensioned_q(year, ages))
    missing: dict = {}
    for member in uninsured:
        if not member.basic_medical_insurance:
            missing.setdefault(member, []).append("基本医疗保险")
        if not member.serious_illness_insurance:
            missing.setdefault(member, []).append("大病保险")
    for member in unpensioned:
        missing.setdefault(member, []).append(f"城乡居民基本养老保险（{ages.labour_label}应参保）")
    for member in sorted(missing, key=lambda m: (m.relation, m.birth_date, m.pk)):
        result.problems.append(
            f"成员{member.name}（{idnumber.mask(member.id_number)}）未参加{'、'.join(missing[member])}"
        )


def check_identification(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    if household.status in HouseholdStatus.IN_POVERTY:
        result.problems.append(f"该户已是建档立卡贫困户（状态：{status_label(household.status)}），不需要识别纳入")
    elif household.status == HouseholdStatus.EXITED:
        result.problems.append("该户为已脱贫户，再次陷入贫困请发起返贫纳入程序")
    if details.get("category") not in HouseholdCategory.POOR:
        result.problems.append("请选择拟识别的贫困户属性（一般贫困户、低保贫困户或特困供养贫困户）")
    if details.get("main_cause") not in labels("poverty_cause"):
        result.problems.append("请选择主要致贫原因")
    if not household.size:
        result.problems.append("该户没有在册家庭成员")
    line = _line(result, household, year)
    account = _account(result, household, year)
    if line and account and account.per_capita_net_income >= line.amount:
        result.problems.append(
            f"人均纯收入{yuan(account.per_capita_net_income)}元，不低于{year}年扶贫标准{yuan(line.amount)}元，"
            "不符合识别条件"
        )
    return result


def check_exit(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    if household.status not in HouseholdStatus.IN_POVERTY:
        result.problems.append(
            f"该户当前状态为“{status_label(household.status)}”，只有未脱贫、返贫或新识别的户可以办理脱贫退出"
        )
    if household.identification_year == year:
        result.problems.append(f"当年新识别的贫困户当年不能退出（该户{year}年识别）")
    line = _line(result, household, year)
    account = _account(result, household, year)
    if line and account and account.per_capita_net_income <= line.amount:
        result.problems.append(
            f"人均纯收入{yuan(account.per_capita_net_income)}元，未超过{year}年扶贫标准{yuan(line.amount)}元"
        )
    _security(result, household, year)
    _members(result, household, year)
    return result


def check_return(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    if household.status != HouseholdStatus.EXITED:
        result.problems.append(f"只有已脱贫户可以办理返贫纳入（该户当前状态：{status_label(household.status)}）")
    line = _line(result, household, year)
    income = CheckResult()
    account = _account(income, household, year)
    result.figures.update(income.figures)
    security = CheckResult()
    _security(security, household, year)
    result.figures.update(security.figures)
    below = bool(line and account and account.per_capita_net_income < line.amount)
    insecure = bool(security.figures.get("security")) and not security.ok
    if line and not (below or insecure):
        if account is None:
            result.problems.extend(income.problems)
        else:
            result.problems.append(
                f"人均纯收入{yuan(account.per_capita_net_income)}元，不低于{year}年扶贫标准{yuan(line.amount)}元，"
                "且两不愁三保障均有保障，不符合返贫条件"
            )
    if insecure:
        result.figures["insecure"] = security.problems
    return result


def check_natural(household, year: int, details: dict) -> CheckResult:
    result = CheckResult()
    change = details.get("change")
    if household.status == HouseholdStatus.CANCELLED:
        result.problems.append("该户已注销，不能办理自然变更")
    if change not in NATURAL_CHANGES:
        result.problems.append("请选择变更类型（出生、死亡、嫁入、出嫁、迁入、迁出、分户、合户或整户消亡）")
        return result
    result.figures["change"] = NATURAL_CHANGES[change]
    if change in ADD_CHANGES:
        _check_new_member(result, household, change, details)
    elif change in REMOVE_CHANGES:
        member = household.members.filter(pk=details.get("member_id"), active=True).first()
        if member is None:
            result.problems.append("请选择本户在册的减员成员")
        elif member.relation == Relation.HEAD:
            result.problems.append(f"{member.name}是户主，减员前请先在户信息中变更户主")
        else:
            result.figures["member"] = member.name
    return result


def _check_new_member(result: CheckResult, household, change: str, details: dict) -> None:
    if not (details.get("name") or "").strip():
        result.problems.append("请填写增员成员姓名")
    if details.get("relation") not in labels("relation") or details.get("relation") == Relation.HEAD:
        result.problems.append("请选择增员成员与户主关系（不能是户主）")
    checked = idnumber.check(details.get("id_number") or "")
    if not checked.valid:
        result.problems.append(f"增员成员证件号码有误：{checked.error}")
        return
    details["id_number"] = checked.normalized
    existing = duplicate_member(checked.normalized)
    # Problems and figures are shown to everyone on the procedure, the village included, and kept with it: they
    # name another household only if it is in the same village.
    same_village = existing is not None and existing.household.village_id == household.village_id
    if change == "merge":
        if existing is None:
            result.problems.append("合户并入的成员应是另一户的在册成员，未找到该证件号码")
        elif existing.household_id == household.pk:
            result.problems.append(f"{existing.name}已是本户成员")
        elif same_village:
            result.figures["from_household"] = existing.household.number
    elif same_village:
        result.problems.append(f"证件号码 {idnumber.mask(checked.normalized)} 的人员（{existing.name}）已在户"
                               f"{existing.household.number}中登记，应办理合户并入")
    elif existing is not None:
        result.problems.append(registered_elsewhere_error(checked.normalized))
        result.duplicates.append(Duplicate(checked.normalized, existing, household.village_id,
                                           (details.get("name") or "").strip(), household.number))


CHECKS = {
    Kind.IDENTIFICATION: check_identification,
    Kind.EXIT: check_exit,
    Kind.RETURN: check_return,
    Kind.NATURAL: check_natural,
}


def check(kind: str, household, year: int, details: dict) -> CheckResult:
    return CHECKS[kind](household, year, details)

