"""Fixtures of the ledger tests: an 审计 reader, problems in two villages and a township, and the source records."""

import datetime as dt

import pytest
from django.utils import timezone

from fupin.core.channels import Channel


@pytest.fixture
def auditor(regions):
    from fupin.accounts.models import Role, User

    return User.objects.create_user("shenjiju", password="Test1234pass", role=Role.DEPARTMENT, department="审计",
                                    region=regions["county"], full_name="县审计局")


@pytest.fixture
def problem(users, regions):
    """A village problem of 张庄村 owned by its village account."""
    from fupin.oversight import services
    from fupin.oversight.models import Category, Item, SourceKind

    def make(region=None, *, user=None, **fields):
        data = {"source_kind": SourceKind.INSPECTION, "source_reference": "县脱贫攻坚督查第2组反馈意见",
                "region": region or regions["village_a1"], "category": Category.BASIC, "item": Item.BASIC_ARCHIVE,
                "description": "村级档案和贫困户资料不齐全", "responsible_unit": "张庄村民委员会", **fields}
        return services.create(acting_user=user or users["county"], channel=Channel.PAGE, **data)

    return make


@pytest.fixture
def suspect(make_household, regions):
    from fupin.comparison.models import Suspect, SuspectStatus

    household = make_household(regions["village_a1"], head_name="王五")
    return Suspect.objects.create(
        rule="death", subject_key="x1", village_code=regions["village_a1"].code, household=household,
        household_number=household.number, member_name="王五", status=SuspectStatus.CONFIRMED,
        due_date=timezone.localdate() + dt.timedelta(days=10), action_taken="已启动自然变更，减员")
