"""The sweep's world: two counties, each scope filled with one object of every model that has an id route.

Built once per module through the services (the way pages, API and CLI create them) inside a transaction that is
rolled back at the end, so the sweep's thousands of requests don't pay for it per test. Scopes:

  410481 舞钢市 / 410481100000 尹集镇 / 410481100201 张庄村   — the accounts under test ("home")
  410481 舞钢市 / 410481101000 枣林镇 / 410481101201 王庄村   — another township ("town")
  410482 汝州市 / 410482100000 临汝镇 / 410482100201 东街村   — another county ("county")
"""

import datetime as dt
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from conftest import PASSWORD, new_id

TREE = {
    "home": ("410481000000", "舞钢市", "410481100000", "尹集镇", "410481100201", "张庄村"),
    "town": ("410481000000", "舞钢市", "410481101000", "枣林镇", "410481101201", "王庄村"),
    "county": ("410482000000", "汝州市", "410482100000", "临汝镇", "410482100201", "东街村"),
}
# The roles whose data scope is a county; their "other scope" is the other county.
COUNTY_ROLES = ("county", "department", "leader", "auditor", "admin", "security_admin", "audit_admin")
DEPARTMENT = "医保"  # as comparison.kinds names the 医保 department


def _regions():
    from fupin.regions.models import Level, Region

    province = Region.objects.create(code="410000000000", name="河南省", level=Level.PROVINCE)
    city = Region.objects.create(code="410400000000", name="平顶山市", level=Level.CITY, parent=province)
    made = {}
    for _scope, (county, county_name, town, town_name, village, village_name) in TREE.items():
        if county not in made:
            made[county] = Region.objects.create(code=county, name=county_name, level=Level.COUNTY, parent=city)
        made[town] = Region.objects.create(code=town, name=town_name, level=Level.TOWNSHIP, parent=made[county])
        made[village] = Region.objects.create(code=village, name=village_name, level=Level.VILLAGE,
                                              parent=made[town], is_poor_village=True)
    return {scope: {"county": made[c], "town": made[t], "village": made[v]} for scope, (c, _, t, _, v, _) in
            TREE.items()}


def _accounts(regions):
    """Every role in the home scope; village, township and county accounts elsewhere (they create the objects)."""
    from fupin.accounts.models import Role, User

    def make(username, role, region, **extra):
        return User.objects.create_user(username, password=PASSWORD, role=role, region=region, full_name=username,
                                        **extra)

    home = regions["home"]
    accounts = {"home": {
        "village": make("cun", Role.VILLAGE, home["village"]),
        "township": make("xiang", Role.TOWNSHIP, home["town"]),
        "county": make("xian", Role.COUNTY, home["county"]),
        "department": make("bumen", Role.DEPARTMENT, home["county"], department=DEPARTMENT),
        "leader": make("lingdao", Role.LEADER, home["county"]),
        "auditor": make("shenji", Role.AUDITOR, home["county"]),
        "admin": make("guanli", Role.ADMIN, home["county"]),
        "security_admin": make("anquan", Role.SECURITY_ADMIN, home["county"]),
        "audit_admin": make("shenjiguanli", Role.AUDIT_ADMIN, home["county"]),
    }}
    for scope in ("town", "county"):
        where = regions[scope]
        accounts[scope] = {
            "village": make(f"cun_{scope}", Role.VILLAGE, where["village"]),
            "township": make(f"xiang_{scope}", Role.TOWNSHIP, where["town"]),
        }
    accounts["county"]["county"] = make("xian_other", Role.COUNTY, regions["county"]["county"])
    accounts["county"]["department"] = make("bumen_other", Role.DEPARTMENT, regions["county"]["county"],
                                            department=DEPARTMENT)
    accounts["town"]["county"] = accounts["home"]["county"]
    accounts["town"]["department"] = accounts["home"]["department"]
    return accounts


def _upload(name="记录.pdf", content=b"%PDF-1.4 minutes"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _workbook(path, header, row):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for line in (header, row):
        for col, text in enumerate(line):
            sheet.write_string(0 if line is header else 1, col, text)
    book.close()
    return path


def _advance_to_notice(procedure, actors):
    """Pass a procedure's steps (with their required attachments) until it waits for a notice; returns the step."""
    from fupin.core.channels import Channel
    from fupin.procedures import services
    from fupin.procedures.models import Decision

    level_user = {5: actors["village"], 4: actors["township"], 3: actors["county"]}
    while True:
        procedure.refresh_from_db()
        step = procedure.steps.get(order=procedure.current_order)
        user = level_user[step.actor_level]
        for kind in step.required_kinds:
            services.add_attachment(procedure, kind, _upload(f"{kind}.pdf"), acting_user=user, channel=Channel.PAGE)
        if step.is_notice:
            return step, user
        procedure = services.decide(procedure, Decision.PASS, acting_user=user, channel=Channel.PAGE)


def _fill(scope, regions, actors, tmp, home=None):
    """One object of every model with an id route in this scope, made through the services."""
    from fupin.accounts.services import issue_token
    from fupin.assistance import services as assistance
    from fupin.assistance.models import Helper, Measure, MeasureKind, Visit
    from fupin.comparison.actions.datasets import load_dataset
    from fupin.comparison.actions.runs import start_run
    from fupin.comparison.models import DatasetKind, Suspect
    from fupin.core.channels import Channel
    from fupin.monitoring import jobs as monitoring_jobs
    from fupin.monitoring import services as monitoring
    from fupin.monitoring.models import Alert, EventKind, Family, Finding, MonitoredKind, RiskEvent, RiskType
    from fupin.procedures import adjustment, notices
    from fupin.procedures import services as procedures
    from fupin.procedures.models import Kind, NoticeKind
    from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck
    from fupin.registry.services import create_household, save_income_account, save_security_check

    page = Channel.PAGE
    village, county = regions["village"], regions["county"]
    year = monitoring.default_year()
    made = {}

    def household(n, *, status, per_capita, spouse=False):
        record = Household(number=f"{village.code}{n:04d}", village=village, status=status, category="1",
                           main_cause="1", identification_year=2014, phone="13800000000",
                           bank_account="6217000011112222")
        members = [Member(name=f"{village.name}户主{n}", id_number=new_id(area=village.code[:6]), relation="01",
                          ethnicity="01")]
        if spouse:
            members.append(Member(name=f"{village.name}配偶{n}", id_number=new_id(area=village.code[:6]),
                                  relation="10"))
        h = create_household(record, members, acting_user=actors["county"], channel=page)
        Member.objects.filter(household=h).update(labour_skill="1", pension_insurance=True)
        h.refresh_from_db()
        for y in (2016, year - 1, year):
            account = IncomeAccount(household=h, year=y, household_size=h.size,
                                    wage_income=Decimal(per_capita) * h.size)
            save_income_account(account, acting_user=actors["county"], channel=page)
            save_security_check(SecurityCheck(household=h, year=y, checked_on=dt.date(y, 11, 1), house_grade="A"),
                                acting_user=actors["county"], channel=page)
        return h

    # An exited household below the monitoring line (an alert), and a poor household leaving (a procedure).
    made["household"] = household(1, status="2", per_capita=5000, spouse=True)
    leaving = household(2, status="1", per_capita=3800)
    made["member"] = made["household"].members.order_by("pk").last()

    # Procedures: an exit procedure waiting at its notice step, its attachment, a published notice, an objection.
    procedure = procedures.start_procedure(Kind.EXIT, leaving, year=2016, acting_user=actors["village"],
                                           channel=page)
    step, publisher = _advance_to_notice(procedure, actors)
    made["procedure"] = procedure
    made["attachment"] = procedure.attachments.first()
    today = timezone.localdate()
    notice = notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[procedure], start_date=today,
                                   end_date=today + dt.timedelta(days=step.notice_days - 1), acting_user=publisher,
                                   channel=page)
    made["notice"] = notices.publish_notice(notice, acting_user=publisher, channel=page)
    made["objection"] = notices.lodge_objection(made["notice"], name="李四", contact="13900000000",
                                                content="收入情况有出入")
    second = procedures.start_procedure(Kind.EXIT, household(3, status="1", per_capita=3900), year=2016,
                                        acting_user=actors["village"], channel=page)
    _advance_to_notice(second, actors)
    made["draft_notice"] = notices.create_notice(
        kind=NoticeKind.PUBLICITY, procedures=[second], start_date=today,
        end_date=today + dt.timedelta(days=step.notice_days - 1), acting_user=publisher,
        channel=page)

    # Assistance: a helper paired with the household, a measure, a visit with a photo.
    helper = assistance.save_helper(Helper(name=f"{village.name}帮扶人", unit="县教育局", region=village,
                                           user=actors["county"] if scope == "county" else None),
                                    acting_user=actors["township"], channel=page)
    made["helper"] = helper
    made["pairing"] = assistance.pair(helper, made["household"], start=today, acting_user=actors["village"],
                                      channel=page)
    made["measure"] = assistance.save_measure(
        Measure(household=made["household"], kind=MeasureKind.INDUSTRY, content="养牛", amount=5000, date=today,
                helper=helper), acting_user=actors["village"], channel=page)
    visit = assistance.record_visit(
        Visit(household=made["household"], helper=helper, date=today, content="了解收支"),
        [SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")], acting_user=actors["village"],
        channel=page)
    made["visit"], made["photo"] = visit, visit.photos.get()
    # 驻村工作队 with a member, and a 定点帮扶单位 with a plan and its attachment.
    from fupin.assistance import teams, units
    from fupin.assistance.models import TeamMember, UnitPairing, UnitPlan, WorkTeam

    made["team"] = teams.save_team(WorkTeam(village=village, name=f"{village.name}工作队", lead_unit="县教育局",
                                            start=today), acting_user=actors["township"], channel=page)
    made["team_member"] = teams.save_member(
        TeamMember(team=made["team"], name=f"{village.name}第一书记", unit="县教育局", role="secretary",
                   term_start=today, term_end=today + dt.timedelta(days=731)),
        acting_user=actors["township"], channel=page)
    made["unit_pairing"] = units.save_pairing(UnitPairing(unit="县教育局", village=village, start=today),
                                              acting_user=actors["township"], channel=page)
    made["unit_plan"] = units.save_plan(
        UnitPlan(pairing=made["unit_pairing"], kind="plan", year=today.year, text="年度帮扶计划"),
        [SimpleUploadedFile("plan.pdf", b"%PDF-1.4", content_type="application/pdf")],
        acting_user=actors["township"], channel=page)
    made["plan_attachment"] = made["unit_plan"].attachments.get()

    # Monitoring: runs of both families over the village (alerts, findings), a risk event, and the alert's
    # inclusion procedure approved into a monitored household (the outcome hook the engine calls at approval).
    for family in (Family.MONITORING, Family.QUALITY):
        monitoring.run(family, village, year, acting_user=actors["county"], channel=page)
    made["job"] = monitoring_jobs.start_run(Family.QUALITY, village, year, acting_user=actors["county"], channel=page)
    made["alert"] = Alert.objects.get(household=made["household"])
    made["finding"] = Finding.objects.filter(village=village).first()
    made["event"] = monitoring.record_event(
        RiskEvent(household=made["household"], village=village, kind=EventKind.SERIOUS_ILLNESS, date=today,
                  description="突发疾病"), acting_user=actors["village"], channel=page)
    alert = monitoring.start_inclusion(made["alert"], kind=MonitoredKind.choices[0][0], risks=[RiskType.ILLNESS],
                                       reason="入户核实：因病支出大", acting_user=actors["village"], channel=page)
    inclusion = alert.procedure
    result = procedures.start_problems(inclusion.kind, made["household"], inclusion.year, inclusion.details,
                                       exclude=inclusion)
    made["monitored"] = monitoring.include_household(inclusion, made["household"], result,
                                                     acting_user=actors["county"], channel=page, note="认定为监测对象")

    # Comparison: the 医保 department's insured list, and a death record matching the household's member that the
    # county uploads and compares (the run and its suspect).
    member = made["member"]
    made["dataset"] = load_dataset(
        _workbook(tmp / f"insured-{scope}.xlsx", ("姓名", "身份证号", "参保状态"), (member.name, member.id_number, "正常")),
        kind=DatasetKind.objects.get(code="medical_insurance"), acting_user=actors["department"], channel=page)
    death = load_dataset(
        _workbook(tmp / f"death-{scope}.xlsx", ("姓名", "身份证号", "死亡日期"),
                  (member.name, member.id_number, f"{year}-03-01")),
        kind=DatasetKind.objects.get(code="death"), acting_user=actors["county"], channel=page)
    made["run"] = start_run(datasets=[death], region_code=village.code, acting_user=actors["county"],
                            channel=page, run_now=True)
    made["suspect"] = Suspect.objects.filter(village_code=village.code).first()

    # 扶贫项目: a project of the village with the household as beneficiary, a site photo and an acceptance's document.
    from fupin.projects import services as projects
    from fupin.projects.models import Acceptance, AcceptanceDocument, Project

    project = projects.save_project(Project(year=today.year, region=village, name=f"{village.name}道路硬化",
                                            kind="infrastructure", planned_amount=Decimal(300000),
                                            implementing_unit="乡镇人民政府"), acting_user=actors["county"], channel=page)
    projects.add_beneficiaries(project, [made["household"]], acting_user=actors["county"], channel=page)
    made["project"], made["beneficiary"] = project, project.beneficiaries.get()
    made["project_photo"] = projects.add_photo(project, SimpleUploadedFile("site.jpg", b"\xff\xd8\xff"),
                                               acting_user=actors["county"], channel=page)
    acceptance = Acceptance.objects.create(project=project, date=today, team="验收组", result="failed",
                                           remarks="整改")
    document = AcceptanceDocument(acceptance=acceptance, original_name="r.pdf", size=8)
    document.file.save("r.pdf", SimpleUploadedFile("r.pdf", b"%PDF-1.4"), save=True)
    made["project_document"] = document

    # 扶贫资金: the township's fund allocated to the village, and a bank file paying the household's member.
    from fupin.funds import imports as fund_imports
    from fupin.funds import services as funds
    from fupin.funds.models import Allocation, Fund

    made["fund"] = funds.save_fund(Fund(region=village.parent, year=today.year, source="central", amount=Decimal(90000),
                                        document_number=f"财农〔{today.year}〕{village.code[-4:]}号", title="衔接资金"),
                                   acting_user=actors["county"], channel=page)
    made["allocation"] = funds.save_allocation(
        Allocation(fund=made["fund"], region=village, item="产业奖补", amount=Decimal(5000), allocated_on=today),
        acting_user=actors["county"], channel=page)
    bank = tmp / f"bank-{scope}.csv"
    bank.write_text("凭证号,收款人,证件号码,金额,拨付日期,村代码,资金分配编号\n"
                    f"V1,{made['member'].name},{made['member'].id_number},800,{today},{village.code},"
                    f"{made['allocation'].pk}\n", encoding="utf-8")
    made["batch"] = fund_imports.create_batch(bank.name, acting_user=actors["county"], channel=page)
    fund_imports.load_disbursements(bank, made["batch"], acting_user=actors["county"], channel=page)
    # 资金异常: a check run of the township and an anomaly of the village's payment (as a run reconciles them).
    from fupin.funds.models import Anomaly, FundCheckRun, FundRule

    made["fund_run"] = FundCheckRun.objects.create(year=today.year, region=village.parent, started_by=actors["county"])
    payment = made["batch"].disbursements.get()
    made["anomaly"] = Anomaly.objects.create(
        rule=FundRule.objects.get(code="duplicate_payment"), run=made["fund_run"], subject_key=f"d{payment.pk}",
        region=village, disbursement=payment, allocation=made["allocation"], fund=made["fund"],
        payee_name=payment.payee_name, id_number=payment.payee_id_number, amount=payment.amount,
        figures={}, last_seen=timezone.now())

    # 扶贫项目资产: an operating asset with a beneficiary, income, a distribution, maintenance and a pending
    # request; an accepted project waiting to be handed over.
    from fupin.assets import services as assets
    from fupin.assets.models import Asset, ChangeRequest, Income, Maintenance
    from fupin.projects.models import Project, ProjectStatus

    asset = assets.save_asset(Asset(
        name=f"{village.name}扶贫车间", kind="1", sub_kind="11", region=village, value=Decimal(1000),
        formed_on=dt.date(year - 2, 1, 1), fund_source="special", owner=f"{village.name}集体"),
        acting_user=actors["village"], channel=page)
    assets.add_beneficiaries(asset, [made["household"]], acting_user=actors["village"], channel=page)
    assets.record_income(Income(asset=asset, year=year, amount=Decimal(100), source="经营主体"),
                         acting_user=actors["village"], channel=page)
    assets.distribute(asset, year, [assets.Share(made["household"], Decimal(10), "分红")],
                      acting_user=actors["village"], channel=page)
    assets.record_maintenance(Maintenance(asset=asset, date=today, responsible="村委会", content="检修"),
                              acting_user=actors["village"], channel=page)
    made["asset"], made["asset_beneficiary"] = asset, asset.beneficiaries.get()
    made["asset_change"] = assets.request_change(
        ChangeRequest(asset=asset, kind="operator", new_holder="新经营主体", reason="租期届满"),
        acting_user=actors["village"], channel=page)
    made["accepted_project"] = Project.objects.create(
        year=year, region=village, name=f"{village.name}道路", kind="infrastructure", status=ProjectStatus.ACCEPTED,
        planned_amount=Decimal(1000), fund_source="special", implementing_unit="乡镇人民政府")

    # 行业政策: one record of each kind of the household (or its member), through the sectors services.
    from fupin.sectors import services as sectors
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

    person, home_household = made["member"], made["household"]
    made["sector_student"] = sectors.save_record(
        StudentStatus(member=person, year=year, school="县一中", stage="senior"), acting_user=actors["village"],
        channel=page)
    made["sector_yulu"] = sectors.apply_yulu(
        YuluApplication(member=person, year=year, stage="vocational", school="县职教中心", applied_on=today),
        acting_user=actors["village"], channel=page)
    made["sector_dropout"] = sectors.save_record(DropoutCase(member=person, opened_on=today, reason="厌学"),
                                                 acting_user=actors["village"], channel=page)
    made["sector_enrolment"] = sectors.save_record(
        Enrolment(household=home_household, policy="dibao", start=today.replace(day=1)),
        acting_user=actors["village"], channel=page)
    made["sector_bill"] = sectors.save_record(
        HospitalBill(member=person, hospital="县医院", discharged_on=today, total_cost=5000, in_policy_cost=4000,
                     reimbursed=3000, self_pay=1000), acting_user=actors["village"], channel=page)
    made["sector_appraisal"] = sectors.record_appraisal(
        HouseAppraisal(household=home_household, grade="C", appraised_on=today), acting_user=actors["village"],
        channel=page)
    made["sector_renovation"] = sectors.save_record(
        Renovation(household=home_household, method="repair", started_on=today), acting_user=actors["village"],
        channel=page)
    made["sector_water"] = sectors.save_record(
        WaterCheck(household=home_household, checked_on=today, litres=50, minutes=5, rate=99),
        acting_user=actors["village"], channel=page)
    made["sector_relocation"] = sectors.save_record(
        Relocation(household=home_household, site="县城安置区", mode="central", moved_on=today),
        acting_user=actors["village"], channel=page)

    # Accounts: another user of this scope, with an API token.
    made["region"] = village
    if home is not None:
        # This village's account tried to register a person of the home village: the report goes to the region
        # holding both (the county for another township, the city for another county).
        from fupin.registry.services import Duplicate, report_duplicates

        attempt = Duplicate(id_number=home["member"].id_number, existing=home["member"], village_code=village.code,
                            name=home["member"].name)
        made["duplicate_report"], = report_duplicates([attempt], acting_user=actors["village"], channel=page)
    made["user"] = actors["village"]
    made["token"], _key = issue_token(actors["village"], "sweep", channel=page)
    if scope == "county":
        made["adjustment"] = adjustment.open_adjustment(county, 2016, acting_user=actors["county"], channel=page)
    # 小额信贷: a loan of the household (a monitored 脱贫户), through the credit service.
    from fupin.credit import services as credit
    from fupin.credit.models import Loan

    made["loan"] = credit.save_loan(
        Loan(household=made["household"], borrower=made["household"].members.get(relation="01"), bank="县农商银行",
             contract_number=f"SWEEP-{scope}", amount=Decimal("20000"), term_months=12, annual_rate=Decimal("4.35"),
             start_date=today, purpose="breeding"), acting_user=actors["county"], channel=page)
    # 问题台账: a village problem (from an inspection) with evidence.
    from fupin.oversight import services as oversight

    made["problem"] = oversight.create(
        acting_user=actors["county"], channel=page, source_kind="inspection", source_reference="县督查第1组反馈",
        region=village, household=made["household"], category="basic", item="basic.archive",
        description=f"{village.name}档案资料不齐全", responsible_unit=f"{village.name}村民委员会")
    made["problem_evidence"] = oversight.add_evidence(made["problem"], _upload("整改报告.pdf"),
                                                      acting_user=actors["village"], channel=page)
    # 考核评估: an assessment of the township with its drawn sample, its questionnaire and one answer sheet.
    import uuid

    from fupin.assessment import services as assessment
    from fupin.assessment.models import Assessment

    made["assessment"] = assessment.save_assessment(
        Assessment(year=year, region=village.parent, name=f"{village.parent.name}县级自查", kind="county",
                   poor_villages=1, non_poor_villages=1, exited_households=2, poor_households=2,
                   monitored_households=2, ordinary_households=2), acting_user=actors["county"], channel=page)
    assessment.draw_sample(made["assessment"], acting_user=actors["county"], channel=page)
    made["assessment_sample"] = made["assessment"].households.order_by("pk").first()
    made["assessment_question"] = made["assessment"].questions.order_by("pk").first()
    made["assessment_sheet"], _created = assessment.submit_sheet(
        made["assessment_sample"],
        {q.code: q.choice_list[0] if q.choice_list else ("否" if q.kind == "yes_no" else "1")
         for q in assessment.questions_for(made["assessment_sample"])},
        client_uuid=uuid.uuid4(), surveyed_on=today, acting_user=actors["county"], channel=page)
    from fupin.stats.services import current_year, save_target

    made["stats_target"] = save_target(actors["county"], region=county, year=current_year(),
                                       indicator="registry.exit_people", value=Decimal(10), channel=page)
    # 政策模拟: the county's scenario (monitoring range raised), run, with its household change list.
    from fupin.whatif import services as whatif
    from fupin.whatif.models import Scenario, ScenarioChange

    made["scenario"] = whatif.save_scenario(Scenario(year=year, name="监测范围上调"), acting_user=actors["county"],
                                            channel=page)
    made["scenario_change"] = whatif.save_change(
        ScenarioChange(scenario=made["scenario"], kind="monitoring_line", value=Decimal(90000)),
        acting_user=actors["county"], channel=page)
    whatif.start_run(made["scenario"], acting_user=actors["county"], channel=page, run_now=True)
    # 贫困村出列: the village's data and checklist for the year (it passes), an answer's evidence, its exit applied.
    from fupin.villages import exits as village_exits
    from fupin.villages import services as villages
    from fupin.villages.models import VillageYear

    for y in (year - 1, year):
        villages.save_village_year(VillageYear(village=village, year=y, rural_population=100000,
                                               collective_income=Decimal(60000), per_capita_income=Decimal(9000)),
                                   acting_user=actors["village"], channel=page)
    for indicator in villages.indicators_for([village.code])[village.code]:
        made["village_answer"] = villages.answer(village, year, indicator, met=True, acting_user=actors["village"],
                                                 channel=page)
    made["village_evidence"] = villages.add_evidence(made["village_answer"], _upload("验收单.pdf"),
                                                     acting_user=actors["village"], channel=page)
    made["village_exit"] = village_exits.start_exit(village, year, acting_user=actors["village"], channel=page)
    return made


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """``world["accounts"][scope][role]``, ``world["objects"][scope][name]``, ``world["regions"][scope][level]``.

    Everything is rolled back when the module's tests are done; each test's own transaction nests inside.
    """
    from fupin.monitoring.services import default_year
    from fupin.procedures.models import LineKind, PovertyLine

    tmp = tmp_path_factory.mktemp("sweep")
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_db_blocker.unblock(), override_settings(
        TASKS=tasks, MEDIA_ROOT=tmp / "media", PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ), transaction.atomic():
        year = default_year()
        for y in (year - 1, year, year + 1):
            PovertyLine.objects.update_or_create(kind=LineKind.MONITORING, year=y, region=None,
                                                 defaults={"amount": Decimal(7000)})
            PovertyLine.objects.update_or_create(kind=LineKind.POVERTY, year=y, region=None,
                                                 defaults={"amount": Decimal(4500)})
        regions = _regions()
        accounts = _accounts(regions)
        objects = {"home": _fill("home", regions["home"], accounts["home"], tmp)}
        for scope in ("town", "county"):
            objects[scope] = _fill(scope, regions[scope], accounts[scope], tmp, home=objects["home"])
        from fupin.stats.rebuild import rebuild

        rebuild()  # the statistics pages read the aggregates of everything filled above
        yield {"regions": regions, "accounts": accounts, "objects": objects, "year": year, "media": tmp / "media"}
        transaction.set_rollback(True)

