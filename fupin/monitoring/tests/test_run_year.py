"""A monitoring run for one year never touches the alerts of another year (issue 10, §2)."""

from fupin.core.channels import Channel
from fupin.monitoring import services
from fupin.monitoring.models import Alert, AlertStatus, Family

from .conftest import YEAR


def run(regions, users, year):
    return services.run(Family.MONITORING, regions["county"], year, acting_user=users["county"], channel=Channel.PAGE)


def test_open_alert_of_last_year_survives_a_run_of_this_year_unchanged(household, regions, users):
    # Poor last year (YEAR - 1), recovered this year: the run of YEAR must neither close nor re-date last year's alert.
    h = household(regions["village_a1"], income=9000, last=5000)
    run(regions, users, YEAR - 1)
    old = Alert.objects.get(household=h)
    before = (old.year, old.status, old.rules, old.figures, old.firing, old.last_run_id, old.updated)
    record = run(regions, users, YEAR)
    old.refresh_from_db()
    assert (old.year, old.status, old.rules, old.figures, old.firing, old.last_run_id, old.updated) == before
    assert old.status == AlertStatus.PENDING and old.year == YEAR - 1
    assert (record.opened, record.updated_count, record.closed) == (0, 0, 0)


def test_household_with_an_open_alert_of_another_year_is_not_alerted_twice(household, regions, users):
    h = household(regions["village_a1"], income=5000, last=5000)
    run(regions, users, YEAR - 1)
    record = run(regions, users, YEAR)
    assert Alert.objects.filter(household=h).count() == 1
    assert Alert.objects.get(household=h).year == YEAR - 1
    assert record.opened == 0
    assert any("其他年度未办结的预警" in w for w in record.warnings)
