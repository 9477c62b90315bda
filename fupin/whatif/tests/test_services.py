"""Adoption (audited, through the owning services, refused when stale), scope, and no live writes by a run."""

import hashlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.jobs.models import Job
from fupin.procedures import lines
from fupin.procedures.models import LineKind, PovertyLine
from fupin.sectors import figures
from fupin.whatif import services
from fupin.whatif.models import Scenario, ScenarioChange, ScenarioChangeKind, ScenarioStatus

from .conftest import YEAR

PAGE = Channel.PAGE


def live_checksum() -> dict[str, str]:
    """Every table but the sandbox's own results, the job queue and the audit trail, row by row."""
    sums = {}
    for model in apps.get_models():
        if model._meta.app_label == "whatif" or model in (Job, AuditLog) or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        sums[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return sums


@pytest.fixture
def some_households(household, regions):
    return [household(regions["village_a1"], income=7200, last=7200),
            household(regions["village_b1"], income=6000, last=6000)]


def run(scenario, user):
    return services.start_run(scenario, acting_user=user, channel=PAGE, run_now=True)


@pytest.mark.django_db
def test_a_run_changes_no_live_row(some_households, scenario_of, users):
    scenario = scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)),
                           (ScenarioChangeKind.PARAMETER, "income_drop_pct", Decimal(10)),
                           (ScenarioChangeKind.FIGURE, "dibao_standard", Decimal(8000)))
    before = live_checksum()
    scenario = run(scenario, users["county"])
    assert scenario.status == ScenarioStatus.DONE
    assert scenario.households.exists()
    assert live_checksum() == before


@pytest.mark.django_db
def test_adoption_writes_through_the_owning_services_and_is_audited(some_households, scenario_of, users, regions):
    scenario = run(scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700)),
                               (ScenarioChangeKind.FIGURE, "dibao_standard", Decimal(4600))), users["county"])
    # 县级 staff may set policy figures but not lines (procedures.lines: administrators only): nothing is written.
    with pytest.raises(PermissionDenied):
        services.adopt(scenario, acting_user=users["county"], channel=PAGE)
    assert not PovertyLine.objects.filter(region=regions["county"]).exists()
    assert figures.value("dibao_standard", YEAR, regions["county"].code) == 4000
    scenario = services.adopt(scenario, acting_user=users["admin"], channel=PAGE)
    assert scenario.status == ScenarioStatus.ADOPTED and scenario.adopted_by == users["admin"]
    assert lines.resolve(LineKind.MONITORING, YEAR, regions["county"].code).amount == 7700
    assert figures.value("dibao_standard", YEAR, regions["county"].code) == Decimal(4600)
    line = PovertyLine.objects.get(region=regions["county"], kind=LineKind.MONITORING, year=YEAR)
    assert AuditLog.objects.filter(object_type="povertyline", object_id=str(line.pk), action="create").exists()
    entry = AuditLog.objects.filter(object_type="scenario", object_id=str(scenario.pk)).latest("id")
    assert "监测范围：7,000 → 7,700" in entry.note and entry.changes["status"] == ["done", "adopted"]
    with pytest.raises(ValidationError, match="已采纳"):
        services.adopt(scenario, acting_user=users["admin"], channel=PAGE)


@pytest.mark.django_db
def test_adoption_refused_when_the_live_value_moved_since_the_run(some_households, scenario_of, users, regions):
    scenario = run(scenario_of((ScenarioChangeKind.MONITORING_LINE, "", Decimal(7700))), users["county"])
    lines.save_line(PovertyLine(kind=LineKind.MONITORING, year=YEAR, region=regions["county"], amount=Decimal(7100)),
                    acting_user=users["admin"], channel=PAGE)
    with pytest.raises(ValidationError, match="已由 7,000 变为 7,100"):
        services.adopt(scenario, acting_user=users["admin"], channel=PAGE)
    assert lines.resolve(LineKind.MONITORING, YEAR, regions["county"].code).amount == 7100
    # Edited after the run: run again first.
    change = scenario.changes.get()
    change.value = Decimal(7800)
    services.save_change(change, acting_user=users["county"], channel=PAGE)
    with pytest.raises(ValidationError, match="重新运行"):
        services.adopt(scenario, acting_user=users["admin"], channel=PAGE)


@pytest.mark.django_db
def test_township_and_village_accounts_are_refused(scenario_of, users, lines):
    for role in ("town_a", "village_a1", "leader"):
        with pytest.raises(PermissionDenied):
            services.save_scenario(Scenario(year=YEAR, name="乡镇方案"), acting_user=users[role], channel=PAGE)
    scenario = scenario_of((ScenarioChangeKind.POVERTY_LINE, "", Decimal(5000)))
    with pytest.raises(PermissionDenied):
        services.start_run(scenario, acting_user=users["town_a"], channel=PAGE)
    assert Scenario.objects.visible_to(users["town_a"]).count() == 0


@pytest.mark.django_db
def test_changes_are_checked_with_chinese_field_errors(scenario_of, lines):
    scenario = scenario_of()
    user = scenario.created_by
    bad = [
        (ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.POVERTY_LINE, value=Decimal(0)), "value", "大于0"),
        (ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.PARAMETER, target="nope", value=Decimal(1)), "target",
         "监测参数"),
        (ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.RULE, target="M01", condition="SELECT 1"), "condition",
         "不允许"),
        (ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.RULE, target="M01", condition="per_capita_income < :x9"),
         "condition", "未定义的参数"),
    ]
    for change, field, text in bad:
        with pytest.raises(ValidationError) as caught:
            services.save_change(change, acting_user=user, channel=PAGE)
        assert text in caught.value.message_dict[field][0]
    services.save_change(ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.POVERTY_LINE, value=Decimal(5000)),
                         acting_user=user, channel=PAGE)
    with pytest.raises(ValidationError, match="已有"):
        services.save_change(ScenarioChange(scenario=scenario, kind=ScenarioChangeKind.POVERTY_LINE, value=Decimal(5100)),
                             acting_user=user, channel=PAGE)


@pytest.mark.django_db
def test_a_rule_condition_change_runs_on_the_same_engine(household, regions, scenario_of, users):
    """M01 read with a 10 % margin: the household at 7600 (under 7000 × 1.1) now fires, the one at 7800 does not."""
    near = household(regions["village_a1"], income=7600, last=7600)
    household(regions["village_a1"], income=7800, last=7800)
    scenario = run(scenario_of((ScenarioChangeKind.RULE, "M01", "per_capita_income < monitoring_line * 1.1")),
                   users["county"])
    assert list(scenario.households.values_list("household_id", "outcome", "rules_after")) == [
        (near.pk, "enter", "M01")]
