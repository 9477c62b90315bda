"""Risk elimination counts the months income has stayed above the monitoring range from dated income checks
(收入核查), not the months since identification; the number of months is the configured parameter
``elimination_stable_months`` (issue 10, §2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import PASSWORD
from fupin.audit.models import AuditLog, Channel
from fupin.monitoring import criteria, services
from fupin.monitoring.models import EliminationMethod, IncomeCheck, MonitoredHousehold, Parameter

from .conftest import YEAR

SECURE = {"food_secure": True, "clothing_secure": True, "education_secure": True, "medical_secure": True,
          "housing_secure": True, "water_secure": True}
NOT_STABLE = "收入稳定超过监测范围未满6个月"


@pytest.fixture
def monitored(household, regions):
    """A household monitored for a year whose income this year is above the line (7000)."""
    h = household(regions["village_a1"], income=9000, last=5000, security=SECURE)
    return MonitoredHousehold.objects.create(
        household=h, village_id=h.village_id, kind="3", year=YEAR - 1, risks="01",
        identified_on=timezone.localdate() - dt.timedelta(days=365),
    )


def checks(monitored, *pairs):
    today = timezone.localdate()
    for days_ago, income in pairs:
        IncomeCheck.objects.create(household=monitored.household, village_id=monitored.village_id,
                                   checked_on=today - dt.timedelta(days=days_ago), per_capita_income=Decimal(income))


def problems(monitored):
    return " ".join(criteria.elimination_check(monitored.household, YEAR,
                                               {"method": EliminationMethod.NATURAL}).problems)


def test_income_above_the_line_only_since_last_month_is_refused(monitored, users):
    checks(monitored, (360, 5000), (180, 6500), (35, 9000))
    message = problems(monitored)
    assert NOT_STABLE in message and "仅1个月" in message
    with pytest.raises(ValidationError, match=NOT_STABLE):
        services.start_elimination(monitored, method=EliminationMethod.NATURAL, reason="收入稳定",
                                   acting_user=users["village_a1"], channel=Channel.PAGE)


def test_no_dated_income_record_is_refused(monitored):
    message = problems(monitored)
    assert NOT_STABLE in message and "没有高于监测范围7,000元的收入核查记录" in message


def test_income_stable_for_the_configured_months_passes(monitored):
    checks(monitored, (360, 5000), (220, 8000), (100, 9500), (10, 9200))
    assert "收入稳定超过监测范围" not in problems(monitored)


def test_the_months_are_read_from_configuration(monitored, regions):
    checks(monitored, (360, 5000), (45, 9000))
    assert NOT_STABLE in problems(monitored)
    Parameter.objects.create(code="elimination_stable_months", name="风险消除收入稳定期", year=YEAR,
                             region=regions["county"], value=1, unit="个月")
    assert "收入稳定超过监测范围" not in problems(monitored)
    Parameter.objects.filter(year=YEAR, region=regions["county"]).update(value=3)
    assert "收入稳定超过监测范围未满3个月" in problems(monitored)


def test_income_checks_are_entered_on_the_page_and_the_api_audited(monitored, users, client, api_client):
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    page = client.get(f"/monitoring/monitored/{monitored.pk}/").content.decode()
    assert 'data-testid="income-check-form"' in page
    day = timezone.localdate() - dt.timedelta(days=3)
    client.post(f"/monitoring/monitored/{monitored.pk}/", {
        "action": "income", "income-checked_on": day.isoformat(), "income-per_capita_income": "8800",
        "income-note": "务工收入稳定"})
    check = IncomeCheck.objects.get(household=monitored.household)
    assert (check.checked_on, check.per_capita_income, check.recorded_by) == (day, Decimal(8800), users["village_a1"])
    assert AuditLog.objects.filter(object_type="incomecheck", object_id=str(check.pk)).exists()
    future = client.post(f"/monitoring/monitored/{monitored.pk}/", {
        "action": "income", "income-checked_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "income-per_capita_income": "8800"})
    assert "核查日期不能晚于今天" in future.content.decode()
    api = api_client(users["village_a1"])
    created = api.post("/api/monitoring/income-checks", {
        "household": monitored.household_id, "checked_on": day.isoformat(), "per_capita_income": "9100"},
        content_type="application/json")
    assert created.status_code == 201
    listed = api.get(f"/api/monitoring/households/{monitored.household_id}/income-checks").json()
    assert {row["per_capita_income"] for row in listed} == {"8800.00", "9100.00"}
    other = api_client(users["village_b1"]).post("/api/monitoring/income-checks", {
        "household": monitored.household_id, "checked_on": day.isoformat(), "per_capita_income": "1"},
        content_type="application/json")
    assert other.status_code == 404
