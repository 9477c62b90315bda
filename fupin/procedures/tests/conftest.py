"""Fixtures for procedure tests: households in a given state, income and checks, uploads, and time passing."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import new_id
from fupin.audit.models import Channel
from fupin.procedures import notices, services
from fupin.procedures.models import Decision
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck
from fupin.registry.services import (
    create_household,
    save_income_account,
    save_security_check,
)

YEAR = 2016


@pytest.fixture
def household(users):
    """A household in a village with the given status and category; ``extra`` adds (name, id, relation) members."""
    counter = iter(range(1, 10**6))

    def make(village, *, status=HouseholdStatus.POOR, category="1", head_name="王大山", extra=(), identification_year=2014,
             **fields):
        n = next(counter)
        record = Household(
            number=f"{village.code}{n:04d}", village=village, status=status, category=category, main_cause="1",
            identification_year=identification_year, phone="13800000000", bank_account="6217000011112222",
            **fields,
        )
        # Insured as the policy requires (基本医保, 大病保险, 居民养老保险) unless the options say otherwise.
        members = [Member(name=head_name, id_number=new_id(), relation="01", ethnicity="01", pension_insurance=True)]
        for name, id_, relation, *options in extra:
            members.append(Member(name=name, id_number=id_, relation=relation,
                                  **{"pension_insurance": True, **(options[0] if options else {})}))
        return create_household(record, members, acting_user=users["county"], channel=Channel.PAGE)

    return make


@pytest.fixture
def accounts(users):
    """Give a household its year's per-capita income and security check (all secure unless told otherwise)."""

    def make(household, per_capita, *, year=YEAR, **check):
        household.refresh_from_db()
        account = IncomeAccount.objects.filter(household=household, year=year).first() or IncomeAccount(
            household=household, year=year)
        account.household_size = household.size
        account.wage_income = Decimal(per_capita) * household.size
        save_income_account(account, acting_user=users["county"], channel=Channel.PAGE)
        values = {"house_grade": "A", **check}
        if values["house_grade"] in ("C", "D"):
            values.setdefault("housing_secure", False)
        existing = SecurityCheck.objects.filter(household=household, year=year).first()
        check = existing or SecurityCheck(household=household, year=year)
        for name, value in values.items():
            setattr(check, name, value)
        save_security_check(check, acting_user=users["county"], channel=Channel.PAGE)
        return account

    return make


def upload(name="记录.pdf", content=b"%PDF-1.4 minutes"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@contextlib.contextmanager
def days_later(monkeypatch, days: int):
    """Let ``days`` pass for code that asks timezone.localdate()."""
    future = timezone.localdate() + dt.timedelta(days=days)
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *args, **kwargs: future)
        yield future


@pytest.fixture
def flow(users, monkeypatch):
    """Drive a procedure through its steps the way each level would."""

    class Flow:
        def actor(self, procedure):
            step = procedure.steps.get(order=procedure.current_order)
            village = procedure.village
            level_user = {5: users["village_a1"] if village.code.startswith("410481100201") else users["village_b1"],
                          4: users["town_a"] if village.code.startswith("410481100") else users["town_b"],
                          3: users["county"]}
            return step, level_user[step.actor_level]

        def attach_required(self, procedure):
            step, user = self.actor(procedure)
            for kind in step.required_kinds:
                services.add_attachment(procedure, kind, upload(f"{kind}.pdf"), acting_user=user, channel=Channel.PAGE)

        def notice(self, procedure):
            step, user = self.actor(procedure)
            today = timezone.localdate()
            notice = notices.create_notice(
                kind=step.notice_kind, procedures=[procedure], start_date=today,
                end_date=today + dt.timedelta(days=step.notice_days - 1), acting_user=user, channel=Channel.PAGE,
            )
            return notices.publish_notice(notice, acting_user=user, channel=Channel.PAGE)

        def advance(self, procedure):
            """Pass the current step (attachments, and for a notice step a notice left to run its period)."""
            procedure.refresh_from_db()
            step, user = self.actor(procedure)
            self.attach_required(procedure)
            if step.is_notice:
                self.notice(procedure)
                with days_later(monkeypatch, step.notice_days):
                    return services.decide(procedure, Decision.PASS, acting_user=user, channel=Channel.PAGE)
            return services.decide(procedure, Decision.PASS, acting_user=user, channel=Channel.PAGE)

        def to_end(self, procedure):
            while procedure.is_open:
                procedure = self.advance(procedure)
            return procedure

    return Flow()
