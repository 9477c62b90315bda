"""The demo's 行业政策: in the first demo villages, students with 雨露计划 applications at each step, a 控辍保学 case,
family-doctor contracts and chronic-disease certificates, hospital bills (some over the self-pay cap), C/D house
appraisals with a renovation, water checks, 低保 with a 渐退 period, a relocation with its support — all through the
sectors services with the village, township and county accounts — and a coverage run so the 应享未享 board shows
gaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from fupin.audit.models import Channel
from fupin.regions.models import Level
from fupin.registry.choices import Health, HouseholdStatus
from fupin.registry.models import Household, Member
from fupin.sectors import board, figures, services
from fupin.sectors.choices import DropoutStatus, Policy, RelocationMode, RenovationMethod, Stage
from fupin.sectors.models import (
    DropoutCase,
    Enrolment,
    HospitalBill,
    HouseAppraisal,
    Relocation,
    Renovation,
    StudentStatus,
    WaterCheck,
    YuluApplication,
)

from .workflows import Actors

PAGE = Channel.PAGE
VILLAGES = 3
YULU_STEPS = ("applied", "approved", "paid", "rejected")


def _members(village, *, born_after=None, born_before=None, health=None, limit=4, exclude=()):
    members = Member.objects.filter(household__village=village, active=True,
                                    household__status__in=HouseholdStatus.REGISTERED).exclude(pk__in=exclude)
    if born_after:
        members = members.filter(birth_date__gt=born_after)
    if born_before:
        members = members.filter(birth_date__lte=born_before)
    if health:
        members = members.filter(health__contains=health)
    return list(members.select_related("household").order_by("household__number", "id")[:limit])


def _students(village, year, actors: Actors, used: set) -> int:
    """Four students of 中职/高职 age: their 学籍, and a 雨露计划 application at each step."""
    made = 0
    for step, member in zip(YULU_STEPS, _members(village, born_after=dt.date(year - 20, 1, 1),
                                                 born_before=dt.date(year - 16, 1, 1), exclude=used)):
        used.add(member.pk)
        stage = Stage.VOCATIONAL if made % 2 == 0 else Stage.HIGHER_VOCATIONAL
        school = "县职业教育中心" if stage == Stage.VOCATIONAL else "市职业技术学院"
        services.save_record(StudentStatus(member=member, year=year, school=school, grade="二年级", stage=stage),
                             acting_user=actors.village, channel=PAGE)
        app = services.apply_yulu(YuluApplication(member=member, year=year, stage=stage, school=school,
                                                  applied_on=dt.date(year, 9, 8)),
                                  acting_user=actors.village, channel=PAGE)
        if step != "applied":
            services.approve_yulu(app, approved=step != "rejected", on=dt.date(year, 9, 22),
                                  reason="已享受其他同类资助" if step == "rejected" else "",
                                  acting_user=actors.by_level[Level.TOWNSHIP], channel=PAGE)
        if step == "paid":
            services.pay_yulu(app, on=dt.date(year, 10, 15), acting_user=actors.by_level[Level.COUNTY], channel=PAGE)
        made += 2
    return made


def _dropout(village, year, actors: Actors, used: set) -> int:
    children = _members(village, born_after=dt.date(year - 15, 9, 1), born_before=dt.date(year - 7, 9, 1), limit=1,
                        exclude=used)
    if not children:
        return 0
    child = children[0]
    used.add(child.pk)
    case = services.save_record(DropoutCase(member=child, opened_on=dt.date(year, 3, 2), reason="厌学，随父母外出"),
                                acting_user=actors.village, channel=PAGE)
    services.follow_up(case, date=dt.date(year, 3, 6), content="村干部和班主任入户劝返，家长同意送回学校",
                       acting_user=actors.village, channel=PAGE)
    services.follow_up(case, date=dt.date(year, 3, 15), content="已回校上课", status=DropoutStatus.RETURNED,
                       school="镇中心小学", acting_user=actors.village, channel=PAGE)
    return 1


def _health(village, year, actors: Actors) -> int:
    made = 0
    diseases = figures.chronic_diseases(village.code)
    for index, member in enumerate(_members(village, health=Health.CHRONIC, limit=4)):
        services.save_record(Enrolment(member=member, policy=Policy.FAMILY_DOCTOR, start=dt.date(year, 1, 10),
                                       provider="乡镇卫生院家庭医生团队", reference=f"QY{year}{member.pk:06d}"),
                             acting_user=actors.village, channel=PAGE)
        made += 1
        if index % 2 == 0 and diseases:
            services.save_record(Enrolment(member=member, policy=Policy.CHRONIC_CERT, start=dt.date(year - 1, 5, 1),
                                           disease=diseases[index % len(diseases)], provider="县医疗保障局"),
                                 acting_user=actors.village, channel=PAGE)
            made += 1
        # In-policy cost 20,000; self-pay 1,500 (under the cap) or 3,200 (over it).
        self_pay = Decimal("3200") if index % 2 else Decimal("1500")
        services.save_record(HospitalBill(member=member, hospital="县人民医院", admitted_on=dt.date(year, 4, 1 + index),
                                          discharged_on=dt.date(year, 4, 12 + index), total_cost=Decimal("24000"),
                                          in_policy_cost=Decimal("20000"), reimbursed=Decimal("20000") - self_pay,
                                          self_pay=self_pay, pay_later=True),
                             acting_user=actors.village, channel=PAGE)
        made += 1
    return made


def _housing(village, year, actors: Actors) -> int:
    households = list(Household.objects.filter(village=village, status__in=HouseholdStatus.REGISTERED)
                      .order_by("-number")[:4])
    made = 0
    for index, household in enumerate(households[:3]):
        grade = "D" if index == 0 else "C"
        appraisal = services.record_appraisal(
            HouseAppraisal(household=household, grade=grade, appraised_on=dt.date(year, 2, 10), agency="县住建局"),
            acting_user=actors.village, channel=PAGE)
        made += 1
        if index == 0:
            services.save_record(Renovation(household=household, appraisal=appraisal, method=RenovationMethod.REBUILD,
                                            subsidy=Decimal("35000"), started_on=dt.date(year, 3, 20),
                                            accepted_on=dt.date(year, 8, 30), accepted=True),
                                 acting_user=actors.village, channel=PAGE)
            made += 1
    for index, household in enumerate(households):
        litres, minutes, rate = (50, 5, 98) if index else (18, 30, 85)
        services.save_record(WaterCheck(household=household, checked_on=dt.date(year, 6, 5), litres=litres,
                                        minutes=minutes, rate=rate), acting_user=actors.village, channel=PAGE)
        made += 1
    return made


def _social(village, year, actors: Actors) -> int:
    made = 0
    members = list(Member.objects.filter(household__village=village, active=True)
                   .filter(Q(on_dibao=True) | Q(on_tekun=True)).select_related("household").order_by("id")[:4])
    for index, member in enumerate(members):
        policy = Policy.DIBAO if member.on_dibao else Policy.TEKUN
        enrolment = services.save_record(Enrolment(member=member, policy=policy, start=dt.date(year - 2, 7, 1),
                                                   amount=Decimal("420")), acting_user=actors.village, channel=PAGE)
        made += 1
        if index == 0:
            services.start_taper(enrolment, dt.date(year, 6, 1), acting_user=actors.village, channel=PAGE)
        if index % 2:
            services.save_record(Enrolment(member=member, policy=Policy.PENSION_PAID, start=dt.date(year, 1, 1),
                                           end=dt.date(year, 12, 31), amount=Decimal("100")),
                                 acting_user=actors.village, channel=PAGE)
            made += 1
    return made


def _relocation(village, year, actors: Actors) -> int:
    household = Household.objects.filter(village=village, status__in=HouseholdStatus.REGISTERED).order_by("number")[1:2]
    if not household:
        return 0
    relocation = services.save_record(Relocation(household=household[0], site="县城易地扶贫搬迁安置区",
                                                 mode=RelocationMode.CENTRAL, moved_on=dt.date(year - 3, 12, 20)),
                                      acting_user=actors.village, channel=PAGE)
    services.add_support(relocation, date=dt.date(year - 2, 3, 1), content="安置区扶贫车间就业一人",
                         acting_user=actors.village, channel=PAGE)
    services.add_support(relocation, date=dt.date(year - 1, 9, 1), content="子女就近入学，落实社区医疗服务",
                         acting_user=actors.village, channel=PAGE)
    return 3


def create_sectors(actors: list[Actors], today: dt.date) -> int:
    """The sector records of the first demo villages and a coverage run over the county; returns the records."""
    year = today.year
    made = 0
    for village_actors in actors[:VILLAGES]:
        village = village_actors.village.region
        used: set[int] = set()
        made += _students(village, year, village_actors, used)
        made += _dropout(village, year, village_actors, used)
        made += _health(village, year, village_actors)
        made += _housing(village, year, village_actors)
        made += _social(village, year, village_actors)
        made += _relocation(village, year, village_actors)
    county_user = actors[0].by_level[Level.COUNTY]
    board.run(county_user.region, year, acting_user=county_user, channel=PAGE)
    return made
