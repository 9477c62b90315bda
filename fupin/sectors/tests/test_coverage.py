import datetime as dt
from decimal import Decimal

import pytest

from fupin.core.channels import Channel
from fupin.monitoring.engine import ConditionError
from fupin.sectors import board, coverage, services
from fupin.sectors.choices import GapStatus, Policy, Stage
from fupin.sectors.models import CoverageGap, DropoutCase, Enrolment, YuluApplication

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _open(rule):
    return set(CoverageGap.objects.filter(rule=rule, year=YEAR, status=GapStatus.OPEN)
               .values_list("member__name", flat=True))


def _run(users, regions):
    return board.run(regions["county"], YEAR, acting_user=users["county"], channel=Channel.PAGE,
                     today=dt.date(YEAR, 11, 1))


def test_pension_rule_fires_and_clears(family, member_of, users, regions):
    h = family(members=[("低保甲", dt.date(1970, 1, 1), {"on_dibao": True})])
    _run(users, regions)
    assert _open("pension_not_paid") == {"低保甲"}
    services.save_record(Enrolment(member=member_of(h, "低保甲"), policy=Policy.PENSION_PAID,
                                   start=dt.date(YEAR, 1, 1), amount=Decimal("100")),
                         acting_user=users["county"], channel=Channel.PAGE)
    run = _run(users, regions)
    assert _open("pension_not_paid") == set()
    assert run.summary["closed"] >= 1
    assert CoverageGap.objects.get(rule="pension_not_paid").status == GapStatus.CLOSED


def test_dropout_rule(family, member_of, users, regions, student_born):
    h = family(members=[("失学儿", student_born, {"schooling": ""})])
    _run(users, regions)
    assert _open("dropout_without_case") == {"失学儿"}
    services.save_record(DropoutCase(member=member_of(h, "失学儿"), opened_on=dt.date(YEAR, 3, 1), reason="厌学"),
                         acting_user=users["county"], channel=Channel.PAGE)
    _run(users, regions)
    assert _open("dropout_without_case") == set()


def test_yulu_rule(family, member_of, users, regions):
    h = family(members=[("中职生", dt.date(YEAR - 17, 3, 1), {"schooling": "08"})])
    _run(users, regions)
    assert _open("yulu_missing") == {"中职生"}
    services.apply_yulu(YuluApplication(member=member_of(h, "中职生"), year=YEAR, stage=Stage.VOCATIONAL,
                                        school="县职教中心", applied_on=dt.date(YEAR, 9, 10)),
                        acting_user=users["county"], channel=Channel.PAGE)
    _run(users, regions)
    assert _open("yulu_missing") == set()


def test_facts_validate():
    with pytest.raises(ConditionError):
        coverage.validate("nonsense_column = 1")
    with pytest.raises(ConditionError):
        coverage.validate("house_grade = 'C'; DROP TABLE x")
    assert coverage.validate("house_grade IN ('C', 'D')", "household").columns == ("house_grade",)
