"""Procedure pages: the whole chain through the pages, public notices without login, scope, admin pages."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from fupin.procedures.models import (
    Adjustment,
    Candidate,
    Kind,
    Notice,
    Objection,
    PovertyLine,
    Procedure,
    ProcedureDefinition,
    Status,
)
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus

from .conftest import YEAR, days_later, upload


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def applicant(regions, household, accounts):
    h = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(h, 2000)
    return h


def test_start_page_shows_refusals_then_starts(applicant, users):
    village = client_for(users["village_a1"])
    url = f"/procedures/start/{applicant.pk}/"
    assert "识别纳入" in village.get(url).content.decode()
    response = village.post(url, {"kind": "identification", "year": YEAR, "category": "", "main_cause": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "不能发起" in body and "请选择拟识别的贫困户属性" in body
    response = village.post(url, {"kind": "identification", "year": YEAR, "category": "1", "main_cause": "1",
                                  "reason": "申请"})
    procedure = Procedure.objects.get()
    assert response.status_code == 302 and response.url == f"/procedures/{procedure.pk}/"
    assert client_for(users["village_b1"]).get(url).status_code == 404


def test_detail_attach_decide_and_scope(applicant, users):
    village = client_for(users["village_a1"])
    village.post(f"/procedures/start/{applicant.pk}/", {"kind": "identification", "year": YEAR, "category": "1",
                                                       "main_cause": "1"})
    procedure = Procedure.objects.get()
    url = f"/procedures/{procedure.pk}/"
    page = village.get(url).content.decode()
    assert "办理：户申请" in page and "缺少必传附件：户申请书" in page
    response = village.post(f"{url}decide/", {"decision": "pass"}, follow=True)
    assert "缺少必传附件：户申请书" in response.content.decode()
    village.post(f"{url}attach/", {"kind": "application", "file": upload("申请书.pdf")})
    attachment = procedure.attachments.get()
    assert village.get(f"/procedures/attachments/{attachment.pk}/").status_code == 200
    response = village.post(f"{url}decide/", {"decision": "pass", "comment": "已核对"}, follow=True)
    assert "已办理" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.current_order == 2
    other = client_for(users["village_b1"])
    assert other.get(url).status_code == 404
    assert other.post(f"{url}decide/", {"decision": "pass"}).status_code == 404
    assert other.get(f"/procedures/attachments/{attachment.pk}/").status_code == 404
    town = client_for(users["town_a"])
    assert "由村级账号办理" in town.get(url).content.decode()
    response = town.post(f"{url}decide/", {"decision": "reject", "comment": "x"}, follow=True)
    assert "应由村级账号办理" in response.content.decode()
    listing = client_for(users["town_a"]).get("/procedures/").content.decode()
    assert "刘二柱" in listing
    assert "刘二柱" not in other.get("/procedures/").content.decode()


def test_household_panel_include(applicant, users):
    request = RequestFactory().get("/")
    request.user = users["village_a1"]
    html = Template('{% include "procedures/_household_panel.html" %}').render(
        Context({"household": applicant, "request": request}))
    assert "发起程序" in html
    request.user = users["leader"]
    html = Template('{% include "procedures/_household_panel.html" %}').render(
        Context({"household": applicant, "request": request}))
    assert "发起程序" not in html and "暂无程序记录" in html


def _to_notice_step(applicant, users):
    from fupin.audit.models import Channel
    from fupin.procedures import services

    procedure = services.start_procedure(Kind.IDENTIFICATION, applicant, year=YEAR,
                                         details={"category": "2", "main_cause": "2"},
                                         acting_user=users["village_a1"], channel=Channel.PAGE)
    for kind in ("application", "minutes"):
        services.add_attachment(procedure, kind, upload(), acting_user=users["village_a1"], channel=Channel.PAGE)
        procedure = services.decide(procedure, "pass", acting_user=users["village_a1"], channel=Channel.PAGE)
    return procedure


def test_notice_pages_and_public_objection(applicant, users, monkeypatch):
    procedure = _to_notice_step(applicant, users)
    village = client_for(users["village_a1"])
    page = village.get("/procedures/notices/new/").content.decode()
    assert "刘二柱" in page
    today = timezone.localdate()
    response = village.post("/procedures/notices/new/", {
        "kind": "publicity", "start_date": today, "end_date": today + dt.timedelta(days=6),
        "contact": "张庄村委会", "procedures": [procedure.pk]})
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert village.post(f"/procedures/notices/{notice.pk}/publish/").status_code == 302
    pdf = village.get(f"/procedures/notices/{notice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    public = Client()  # no login
    listing = public.get("/public/notices/?region=410481100201").content.decode()
    assert notice.title in listing
    assert notice.title not in public.get("/public/notices/?region=410481101201").content.decode()
    detail = public.get(f"/public/notices/{notice.pk}/")
    body = detail.content.decode()
    assert detail.status_code == 200 and "刘二柱" in body
    assert applicant.members.get().id_number not in body and "13800000000" not in body
    assert public.get(f"/public/notices/{notice.pk}/pdf/").status_code == 200
    item = notice.items.get()
    response = public.post(f"/public/notices/{notice.pk}/", {"item": item.pk, "name": "李群众",
                                                           "contact": "13912345678", "content": "有车"})
    assert "异议已提交" in response.content.decode()
    objection = Objection.objects.get()
    assert objection.channel == "public"
    staff = village.get(f"/procedures/notices/{notice.pk}/").content.decode()
    assert "李群众" in staff and "待答复" in staff
    with days_later(monkeypatch, 7):
        page = village.get(f"/procedures/{procedure.pk}/").content.decode()
        assert "有1条异议尚未答复" in page
    village.post(f"/procedures/objections/{objection.pk}/answer/", {"answer": "经核实无车"})
    objection.refresh_from_db()
    assert objection.status == "answered"
    with days_later(monkeypatch, 7):
        village.post(f"/procedures/{procedure.pk}/decide/", {"decision": "pass"})
    procedure.refresh_from_db()
    assert procedure.current_step.name == "乡镇审核"
    # a draft is not public
    draft = Notice.objects.create(kind="publicity", level=Level.VILLAGE, region=notice.region, title="草稿",
                                  start_date=today, end_date=today)
    assert public.get(f"/public/notices/{draft.pk}/").status_code == 404


def test_public_objections_are_throttled_per_ip_and_per_notice(regions, settings):
    settings.FUPIN_THROTTLES = {**settings.FUPIN_THROTTLES, "objection_ip": (2, 600), "objection_notice": (3, 3600)}
    today = timezone.localdate()
    notice, second = (Notice.objects.create(kind="publicity", level=Level.VILLAGE, region=regions["village_a1"],
                                            title=title, start_date=today, end_date=today + dt.timedelta(days=6),
                                            status="published") for title in ("公示一", "公示二"))
    objection = {"name": "李群众", "contact": "13912345678", "content": "有车"}
    public = Client()
    for _ in range(2):
        assert "异议已提交" in public.post(f"/public/notices/{notice.pk}/", objection).content.decode()
    refused = public.post(f"/public/notices/{second.pk}/", objection)
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert elsewhere.post(f"/public/notices/{notice.pk}/", objection).status_code == 200
    assert elsewhere.post(f"/public/notices/{notice.pk}/", objection).status_code == 429  # the notice's limit
    assert elsewhere.post(f"/public/notices/{second.pk}/", objection).status_code == 200
    assert Objection.objects.filter(notice=notice).count() == 3 and Objection.objects.filter(notice=second).count() == 1
    assert public.get(f"/public/notices/{notice.pk}/").status_code == 200  # reading is never throttled


def test_lines_page_is_for_administrators(users, regions):
    admin = client_for(users["admin"])
    assert "2,952" in admin.get("/procedures/lines/").content.decode() or "2952" in admin.get(
        "/procedures/lines/").content.decode()
    response = admin.post("/procedures/lines/new/", {"kind": "poverty", "year": 2016, "amount": "3100",
                                                     "region_code": "410481000000", "document": "舞政〔2016〕8号"})
    assert response.status_code == 302
    assert PovertyLine.objects.get(region_id="410481000000").amount == 3100
    response = admin.post("/procedures/lines/new/", {"kind": "poverty", "year": 2017, "amount": "3100",
                                                     "region_code": ""})
    assert "超级管理员" in response.content.decode()
    county = client_for(users["county"])
    response = county.post("/procedures/lines/new/", {"kind": "poverty", "year": 2018, "amount": "1",
                                                      "region_code": "410481000000"})
    assert "只有系统管理员" in response.content.decode()


def test_definition_copy_and_edit(users):
    admin = client_for(users["admin"])
    national = ProcedureDefinition.objects.get(kind=Kind.EXIT, region=None)
    response = admin.post(f"/procedures/definitions/{national.pk}/copy/")
    local = ProcedureDefinition.objects.get(kind=Kind.EXIT, region_id="410481000000")
    assert response.url == f"/procedures/definitions/{local.pk}/"
    page = admin.get(response.url).content.decode()
    assert "收支测算与民主评议" in page
    steps = list(local.steps.all())
    data = {"name": "舞钢市脱贫退出", "description": "", "active": "on", "steps-TOTAL_FORMS": len(steps) + 1,
            "steps-INITIAL_FORMS": len(steps), "steps-MIN_NUM_FORMS": 0, "steps-MAX_NUM_FORMS": 1000}
    for i, step in enumerate(steps):
        data.update({f"steps-{i}-order": step.order, f"steps-{i}-name": step.name,
                     f"steps-{i}-actor_level": step.actor_level, f"steps-{i}-deadline_days": step.deadline_days,
                     f"steps-{i}-notice_days": 5 if step.notice_days else 0, f"steps-{i}-working_days": "on",
                     f"steps-{i}-notice_kind": step.notice_kind, f"steps-{i}-attachment_kinds": step.required_kinds})
    n = len(steps)
    data.update({f"steps-{n}-order": 35, f"steps-{n}-name": "村级复核公示", f"steps-{n}-actor_level": 5,
                 f"steps-{n}-deadline_days": 10, f"steps-{n}-notice_days": 5, f"steps-{n}-notice_kind": "publicity"})
    response = admin.post(f"/procedures/definitions/{local.pk}/", data)
    assert response.status_code == 302, response.content.decode()
    assert [(s.name, s.notice_days, s.working_days) for s in local.steps.filter(notice_days__gt=0)] == [
        ("村级公示", 5, True), ("乡镇公示", 5, True), ("县级公告", 5, True), ("村级复核公示", 5, False)]
    response = client_for(users["admin"]).post(f"/procedures/definitions/{national.pk}/", data)
    assert "超级管理员" in response.content.decode()


def test_adjustment_pages(users, regions, household, accounts, django_capture_on_commit_callbacks):
    poor = household(regions["village_a1"], head_name="脱贫甲")
    accounts(poor, 3500)
    county = client_for(users["county"])
    response = county.post("/procedures/adjustments/", {"year": YEAR})
    adjustment = Adjustment.objects.get()
    assert response.url == f"/procedures/adjustments/{adjustment.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = county.post(f"/procedures/adjustments/{adjustment.pk}/propose/")
    assert response.url.startswith("/jobs/")
    candidate = Candidate.objects.get()
    village = client_for(users["village_a1"])
    page = village.get(f"/procedures/adjustments/{adjustment.pk}/").content.decode()
    assert "脱贫甲" in page and "提交所选" in page
    assert "脱贫甲" not in client_for(users["village_b1"]).get(f"/procedures/adjustments/{adjustment.pk}/").content.decode()
    village.post(f"/procedures/adjustments/{adjustment.pk}/candidates/",
                 {"candidates": [candidate.pk], "decision": "confirm", "reason": "同意"})
    candidate.refresh_from_db()
    assert candidate.status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        village.post(f"/procedures/adjustments/{adjustment.pk}/start/")
    assert Procedure.objects.get().kind == Kind.EXIT
    response = county.post(f"/procedures/adjustments/{adjustment.pk}/close/", follow=True)
    assert "尚有1个2016年度程序未办结" in response.content.decode()
    Procedure.objects.update(status=Status.WITHDRAWN)
    county.post(f"/procedures/adjustments/{adjustment.pk}/close/")
    adjustment.refresh_from_db()
    assert not adjustment.is_open
    page = county.get(f"/procedures/adjustments/{adjustment.pk}/").content.decode()
    assert "年度锁定数据" in page and "未脱贫：1户" in page
    county.post(f"/procedures/adjustments/{adjustment.pk}/reopen/", {"reason": ""})
    adjustment.refresh_from_db()
    assert not adjustment.is_open
    county.post(f"/procedures/adjustments/{adjustment.pk}/reopen/", {"reason": "补录"})
    adjustment.refresh_from_db()
    assert adjustment.is_open


def test_end_policies_page(users, regions, household):
    exited = household(regions["village_a1"], status=HouseholdStatus.EXITED, exit_year=2016)
    county = client_for(users["county"])
    assert exited.number in county.get("/procedures/end-policies/").content.decode()
    county.post("/procedures/end-policies/", {"households": [exited.pk], "reason": "过渡期结束"})
    exited.refresh_from_db()
    assert not exited.enjoys_policy


def test_pages_render_for_every_role(users, applicant):
    for user in users.values():
        client = client_for(user)
        for url in ("/procedures/", "/procedures/notices/", "/procedures/lines/", "/procedures/definitions/",
                    "/procedures/adjustments/", "/procedures/end-policies/", "/procedures/?overdue=on"):
            # A department account works on its data sets only (registry/access.py).
            expected = 403 if user.role == "department" else 200
            assert client.get(url).status_code == expected, (user, url)
