from django.urls import reverse

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.registry.models import Household


def test_village_sees_only_its_village(client, make_household, regions, users):
    mine = make_household(regions["village_a1"], head_name="本村户")
    other = make_household(regions["village_b1"], head_name="外村户")
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household_list")).content.decode()
    assert "本村户" in page and "外村户" not in page
    assert client.get(reverse("registry:household_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("registry:household_detail", args=[mine.pk])).status_code == 200
    # Searching for the other village's head finds nothing either.
    response = client.get(reverse("registry:household_list"), {"q": "外村户"})
    assert response.context["page"].paginator.count == 0
    members = client.get(reverse("registry:member_list")).content.decode()
    assert "外村户" not in members


def test_lists_mask_id_numbers(client, make_household, regions, users):
    head_id = new_id()
    household = make_household(regions["village_a1"], head_id=head_id)
    client.force_login(users["village_a1"])
    for url in (reverse("registry:household_list"), reverse("registry:member_list"),
                reverse("registry:household_detail", args=[household.pk])):
        page = client.get(url).content.decode()
        assert head_id not in page and head_id[-4:] in page


def test_reveal_full_number_is_logged(client, make_household, regions, users):
    head_id = new_id()
    member = make_household(regions["village_a1"], head_id=head_id).members.get()
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:member_reveal", args=[member.pk]))
    assert head_id in response.content.decode()
    assert AuditLog.objects.filter(action="view_sensitive", object_id=str(member.pk), user=users["village_a1"]).exists()
    client.force_login(users["village_b1"])
    assert client.post(reverse("registry:member_reveal", args=[member.pk])).status_code == 404


def test_create_household_through_page(client, regions, users):
    client.force_login(users["village_a1"])
    head_id = new_id()
    response = client.post(reverse("registry:household_create"), {
        "number": "4104811002010099", "village": regions["village_a1"].code, "status": "2", "category": "1",
        "main_cause": "1", "identification_year": "2016",
        "head-name": "新户主", "head-id_number": f" {head_id.lower()} ", "head-ethnicity": "01", "head-work_months": "0",
        "has_production_power": "on", "has_living_power": "on",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get(number="4104811002010099")
    assert household.head_name == "新户主" and household.members.get().id_number == head_id
    history = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "新增" in history and "页面" in history


def test_create_household_refuses_bad_id_with_reason(client, regions, users):
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:household_create"), {
        "number": "4104811002010098", "village": regions["village_a1"].code, "status": "2",
        "head-name": "甲", "head-id_number": "4.10481E+17", "head-work_months": "0",
    })
    assert response.status_code == 200 and "Excel" in response.content.decode()
    assert not Household.objects.filter(number="4104811002010098").exists()


def test_edit_household_then_history_shows_change(client, make_household, regions, users):
    household = make_household(regions["village_a1"])
    client.force_login(users["village_a1"])
    form = client.get(reverse("registry:household_edit", args=[household.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"village": household.village_id, "address": "幸福路8号", "other_causes": ["7"]})
    for flag in ("enjoys_policy", "has_production_power", "has_living_power", "has_sanitary_toilet", "in_cooperative"):
        if not data.get(flag):
            data.pop(flag, None)
    response = client.post(reverse("registry:household_edit", args=[household.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "幸福路8号" in page and "家庭住址" in page


def test_read_only_role_cannot_edit(client, make_household, regions, users):
    household = make_household(regions["village_a1"])
    client.force_login(users["leader"])
    assert client.get(reverse("registry:household_detail", args=[household.pk])).status_code == 200
    response = client.post(reverse("registry:household_delete", args=[household.pk]))
    assert response.status_code == 403
    assert Household.objects.filter(pk=household.pk).exists()


def test_income_page_computes_per_capita(client, make_household, regions, users):
    household = make_household(regions["village_a1"], extra=[("子", new_id(), "20")])
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:income_create", args=[household.pk]), {
        "year": "2020", "wage_income": "5000", "business_income": "2000", "property_income": "0",
        "transfer_income": "1000", "business_costs": "500", "medical_out_of_pocket": "0",
    })
    assert response.status_code == 302
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "3,750.00" in page


def test_filters(client, make_household, regions, users):
    make_household(regions["village_a1"], head_name="因病户", main_cause="1")
    make_household(regions["village_a2"], head_name="因学户", main_cause="3")
    client.force_login(users["county"])
    page = client.get(reverse("registry:household_list"), {"cause": "3"}).content.decode()
    assert "因学户" in page and "因病户" not in page
    page = client.get(reverse("registry:household_list"), {"region": regions["village_a1"].code}).content.decode()
    assert "因病户" in page and "因学户" not in page


def test_regions_tree_scope(client, regions, users):
    client.force_login(users["town_a"])
    page = client.get(reverse("regions:tree")).content.decode()
    assert "尹集镇" in page
    assert client.get(reverse("regions:node", args=[regions["town_b"].code])).status_code == 404
