import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.procedures import notices
from fupin.procedures.models import Decision, NoticeKind, ObjectionStatus, ProcedureDefinition
from fupin.projects import services
from fupin.projects.access import may_change_money, money_work
from fupin.projects.models import (
    AcceptanceResult,
    LibraryAction,
    LibraryStatus,
    Project,
    ProjectStatus,
)
from fupin.projects.tests.conftest import days_later

PAGE = Channel.PAGE
TODAY = timezone.localdate


def test_approval_chain_is_installed_and_editable_data(db):
    definition = ProcedureDefinition.objects.get(kind="project_approval", region__isnull=True)
    assert [(s.name, s.actor_level, s.notice_kind) for s in definition.steps.all()] == [
        ("村申报", 5, "publicity"), ("村级公示", 5, "publicity"), ("乡镇审核", 4, "publicity"),
        ("县级审批", 3, "publicity"), ("县级公告", 3, "announcement")]
    assert definition.get_kind_display() == "扶贫项目审批"


def test_entering_a_project_records_the_library_entry_and_audit(make_project, users):
    project = make_project()
    assert project.library_status == LibraryStatus.IN and project.status == ProjectStatus.DECLARED
    assert list(project.library_changes.values_list("action", flat=True)) == [LibraryAction.ENTER]
    entry = AuditLog.objects.filter(object_type="project", object_id=str(project.pk)).get()
    assert entry.note == "项目入库" and entry.region_code == project.region_id


def test_validation_names_the_fields(make_project, regions):
    with pytest.raises(ValidationError) as caught:
        make_project(region=regions["county"], expected_households=5, expected_poor_households=4,
                     expected_monitored_households=3, planned_end=dt.date(2020, 1, 1))
    assert set(caught.value.message_dict) >= {"region", "expected_poor_households", "planned_end"}


def test_finance_department_reads_but_cannot_write(make_project, finance, users):
    assert money_work.allows(finance) and not may_change_money(finance)
    assert not money_work.allows(users["department"])  # a department other than 财政/审计 does not see projects
    project = make_project()
    assert Project.objects.visible_to(finance).filter(pk=project.pk).exists()
    project.name = "改名"
    with pytest.raises(PermissionDenied):
        services.save_project(project, acting_user=finance, channel=PAGE)
    with pytest.raises(PermissionDenied):
        services.remove_from_library(project, date=TODAY(), reason="x", acting_user=finance, channel=PAGE)


def test_scope_out_of_region_refused(make_project, users, regions):
    project = make_project(region=regions["village_b1"])
    assert not Project.objects.visible_to(users["village_a1"]).filter(pk=project.pk).exists()
    with pytest.raises(PermissionDenied):
        make_project(region=regions["village_b1"], user=users["village_a1"])
    with pytest.raises(PermissionDenied):
        services.start_approval(project, acting_user=users["village_a1"], channel=PAGE)


def test_full_approval_with_village_notice_and_county_announcement(make_project, approval, users, monkeypatch):
    project = approval.start(make_project())
    assert project.current_step.name == "村申报"
    with pytest.raises(PermissionDenied):  # the township does not act on the village's step
        services.decide(project, Decision.PASS, acting_user=users["town_a"], channel=PAGE)
    project = approval.pass_step(project)
    assert project.current_step.name == "村级公示"
    with pytest.raises(ValidationError, match="尚未发布"):
        services.decide(project, Decision.PASS, acting_user=users["village_a1"], channel=PAGE)
    notice = approval.notice(project)
    assert notice.columns and notice.items.get().row["name"] == "张庄村道路硬化"
    assert "place" in notice.items.get().row and notices.render_notice_html(notice).count("张庄村道路硬化") >= 1
    with pytest.raises(ValidationError, match="期满后方可通过"):
        services.decide(project, Decision.PASS, acting_user=users["village_a1"], channel=PAGE)
    with days_later(monkeypatch, 10):
        project = services.decide(project, Decision.PASS, acting_user=users["village_a1"], channel=PAGE)
    while project.current_order is not None:
        project = approval.pass_step(project)
    assert project.status == ProjectStatus.APPROVED and project.approved_on > TODAY()
    assert services.project_notices(project).filter(kind=NoticeKind.ANNOUNCEMENT).exists()
    assert list(project.actions.values_list("decision", flat=True)) == ["start"] + ["pass"] * 5


def test_objection_holds_the_notice_step(make_project, approval, users, monkeypatch):
    project = approval.pass_step(approval.start(make_project()))
    notice = approval.notice(project)
    item = notice.items.get()
    objection = notices.lodge_objection(notice, name="王五", contact="村东头", content="规模不实", item_id=item.pk)
    with days_later(monkeypatch, 10):
        with pytest.raises(ValidationError, match="1条异议尚未答复"):
            services.decide(project, Decision.PASS, acting_user=users["village_a1"], channel=PAGE)
        notices.answer_objection(objection, answer="已核实，规模属实", acting_user=users["village_a1"], channel=PAGE)
        assert objection.__class__.objects.get(pk=objection.pk).status == ObjectionStatus.ANSWERED
        project = services.decide(project, Decision.PASS, acting_user=users["village_a1"], channel=PAGE)
    assert project.current_step.name == "乡镇审核"


def test_township_project_skips_village_steps_and_reject_and_redeclare(make_project, approval, users, regions):
    project = approval.start(make_project(region=regions["town_a"], name="尹集镇产业园"))
    assert [s.name for s in project.steps.all()] == ["乡镇审核", "县级审批", "县级公告"]
    project = approval.pass_step(project)
    with pytest.raises(ValidationError):
        services.decide(project, Decision.REJECT, acting_user=users["county"], channel=PAGE)  # no reason
    project = services.decide(project, Decision.REJECT, comment="资金不足", acting_user=users["county"], channel=PAGE)
    assert project.status == ProjectStatus.REJECTED
    project = approval.start(project)
    assert project.current_step.name == "乡镇审核" and project.status == ProjectStatus.DECLARED


def test_return_goes_back_one_step(make_project, approval, users, regions):
    project = approval.pass_step(approval.start(make_project(region=regions["town_a"])))
    project = services.decide(project, Decision.RETURN, comment="补充带贫机制", acting_user=users["county"],
                              channel=PAGE)
    assert project.current_step.name == "乡镇审核"


def test_removal_keeps_history_and_stops_the_approval(make_project, approval, users):
    project = approval.start(make_project())
    with pytest.raises(ValidationError):
        services.remove_from_library(project, date=TODAY(), reason=" ", acting_user=users["county"], channel=PAGE)
    project = services.remove_from_library(project, date=TODAY(), reason="选址调整", acting_user=users["county"],
                                           channel=PAGE)
    assert project.library_status == LibraryStatus.OUT and project.current_order is None
    assert Project.objects.filter(pk=project.pk).exists()
    with pytest.raises(ValidationError):
        services.start_approval(project, acting_user=users["village_a1"], channel=PAGE)
    project = services.restore_to_library(project, date=TODAY(), reason="重新选址", acting_user=users["county"],
                                          channel=PAGE)
    assert list(project.library_changes.values_list("action", flat=True)) == ["enter", "remove", "enter"]


def _photo(name="site.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")


def test_implementation_acceptance_and_handover(make_project, approval, users):
    project = approval.approve(make_project())
    county = users["county"]
    with pytest.raises(ValidationError):
        services.add_milestone(project, date=TODAY(), text="开工", progress=10, acting_user=county, channel=PAGE)
    project = services.start_implementation(project, date=TODAY(), acting_user=county, channel=PAGE)
    services.add_milestone(project, date=TODAY(), text="路基完成", progress=60, acting_user=county, channel=PAGE)
    services.add_photo(project, _photo(), caption="施工中", acting_user=county, channel=PAGE)
    with pytest.raises(ValidationError):
        services.add_photo(project, _photo("x.exe"), acting_user=county, channel=PAGE)
    with pytest.raises(ValidationError, match="完工"):
        services.record_acceptance(project, date=TODAY(), team="县扶贫办、交通局", result=AcceptanceResult.PASSED,
                                   acting_user=county, channel=PAGE)
    services.add_milestone(project, date=TODAY(), text="完工", progress=100, acting_user=county, channel=PAGE)
    project.refresh_from_db()
    assert project.progress == 100 and project.completed_on == TODAY()
    with pytest.raises(ValidationError, match="整改"):
        services.record_acceptance(project, date=TODAY(), team="验收组", result=AcceptanceResult.FAILED,
                                   acting_user=county, channel=PAGE)
    services.record_acceptance(project, date=TODAY(), team="验收组", result=AcceptanceResult.FAILED,
                               remarks="边沟未完成", acting_user=county, channel=PAGE)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_PROGRESS
    report = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    acceptance = services.record_acceptance(project, date=TODAY(), team="验收组", result=AcceptanceResult.PASSED,
                                            documents=[report], acting_user=county, channel=PAGE)
    assert acceptance.documents.get().original_name == "验收报告.pdf"
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    with pytest.raises(ValidationError):
        services.remove_from_library(project, date=TODAY(), reason="x", acting_user=county, channel=PAGE)
    project = services.mark_handed_over(project, acting_user=county, channel=PAGE)
    assert project.status == ProjectStatus.HANDED_OVER and project.handed_over_on == TODAY()
    with pytest.raises(ValidationError):
        services.mark_handed_over(project, acting_user=county, channel=PAGE)


def test_beneficiaries_counted_by_register_and_monitoring(make_project, make_household, users, regions):
    from fupin.monitoring.models import MonitoredHousehold, MonitoredStatus

    project = make_project()
    poor = make_household(regions["village_a1"], status="2")
    ordinary = make_household(regions["village_a1"], status="", household_type="1")
    monitored = make_household(regions["village_a1"], status="", household_type="1")
    MonitoredHousehold.objects.create(household=monitored, village=regions["village_a1"], kind="1",
                                      year=TODAY().year, identified_on=TODAY(), risks="1",
                                      status=MonitoredStatus.MONITORING)
    elsewhere = make_household(regions["village_b1"])
    with pytest.raises(ValidationError, match="不在项目实施地点"):
        services.add_beneficiaries(project, [elsewhere], acting_user=users["county"], channel=PAGE)
    with pytest.raises(PermissionDenied):
        services.add_beneficiaries(project, [poor], acting_user=users["village_b1"], channel=PAGE)
    added = services.add_beneficiaries(project, [poor, ordinary, monitored], note="务工",
                                       acting_user=users["county"], channel=PAGE)
    assert added == 3
    assert services.add_beneficiaries(project, [poor], acting_user=users["county"], channel=PAGE) == 0
    assert services.beneficiary_counts(project) == {"households": 3, "poor": 1, "monitored": 1}
    entries = AuditLog.objects.filter(object_type="projectbeneficiary")
    assert entries.count() == 3 and {e.parent_id for e in entries} == {str(h.pk) for h in (poor, ordinary, monitored)}
    services.remove_beneficiary(project.beneficiaries.get(household=ordinary), acting_user=users["county"],
                                channel=PAGE)
    assert services.beneficiary_counts(project)["households"] == 2


def test_household_procedure_of_the_project_kind_is_refused(make_household, users, regions):
    from fupin.procedures.services import start_procedure

    household = make_household(regions["village_a1"])
    with pytest.raises(ValidationError, match="项目库"):
        start_procedure("project_approval", household, year=TODAY().year, acting_user=users["village_a1"],
                        channel=PAGE)


def test_notice_refuses_projects_not_at_the_step(make_project, approval, users):
    project = approval.start(make_project())
    with pytest.raises(ValidationError, match="不在"):
        services.create_notice([project], kind=NoticeKind.PUBLICITY, start_date=TODAY(),
                               end_date=TODAY() + dt.timedelta(days=9), acting_user=users["village_a1"], channel=PAGE)
    project = approval.pass_step(project)
    with pytest.raises(ValidationError, match="少于规定的10天"):
        services.create_notice([project], kind=NoticeKind.PUBLICITY, start_date=TODAY(),
                               end_date=TODAY() + dt.timedelta(days=3), acting_user=users["village_a1"], channel=PAGE)
    approval.notice(project)
    assert not services.notice_eligible(users["village_a1"]).exists()  # already on a notice


def test_notice_text_check_reads_project_columns(make_project, approval, users):
    project = approval.pass_step(approval.start(make_project(benefit_mechanism="联系人电话13812345678")))
    step, user = approval.actor(project)
    notice = services.create_notice([project], kind=NoticeKind.PUBLICITY, start_date=TODAY(),
                                    end_date=TODAY() + dt.timedelta(days=9), acting_user=user, channel=PAGE)
    with pytest.raises(ValidationError, match="手机号码"):
        notices.publish_notice(notice, acting_user=user, channel=PAGE)
    assert Decimal(notice.items.get().row["amount"]) == Decimal("35.00")
