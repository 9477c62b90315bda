"""The demo's 扶贫项目资产 (fupin.demo.assets): every kind, last year's distribution, maintenance, a disposal request."""

import datetime as dt

import pytest

from fupin.assets.choices import AssetKind, ChangeKind, RequestStatus
from fupin.assets.models import Asset, ChangeRequest, Distribution, Maintenance
from fupin.demo import generator

TODAY = dt.date(2026, 6, 15)


@pytest.mark.django_db
def test_assets_of_each_kind_with_income_distribution_and_a_disposal_request():
    result = generator.run(300, seed=7, today=TODAY)
    assert set(Asset.objects.values_list("kind", flat=True)) >= {AssetKind.OPERATING, AssetKind.HOUSEHOLD,
                                                                 AssetKind.PUBLIC}
    handed_over = Asset.objects.filter(project__isnull=False)
    assert handed_over.exists() and all(a.project.status == "handed_over" for a in handed_over)
    distributions = Distribution.objects.filter(year=TODAY.year - 1)
    assert distributions.exists() and Maintenance.objects.exists()
    for asset in Asset.objects.filter(distributions__isnull=False).distinct():
        income = sum(i.amount for i in asset.incomes.filter(year=TODAY.year - 1))
        assert sum(d.amount for d in asset.distributions.filter(year=TODAY.year - 1)) <= income
    assert ChangeRequest.objects.filter(kind=ChangeKind.DISPOSAL, status=RequestStatus.PENDING).count() == 1
    assert result.activity["assets"] == Asset.objects.count()
