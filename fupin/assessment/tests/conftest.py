import uuid

import pytest
from django.utils import timezone

from fupin.assessment import services
from fupin.assessment.models import Assessment
from fupin.core.channels import Channel
from fupin.registry.models import Household

PAGE = Channel.PAGE


@pytest.fixture
def register(regions):
    """Each of the four villages: 6 exited (3 people), 4 poor (2), 2 monitored exited (4), 8 ordinary (5) households;
    one cancelled household that no draw may pick."""
    rows, n = [], 0
    for key in ("village_a1", "village_a2", "village_b1", "village_b2"):
        village = regions[key]
        for status, monitoring_kind, count, size in (("2", "", 6, 3), ("1", "", 4, 2), ("2", "1", 2, 4),
                                                     ("", "", 8, 5), ("6", "", 1, 9)):
            for _ in range(count):
                n += 1
                rows.append(Household(number=f"{village.code}{n:04d}", village=village, status=status,
                                      monitoring_kind=monitoring_kind, size=size, head_name=f"户主{n}",
                                      household_type={"2": "2", "1": "3"}.get(status, "1")))
    Household.objects.bulk_create(rows)
    return rows


@pytest.fixture
def assessment(users, regions, register):
    a = services.save_assessment(
        Assessment(year=2019, region=regions["county"], name="2019年第三方评估", kind="third_party", seed=20190101,
                   poor_villages=1, non_poor_villages=1, exited_households=3, poor_households=2,
                   monitored_households=1, ordinary_households=4),
        acting_user=users["county"], channel=PAGE)
    services.draw_sample(a, acting_user=users["county"], channel=PAGE)
    a.refresh_from_db()
    return a


@pytest.fixture
def answer(users):
    """Submit a household's answers (defaults: recognising, nothing found)."""

    def submit(sample, user=None, **answers):
        values = {"A1": "是", "A2": "是", "A3": "是", "B3": "否", "C1": "认可", "C2": "满意", "C4": "满意"}
        if sample.stratum in ("ordinary", "monitored"):
            values["B1"] = "否"
        if sample.stratum in ("exited", "monitored"):
            values["B2"] = "否"
        if sample.stratum == "exited":
            values["C3"] = "认可"
        values.update(answers)
        return services.submit_sheet(sample, values, client_uuid=uuid.uuid4(), surveyed_on=timezone.localdate(),
                                     acting_user=user or users["county"], channel=PAGE)[0]

    return submit
