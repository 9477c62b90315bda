import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.sectors import access, figures, services
from fupin.sectors.choices import EnrolmentStatus, Figure, Policy, Stage, WaterResult, YuluStatus
from fupin.sectors.models import (
    ChronicDisease,
    Enrolment,
    HospitalBill,
    HouseAppraisal,
    PolicyFigure,
    WaterCheck,
    YuluApplication,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_yulu_amount_by_year_and_region(regions):
    code = regions["village_a1"].code
    assert figures.value(Figure.YULU_AMOUNT, 2016, code) == Decimal("3000")
    assert figures.value(Figure.YULU_AMOUNT, 2017, code) == Decimal("5000")
    assert figures.value(Figure.YULU_AMOUNT, YEAR, code) == Decimal("5000")
    # A county's own standard wins over the national rows, from its year on.
    PolicyFigure.objects.create(code=Figure.YULU_AMOUNT, year=2025, region=regions["county"], value=6000, source="县文件")
    assert figures.value(Figure.YULU_AMOUNT, YEAR, code) == Decimal("6000")
    assert figures.value(Figure.YULU_AMOUNT, 2024, code) == Decimal("5000")
    assert figures.value(Figure.YULU_AMOUNT, YEAR, regions["province"].code) == Decimal("5000")


def test_chronic_list_most_specific(regions):
    national = figures.chronic_diseases(regions["village_a1"].code)
    assert len(national) == 31
    ChronicDisease.objects.create(name="高血压", region=regions["county"], source="县目录")
    assert [d.name for d in figures.chronic_diseases(regions["village_a1"].code)] == ["高血压"]


def _yulu(member, users):
    return services.apply_yulu(
        YuluApplication(member=member, year=YEAR, stage=Stage.HIGHER_VOCATIONAL, school="职业技术学院",
                        applied_on=dt.date(YEAR, 9, 5)), acting_user=users["village_a1"], channel=Channel.PAGE)


def test_yulu_workflow_and_audit(family, member_of, users):
    h = family(members=[("学生", dt.date(YEAR - 19, 1, 1), {"schooling": "09"})])
    app = _yulu(member_of(h, "学生"), users)
    assert app.status == YuluStatus.APPLIED and app.applied_by == users["village_a1"] and app.amount is None
    with pytest.raises(ValidationError):
        services.pay_yulu(app, on=dt.date(YEAR, 10, 1), acting_user=users["county"], channel=Channel.PAGE)
    services.approve_yulu(app, approved=True, on=dt.date(YEAR, 9, 20), acting_user=users["town_a"],
                          channel=Channel.PAGE)
    assert app.amount == Decimal("5000") and app.approved_by == users["town_a"]
    services.pay_yulu(app, on=dt.date(YEAR, 10, 8), acting_user=users["county"], channel=Channel.PAGE)
    app.refresh_from_db()
    assert (app.status, app.paid_on, app.paid_by) == (YuluStatus.PAID, dt.date(YEAR, 10, 8), users["county"])
    notes = list(AuditLog.objects.filter(object_type="yuluapplication", object_id=str(app.pk))
                 .order_by("id").values_list("username", "note"))
    assert notes == [("cun_a1", "雨露计划申请"), ("xiang_a", "雨露计划审核通过"), ("xian", "雨露计划发放")]
    with pytest.raises(ValidationError):
        _yulu(member_of(h, "学生"), users)  # one application per student and year


def test_yulu_rejection_needs_reason(family, member_of, users):
    h = family(members=[("学生", dt.date(YEAR - 17, 1, 1), {"schooling": "08"})])
    app = _yulu(member_of(h, "学生"), users)
    with pytest.raises(ValidationError):
        services.approve_yulu(app, approved=False, acting_user=users["county"], channel=Channel.PAGE)
    services.approve_yulu(app, approved=False, reason="非中高职", acting_user=users["county"], channel=Channel.PAGE)
    assert app.status == YuluStatus.REJECTED and app.amount is None


def test_self_pay_cap(family, member_of, users):
    h = family()
    head = member_of(h, "张三")

    def bill(self_pay, **extra):
        return services.save_record(HospitalBill(
            member=head, hospital="县人民医院", discharged_on=dt.date(YEAR, 5, 1), total_cost=Decimal("12000"),
            in_policy_cost=Decimal("10000"), reimbursed=Decimal("8500"), self_pay=Decimal(self_pay), **extra),
            acting_user=users["county"], channel=Channel.PAGE)

    at_cap, over = bill("1000"), bill("1000.01")
    assert (at_cap.self_pay_pct, at_cap.cap_pct, at_cap.over_cap) == (Decimal("10.00"), Decimal("10"), False)
    assert over.over_cap
    PolicyFigure.objects.create(code=Figure.SELF_PAY_CAP, year=YEAR, region=regions_county(h), value=8, source="县")
    assert bill("900").over_cap
    with pytest.raises(ValidationError):
        bill("20000")


def regions_county(household):
    from fupin.regions.models import Region

    return Region.objects.get(code=household.village_id[:6].ljust(12, "0"))


def test_taper_end_dates(family, users, regions):
    h = family()
    dibao = services.save_record(Enrolment(household=h, policy=Policy.DIBAO, start=dt.date(YEAR - 2, 1, 1),
                                           amount=Decimal("400")), acting_user=users["county"], channel=Channel.PAGE)
    services.start_taper(dibao, dt.date(YEAR, 8, 31), acting_user=users["county"], channel=Channel.PAGE)
    assert dibao.status == EnrolmentStatus.TAPERING
    assert dibao.taper_end == dibao.end == dt.date(YEAR + 1, 2, 27)  # 6 months from 31 Aug, less a day
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    PolicyFigure.objects.create(code=Figure.TAPER_MONTHS, year=YEAR, region=regions["county"], value=12, source="县")
    assert services.taper_end(dt.date(YEAR, 3, 1), h.village_id) == dt.date(YEAR + 1, 2, 28)
    assert services.end_tapers(dt.date(YEAR + 1, 3, 1), channel=Channel.SYSTEM) == 1
    dibao.refresh_from_db()
    assert dibao.status == EnrolmentStatus.ENDED
    with pytest.raises(ValidationError):
        services.start_taper(dibao, dt.date(YEAR + 1, 3, 1), acting_user=users["county"], channel=Channel.PAGE)


def test_water_result(family, users):
    h = family()

    def check(**values):
        return services.save_record(WaterCheck(household=h, checked_on=dt.date(YEAR, 6, 1), **values),
                                    acting_user=users["county"], channel=Channel.PAGE).result

    assert check(litres=50, minutes=5, rate=98) == WaterResult.SAFE
    assert check(litres=30, minutes=15, rate=92) == WaterResult.BASIC
    assert check(litres=30, minutes=25, rate=92) == WaterResult.UNSAFE
    assert check(litres=50, minutes=5, rate=98, quality_ok=False) == WaterResult.UNSAFE


def test_appraisal_updates_register_check(family, users):
    from fupin.registry.models import SecurityCheck
    from fupin.registry.services import save_security_check

    h = family()
    save_security_check(SecurityCheck(household=h, year=YEAR), acting_user=users["county"], channel=Channel.PAGE)
    services.record_appraisal(HouseAppraisal(household=h, grade="D", appraised_on=dt.date(YEAR, 4, 1)),
                              acting_user=users["county"], channel=Channel.PAGE)
    check = SecurityCheck.objects.get(household=h, year=YEAR)
    assert (check.house_grade, check.housing_secure) == ("D", False)
    assert services.current_grade(h) == "D"


def test_chronic_certificate_against_list(family, member_of, users):
    h = family()
    head = member_of(h, "张三")
    with pytest.raises(ValidationError):
        services.save_record(Enrolment(member=head, policy=Policy.CHRONIC_CERT, start=dt.date(YEAR, 1, 1)),
                             acting_user=users["county"], channel=Channel.PAGE)
    foreign = ChronicDisease.objects.create(name="外省病种", region=None, active=False, source="x")
    with pytest.raises(ValidationError):
        services.save_record(Enrolment(member=head, policy=Policy.CHRONIC_CERT, start=dt.date(YEAR, 1, 1),
                                       disease=foreign), acting_user=users["county"], channel=Channel.PAGE)
    listed = figures.chronic_diseases(h.village_id)[1]
    cert = services.save_record(Enrolment(member=head, policy=Policy.CHRONIC_CERT, start=dt.date(YEAR, 1, 1),
                                          disease=listed), acting_user=users["county"], channel=Channel.PAGE)
    assert cert.disease == listed


def test_scope_department_and_village(family, member_of, users, regions):
    from fupin.accounts.models import Role, User

    h_a = family()
    h_b = family(regions["village_b1"])
    for h in (h_a, h_b):
        services.save_record(Enrolment(member=member_of(h, "张三"), policy=Policy.FAMILY_DOCTOR,
                                       start=dt.date(YEAR, 1, 1), provider="乡卫生院一组"),
                             acting_user=users["county"], channel=Channel.PAGE)
        services.save_record(Enrolment(household=h, policy=Policy.DIBAO, start=dt.date(YEAR, 1, 1)),
                             acting_user=users["county"], channel=Channel.PAGE)
    health = User.objects.create_user("weijian", role=Role.DEPARTMENT, region=regions["county"], department="卫健")
    civil = User.objects.create_user("minzheng", role=Role.DEPARTMENT, region=regions["county"], department="民政")
    police = User.objects.create_user("gongan", role=Role.DEPARTMENT, region=regions["county"], department="公安")
    assert set(access.visible(health, Enrolment).values_list("policy", flat=True)) == {Policy.FAMILY_DOCTOR}
    assert set(access.visible(civil, Enrolment).values_list("policy", flat=True)) == {Policy.DIBAO}
    assert not access.visible(health, WaterCheck).exists() and access.visible(health, HospitalBill).query
    assert set(access.visible(users["village_a1"], Enrolment).values_list("household", flat=True)) == {h_a.pk}
    assert not access.sectors_work.allows(police) and access.sectors_work.allows(health)
    # 卫健 enters family-doctor contracts, not 低保; a village only its own households.
    services.save_record(Enrolment(member=member_of(h_b, "张三"), policy=Policy.FAMILY_DOCTOR,
                                   start=dt.date(YEAR, 2, 1), provider="二组"), acting_user=health,
                         channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.save_record(Enrolment(household=h_a, policy=Policy.DIBAO, start=dt.date(YEAR, 1, 1)),
                             acting_user=health, channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.save_record(Enrolment(household=h_b, policy=Policy.DIBAO, start=dt.date(YEAR, 1, 1)),
                             acting_user=users["village_a1"], channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.save_record(Enrolment(household=h_a, policy=Policy.DIBAO, start=dt.date(YEAR, 1, 1)),
                             acting_user=users["leader"], channel=Channel.PAGE)
