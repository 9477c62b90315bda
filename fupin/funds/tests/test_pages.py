import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, new_id
from fupin.core.channels import Channel
from fupin.funds import disclosures
from fupin.funds.models import Allocation, Disbursement, DisbursementBatch
from fupin.procedures.models import Notice, NoticeStatus


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def paid(allocations, regions):
    """Sixty payments out of the first allocation, to people of 张庄村."""
    batch = DisbursementBatch.objects.create(file_name="bank.csv", region=regions["county"])
    rows = [Disbursement(batch=batch, allocation=allocations["a1"], fund_id=allocations["a1"].fund_id,
                         village=regions["village_a1"], payee_name=f"收款人{i}", payee_id_number=new_id(),
                         bank_account="6228480402564890018", amount=Decimal("100.00"), paid_on=dt.date(2026, 3, 1))
            for i in range(60)]
    return Disbursement.objects.bulk_create(rows)


def test_fund_list_and_detail(client_for, users, fund, allocations, paid, django_assert_max_num_queries):
    client = client_for(users["county"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("funds:fund_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert fund.title in text and "1.2%" in text  # 6000 of 500000 allocated
    with django_assert_max_num_queries(14):
        response = client.get(reverse("funds:fund_detail", args=[fund.pk]))
    assert "500,000.00" in response.content.decode()


def test_disbursement_list_masks_and_paginates(client_for, users, paid, regions, django_assert_num_queries):
    client = client_for(users["county"])
    response = client.get(reverse("funds:disbursement_list"))  # warm the session and content types
    with django_assert_num_queries(11):
        response = client.get(reverse("funds:disbursement_list"), {"region": regions["town_a"].code, "page": 2})
    text = response.content.decode()
    assert response.status_code == 200
    assert paid[0].payee_id_number not in text and "6228480402564890018" not in text
    assert "****0018" in text and "共 60 条" in text
    response = client.get(reverse("funds:disbursement_list"), {"payee": "收款人59"})
    assert "共 1 条" in response.content.decode()


def test_other_township_sees_nothing_and_404s(client_for, users, fund, paid):
    client = client_for(users["town_b"])
    assert "共 0 条" in client.get(reverse("funds:disbursement_list")).content.decode()
    assert client.get(reverse("funds:fund_detail", args=[fund.pk])).status_code == 404


def test_disbursement_export_is_masked(client_for, users, paid):
    from python_calamine import CalamineWorkbook

    response = client_for(users["county"]).get(reverse("funds:disbursement_export"))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(b"".join(response.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert len(rows) == 61
    flat = " ".join(str(c) for row in rows for c in row)
    assert paid[0].payee_id_number not in flat and "6228480402564890018" not in flat


def test_allocation_form_refuses_over_allocation(client_for, users, fund, allocations, regions):
    client = client_for(users["county"])
    response = client.post(reverse("funds:allocation_create", args=[fund.pk]), {
        "region": regions["village_a2"].code, "item": "产业奖补", "amount": "600000", "allocated_on": "2026-03-01"})
    assert response.status_code == 200
    assert "超出资金指标" in response.content.decode()
    assert Allocation.objects.count() == 2


def test_finance_reads_pages_but_gets_no_write_buttons(client_for, finance, fund):
    client = client_for(finance)
    response = client.get(reverse("funds:fund_detail", args=[fund.pk]))
    assert response.status_code == 200 and 'data-testid="allocate"' not in response.content.decode()
    response = client.post(reverse("funds:allocation_create", args=[fund.pk]), {
        "region": fund.region_id, "item": "x", "amount": "1", "allocated_on": "2026-03-01"})
    assert Allocation.objects.count() == 0


def test_progress_page(client_for, users, allocations, paid):
    response = client_for(users["county"]).get(reverse("funds:progress"), {"year": 2026})
    text = response.content.decode()
    assert response.status_code == 200 and "progress-data" in text and "尹集镇" in text


def test_public_disclosure_page_and_pdf_carry_no_sensitive_fields(fund, allocations, paid, users):
    today = timezone.localdate()
    notice = disclosures.publish(kind=disclosures.ALLOCATION, fund=fund, start_date=today,
                                 end_date=today + dt.timedelta(days=9), contact="0375-8123456",
                                 acting_user=users["county"], channel=Channel.PAGE)
    assert notice.status == NoticeStatus.PUBLISHED and notice.region_id == fund.region_id
    client = Client()
    assert notice.title in client.get(reverse("public_notices:list")).content.decode()
    page = client.get(reverse("public_notices:detail", args=[notice.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "产业奖补" in text and "300000.00" in text and "分配金额（元）" in text
    assert paid[0].payee_id_number not in text and "6228" not in text and "收款人" not in text
    pdf = client.get(reverse("public_notices:pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert notice in disclosures.fund_notices(fund)
    assert list(disclosures.funds_notices(users["town_b"])) == []


def test_publishing_refuses_short_periods_and_sensitive_text(fund, allocations, users):
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        disclosures.publish(kind=disclosures.ALLOCATION, fund=fund, start_date=today,
                            end_date=today + dt.timedelta(days=5), acting_user=users["county"], channel=Channel.PAGE)
    assert "不得少于10天" in exc.value.message_dict["end_date"][0]
    with pytest.raises(ValidationError) as exc:
        disclosures.publish(kind=disclosures.ALLOCATION, fund=fund, start_date=today,
                            end_date=today + dt.timedelta(days=10), body="联系人手机 13812345678",
                            acting_user=users["county"], channel=Channel.PAGE)
    assert "手机号码" in exc.value.message_dict["body"][0]
    assert not Notice.objects.exists()


def test_the_township_cannot_publish_the_countys_allocations(fund, allocations, users):
    from django.core.exceptions import PermissionDenied

    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        disclosures.publish(kind=disclosures.ALLOCATION, fund=fund, start_date=today,
                            end_date=today + dt.timedelta(days=10), acting_user=users["town_a"], channel=Channel.PAGE)


def test_household_and_project_panels(client_for, users, fund, allocations, regions, make_household):
    from fupin.projects.models import Project
    from fupin.projects.services import save_project

    household = make_household(regions["village_a1"])
    member = household.members.get()
    batch = DisbursementBatch.objects.create(file_name="bank.csv", region=regions["county"])
    project = save_project(Project(year=2026, region=regions["village_a1"], name="张庄道路硬化", kind="infrastructure",
                                   planned_amount=Decimal(300000), implementing_unit="尹集镇人民政府"),
                           acting_user=users["county"], channel=Channel.PAGE)
    allocation = allocations["a1"]
    allocation.project = project
    allocation.save()
    Disbursement.objects.create(batch=batch, allocation=allocation, fund=fund, village=regions["village_a1"],
                                payee_name=member.name, payee_id_number=member.id_number, amount=Decimal("1500"),
                                paid_on=dt.date(2026, 3, 1))
    client = client_for(users["county"])
    text = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="funds-household-panel"' in text and "1,500.00" in text
    assert member.id_number not in text.split('funds-household-panel')[1].split("</table>")[0]
    text = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="funds-project-panel"' in text and "产业奖补" in text
