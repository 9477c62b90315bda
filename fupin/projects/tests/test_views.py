import datetime as dt
import io

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fupin.core import excel
from fupin.procedures.models import Notice
from fupin.projects.models import LibraryStatus, Project, ProjectStatus
from fupin.projects.tests.conftest import days_later

TODAY = timezone.localdate


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


def test_list_filters_and_pinned_queries(login, make_project, users, regions, django_assert_num_queries):
    for n in range(6):
        make_project(name=f"项目{n}", region=regions["village_a1" if n % 2 else "village_b1"])
    make_project(name="往年项目", year=2020, region=regions["village_b1"])
    client = login(users["county"])
    client.get(reverse("projects:list"))  # warm the session and the menu's lookups
    # session, user, the user's region, the 区划 filter's level, count, projects, their steps (one query for all
    # rows), and the session's save (savepoint, update, release)
    with django_assert_num_queries(10):
        response = client.get(reverse("projects:list"), {"region": "410481100201"})
    assert response.status_code == 200
    names = [p.name for p in response.context["page"]]
    assert sorted(names) == ["项目1", "项目3", "项目5"]
    response = client.get(reverse("projects:list"), {"year": 2020})
    assert [p.name for p in response.context["page"]] == ["往年项目"]
    village = login(users["village_b1"]).get(reverse("projects:list"))
    assert {p.region_id for p in village.context["page"]} == {"410481101201"} and len(village.context["page"]) == 4


def test_export_is_scoped(login, make_project, users, regions):
    make_project(name="张庄项目")
    make_project(name="王庄项目", region=regions["village_b1"])
    response = login(users["village_b1"]).get(reverse("projects:export"))
    assert response.status_code == 200
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][5] == "项目名称" and [r[5] for r in rows[1:]] == ["王庄项目"]


def test_create_and_detail_page(login, users, regions):
    client = login(users["county"])
    data = {"year": TODAY().year, "region": regions["village_a1"].code, "name": "光伏电站", "kind": "industry",
            "planned_amount": "800000", "fund_source": "integrated", "implementing_unit": "县发改委",
            "scale": "200千瓦", "benefit_mechanism": "收益分红", "expected_households": 30, "expected_people": 90,
            "expected_poor_households": 20, "expected_monitored_households": 2}
    response = client.post(reverse("projects:create"), data)
    project = Project.objects.get(name="光伏电站")
    assert response.status_code == 302 and response.url == reverse("projects:detail", args=[project.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "80.00 万元" in page.content.decode()
    assert 'data-testid="declare"' not in page.content.decode()  # the county does not declare a village project
    page = login(users["village_a1"]).get(response.url)
    assert 'data-testid="declare"' in page.content.decode()


def test_finance_department_reads_pages_but_is_refused_writes(login, make_project, finance):
    project = make_project()
    client = login(finance)
    assert client.get(reverse("projects:list")).status_code == 200
    page = client.get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200 and 'data-testid="decide-form"' not in page.content.decode()
    assert client.get(reverse("projects:create")).status_code == 403
    response = client.post(reverse("projects:remove", args=[project.pk]), {"date": TODAY(), "reason": "x"})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).library_status == LibraryStatus.IN


def test_out_of_scope_detail_is_404(login, make_project, users, regions):
    project = make_project(region=regions["village_b1"])
    assert login(users["village_a1"]).get(reverse("projects:detail", args=[project.pk])).status_code == 404


def test_approval_through_pages_with_notice(login, make_project, users, monkeypatch):
    project = make_project()
    village = login(users["village_a1"])
    village.post(reverse("projects:declare", args=[project.pk]))
    village.post(reverse("projects:decide", args=[project.pk]), {"decision": "pass"})
    assert Project.objects.get(pk=project.pk).current_step.name == "村级公示"
    response = village.get(reverse("projects:notice_create"), {"kind": "publicity"})
    assert [p.pk for p in response.context["eligible"]] == [project.pk]
    response = village.post(reverse("projects:notice_create"), {
        "kind": "publicity", "projects": [project.pk], "start_date": TODAY(),
        "end_date": TODAY() + dt.timedelta(days=9)})
    notice = Notice.objects.get()
    assert response.url == reverse("procedures:notice_detail", args=[notice.pk])
    village.post(reverse("procedures:notice_publish", args=[notice.pk]))
    public = village.get(f"/public/notices/{notice.pk}/")
    text = public.content.decode()
    assert "项目名称" in text and "张庄村道路硬化" in text and "务工带动" in text
    with days_later(monkeypatch, 10):
        village.post(reverse("projects:decide", args=[project.pk]), {"decision": "pass"})
    assert Project.objects.get(pk=project.pk).current_step.name == "乡镇审核"


def test_implementation_pages_and_photo_served_in_scope(login, make_project, approval, users):
    project = approval.approve(make_project())
    client = login(users["county"])
    client.post(reverse("projects:start", args=[project.pk]), {"date": TODAY()})
    client.post(reverse("projects:milestone_add", args=[project.pk]), {"date": TODAY(), "text": "完工", "progress": 100})
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff000", content_type="image/jpeg")
    client.post(reverse("projects:photo_add", args=[project.pk]), {"file": photo, "caption": "完工"})
    report = SimpleUploadedFile("r.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(reverse("projects:acceptance_add", args=[project.pk]),
                {"date": TODAY(), "team": "验收组", "result": "passed", "documents": [report]})
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    stored = project.photos.get()
    assert client.get(reverse("projects:photo", args=[stored.pk])).status_code == 200
    assert login(users["village_b1"]).get(reverse("projects:photo", args=[stored.pk])).status_code == 404


def _workbook(header, rows) -> SimpleUploadedFile:
    data = excel.to_bytes([excel.Col(h) for h in header], rows)
    return SimpleUploadedFile("list.xlsx", data)


def test_beneficiary_add_and_import(login, make_project, make_household, users, regions):
    project = make_project()
    a, b = make_household(regions["village_a1"]), make_household(regions["village_a1"])
    other = make_household(regions["village_b1"])
    client = login(users["village_a1"])
    client.post(reverse("projects:beneficiary_add", args=[project.pk]), {"numbers": a.number, "note": "务工"})
    assert list(project.beneficiaries.values_list("household", flat=True)) == [a.pk]
    response = client.post(reverse("projects:beneficiary_import", args=[project.pk]),
                           {"file": _workbook(["户编号"], [[b.number], [other.number], [b.number]])})
    errors = [str(e) for e in response.context["result"].errors]
    assert errors == [f"第3行「户编号」：户编号 {other.number} 不在项目实施地点张庄村或当前账号的管辖范围内",
                      "第4行「户编号」：与第 2 行重复"]
    assert project.beneficiaries.count() == 1
    response = client.post(reverse("projects:beneficiary_import", args=[project.pk]),
                           {"file": _workbook(["户编号"], [[a.number], [b.number]])})
    assert response.status_code == 302 and project.beneficiaries.count() == 2


def test_detail_queries_do_not_grow_with_rows(login, make_project, make_household, approval, users, regions,
                                              django_assert_max_num_queries):
    from fupin.core.channels import Channel
    from fupin.projects import services

    project = approval.approve(make_project())
    households = [make_household(regions["village_a1"]) for _ in range(5)]
    services.add_beneficiaries(project, households, acting_user=users["county"], channel=Channel.PAGE)
    services.start_implementation(project, date=TODAY(), acting_user=users["county"], channel=Channel.PAGE)
    for n in range(4):
        services.add_milestone(project, date=TODAY(), text=f"节点{n}", progress=n * 20, acting_user=users["county"],
                               channel=Channel.PAGE)
    client = login(users["county"])
    client.get(reverse("projects:detail", args=[project.pk]))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200 and response.content.decode().count("节点") == 4
