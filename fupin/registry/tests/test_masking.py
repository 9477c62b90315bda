"""Masked exports and lists: phones masked, health per person left out unless the full export is asked for."""

import io

import python_calamine
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.audit.models import AuditLog
from fupin.core.tables import mask_phone

PHONE = "13812345678"


def rows_of(response):
    content = b"".join(response.streaming_content)
    return list(python_calamine.load_workbook(io.BytesIO(content)).get_sheet_by_index(0).iter_rows())


def cells(lines) -> set[str]:
    return {str(value) for line in lines for value in line}


def disabled_household(make_household, village):
    """A household with a phone and a disabled member who holds a disability certificate."""
    member_id = new_id()
    household = make_household(village, phone=PHONE, extra=[("张小残", member_id, "20")])
    member = household.members.get(id_number=member_id)
    member.health, member.disability_cert = "4", member_id + "41"
    member.save()
    return household, member


def test_mask_phone():
    assert mask_phone(PHONE) == "138****5678"
    assert mask_phone("03758000000") == "037****0000"
    assert mask_phone("8123456") == "***3456"
    assert mask_phone("1234") == "****" and mask_phone("") == ""


def test_masked_exports_mask_phones_and_leave_out_health(client, users, regions, make_household):
    household, member = disabled_household(make_household, regions["village_a1"])
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    for name in ("registry:household_export", "registry:member_export"):
        lines = rows_of(client.get(reverse(name), {"full": "0"}))
        header, found = lines[0], cells(lines[1:])
        assert "联系电话" in header and "138****5678" in found and PHONE not in found, name
        assert "健康状况" not in header and "残疾证号" not in header, name
        assert "残疾" not in found and member.disability_cert not in found and member.id_number not in found, name


def test_full_export_keeps_phone_and_health_and_is_audited(client, users, regions, make_household):
    household, member = disabled_household(make_household, regions["village_a1"])
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    lines = rows_of(client.get(reverse("registry:member_export"), {"full": "1"}))
    header, found = lines[0], cells(lines[1:])
    assert "健康状况" in header and "残疾" in found and PHONE in found and member.disability_cert in found
    assert "完整证件号码" in AuditLog.objects.get(action="export").note


def test_read_only_accounts_get_the_masked_file_only(client, users, regions, make_household):
    disabled_household(make_household, regions["village_a1"])
    assert client.login(username=users["leader"].username, password=PASSWORD)
    found = cells(rows_of(client.get(reverse("registry:member_export"))))
    assert PHONE not in found and "残疾" not in found
    assert client.get(reverse("registry:member_export"), {"full": "1"}).status_code == 403


def test_list_pages_and_api_lists_show_no_phone_in_clear(client, api_client, users, regions, make_household):
    disabled_household(make_household, regions["village_a1"])
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    for name in ("registry:household_list", "registry:member_list"):
        assert PHONE not in client.get(reverse(name)).content.decode(), name
    api = api_client(users["village_a1"])
    for path in ("/api/households", "/api/members"):
        assert PHONE not in api.get(path).content.decode(), path


def test_a_list_filtered_by_health_is_exported_only_in_full(client, users, regions, make_household):
    household, member = disabled_household(make_household, regions["village_a1"])
    assert client.login(username=users["leader"].username, password=PASSWORD)
    assert client.get(reverse("registry:member_export"), {"health": "4"}).status_code == 403
    client.logout()
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    choice = client.get(reverse("registry:member_export"), {"health": "4"}).content.decode()
    assert 'data-testid="export-full"' in choice and 'data-testid="export-masked"' not in choice
    assert client.get(reverse("registry:member_export"), {"health": "4", "full": "0"}).status_code == 403
    lines = rows_of(client.get(reverse("registry:member_export"), {"health": "4", "full": "1"}))
    assert [line[lines[0].index("姓名")] for line in lines[1:]] == ["张小残"]
    assert "完整证件号码" in AuditLog.objects.get(action="export").note
