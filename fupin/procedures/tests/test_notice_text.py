"""A notice's free texts are checked before publishing: ID numbers, mobile numbers, bank card numbers and health words
refuse the publication (page, API), a draft only warns, and a draft's PDF carries a 草稿 watermark."""

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.dictionaries.models import Entry
from fupin.dictionaries.models import Kind as CodeTable
from fupin.procedures import notices
from fupin.procedures.models import Notice, NoticeKind, NoticeStatus
from fupin.procedures.notice_text import CARD, HEALTH, ID, MOBILE, luhn_valid, scan
from fupin.registry.choices import HouseholdStatus

from .test_views import _to_notice_step, client_for

VALID_ID = new_id(born=dt.date(1990, 1, 1))
CARD_NUMBER = "6222021234567890128"  # 19 digits, Luhn-valid


def kinds(text, words=()):
    return [finding.kind for finding in scan("body", "正文", text, words)]


def test_the_numbers_a_notice_must_not_print():
    assert luhn_valid(CARD_NUMBER) and not luhn_valid("6222021234567890127")
    assert kinds(f"户主身份证{VALID_ID}。") == [ID]
    wrong_check = VALID_ID[:17] + ("1" if VALID_ID[17] != "1" else "2")
    assert kinds(wrong_check) == [ID]  # any 17 digits + digit/X, whatever the check digit
    assert kinds(VALID_ID[:17] + "x") == [ID]
    assert kinds(VALID_ID[:6] + VALID_ID[8:17]) == [ID]  # the 15-digit old number
    assert kinds(VALID_ID + "41") == [ID]  # a 残疾人证号 is the ID number and two digits
    assert kinds("电话13812345678") == [MOBILE]
    assert kinds("电话 138 1234 5678") == [MOBILE]
    assert kinds("电话１３８１２３４５６７８") == [MOBILE]  # full-width digits
    assert kinds("编号913812345678") == []  # inside a longer run of digits
    assert kinds("编号1381234567899") == []
    assert kinds("12345678901") == []  # not 1[3-9]
    assert kinds(f"卡号{CARD_NUMBER}") == [CARD]
    assert kinds("6222 0212 3456 7890 128") == [CARD]
    assert kinds("卡号6217000011112223") == []  # 16 digits, Luhn-invalid
    assert kinds("受理电话0371-12345678，2024-01-01至2024-01-07，共7天") == []
    assert kinds("户主患癌症，家中有hiv感染者", ["癌症", "HIV"]) == [HEALTH, HEALTH]


def test_the_message_names_the_field_and_masks_the_number():
    finding, = scan("body", "正文", f"身份证号{VALID_ID}", [])
    assert finding.message == f"正文含有身份证号码 {VALID_ID[:6]}********{VALID_ID[-4:]}，公示内容不得包含身份证号码"
    finding, = scan("contact", "异议受理电话/地点", "13812345678", [])
    assert finding.message == "异议受理电话/地点含有手机号码 138****5678，公示内容不得包含手机号码"
    finding, = scan("body", "正文", CARD_NUMBER, [])
    assert finding.message == "正文含有银行卡号 6222***********0128，公示内容不得包含银行卡号"
    finding, = scan("title", "标题", "重病户公示", ["重病"])
    assert finding.message == "标题含有健康状况用语“重病”，公示内容不得包含个人健康状况"


@pytest.fixture
def procedure(regions, household, accounts, users):
    applicant = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(applicant, 2000)
    return _to_notice_step(applicant, users)


def draft(procedure, user, **texts):
    today = timezone.localdate()
    return notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[procedure], start_date=today,
                                 end_date=today + dt.timedelta(days=6), acting_user=user, channel=Channel.PAGE, **texts)


def test_publishing_is_refused_while_a_text_names_a_person_and_the_draft_warns(procedure, users):
    village = users["village_a1"]
    notice = draft(procedure, village, body=f"经评议，刘二柱（身份证{VALID_ID}）拟纳入。",
                   contact="村委会 13812345678")
    assert notice.status == NoticeStatus.DRAFT  # saving the draft is allowed
    assert AuditLog.objects.filter(object_type="notice", object_id=str(notice.pk)).count() == 1
    audited = AuditLog.objects.count()
    with pytest.raises(ValidationError) as refused:
        notices.publish_notice(notice, acting_user=village, channel=Channel.PAGE)
    errors = refused.value.message_dict
    assert errors["body"] == [f"正文含有身份证号码 {VALID_ID[:6]}********{VALID_ID[-4:]}，公示内容不得包含身份证号码"]
    assert errors["contact"] == ["异议受理电话/地点含有手机号码 138****5678，公示内容不得包含手机号码"]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and notice.published is None
    assert AuditLog.objects.count() == audited

    page = client_for(village)
    detail = page.get(f"/procedures/notices/{notice.pk}/").content.decode()
    assert 'data-testid="notice-warnings"' in detail and "138****5678" in detail and VALID_ID not in detail
    shown = page.post(f"/procedures/notices/{notice.pk}/publish/", follow=True).content.decode()
    assert "公示内容不得包含身份证号码" in shown and "公示内容不得包含手机号码" in shown
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.DRAFT

    today = timezone.localdate()
    edit = page.get(f"/procedures/notices/{notice.pk}/edit/").content.decode()
    assert 'data-testid="notice-warnings"' in edit and "138****5678" in edit
    response = page.post(f"/procedures/notices/{notice.pk}/edit/", {
        "title": "", "start_date": today, "end_date": today + dt.timedelta(days=6),
        "contact": "村委会 0371-12345678", "body": "经村民代表大会评议，拟纳入。"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.body, notice.contact, notice.title) == ("经村民代表大会评议，拟纳入。", "村委会 0371-12345678",
                                                           "张庄村2016年度识别纳入公示")
    assert notices.draft_warnings(notice) == []
    assert 'data-testid="notice-warnings"' not in page.get(f"/procedures/notices/{notice.pk}/").content.decode()
    published = notices.publish_notice(notice, acting_user=village, channel=Channel.PAGE)
    assert published.status == NoticeStatus.PUBLISHED
    notes = list(AuditLog.objects.filter(object_type="notice", object_id=str(notice.pk)).order_by("id")
                 .values_list("note", flat=True))
    assert notes == ["新建公示", "修改公示草稿", "发布公示（1户）"]
    assert page.get(f"/procedures/notices/{notice.pk}/edit/").url == f"/procedures/notices/{notice.pk}/"
    with pytest.raises(ValidationError, match="已发布的公示不能修改"):
        notices.update_draft(published, body="x", acting_user=village, channel=Channel.PAGE)


def test_the_api_refuses_with_its_validation_error_shape(procedure, users, api_client):
    village = api_client(users["village_a1"])
    today = timezone.localdate()
    created = village.post("/api/notices", json.dumps({
        "procedures": [procedure.pk], "start_date": str(today), "end_date": str(today + dt.timedelta(days=6)),
        "body": f"补助发放至银行卡{CARD_NUMBER}"}), content_type="application/json")
    assert created.status_code == 201, created.content
    notice_id = created.json()["id"]
    refused = village.post(f"/api/notices/{notice_id}/publish", "{}", content_type="application/json")
    assert refused.status_code == 422
    message = "正文含有银行卡号 6222***********0128，公示内容不得包含银行卡号"
    assert refused.json() == {"detail": message, "errors": {"body": message}}
    assert CARD_NUMBER not in refused.content.decode()
    assert Notice.objects.get(pk=notice_id).status == NoticeStatus.DRAFT
    assert village.get(f"/api/notices/{notice_id}").json()["warnings"] == [message]
    late = village.patch(f"/api/notices/{notice_id}", json.dumps({"end_date": str(today)}),
                         content_type="application/json")
    assert late.status_code == 422 and late.json()["errors"] == {"end_date": "公示期1天，少于规定的7天"}
    fixed = village.patch(f"/api/notices/{notice_id}", json.dumps({"body": "补助按规定发放。"}),
                          content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["warnings"] == [] and fixed.json()["body"] == "补助按规定发放。"
    published = village.post(f"/api/notices/{notice_id}/publish", "{}", content_type="application/json")
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_health_words_are_the_code_table_an_administrator_edits(procedure, users):
    village, admin = users["village_a1"], users["admin"]
    notice = draft(procedure, village, title="刘二柱户尘肺病致贫公示", body="该户因病致贫，经评议拟纳入。")
    assert notices.draft_warnings(notice) == []  # 尘肺病 is not in the default list; 因病 is no health word
    page = client_for(admin)
    response = page.post("/dictionaries/new/", {"kind": CodeTable.NOTICE_HEALTH_WORD, "code": "90", "label": "尘肺病",
                                               "sort_order": 90, "active": "on"})
    assert response.status_code == 302
    assert AuditLog.objects.filter(object_type="entry", object_repr__contains="尘肺病").exists()
    with pytest.raises(ValidationError) as refused:
        notices.publish_notice(notice, acting_user=village, channel=Channel.PAGE)
    assert refused.value.message_dict == {"title": ["标题含有健康状况用语“尘肺病”，公示内容不得包含个人健康状况"]}

    default = Entry.objects.get(kind=CodeTable.NOTICE_HEALTH_WORD, label="残疾")
    notice.title = "残疾人家庭公示"
    notice.save()
    assert notices.draft_warnings(notice) == ["标题含有健康状况用语“残疾”，公示内容不得包含个人健康状况"]
    page.post(f"/dictionaries/{default.pk}/", {"label": "残疾", "sort_order": default.sort_order})  # switched off
    assert notices.draft_warnings(notice) == []


def test_a_head_name_on_the_list_is_checked_too(regions, household, accounts, users):
    applicant = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4",
                          head_name="刘二柱13812345678")
    accounts(applicant, 2000)
    notice = draft(_to_notice_step(applicant, users), users["village_a1"])
    with pytest.raises(ValidationError) as refused:
        notices.publish_notice(notice, acting_user=users["village_a1"], channel=Channel.PAGE)
    assert refused.value.message_dict == {
        "items": ["公示名单第1户的户主姓名含有手机号码 138****5678，公示内容不得包含手机号码"]}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_draft_pdf_carries_the_watermark_and_a_published_one_does_not(procedure, users, tmp_path):
    village = users["village_a1"]
    notice = draft(procedure, village)
    page = client_for(village)

    def text_of(response):
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        path = tmp_path / "notice.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return "".join(text.split())  # the rotated, spaced-out mark comes out a character a line

    drafted = text_of(page.get(f"/procedures/notices/{notice.pk}/pdf/"))
    assert "草稿·未发布" in drafted and "刘二柱" in drafted
    notices.publish_notice(notice, acting_user=village, channel=Channel.PAGE)
    published = text_of(page.get(f"/procedures/notices/{notice.pk}/pdf/"))
    assert "草稿" not in published and "刘二柱" in published
