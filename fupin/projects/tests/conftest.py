"""Fixtures for projects tests: a 财政 department account, a project factory and a driver through the approval."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from fupin.procedures.tests.conftest import days_later


@pytest.fixture
def finance(regions):
    from fupin.accounts.models import Role, User

    return User.objects.create_user("caizheng", password=PASSWORD, role=Role.DEPARTMENT, region=regions["county"],
                                    department="财政", full_name="财政局")


@pytest.fixture
def make_project(users, regions):
    from fupin.core.channels import Channel
    from fupin.projects import services
    from fupin.projects.models import Project, ProjectKind

    def make(region=None, user=None, **fields):
        values = {"year": timezone.localdate().year, "name": "张庄村道路硬化", "kind": ProjectKind.INFRASTRUCTURE,
                  "planned_amount": Decimal("350000.00"), "implementing_unit": "尹集镇人民政府",
                  "scale": "硬化道路3.2公里", "benefit_mechanism": "务工带动，方便出行", "expected_households": 40,
                  "expected_people": 150, "expected_poor_households": 12, "expected_monitored_households": 3,
                  "planned_start": dt.date(timezone.localdate().year, 3, 1),
                  "planned_end": dt.date(timezone.localdate().year, 10, 31), **fields}
        project = Project(region=region or regions["village_a1"], **values)
        return services.save_project(project, acting_user=user or users["county"], channel=Channel.PAGE)

    return make


@pytest.fixture
def approval(users, monkeypatch):
    """Drive a project through its approval chain as each level would, notices and time passing included."""
    from fupin.core.channels import Channel
    from fupin.procedures import notices
    from fupin.procedures.models import Decision
    from fupin.projects import services

    class Approval:
        def actor(self, project):
            step = project.steps.get(order=project.current_order)
            code = project.region_id
            return step, {5: users["village_a1"] if code.startswith("410481100201") else users["village_b1"],
                          4: users["town_a"] if code.startswith("410481100") else users["town_b"],
                          3: users["county"]}[step.actor_level]

        def start(self, project):
            first = 5 if project.region.level == 5 else 4
            user = {5: users["village_a1"], 4: users["town_a"]}[first]
            return services.start_approval(project, acting_user=user, channel=Channel.PAGE)

        def notice(self, project):
            step, user = self.actor(project)
            today = timezone.localdate()
            notice = services.create_notice([project], kind=step.notice_kind, start_date=today,
                                            end_date=today + dt.timedelta(days=step.notice_days - 1),
                                            acting_user=user, channel=Channel.PAGE)
            return notices.publish_notice(notice, acting_user=user, channel=Channel.PAGE)

        def pass_step(self, project):
            step, user = self.actor(project)
            if step.is_notice:
                self.notice(project)
                with days_later(monkeypatch, step.notice_days):
                    return services.decide(project, Decision.PASS, acting_user=user, channel=Channel.PAGE)
            return services.decide(project, Decision.PASS, acting_user=user, channel=Channel.PAGE)

        def approve(self, project):
            project = self.start(project)
            while project.current_order is not None:
                project = self.pass_step(project)
            return project

    return Approval()
