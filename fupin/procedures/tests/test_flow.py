"""Moving procedures through their steps: actor levels, attachments, notices and objections, final approval."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import new_id
from fupin.audit.models import AuditLog, Channel
from fupin.audit.services import history_for
from fupin.procedures import notices, services
from fupin.procedures.models import (
    Decision,
    Kind,
    NoticeKind,
    Procedure,
    Status,
    StepStatus,
)
from fupin.procedures.workdays import WorkCalendar
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member

from .conftest import YEAR, days_later, upload

PAGE = Channel.PAGE


@pytest.fixture
def applicant(regions, household, accounts):
    h = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(h, 2000)
    return h


@pytest.fixture
def identification(applicant, users):
    return services.start_procedure(Kind.IDENTIFICATION, applicant, year=YEAR,
                                    details={"category": "2", "main_cause": "2"}, reason="因残致贫，申请纳入",
                                    acting_user=users["village_a1"], channel=PAGE)


def decide(procedure, user, decision=Decision.PASS, comment=""):
    return services.decide(procedure, decision, comment=comment, acting_user=user, channel=PAGE)


def test_pass_needs_the_required_attachments(identification, users):
    with pytest.raises(ValidationError, match="缺少必传附件：户申请书"):
        decide(identification, users["village_a1"])
    services.add_attachment(identification, "photo", upload("门前.jpg"), acting_user=users["village_a1"],
                            channel=PAGE)
    with pytest.raises(ValidationError, match="缺少必传附件：户申请书"):
        decide(identification, users["village_a1"])
    services.add_attachment(identification, "application", upload("申请书.pdf"), acting_user=users["village_a1"],
                            channel=PAGE)
    procedure = decide(identification, users["village_a1"], comment="材料齐全")
    assert procedure.current_order == 2
    second = procedure.steps.get(order=2)
    assert second.status == StepStatus.ACTIVE and second.working_days
    assert second.due == WorkCalendar(procedure.village_id).add(timezone.localdate(), 7)  # 7 working days


def test_attachment_rules(identification, users):
    user = users["village_a1"]
    with pytest.raises(ValidationError, match="不支持的文件类型“.exe”"):
        services.add_attachment(identification, "application", upload("a.exe"), acting_user=user, channel=PAGE)
    with pytest.raises(ValidationError, match="请选择附件类别"):
        services.add_attachment(identification, "nope", upload(), acting_user=user, channel=PAGE)
    with pytest.raises(ValidationError, match="请选择要上传的文件"):
        services.add_attachment(identification, "application", upload(content=b""), acting_user=user, channel=PAGE)
    with pytest.raises(PermissionDenied, match="应由村级账号办理"):
        services.add_attachment(identification, "application", upload(), acting_user=users["town_a"], channel=PAGE)
    attachment = services.add_attachment(identification, "application", upload("申请书.pdf"), acting_user=user,
                                         channel=PAGE)
    assert attachment.file.read() == b"%PDF-1.4 minutes"
    assert attachment.original_name == "申请书.pdf"


def test_actor_level_and_scope(identification, users, flow):
    for name, message in (("town_a", "应由村级账号办理"), ("county", "应由村级账号办理"),
                          ("village_b1", "管辖范围"), ("town_b", "管辖范围"), ("leader", "只读")):
        with pytest.raises(PermissionDenied, match=message):
            decide(identification, users[name])
    flow.advance(identification)
    flow.advance(identification)
    flow.advance(identification)  # through the village notice
    identification.refresh_from_db()
    assert identification.current_step.name == "乡镇审核"
    with pytest.raises(PermissionDenied, match="应由乡镇级账号办理"):
        decide(identification, users["village_a1"])
    with pytest.raises(PermissionDenied, match="管辖范围"):
        decide(identification, users["town_b"])
    assert not Procedure.objects.visible_to(users["village_b1"]).exists()
    assert Procedure.objects.visible_to(users["town_a"]).count() == 1


def test_return_goes_back_one_step_and_needs_a_reason(identification, users, flow):
    flow.advance(identification)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        decide(identification, users["village_a1"], Decision.RETURN)
    procedure = decide(identification, users["village_a1"], Decision.RETURN, "申请书缺少签字")
    assert procedure.current_order == 1
    assert [s.status for s in procedure.steps.all()][:2] == [StepStatus.ACTIVE, StepStatus.WAITING]
    with pytest.raises(ValidationError, match="第一个环节不能退回"):
        decide(procedure, users["village_a1"], Decision.RETURN, "再退")
    assert procedure.actions.last().comment == "申请书缺少签字"


def test_reject_ends_the_procedure(identification, users):
    with pytest.raises(ValidationError, match="不予通过的原因"):
        decide(identification, users["village_a1"], Decision.REJECT)
    procedure = decide(identification, users["village_a1"], Decision.REJECT, "家有轿车，不符合条件")
    assert procedure.status == Status.REJECTED and procedure.current_order is None
    with pytest.raises(ValidationError, match="已未通过，不能再办理"):
        decide(procedure, users["village_a1"])
    procedure.household.refresh_from_db()
    assert procedure.household.status == HouseholdStatus.CANCELLED


def test_withdraw(identification, users):
    with pytest.raises(PermissionDenied):
        services.withdraw(identification, reason="x", acting_user=users["county"], channel=PAGE)
    with pytest.raises(ValidationError, match="撤回原因"):
        services.withdraw(identification, reason=" ", acting_user=users["village_a1"], channel=PAGE)
    procedure = services.withdraw(identification, reason="户主撤回申请", acting_user=users["village_a1"], channel=PAGE)
    assert procedure.status == Status.WITHDRAWN


# --- notice steps ---------------------------------------------------------------------------------------------


@pytest.fixture
def at_notice(identification, flow):
    flow.advance(identification)
    flow.advance(identification)
    identification.refresh_from_db()
    assert identification.current_step.is_notice
    return identification


def test_notice_step_cannot_pass_without_a_notice_or_before_the_period_ends(at_notice, users, monkeypatch):
    village = users["village_a1"]
    with pytest.raises(ValidationError, match="尚未发布“村级公示”公示"):
        decide(at_notice, village)
    today = timezone.localdate()
    notice = notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[at_notice], start_date=today,
                                   end_date=today + dt.timedelta(days=6), acting_user=village, channel=PAGE)
    with pytest.raises(ValidationError, match="尚未发布"):  # a draft is not a notice yet
        decide(at_notice, village)
    notices.publish_notice(notice, acting_user=village, channel=PAGE)
    with pytest.raises(ValidationError, match="期满后方可通过"):
        decide(at_notice, village)
    with days_later(monkeypatch, 6), pytest.raises(ValidationError, match="期满后方可通过"):
        decide(at_notice, village)  # the last day of the period still counts
    with days_later(monkeypatch, 7):
        assert decide(at_notice, village).current_step.name == "乡镇审核"


def test_objection_holds_the_household_until_answered(at_notice, users, monkeypatch, regions, household, accounts):
    village = users["village_a1"]
    other = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="孙老五")
    accounts(other, 1500)
    other_procedure = services.start_procedure(Kind.IDENTIFICATION, other, year=YEAR,
                                               details={"category": "1", "main_cause": "9"}, acting_user=village,
                                               channel=PAGE)
    from .conftest import upload as up

    for kind in ("application",):
        services.add_attachment(other_procedure, kind, up(), acting_user=village, channel=PAGE)
    decide(other_procedure, village)
    services.add_attachment(other_procedure, "minutes", up(), acting_user=village, channel=PAGE)
    decide(other_procedure, village)
    today = timezone.localdate()
    notice = notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[at_notice, other_procedure],
                                   start_date=today, end_date=today + dt.timedelta(days=6), acting_user=village,
                                   channel=PAGE)
    notice = notices.publish_notice(notice, acting_user=village, channel=PAGE)
    item = notice.items.get(procedure=at_notice)
    with pytest.raises(ValidationError) as caught:
        notices.lodge_objection(notice, name=" ", contact="", content="", item_id=item.pk)
    assert set(caught.value.message_dict) == {"name", "contact", "content"}
    objection = notices.lodge_objection(notice, name="张群众", contact="13900000000",
                                        content="该户儿子在县城有商品房", item_id=item.pk)
    with days_later(monkeypatch, 8):
        with pytest.raises(ValidationError, match="有1条异议尚未答复"):
            decide(at_notice, village)
        decide(other_procedure, village)  # the objection holds only its own household
        with pytest.raises(ValidationError, match="不在公示期内"):
            notices.lodge_objection(notice, name="李", contact="1", content="晚了")
    with pytest.raises(PermissionDenied):
        notices.answer_objection(objection, answer="x", acting_user=users["village_b1"], channel=PAGE)
    with pytest.raises(ValidationError, match="请填写答复内容"):
        notices.answer_objection(objection, answer="", acting_user=village, channel=PAGE)
    notices.answer_objection(objection, answer="经核实，商品房为其子婚后自购，已分户，不影响识别",
                             acting_user=village, channel=PAGE)
    with days_later(monkeypatch, 8):
        assert decide(at_notice, village).current_step.name == "乡镇审核"


def test_objection_on_the_whole_notice_holds_everyone(at_notice, users, monkeypatch):
    village = users["village_a1"]
    today = timezone.localdate()
    notice = notices.publish_notice(
        notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[at_notice], start_date=today,
                              end_date=today + dt.timedelta(days=7), acting_user=village, channel=PAGE),
        acting_user=village, channel=PAGE,
    )
    notices.lodge_objection(notice, name="匿名", contact="村口", content="评议程序不公开")
    with days_later(monkeypatch, 9), pytest.raises(ValidationError, match="异议尚未答复"):
        decide(at_notice, village)


def test_notice_creation_rules(at_notice, identification, users, regions, household, accounts):
    village = users["village_a1"]
    today = timezone.localdate()

    def create(procedures, start, end, user=village):
        return notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=procedures, start_date=start,
                                     end_date=end, acting_user=user, channel=PAGE)

    with pytest.raises(ValidationError, match="不能早于今天"):
        create([at_notice], today - dt.timedelta(days=1), today + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match="公示期5天，少于规定的7天"):
        create([at_notice], today, today + dt.timedelta(days=4))
    with pytest.raises(ValidationError, match="请至少选择一户"):
        create([], today, today + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match="不在乡镇级公示环节"):
        create([at_notice], today, today + dt.timedelta(days=7), users["town_a"])
    early = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4")
    accounts(early, 1000)
    not_yet = services.start_procedure(Kind.IDENTIFICATION, early, year=YEAR,
                                       details={"category": "1", "main_cause": "1"}, acting_user=village,
                                       channel=PAGE)
    with pytest.raises(ValidationError, match="当前不在村级公示环节"):
        create([not_yet], today, today + dt.timedelta(days=7))
    assert list(notices.eligible_procedures(village)) == [at_notice]
    create([at_notice], today, today + dt.timedelta(days=7))
    assert list(notices.eligible_procedures(village)) == []
    with pytest.raises(ValidationError, match="已在其他公示中"):
        create([at_notice], today, today + dt.timedelta(days=7))
    with pytest.raises(PermissionDenied, match="管辖范围"):
        create([at_notice], today, today + dt.timedelta(days=7), users["village_b1"])


def test_public_listing_by_region(at_notice, users, monkeypatch):
    village = users["village_a1"]
    today = timezone.localdate()
    notice = notices.publish_notice(
        notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[at_notice], start_date=today,
                              end_date=today + dt.timedelta(days=6), acting_user=village, channel=PAGE),
        acting_user=village, channel=PAGE,
    )
    assert list(notices.active_notices()) == [notice]
    assert list(notices.active_notices("410481100201")) == [notice]
    assert list(notices.active_notices("410481100000")) == [notice]  # its township
    assert list(notices.active_notices("410481101201")) == []  # a village of another township
    with days_later(monkeypatch, 7):
        assert list(notices.active_notices()) == []


def test_notice_pdf_has_no_id_phone_or_bank(at_notice, users, applicant, tmp_path):
    import subprocess

    village = users["village_a1"]
    today = timezone.localdate()
    notice = notices.publish_notice(
        notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[at_notice], start_date=today,
                              end_date=today + dt.timedelta(days=6), contact="村委会 0375-8000000",
                              acting_user=village, channel=PAGE),
        acting_user=village, channel=PAGE,
    )
    html = notices.render_notice_html(notice)
    pdf = notices.notice_pdf(notice)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    head_id = applicant.members.get().id_number
    for content in (html, text):
        assert "刘二柱" in content
        assert "张庄村" in content
        assert "低保贫困户" in content and "因残" in content
        assert head_id not in content and head_id[-6:] not in content
        assert "13800000000" not in content and "6217000011112222" not in content
        assert "残疾" not in content.replace("因残", "")
    assert "识别纳入" in text and "公示" in text


# --- final approval ------------------------------------------------------------------------------------------------


def test_identification_approval_changes_the_register_with_history(identification, applicant, users, flow):
    procedure = flow.to_end(identification)
    assert procedure.status == Status.APPROVED and procedure.finished
    applicant.refresh_from_db()
    assert (applicant.status, applicant.identification_year, applicant.category, applicant.main_cause) == (
        "4", YEAR, "2", "2")
    assert applicant.identification_standard == "1" and applicant.enjoys_policy
    entries = list(history_for(applicant).order_by("id"))
    household_change = [e for e in entries if e.object_type == "household" and "status" in e.changes]
    assert household_change[-1].note == f"识别纳入程序 #{procedure.pk} 县级公告审批通过"
    assert household_change[-1].changes["status"] == ["6", "4"]
    notes = [e.note for e in entries if e.object_type == "procedure"]
    assert notes[0].startswith(f"识别纳入程序 #{procedure.pk} 户申请发起")
    for step in ("户申请通过", "村民代表大会评议通过", "村级公示通过", "乡镇审核通过", "乡镇公示通过", "县级审批通过",
                 "县级公告通过"):
        assert any(step in n for n in notes), step
    assert sum(e.object_type == "attachment" for e in entries) == 3


def test_final_approval_rechecks_the_facts(identification, applicant, users, flow, accounts):
    for _ in range(6):
        flow.advance(identification)
    accounts(applicant, 3500)  # income rose above the line meanwhile
    with pytest.raises(ValidationError, match="审批复核未通过：人均纯收入3,500元，不低于"):
        flow.advance(identification)
    identification.refresh_from_db()
    assert identification.status == Status.IN_PROGRESS and identification.current_step.name == "县级公告"


def test_failure_at_final_approval_leaves_everything_unchanged(identification, applicant, users, flow, monkeypatch):
    for _ in range(6):
        flow.advance(identification)
    real_update = services.update_household

    def update_then_fail(household, **kwargs):
        real_update(household, **kwargs)
        raise RuntimeError("disk full")

    identification.refresh_from_db()
    flow.notice(identification)  # the 县级公告 is up; approval comes when its period is over
    monkeypatch.setattr(services, "update_household", update_then_fail)
    audit_before = AuditLog.objects.count()
    with days_later(monkeypatch, 7), pytest.raises(RuntimeError):
        decide(identification, users["county"])
    applicant.refresh_from_db()
    assert applicant.status == HouseholdStatus.CANCELLED and applicant.identification_year == 2014
    identification.refresh_from_db()
    assert identification.status == Status.IN_PROGRESS and identification.current_step.name == "县级公告"
    assert identification.current_step.status == StepStatus.ACTIVE
    assert AuditLog.objects.count() == audit_before


def test_exit_keeps_policies_until_the_county_ends_them(regions, users, household, accounts, flow):
    h = household(regions["village_a1"])
    accounts(h, 3800)
    procedure = services.start_procedure(Kind.EXIT, h, year=YEAR, acting_user=users["village_a1"], channel=PAGE)
    flow.to_end(procedure)
    h.refresh_from_db()
    assert (h.status, h.exit_year, h.enjoys_policy) == ("2", YEAR, True)
    households = Household.objects.filter(pk=h.pk)
    with pytest.raises(PermissionDenied, match="县级"):
        services.end_policies(households, reason="过渡期结束", acting_user=users["town_a"], channel=PAGE)
    with pytest.raises(ValidationError, match="依据"):
        services.end_policies(households, reason="", acting_user=users["county"], channel=PAGE)
    assert services.end_policies(households, reason="县政府〔2021〕5号", acting_user=users["county"],
                                 channel=PAGE) == 1
    h.refresh_from_db()
    assert not h.enjoys_policy
    assert history_for(h).filter(note__contains="县政府〔2021〕5号").exists()


def test_return_approval(regions, users, household, accounts, flow):
    h = household(regions["village_b1"], status=HouseholdStatus.EXITED, exit_year=2015)
    accounts(h, 2100)
    procedure = services.start_procedure(Kind.RETURN, h, year=YEAR, acting_user=users["village_b1"], channel=PAGE)
    flow.to_end(procedure)
    h.refresh_from_db()
    assert (h.status, h.enjoys_policy, h.exit_year) == ("3", True, 2015)


def test_natural_changes_apply_at_approval(regions, users, household, flow):
    h = household(regions["village_a1"], extra=[("王老汉", new_id(born=dt.date(1940, 1, 1)), "51")])
    village = users["village_a1"]
    baby = new_id(born=dt.date(2016, 5, 1))

    def natural(details):
        procedure = services.start_procedure(Kind.NATURAL, h, year=YEAR, details=details, acting_user=village,
                                             channel=PAGE)
        return flow.to_end(procedure)

    natural({"change": "birth", "name": "王小宝", "relation": "20", "id_number": baby})
    assert h.members.get(id_number=baby).name == "王小宝"
    old = h.members.get(name="王老汉")
    procedure = natural({"change": "death", "member_id": old.pk})
    old.refresh_from_db()
    assert not old.active and old.removed_reason == "死亡"
    h.refresh_from_db()
    assert h.size == 2
    assert history_for(h).filter(object_type="member", note__contains=f"#{procedure.pk}").exists()
    # merge: a person from another household of the county joins this one
    other = household(regions["village_a1"], extra=[("赵小芳", (moving := new_id()), "30")])
    natural({"change": "merge", "name": "赵小芳", "relation": "21", "id_number": moving})
    assert Member.objects.get(id_number=moving, active=True).household == h
    assert other.members.get(id_number=moving).active is False
    natural({"change": "dissolve"})
    h.refresh_from_db()
    assert (h.status, h.enjoys_policy) == ("6", False)


def test_overdue_steps_are_visible_to_the_level_above(identification, users, monkeypatch):
    with days_later(monkeypatch, 14):  # 7 working days, and a weekend or two
        assert list(services.overdue_steps(users["town_a"])) == [identification.steps.get(order=1)]
        assert list(services.overdue_steps(users["county"])) == [identification.steps.get(order=1)]
        assert list(services.overdue_steps(users["town_b"])) == []
        assert list(services.todo_steps(users["village_a1"])) == [identification.steps.get(order=1)]
    assert list(services.overdue_steps(users["town_a"])) == []


def test_another_app_can_run_its_own_kind(regions, users, household, flow, monkeypatch):
    """register_kind: the engine runs a kind it does not define (monitoring's 监测对象认定 uses this)."""
    from fupin.procedures import checks, models
    from fupin.procedures.checks import CheckResult
    from fupin.procedures.models import ProcedureDefinition, StepDefinition

    monkeypatch.setattr(models, "REGISTERED_KINDS", dict(models.REGISTERED_KINDS))
    monkeypatch.setattr(services, "REGISTERED_KINDS", models.REGISTERED_KINDS)
    monkeypatch.setattr(checks, "CHECKS", dict(checks.CHECKS))
    monkeypatch.setattr(services, "OUTCOMES", dict(services.OUTCOMES))
    outcomes = []
    services.register_kind(
        "trial", "试点认定", lambda household, year, details: CheckResult(figures={"ok": True}),
        lambda procedure, household, result, **kw: outcomes.append((procedure.pk, kw["note"])),
    )
    definition = ProcedureDefinition.objects.create(kind="trial", name="试点认定")
    StepDefinition.objects.create(definition=definition, order=1, name="村核实", actor_level=Level.VILLAGE)
    StepDefinition.objects.create(definition=definition, order=2, name="县审定", actor_level=Level.COUNTY)
    h = household(regions["village_a1"])
    procedure = services.start_procedure("trial", h, year=YEAR, acting_user=users["village_a1"], channel=PAGE)
    assert str(procedure) == f"试点认定程序 #{procedure.pk}"
    flow.to_end(procedure)
    assert outcomes == [(procedure.pk, f"试点认定程序 #{procedure.pk} 县审定审批通过")]
