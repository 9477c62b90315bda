"""The demo generator: its rows obey the rules the registry services enforce, and reruns replace them cleanly."""

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F

from fupin.accounts.models import Role, User
from fupin.accounts.services import authenticate_with_lockout
from fupin.assistance.models import Helper, Measure, Pairing, Visit
from fupin.audit.models import AuditLog
from fupin.audit.services import history_for
from fupin.comparison.models import Suspect, SuspectStatus
from fupin.core import idnumber
from fupin.demo import accounts, generator, registry
from fupin.demo.regions import plan_regions
from fupin.dictionaries.services import labels
from fupin.monitoring.models import (
    ELIMINATION,
    INCLUSION,
    Alert,
    Family,
    Finding,
    MonitoredHousehold,
    MonitoredStatus,
    Run,
)
from fupin.procedures.models import Kind, Notice, NoticeStatus, Procedure, Status, StepDefinition
from fupin.regions.models import Level, Region
from fupin.registry.choices import HouseholdStatus, HouseholdType, Relation
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck
from fupin.registry.services import clean_household, clean_member

TODAY = dt.date(2026, 6, 15)


class CodeTables(dict):
    def __missing__(self, kind):
        self[kind] = labels(kind)
        return self[kind]


@pytest.fixture
def small_demo(db):
    return generator.run(300, seed=7, today=TODAY)


def test_region_plan_scales_with_people():
    small = plan_regions(5000, seed=1)
    assert [c.code for c in small] == ["410481000000"]
    assert small[0].name == "舞钢市"
    assert [t.name for t in small[0].townships[:2]] == ["尹集镇", "枣林镇"]
    assert [len(t.villages) for t in small[0].townships] == [4, 4, 4]

    province = plan_regions(10_000_000, seed=1)
    assert len(province) == 33
    assert sum(c.people for c in province) == 10_000_000
    codes = [r for c in province for t in c.townships for r in [t.code, *(v.code for v in t.villages)]]
    assert len(codes) == len(set(codes))
    for county in province:
        assert 10 <= len(county.townships) <= 14
        for township in county.townships:
            assert township.code.startswith(county.code[:6]) and township.code.endswith("000")
            assert township.code[6] in "12" and township.name[-1] == ("镇" if township.code[6] == "1" else "乡")
            assert 15 <= len(township.villages) <= 25
            assert all(v.code[:9] == township.code[:9] and v.code[9] in "23" for v in township.villages)
            assert all(2017 <= v.exit_year <= 2020 for v in township.villages if v.poor)


def test_region_tree_is_loaded_with_parents(small_demo):
    villages = Region.objects.filter(level=Level.VILLAGE)
    assert villages.count() == 12
    for village in villages.select_related("parent__parent__parent__parent"):
        chain = [village.parent, village.parent.parent, village.parent.parent.parent]
        assert [r.level for r in chain] == [Level.TOWNSHIP, Level.COUNTY, Level.CITY]
        assert chain[-1].parent.code == "410000000000"
        assert village.code.startswith(village.parent.prefix)


def test_exactly_the_people_asked_for(small_demo):
    assert Member.objects.count() == 300 == small_demo.people
    assert small_demo.counts["households"] == Household.objects.count()


def test_id_numbers_valid_unique_and_sex_birth_derived(small_demo):
    members = list(Member.objects.select_related("household"))
    assert len({m.id_number for m in members}) == len(members)
    for m in members:
        checked = idnumber.check(m.id_number, today=TODAY)
        assert checked.valid and checked.normalized == m.id_number, (m.id_number, checked.error)
        assert m.id_number[:6] == m.household.village_id[:6]
        assert m.sex == idnumber.sex(m.id_number)
        assert m.birth_date == idnumber.birth_date(m.id_number)
        assert m.birth_date < TODAY


def test_rows_pass_the_registry_field_rules(small_demo):
    """clean_household / clean_member are the checks forms and imports apply; every demo row passes them."""
    tables = CodeTables()
    for household in Household.objects.all():
        assert clean_household(household, tables=tables) == {}, household.number
        assert household.village.level == Level.VILLAGE
        assert len(household.phone) == 11 and household.phone.isdigit()
    for member in Member.objects.all():
        sex, birth = member.sex, member.birth_date
        assert clean_member(member, tables=tables) == {}, member.name
        assert (member.sex, member.birth_date) == (sex, birth)
        if member.disability_cert:
            assert len(member.disability_cert) == 20 and "4" in member.health.split(",")


def test_households_have_one_head_and_size_of_active_members(small_demo):
    members = defaultdict(list)
    for m in Member.objects.all():
        members[m.household_id].append(m)
    for household in Household.objects.all():
        heads = [m for m in members[household.pk] if m.relation == Relation.HEAD]
        assert len(heads) == 1 and heads[0].active
        assert household.head_name == heads[0].name and household.head_id_number == heads[0].id_number
        assert household.size == sum(m.active for m in members[household.pk])
        spouses = [m for m in members[household.pk] if m.relation == "10"]
        assert all(s.sex != heads[0].sex for s in spouses)
        for m in members[household.pk]:
            age = (TODAY - m.birth_date).days // 365
            assert not (m.education and m.schooling)
            if m.schooling in ("03", "04", "05", "06"):
                assert 5 <= age <= 15
            if m.relation in ("20", "30"):
                assert m.birth_date > heads[0].birth_date
            if m.relation in ("51", "52"):
                assert m.birth_date < heads[0].birth_date
        if household.status in (HouseholdStatus.EXITED, HouseholdStatus.RETURNED) and not household.procedures.exists():
            assert 2016 <= household.exit_year <= 2020 and household.exit_year > household.identification_year


@pytest.fixture
def county_demo(db):
    return generator.run(5000, seed=3, today=TODAY)


def test_plausible_mix_of_statuses_and_causes(county_demo):
    kinds = Counter(Household.objects.values_list("household_type", flat=True))
    total = sum(kinds.values())
    assert .65 < kinds[HouseholdType.ORDINARY] / total < .9  # most households were never registered
    assert .12 < kinds[HouseholdType.EXITED] / total < .3
    assert 0 < kinds[HouseholdType.POOR] / total < .05
    status = Counter(Household.objects.values_list("status", flat=True))
    assert status[""] == kinds[HouseholdType.ORDINARY] and status["1"] and status["3"] and status["4"]
    monitored = Counter(Household.objects.exclude(monitoring_kind="").values_list("monitoring_kind", flat=True))
    assert set(monitored) == {"1", "2", "3"} and .01 < sum(monitored.values()) / total < .06
    assert MonitoredHousehold.objects.filter(status=MonitoredStatus.ELIMINATED).exists()
    assert not Household.objects.filter(household_type=HouseholdType.POOR).exclude(monitoring_kind="").exists()
    causes = Counter(Household.objects.exclude(status="").values_list("main_cause", flat=True))
    assert causes.most_common(1)[0][0] == "1"  # 因病 the commonest
    assert not Household.objects.filter(status="").exclude(main_cause="").exists()
    for h in Household.objects.exclude(other_causes=""):
        others = h.other_causes.split(",")
        assert len(others) <= 2 and h.main_cause not in others and len(set(others)) == len(others)
    assert Member.objects.filter(on_dibao=True).exists()
    assert set(Household.objects.filter(members__on_dibao=True).values_list("category", flat=True)) == {"2"}
    assert Member.objects.filter(active=False).exclude(removed_reason="").exists()


def test_per_capita_income_follows_the_formula(small_demo):
    accounts = list(IncomeAccount.objects.select_related("household"))
    last_year = TODAY.year - 1
    assert {a.year for a in accounts} == set(range(registry.INCOME_FIRST_YEAR, last_year + 1))
    for account in accounts:
        stored = (account.net_income, account.per_capita_net_income)
        account.compute()
        assert (account.net_income, account.per_capita_net_income) == stored
        if not account.household.procedures.exists():  # a natural change of the demo's procedures
            assert account.household_size == max(account.household.size, 1)
        assert account.business_costs > 0 or account.business_income == 0
    checks = SecurityCheck.objects.all()
    assert {c.year for c in checks} == {last_year - 2, last_year - 1, last_year}
    for check in checks:
        assert check.housing_secure == (check.house_grade in ("A", "B"))
        assert check.all_secure or check.note


def test_history_is_kept_in_the_audit_shape(small_demo):
    household = Household.objects.filter(status=HouseholdStatus.EXITED, procedures__isnull=True).first()
    entries = list(history_for(household).order_by("time", "id"))
    created = entries[0]
    assert (created.object_type, created.action, created.channel) == ("household", "create", "import")
    assert created.region_code == household.village_id
    assert created.changes["number"] == [None, household.number]
    assert created.changes["head_id_number"] == [None, idnumber.mask(household.head_id_number)]
    exits = [e for e in entries if e.object_type == "household" and e.action == "update"]
    assert exits[0].changes == {"exit_year": [None, household.exit_year], "household_type": ["3", "2"],
                                "status": ["1", "2"]}
    assert exits[0].time.year == household.exit_year
    member_rows = [e for e in entries if e.object_type == "member"]
    assert {e.object_id for e in member_rows} >= {str(m.pk) for m in household.members.all()}
    for entry in member_rows:
        assert entry.parent_type == "household" and entry.parent_id == str(household.pk)
        assert entry.region_code == household.village_id
        if entry.action == "create":
            assert entry.changes["household"] == [None, household.pk]
    assert not AuditLog.objects.exclude(region_code__startswith="410481").exists()
    returned = Household.objects.filter(status=HouseholdStatus.RETURNED).count()
    assert AuditLog.objects.filter(object_type="household", changes__status=["2", "3"]).count() == returned


def test_demo_accounts_log_in_and_see_their_scope(small_demo):
    for account in accounts.DEMO_ACCOUNTS:
        user = authenticate_with_lockout(None, account.username, accounts.DEMO_PASSWORD)
        assert user.role == account.role
        # The published password fails the policy, so outside demo mode it must be changed at the first login.
        with pytest.raises(ValidationError):
            validate_password(accounts.DEMO_PASSWORD, user)
        assert user.must_change_password
    village_user = User.objects.get(username="cun1")
    assert village_user.region.level == Level.VILLAGE
    visible = Household.objects.visible_to(village_user)
    assert visible.exists()
    assert set(visible.values_list("village_id", flat=True)) == {village_user.region_id}
    assert visible.count() == Household.objects.filter(village=village_user.region).count()
    assert set(Member.objects.visible_to(village_user).values_list("household__village_id", flat=True)) == {
        village_user.region_id
    }
    assert set(AuditLog.objects.visible_to(village_user).values_list("region_code", flat=True)) == {
        village_user.region_id
    }
    township_user = User.objects.get(username="xiang2")
    assert Household.objects.visible_to(township_user).filter(village=User.objects.get(username="cun3").region).exists()
    assert not Household.objects.visible_to(township_user).filter(village=village_user.region).exists()
    assert Household.objects.visible_to(User.objects.get(username="admin")).count() == Household.objects.count()
    assert User.objects.get(username="yibao").role == Role.DEPARTMENT


def test_rerun_replaces_the_demo_with_the_same_data(small_demo):
    numbers = set(Household.objects.values_list("number", flat=True))
    ids = set(Member.objects.values_list("id_number", flat=True))
    # The rerun empties the audit log and restarts its hash chain with one row saying so.
    counts = (Region.objects.count(), IncomeAccount.objects.count(), AuditLog.objects.count() + 1)
    other = User.objects.create_user("zhangsan", password="Other2024pw", role=Role.COUNTY,
                                     region=Region.objects.get(code="410481000000"))

    generator.run(300, seed=7, today=TODAY)

    assert set(Household.objects.values_list("number", flat=True)) == numbers
    assert set(Member.objects.values_list("id_number", flat=True)) == ids
    assert (Region.objects.count(), IncomeAccount.objects.count(), AuditLog.objects.count()) == counts
    assert User.objects.filter(username__in=accounts.DEMO_USERNAMES).count() == len(accounts.DEMO_ACCOUNTS)
    other.refresh_from_db()
    assert other.region_id == "410481000000"  # other accounts keep their binding
    # New rows written through the ORM after a bulk load get fresh ids.
    household = Household.objects.first()
    account = IncomeAccount(household=household, year=2010, household_size=1)
    account.compute()
    account.save()
    assert account.pk > max(IncomeAccount.objects.exclude(pk=account.pk).values_list("pk", flat=True))


def test_command_refuses_other_data_unless_reset(regions, capsys):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "--people", "50")
    assert Region.objects.get(code="410481100201").name == "张庄村"

    call_command("demo", "--people", "50", "--reset")
    out = capsys.readouterr().out
    assert "50 人" in out and accounts.DEMO_PASSWORD in out and "cun1" in out
    assert Member.objects.count() == 50
    call_command("demo", "--people", "60")  # a demo database is replaced without --reset
    assert Member.objects.count() == 60


def test_readme_lists_the_demo_accounts():
    """The README quotes DEMO_ACCOUNTS; this keeps the two in step."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("<!-- demo-accounts -->")[1].split("<!-- /demo-accounts -->")[0]
    assert f"`{accounts.DEMO_PASSWORD}`" in section
    listed = dict(re.findall(r"^\| `(\w+)` \|.*?(\d{12}) \|$", section, re.MULTILINE))
    for people in (5000, 300_000):
        county = plan_regions(people, generator.DEFAULT_SEED)[0]
        assert listed == {a.username: accounts.account_region(a, county) for a in accounts.DEMO_ACCOUNTS}


def test_demo_province_has_lines_for_the_transition_years(db):
    from fupin.procedures import lines
    from fupin.procedures.models import LineKind

    generator.run(300, seed=7, today=TODAY)
    village = Region.objects.filter(level=Level.VILLAGE).first().code
    for year in range(2021, 2026):
        assert lines.resolve(LineKind.MONITORING, year, village) is not None
        assert lines.resolve(LineKind.POVERTY, year, village) is not None


def test_a_monitoring_run_over_the_demo_finds_few_alerts_of_graded_severity(county_demo):
    households = Household.objects.count()
    alerts = Alert.objects.filter(year=TODAY.year - 1)
    assert 0 < alerts.count() / households < .1
    assert len(set(alerts.values_list("severity", flat=True))) > 1
    assert county_demo.activity["alerts"] == Run.objects.get(family=Family.MONITORING).opened
    assert Finding.objects.exists()  # the data-quality run found a few


def test_every_chain_has_a_household_at_each_stage(county_demo):
    """Made by the services: started, in a published notice, approved, rejected, for every kind of procedure."""
    for kind in [*Kind.values, INCLUSION, ELIMINATION]:
        procedures = Procedure.objects.filter(kind=kind)
        assert procedures.filter(status=Status.APPROVED).exists(), kind
        assert procedures.filter(status=Status.REJECTED).exists(), kind
        started = procedures.filter(status=Status.IN_PROGRESS)
        assert started.filter(steps__order=F("current_order"), steps__notice_days=0).exists(), kind
        if StepDefinition.objects.filter(definition__kind=kind, notice_days__gt=0).exists():
            noticed = started.filter(notice_items__notice__status=NoticeStatus.PUBLISHED)
            assert noticed.exists(), kind
    approved = Procedure.objects.filter(status=Status.APPROVED)
    assert Notice.objects.filter(status=NoticeStatus.PUBLISHED, end_date__lt=dt.date.today()).exists()
    assert approved.filter(kind=Kind.EXIT).first().household.status == HouseholdStatus.EXITED
    assert MonitoredHousehold.objects.filter(inclusion_procedure__in=approved).exists()
    assert MonitoredHousehold.objects.filter(elimination_procedure__in=approved,
                                             status=MonitoredStatus.ELIMINATED).exists()


def test_helpers_visits_measures_and_suspects(county_demo):
    assert Helper.objects.exists() and Pairing.objects.exists()
    assert Visit.objects.count() >= Pairing.objects.count() and Measure.objects.exists()
    assert Suspect.objects.exists()
    assert Household.objects.filter(status=HouseholdStatus.EXITED, enjoys_policy=False).count() == 2
    assert Suspect.objects.filter(status__in=[SuspectStatus.CONFIRMED, SuspectStatus.REJECTED]).count() >= 2
    village_user = User.objects.get(username="cun1")
    assert Alert.objects.visible_to(village_user).exists()
    assert Procedure.objects.visible_to(village_user).exists()
