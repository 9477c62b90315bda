"""The village exit procedure: only a passing poor village applies; notices hold each notice step; the county's final
approval re-checks the assessment and sets the village's exit year (audited)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.core.channels import Channel
from fupin.villages import exits
from fupin.villages.models import ExitStatus

PAGE = Channel.PAGE


def _publish_and_expire(exit_, user):
    """Publish the current step's notice and move it (and the step) into the past, as if its days had run."""
    from fupin.procedures.models import Notice

    today = timezone.localdate()
    step = exit_.steps.get(order=exit_.current_order)
    notice = exits.publish_notice(exit_, start_date=today, end_date=today + dt.timedelta(days=step.notice_days - 1),
                                  acting_user=user, channel=PAGE)
    step.started = today - dt.timedelta(days=20)
    step.save()
    Notice.objects.filter(pk=notice.pk).update(start_date=today - dt.timedelta(days=10),
                                               end_date=today - dt.timedelta(days=1))
    return notice


def test_the_whole_chain_sets_the_exit_year(passing, users):
    from fupin.audit.models import AuditLog
    from fupin.procedures.models import NoticeItem

    exit_ = exits.start_exit(passing, 2025, acting_user=users["village_a1"], channel=PAGE)
    assert [s.name for s in exit_.steps.all()] == ["村申请", "村级公示", "乡镇审核", "县级审定", "县级公告"]
    exits.decide(exit_, "pass", acting_user=users["village_a1"], channel=PAGE)
    exit_.refresh_from_db()
    with pytest.raises(ValidationError, match="尚未发布“村级公示”公示"):
        exits.decide(exit_, "pass", acting_user=users["village_a1"], channel=PAGE)
    notice = _publish_and_expire(exit_, users["village_a1"])
    item = NoticeItem.objects.get(notice=notice)
    assert item.subject == f"villages.exit:{exit_.pk}" and item.row["incidence"] == "1.00%"
    exits.decide(exit_, "pass", acting_user=users["village_a1"], channel=PAGE)
    with pytest.raises(PermissionDenied, match="乡镇级"):
        exits.decide(exit_, "pass", acting_user=users["county"], channel=PAGE)
    exits.decide(exit_, "pass", acting_user=users["town_a"], channel=PAGE)
    exits.decide(exit_, "pass", acting_user=users["county"], channel=PAGE)
    exit_.refresh_from_db()
    _publish_and_expire(exit_, users["county"])
    exits.decide(exit_, "pass", acting_user=users["county"], channel=PAGE)
    exit_.refresh_from_db()
    passing.refresh_from_db()
    assert exit_.status == ExitStatus.APPROVED and passing.exit_year == 2025
    assert AuditLog.objects.filter(object_type="region", object_id=passing.code, note__contains="批准出列").exists()


def test_a_failing_village_may_not_apply(regions, users, village_data):
    village = regions["village_b1"]
    village_data(village, 2025, population=100, collective=1000, answers="all")
    with pytest.raises(ValidationError, match="出列评估未通过：村集体经济收入1,000.00元，低于50,000.00元"):
        exits.start_exit(village, 2025, acting_user=users["village_b1"], channel=PAGE)


def test_the_final_approval_checks_again(passing, users, village_data):
    exit_ = exits.start_exit(passing, 2025, acting_user=users["village_a1"], channel=PAGE)
    for _ in range(4):
        exit_.refresh_from_db()
        step = exit_.steps.get(order=exit_.current_order)
        actor = {5: users["village_a1"], 4: users["town_a"], 3: users["county"]}[step.actor_level]
        if step.is_notice:
            _publish_and_expire(exit_, actor)
        exits.decide(exit_, "pass", acting_user=actor, channel=PAGE)
    village_data(passing, 2025, population=100, collective=100, income=11000, answers="all")
    exit_.refresh_from_db()
    _publish_and_expire(exit_, users["county"])
    with pytest.raises(ValidationError, match="出列评估已不再通过"):
        exits.decide(exit_, "pass", acting_user=users["county"], channel=PAGE)
    passing.refresh_from_db()
    assert passing.exit_year is None


def test_only_the_village_applies_and_once(passing, users):
    with pytest.raises(PermissionDenied, match="村级账号"):
        exits.start_exit(passing, 2025, acting_user=users["county"], channel=PAGE)
    exits.start_exit(passing, 2025, acting_user=users["village_a1"], channel=PAGE)
    with pytest.raises(ValidationError, match="已有办理中的出列程序"):
        exits.start_exit(passing, 2025, acting_user=users["village_a1"], channel=PAGE)
