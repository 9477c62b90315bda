import pytest

from fupin.demo import generator, workflows
from fupin.demo.sectors import create_sectors
from fupin.demo.tests.test_demo import TODAY
from fupin.sectors.choices import GapStatus, YuluStatus
from fupin.sectors.models import CoverageGap, DropoutCase, HospitalBill, HouseAppraisal, YuluApplication


@pytest.mark.django_db
def test_demo_sectors():
    generator.run(5000, seed=3, today=TODAY)
    if not YuluApplication.objects.exists():  # until seed_activity calls it
        create_sectors(workflows.village_actors(), TODAY)
    assert set(YuluApplication.objects.values_list("status", flat=True)) == set(YuluStatus.values)
    assert DropoutCase.objects.exists() and HospitalBill.objects.filter(over_cap=True).exists()
    assert HouseAppraisal.objects.filter(grade__in=["C", "D"]).exists()
    assert CoverageGap.objects.filter(status=GapStatus.OPEN).count() > 3
