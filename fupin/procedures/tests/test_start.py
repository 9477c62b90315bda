"""Starting procedures: every refusal path says in Chinese what is missing, with the figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import new_id
from fupin.audit.models import Channel
from fupin.procedures import lines, services
from fupin.procedures.models import (
    Kind,
    LineKind,
    PovertyLine,
    Procedure,
    Status,
    StepStatus,
)
from fupin.procedures.workdays import WorkCalendar
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus

from .conftest import YEAR

PAGE = Channel.PAGE


def start(kind, household, user, details=None, year=YEAR):
    return services.start_procedure(kind, household, year=year, details=details or {}, reason="测试",
                                    acting_user=user, channel=PAGE)


def refusal(kind, household, user, details=None, year=YEAR) -> str:
    with pytest.raises(ValidationError) as caught:
        start(kind, household, user, details, year)
    return "；".join(caught.value.messages)


# --- lines ------------------------------------------------------------------------------------------------------


def test_most_specific_line_wins(regions, users):
    assert lines.resolve(LineKind.POVERTY, 2016, "410481100201").amount == Decimal("2952")
    PovertyLine.objects.create(year=2016, region=regions["province"], amount=Decimal("3100"), document="豫政〔2016〕1号")
    line = lines.resolve(LineKind.POVERTY, 2016, "410481100201")
    assert (line.amount, line.region_code, line.standard_code) == (Decimal("3100"), "410000000000", "2")
    PovertyLine.objects.create(year=2016, region=regions["county"], amount=Decimal("3300"))
    assert lines.resolve(LineKind.POVERTY, 2016, "410481100201").amount == Decimal("3300")
    # another county's villages still get the provincial line
    assert lines.resolve(LineKind.POVERTY, 2016, "410482100201").amount == Decimal("3100")
    assert lines.resolve(LineKind.POVERTY, 1999, "410481100201") is None


def test_seeded_national_lines(db):
    seeded = dict(PovertyLine.objects.filter(region=None, kind=LineKind.POVERTY).values_list("year", "amount"))
    assert {y: int(a) for y, a in seeded.items() if y >= 2013} == {
        2013: 2736, 2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000,
    }


def test_line_editing_is_scoped(regions, users):
    admin = users["admin"]  # a county administrator
    with pytest.raises(PermissionDenied, match="超级管理员"):
        lines.save_line(PovertyLine(year=2030, amount=5000), acting_user=admin, channel=PAGE)
    with pytest.raises(PermissionDenied, match="河南省不在"):
        lines.save_line(PovertyLine(year=2030, region=regions["province"], amount=5000), acting_user=admin,
                        channel=PAGE)
    with pytest.raises(PermissionDenied, match="系统管理员"):
        lines.save_line(PovertyLine(year=2030, region=regions["county"], amount=5000), acting_user=users["county"],
                        channel=PAGE)
    with pytest.raises(ValidationError, match="大于0"):
        lines.save_line(PovertyLine(year=2030, region=regions["county"], amount=0), acting_user=admin, channel=PAGE)
    with pytest.raises(ValidationError, match="省、市或县"):
        lines.save_line(PovertyLine(year=2030, region=regions["town_a"], amount=1), acting_user=admin, channel=PAGE)
    saved = lines.save_line(PovertyLine(year=2030, region=regions["county"], amount=5000), acting_user=admin,
                            channel=PAGE)
    assert lines.resolve(LineKind.POVERTY, 2030, "410481100201").amount == 5000
    assert saved.pk


# --- exit ---------------------------------------------------------------------------------------------------------


def test_exit_refused_income_below_line(regions, users, household, accounts):
    h = household(regions["village_a1"])
    accounts(h, 2600)
    message = refusal(Kind.EXIT, h, users["village_a1"])
    assert "人均纯收入2,600元，未超过2016年扶贫标准2,952元" in message


def test_exit_refused_child_out_of_school_dangerous_house_and_uninsured(regions, users, household, accounts):
    child = new_id(born=dt.date(2002, 3, 1))  # 14 on 1 September 2016
    schooled = new_id(born=dt.date(2003, 3, 1))
    h = household(regions["village_a1"], extra=[
        ("李小明", child, "20"),
        ("李小红", schooled, "30", {"schooling": "04"}),
        ("赵秀英", new_id(), "10", {"basic_medical_insurance": False}),
    ])
    accounts(h, 4000, house_grade="D")
    message = refusal(Kind.EXIT, h, users["village_a1"])
    assert "成员李小明，14岁，义务教育阶段适龄未在校" in message
    assert "李小红" not in message
    assert "住房为D级危房" in message
    assert "住房安全未保障" in message
    assert "成员赵秀英（" in message and "）未参加基本医疗保险" in message
    assert "人均纯收入" not in message


def test_disabled_child_is_excused_from_school(regions, users, household, accounts):
    h = household(regions["village_a1"], extra=[("李小明", new_id(born=dt.date(2004, 1, 1)), "20", {"health": "4"})])
    accounts(h, 4000)
    assert start(Kind.EXIT, h, users["village_a1"]).status == Status.IN_PROGRESS


def test_exit_refused_without_accounts_or_checks(regions, users, household):
    h = household(regions["village_a1"])
    message = refusal(Kind.EXIT, h, users["village_a1"])
    assert "缺少2016年度收支测算" in message
    assert "缺少2016年度“两不愁三保障”核查" in message


def test_exit_refused_by_status_and_same_year_identification(regions, users, household, accounts):
    exited = household(regions["village_a1"], status=HouseholdStatus.EXITED)
    accounts(exited, 5000)
    assert "当前状态为“已脱贫”" in refusal(Kind.EXIT, exited, users["village_a1"])
    fresh = household(regions["village_a1"], status=HouseholdStatus.NEW, identification_year=YEAR)
    accounts(fresh, 5000)
    assert "当年新识别的贫困户当年不能退出" in refusal(Kind.EXIT, fresh, users["village_a1"])


def test_exit_refused_without_a_line(regions, users, household, accounts):
    h = household(regions["village_a1"])
    accounts(h, 5000, year=2031)
    assert "未设置2031年度扶贫标准" in refusal(Kind.EXIT, h, users["village_a1"], year=2031)


def test_exit_starts_and_stores_the_figures(regions, users, household, accounts):
    h = household(regions["village_a1"])
    accounts(h, 3500)
    procedure = start(Kind.EXIT, h, users["village_a1"])
    assert procedure.figures["line"]["amount"] == "2952.00"
    assert procedure.figures["per_capita_income"] == "3500.00"
    steps = list(procedure.steps.all())
    assert [s.status for s in steps] == [StepStatus.ACTIVE] + [StepStatus.WAITING] * 6
    assert steps[0].due == WorkCalendar(h.village_id).add(steps[0].started, 7)
    # changing the line later does not rewrite the stored figures
    PovertyLine.objects.filter(year=YEAR, region=None).update(amount=3000)
    procedure.refresh_from_db()
    assert procedure.figures["line"]["amount"] == "2952.00"


# --- identification and return ---------------------------------------------------------------------------------


def test_identification_refusals(regions, users, household, accounts):
    poor = household(regions["village_a1"])
    accounts(poor, 1000)
    assert "已是建档立卡贫困户（状态：未脱贫）" in refusal(Kind.IDENTIFICATION, poor, users["village_a1"],
                                                        {"category": "1", "main_cause": "1"})
    exited = household(regions["village_a1"], status=HouseholdStatus.EXITED)
    assert "请发起返贫纳入程序" in refusal(Kind.IDENTIFICATION, exited, users["village_a1"])
    farmer = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4")
    accounts(farmer, 3000)
    message = refusal(Kind.IDENTIFICATION, farmer, users["village_a1"], {"category": "4"})
    assert "请选择拟识别的贫困户属性" in message
    assert "请选择主要致贫原因" in message
    assert "人均纯收入3,000元，不低于2016年扶贫标准2,952元，不符合识别条件" in message


def test_return_refusals_and_start(regions, users, household, accounts):
    poor = household(regions["village_a1"])
    assert "只有已脱贫户可以办理返贫纳入（该户当前状态：未脱贫）" in refusal(Kind.RETURN, poor, users["village_a1"])
    exited = household(regions["village_a1"], status=HouseholdStatus.EXITED, exit_year=2015)
    assert "缺少2016年度收支测算" in refusal(Kind.RETURN, exited, users["village_a1"])
    accounts(exited, 3500)
    assert "不低于2016年扶贫标准2,952元，且两不愁三保障均有保障，不符合返贫条件" in refusal(
        Kind.RETURN, exited, users["village_a1"])
    fallen = household(regions["village_a1"], status=HouseholdStatus.EXITED, exit_year=2015)
    accounts(fallen, 3500, house_grade="C")  # income fine, but the house became dangerous
    procedure = start(Kind.RETURN, fallen, users["village_a1"])
    assert procedure.figures["insecure"] == ["住房为C级危房", "住房安全未保障"]


# --- natural change --------------------------------------------------------------------------------------------


def test_natural_change_refusals(regions, users, household):
    other = household(regions["village_a1"], head_name="赵四")  # the same village: named (see registry scope tests)
    taken_id = other.members.get().id_number
    h = household(regions["village_a1"], extra=[("王小二", new_id(), "20")])
    head = h.members.get(relation="01")
    user = users["village_a1"]
    assert "请选择变更类型" in refusal(Kind.NATURAL, h, user, {"change": "adopt"})
    assert "王大山是户主" in refusal(Kind.NATURAL, h, user, {"change": "death", "member_id": head.pk})
    assert "请选择本户在册的减员成员" in refusal(Kind.NATURAL, h, user, {"change": "death", "member_id": 0})
    message = refusal(Kind.NATURAL, h, user, {"change": "birth", "name": "", "relation": "01", "id_number": "123"})
    assert "请填写增员成员姓名" in message and "不能是户主" in message and "证件号码有误" in message
    assert "应办理合户并入" in refusal(Kind.NATURAL, h, user,
                                 {"change": "birth", "name": "赵四", "relation": "20", "id_number": taken_id})
    assert "未找到该证件号码" in refusal(Kind.NATURAL, h, user,
                                  {"change": "merge", "name": "某人", "relation": "20", "id_number": new_id()})


def test_new_member_id_is_kept_out_of_details_and_masked_in_the_trail(regions, users, household):
    from fupin.audit.models import AuditLog

    h = household(regions["village_a1"])
    baby = new_id(born=dt.date(2016, 2, 1))
    procedure = start(Kind.NATURAL, h, users["village_a1"],
                      {"change": "birth", "name": "王小宝", "relation": "20", "id_number": baby})
    assert procedure.member_id_number == baby
    assert "id_number" not in procedure.details
    entry = AuditLog.objects.get(object_type="procedure", object_id=str(procedure.pk))
    assert baby not in str(entry.changes)


# --- common refusals and scope ---------------------------------------------------------------------------------


def test_one_open_procedure_per_household(regions, users, household, accounts):
    h = household(regions["village_a1"])
    accounts(h, 3500)
    first = start(Kind.EXIT, h, users["village_a1"])
    assert f"该户已有办理中的脱贫退出程序 #{first.pk}" in refusal(Kind.EXIT, h, users["village_a1"])


def test_only_the_first_steps_level_starts(regions, users, household, accounts):
    h = household(regions["village_a1"])
    accounts(h, 3500)
    for name in ("town_a", "county"):
        with pytest.raises(PermissionDenied, match="应由村级账号发起"):
            start(Kind.EXIT, h, users[name])
    with pytest.raises(PermissionDenied, match="管辖范围"):
        start(Kind.EXIT, h, users["village_b1"])
    with pytest.raises(PermissionDenied):
        start(Kind.EXIT, h, users["leader"])
    assert not Procedure.objects.exists()


def test_region_definition_overrides_national(regions, users, household, accounts):
    from fupin.procedures.models import ProcedureDefinition, StepDefinition

    national = ProcedureDefinition.objects.get(kind=Kind.EXIT, region=None)
    provincial = ProcedureDefinition.objects.create(kind=Kind.EXIT, region=regions["province"], name="河南脱贫退出")
    for step in national.steps.exclude(name="乡镇公示"):
        StepDefinition.objects.create(definition=provincial, order=step.order * 10, name=step.name,
                                      actor_level=step.actor_level, deadline_days=step.deadline_days,
                                      attachment_kinds=step.attachment_kinds, notice_kind=step.notice_kind,
                                      notice_days=5 if step.notice_days else 0)
    StepDefinition.objects.create(definition=provincial, order=35, name="村级复核公示", actor_level=Level.VILLAGE,
                                  notice_days=5)
    h = household(regions["village_a1"])
    accounts(h, 3500)
    procedure = start(Kind.EXIT, h, users["village_a1"])
    assert procedure.definition == provincial
    assert [(s.name, s.notice_days) for s in procedure.steps.filter(notice_days__gt=0)] == [
        ("村级公示", 5), ("村级复核公示", 5), ("县级公告", 5)]
    # editing the definition afterwards does not change the running procedure
    StepDefinition.objects.filter(definition=provincial, order=30).update(notice_days=9)
    assert procedure.steps.get(order=30).notice_days == 5
