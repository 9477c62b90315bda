import pytest

from fupin.demo import generator
from fupin.demo.tests.test_demo import TODAY
from fupin.sectors.choices import GapStatus, YuluStatus
from fupin.sectors.models import CoverageGap, DropoutCase, Enrolment, HospitalBill, HouseAppraisal, YuluApplication


@pytest.mark.django_db
def test_demo_sectors():
    result = generator.run(1000, seed=3, today=TODAY)
    assert set(YuluApplication.objects.values_list("status", flat=True)) == set(YuluStatus.values)
    assert DropoutCase.objects.exists() and HospitalBill.objects.filter(over_cap=True).exists()
    assert HouseAppraisal.objects.filter(grade__in=["C", "D"]).exists()
    assert Enrolment.objects.filter(status="tapering").exists()
    assert CoverageGap.objects.filter(status=GapStatus.OPEN).count() > 3
    assert result.activity["sector_records"] > 30
