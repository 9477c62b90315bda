import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.oversight import services
from fupin.oversight.models import Category, Item, OversightParameter, ParameterCode, Problem, SourceKind, Status

PAGE = Channel.PAGE


def _rectify(problem, user):
    problem.measures = "补齐档案资料，建立一户一档"
    services.save_problem(problem, acting_user=user, channel=PAGE)
    services.add_progress(problem, text="已补齐 12 户资料", acting_user=user, channel=PAGE)
    return services.submit(problem, acting_user=user, channel=PAGE)


def test_create_defaults_deadline_from_the_category_parameter(problem, regions):
    p = problem()
    assert p.status == Status.PENDING
    days = OversightParameter.objects.get(code=ParameterCode.DEADLINE_BASIC, region=None).value
    assert p.deadline == timezone.localdate() + dt.timedelta(days=days)
    assert AuditLog.objects.filter(object_type="problem", object_id=str(p.pk), action="create").exists()


def test_county_parameter_wins_over_the_national_one(problem, regions, users):
    services.save_parameter(OversightParameter(code=ParameterCode.DEADLINE_BASIC, region=regions["county"], value=7,
                                               source="县整改方案"), acting_user=users["county"], channel=PAGE)
    assert problem().deadline == timezone.localdate() + dt.timedelta(days=7)


def test_item_must_belong_to_the_category(problem):
    with pytest.raises(ValidationError) as exc:
        problem(category=Category.IDENTIFY, item=Item.BASIC_ARCHIVE)
    assert "item" in exc.value.message_dict


def test_region_out_of_scope_refused(problem, regions, users):
    with pytest.raises(PermissionDenied):
        problem(regions["village_b1"], user=users["village_a1"])


def test_read_only_roles_cannot_record(problem, users, auditor):
    for user in (users["leader"], auditor):
        with pytest.raises(PermissionDenied):
            problem(user=user)


def test_full_flow_village_problem_signed_off_by_its_township(problem, users):
    p = problem(owner=users["village_a1"])
    p = _rectify(p, users["village_a1"])
    assert p.status == Status.SUBMITTED
    p = services.sign_off(p, note="资料已核实", acting_user=users["town_a"], channel=PAGE)
    assert p.status == Status.CLOSED and p.closed_by == users["town_a"] and p.closed_at
    assert AuditLog.objects.filter(object_id=str(p.pk), object_type="problem", note__startswith="销号").exists()
    with pytest.raises(ValidationError):
        services.add_progress(p, text="再补一条", acting_user=users["village_a1"], channel=PAGE)


@pytest.mark.parametrize("signer", ["village_a1", "county", "town_b"])
def test_sign_off_by_the_wrong_level_refused(problem, users, signer):
    p = _rectify(problem(), users["village_a1"])
    with pytest.raises(PermissionDenied):
        services.sign_off(p, acting_user=users[signer], channel=PAGE)
    assert Problem.objects.get(pk=p.pk).status == Status.SUBMITTED


def test_township_problem_signed_off_by_the_county(problem, regions, users):
    p = _rectify(problem(regions["town_a"], responsible_unit="尹集镇人民政府"), users["town_a"])
    with pytest.raises(PermissionDenied):
        services.sign_off(p, acting_user=users["town_a"], channel=PAGE)
    assert services.sign_off(p, acting_user=users["county"], channel=PAGE).status == Status.CLOSED


def test_submit_needs_measures_and_progress(problem, users):
    p = problem()
    with pytest.raises(ValidationError) as exc:
        services.submit(p, acting_user=users["village_a1"], channel=PAGE)
    assert {"measures", "text"} <= set(exc.value.message_dict)


def test_reject_needs_a_reason_and_sends_it_back(problem, users):
    p = _rectify(problem(), users["village_a1"])
    with pytest.raises(ValidationError):
        services.reject(p, note=" ", acting_user=users["town_a"], channel=PAGE)
    p = services.reject(p, note="佐证材料不全", acting_user=users["town_a"], channel=PAGE)
    assert p.status == Status.RETURNED and p.review_note == "佐证材料不全" and p.submitted_at is None
    services.add_progress(p, text="补充照片", acting_user=users["village_a1"], channel=PAGE)
    assert Problem.objects.get(pk=p.pk).status == Status.IN_PROGRESS


def test_evidence_file_checked_and_stored(problem, users):
    p = problem()
    with pytest.raises(ValidationError):
        services.add_evidence(p, SimpleUploadedFile("x.exe", b"MZ"), acting_user=users["village_a1"], channel=PAGE)
    evidence = services.add_evidence(p, SimpleUploadedFile("整改照片.jpg", b"\xff\xd8\xff"), caption="档案柜",
                                     acting_user=users["village_a1"], channel=PAGE)
    assert evidence.original_name == "整改照片.jpg" and evidence.file.read() == b"\xff\xd8\xff"


def test_escalate_marks_overdue_once_and_respects_the_grace(problem, regions, users):
    today = timezone.localdate()
    late = problem(deadline=today - dt.timedelta(days=3))
    recent = problem(regions["village_a2"], deadline=today - dt.timedelta(days=1))
    problem(deadline=today + dt.timedelta(days=5))
    services.save_parameter(OversightParameter(code=ParameterCode.ESCALATION_GRACE, region=regions["town_a"],
                                               value=2, source="乡镇宽限"), acting_user=users["county"], channel=PAGE)
    reported = services.escalate(acting_user=None, channel=Channel.SYSTEM)
    assert [p.pk for p in reported] == [late.pk]
    assert Problem.objects.get(pk=late.pk).escalated_at is not None
    assert Problem.objects.get(pk=recent.pk).escalated_at is None
    assert services.escalate(acting_user=None, channel=Channel.SYSTEM) == []
    assert AuditLog.objects.filter(object_id=str(late.pk), note__contains="逾期上报乡镇级督办").count() == 1


def test_village_account_may_not_escalate(users):
    with pytest.raises(PermissionDenied):
        services.escalate(acting_user=users["village_a1"], channel=PAGE)


def test_from_suspect_one_open_problem_per_source(suspect, users):
    p, created = services.create_from_suspect(suspect, acting_user=users["village_a1"], channel=PAGE)
    assert created and p.source_kind == SourceKind.SUSPECT and p.subject == f"comparison.suspect:{suspect.pk}"
    assert p.household_id == suspect.household_id and "已启动自然变更" in p.description
    again, created = services.create_from_suspect(suspect, acting_user=users["village_a1"], channel=PAGE)
    assert again.pk == p.pk and not created
    # Once signed off, the same source may open a new problem (it came back).
    Problem.objects.filter(pk=p.pk).update(status=Status.CLOSED)
    _third, created = services.create_from_suspect(suspect, acting_user=users["village_a1"], channel=PAGE)
    assert created


def test_from_suspect_only_when_confirmed(suspect, users):
    suspect.status = "open"
    with pytest.raises(ValidationError):
        services.create_from_suspect(suspect, acting_user=users["village_a1"], channel=PAGE)


def test_from_anomaly_and_finding(make_household, regions, users):
    from fupin.funds.models import Anomaly, FundRule
    from fupin.monitoring.models import Family, Finding, Rule

    anomaly = Anomaly.objects.create(rule=FundRule.objects.get(code="duplicate_payment"), subject_key="d1",
                                     region=regions["village_a1"], payee_name="李四", figures={},
                                     last_seen=timezone.now(), status="confirmed")
    p, created = services.create_from_anomaly(anomaly, acting_user=users["county"], channel=PAGE)
    assert created and p.source_kind == SourceKind.FUNDS and p.item == Item.BASIC_FUNDS and "李四" in p.description
    household = make_household(regions["village_a1"])
    rule = Rule.objects.filter(family=Family.QUALITY).first()
    finding = Finding.objects.create(household=household, village=regions["village_a1"], rule=rule, year=2026,
                                     figures={})
    q, created = services.create_from_quality_finding(finding, acting_user=users["village_a1"], channel=PAGE)
    assert created and q.household_id == household.pk and q.category == Category.BASIC
