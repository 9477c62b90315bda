"""A risk event another app reports (小额信贷 逾期): recorded as 部门筛查预警, audited, counted by the next run."""

import datetime as dt

from django.utils import timezone

from fupin.audit.models import AuditLog, Channel
from fupin.monitoring import services
from fupin.monitoring.models import Alert, EventKind, Family, RiskEvent, Rule, Source

from .conftest import YEAR


def test_reported_event_is_audited_and_counted_by_the_next_run(household, regions, users):
    h = household(regions["village_a1"], income=20000, last=20000)
    quiet = household(regions["village_a1"], income=20000, last=20000)
    Rule.objects.create(family=Family.MONITORING, code="CR1", name="小额信贷逾期", condition="credit_events >= 1")
    event = services.report_event(h, kind=EventKind.CREDIT, date=timezone.localdate() - dt.timedelta(days=3),
                                  description="贷款逾期", amount=5000, acting_user=None, channel=Channel.SYSTEM)
    stored = RiskEvent.objects.get(pk=event.pk)
    assert (stored.source, stored.village_id, stored.recorded_by) == (Source.DEPARTMENT, h.village_id, None)
    assert AuditLog.objects.filter(object_type="riskevent", object_id=str(event.pk)).exists()
    services.run(Family.MONITORING, regions["county"], YEAR, acting_user=users["county"], channel=Channel.CLI)
    assert "CR1" in Alert.objects.get(household=h).rule_codes
    assert not Alert.objects.filter(household=quiet, rules__contains="CR1").exists()
