"""The demo's 扶贫资金 (fupin.demo.funds): funds of each source, allocations to the demo projects, a loaded bank
file with the deliberate anomalies, and a published 公告."""

import datetime as dt
from collections import Counter

import pytest

from fupin.comparison.models import DatasetRow
from fupin.demo import generator
from fupin.funds import disclosures
from fupin.funds.models import Allocation, BatchStatus, Disbursement, DisbursementBatch, Fund, FundSource
from fupin.registry.models import Member

TODAY = dt.date(2026, 6, 15)


@pytest.mark.django_db
def test_funds_allocations_payments_and_a_notice():
    result = generator.run(300, seed=7, today=TODAY)
    assert set(Fund.objects.values_list("source", flat=True)) == set(FundSource.values)
    assert Allocation.objects.filter(project__isnull=False).exists()
    batch = DisbursementBatch.objects.get()
    assert batch.status == BatchStatus.LOADED and 200 <= batch.loaded == Disbursement.objects.count() <= 1000
    assert result.activity["disbursements"] == batch.loaded
    ids = list(Disbursement.objects.values_list("payee_id_number", flat=True))
    registered = set(Member.objects.filter(id_number__in=ids).values_list("id_number", flat=True))
    assert len(set(ids) - registered) == 1  # the ID number no household holds
    assert any(n == 2 for n in Counter(ids).values())  # paid twice
    assert Disbursement.objects.filter(payee_id_number__in=DatasetRow.objects.values("id_number")).exists()
    assert disclosures.funds_notices(batch.uploaded_by).count() == 1
