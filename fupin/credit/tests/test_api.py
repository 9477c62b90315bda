"""The REST API: scoped lists with masked IDs, writes through the services (Chinese refusals as 422), 财政 read-only."""

from decimal import Decimal

from django.utils import timezone

from fupin.credit import schedule
from fupin.credit.models import Loan

BASE = "/api/credit"


def test_create_list_repay_and_refuse(api_client, borrower_household, make_loan, regions, users, finance):
    household = borrower_household(regions["village_a1"])
    county = api_client(users["county"])
    body = {"household": household.pk, "borrower": household.members.get().pk, "bank": "县农商银行",
            "contract_number": "API-1", "amount": "60000", "term_months": 12, "annual_rate": "4.35",
            "start_date": str(schedule.add_months(timezone.localdate(), -1)), "purpose": "planting"}
    response = county.post(f"{BASE}/loans", body, content_type="application/json")
    assert response.status_code == 422 and "超过单户贷款上限" in response.json()["errors"]["amount"]
    response = county.post(f"{BASE}/loans", {**body, "amount": "30000"}, content_type="application/json")
    assert response.status_code == 201, response.content
    loan = response.json()
    assert loan["borrower_id_number"] == household.head_id_number[:6] + "*" * 8 + household.head_id_number[-4:]
    assert len(county.get(f"{BASE}/loans/{loan['id']}/schedule").json()) == 4
    response = county.post(f"{BASE}/loans/{loan['id']}/repayments", {"date": str(timezone.localdate()),
                                                                      "principal": "1000", "interest": "10"},
                           content_type="application/json")
    assert response.status_code == 201
    assert county.get(f"{BASE}/loans/{loan['id']}").json()["outstanding"] == "29000.00"
    other = make_loan(village=regions["village_b1"])
    village = api_client(users["village_a1"])
    assert village.get(f"{BASE}/loans/{other.pk}").status_code == 404
    assert [row["id"] for row in village.get(f"{BASE}/loans").json()["items"]] == [loan["id"]]
    overdue = village.get(f"{BASE}/overdue").json()
    assert overdue["count"] == 0
    reader = api_client(finance)
    assert reader.get(f"{BASE}/overdue").json()["items"][0]["contract_number"] == other.contract_number
    response = reader.post(f"{BASE}/loans/{loan['id']}/repayments", {"date": str(timezone.localdate()),
                                                                      "interest": "1"},
                           content_type="application/json")
    assert response.status_code == 403
    assert Loan.objects.get(pk=loan["id"]).outstanding == Decimal("29000")


def test_fund_and_parameters(api_client, make_loan, regions, users):
    county = api_client(users["county"])
    response = county.post(f"{BASE}/fund", {"county": regions["county"].code, "kind": "deposit",
                                            "date": str(timezone.localdate()), "amount": "100000"},
                           content_type="application/json")
    assert response.status_code == 201
    assert county.get(f"{BASE}/fund/balances").json() == [{"county": regions["county"].code,
                                                           "balance": "100000.00"}]
    current = county.get(f"{BASE}/parameters/current", {"year": 2024}).json()
    assert (current["max_amount"], current["subsidy_share"]) == ("50000.00", "0.7000")
    assert "housing" in current["banned_purposes"]
    body = {"region": regions["county"].code, "max_amount": "100000", "subsidy_principal_cap": "50000",
            "max_term_months": 36, "min_age": 18, "max_age": 65, "rate_cap_short": "3.45", "rate_cap_long": "3.95",
            "subsidy_share": "1", "due_soon_days": 15, "document": "县文件"}
    assert county.post(f"{BASE}/parameters", body, content_type="application/json").status_code == 403
    admin = api_client(users["admin"])
    assert admin.post(f"{BASE}/parameters", body, content_type="application/json").status_code == 201
    assert county.get(f"{BASE}/parameters/current").json()["due_soon_days"] == 15
