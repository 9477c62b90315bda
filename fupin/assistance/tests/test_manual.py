"""扶贫手册: the household's PDF from the live register (members with masked IDs, income against the lines, helpers,
the village's team, measures, visits, registered sections), the shipped font, scope, the village batch job, CLI."""

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, new_id
from fupin.assistance import manual, manual_jobs, services
from fupin.assistance.models import Helper, Measure, MeasureKind, TeamMember, TeamRole, Visit, WorkTeam
from fupin.assistance.panels import MANUAL_SECTIONS
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.jobs.models import Job, Status
from fupin.monitoring.tests.conftest import YEAR

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")

PAGE = Channel.PAGE
RARE_NAME = "龚䶮"  # CJK Ext-A, as in real names


def text_of(data: bytes, tmp_path, name="m.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")


def fonts_of(data: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def section(settings, tmp_path):
    """A section as an app above assistance registers it (projects, credit …)."""
    folder = tmp_path / "templates" / "projects"
    folder.mkdir(parents=True)
    (folder / "_manual_section.html").write_text(
        '<section class="manual-section"><h2>到户项目</h2><table class="manual-table"><tr><td>'
        "{{ household.number }}的光伏扶贫项目</td></tr></table></section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}]
    MANUAL_SECTIONS.register("projects/_manual_section.html")
    yield
    MANUAL_SECTIONS.templates.remove("projects/_manual_section.html")


@pytest.fixture
def home(household, regions, users):
    """A household of 张庄村 with two members, a year's income, a helper, a team, a measure and a visit."""
    spouse_id = new_id(dt.date(1982, 3, 9))
    h = household(regions["village_a1"], income=9000, last=7000, head_name=RARE_NAME, extra=[("欧阳淼", spouse_id, "10")],
                  security={"housing_secure": False, "house_grade": "C"}, phone="13812345678")
    helper = services.save_helper(Helper(name="王帮扶", unit="县教育局", region=regions["town_a"], phone="13900001111"),
                                  acting_user=users["town_a"], channel=PAGE)
    services.pair(helper, h, start=timezone.localdate(), acting_user=users["village_a1"], channel=PAGE)
    services.save_measure(Measure(household=h, kind=MeasureKind.INDUSTRY, content="发放鸡苗200只", amount=3000,
                                  date=dt.date(YEAR, 4, 1), helper=helper),
                          acting_user=users["village_a1"], channel=PAGE)
    services.record_visit(Visit(household=h, helper=helper, date=timezone.localdate(), content="宣讲政策，核实收入"),
                          acting_user=users["village_a1"], channel=PAGE)
    team = WorkTeam.objects.create(village=regions["village_a1"], name="张庄村驻村工作队", lead_unit="县财政局",
                                   start=dt.date(YEAR - 1, 3, 1))
    TeamMember.objects.create(team=team, village=regions["village_a1"], name="李书记", unit="县财政局",
                              role=TeamRole.FIRST_SECRETARY, term_start=dt.date(YEAR - 1, 3, 1),
                              term_end=dt.date(YEAR + 1, 3, 1))
    return {"household": h, "spouse_id": spouse_id, "head_id": h.head_id_number}


def test_the_manual_shows_the_register_masked_in_the_shipped_font(home, users, section, tmp_path):
    h = home["household"]
    response = login(users["village_a1"]).get(f"/assistance/households/{h.pk}/manual/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    # Cover and family, members with masked ID numbers, the rare name character.
    assert "扶贫手册" in text and "舞钢市" in text and "尹集镇" in text and "张庄村" in text and h.number in text
    assert RARE_NAME in text and "欧阳淼" in text
    assert home["spouse_id"] not in text and home["head_id"] not in text
    assert f"{home['spouse_id'][:6]}********{home['spouse_id'][-4:]}" in text
    assert "13812345678" not in text and "138****5678" in text
    # Income accounting of the year against the lines: 9000 per person, two people; the lines of the fixture.
    assert f"{YEAR}年度" in text and "18,000.00" in text and "9,000.00" in text and "4,500.00" in text
    assert "高于标准" in text
    assert "未保障" in text  # the housing check
    # Helpers and the team, measures by kind, visits, the registered section, page numbers and the print date.
    assert "王帮扶" in text and "县教育局" in text and "李书记" in text and "第一书记" in text
    assert "产业帮扶" in text and "发放鸡苗200只" in text and "宣讲政策" in text
    assert f"{h.number}的光伏扶贫项目" in text
    assert "第1页/共" in text and f"打印日期{timezone.localdate():%Y-%m-%d}" in text
    fonts = fonts_of(response.content, tmp_path)
    assert "SourceHanSansSC" in fonts and "Noto" not in fonts
    entry = AuditLog.objects.filter(object_repr__startswith="导出扶贫手册").latest("pk")
    assert entry.user == users["village_a1"] and "脱敏" in entry.note


def test_full_id_numbers_only_for_register_staff(home, users, tmp_path):
    h = home["household"]
    full = login(users["village_a1"]).get(f"/assistance/households/{h.pk}/manual/?full=1")
    assert full.status_code == 200 and home["spouse_id"] in text_of(full.content, tmp_path)
    assert login(users["leader"]).get(f"/assistance/households/{h.pk}/manual/?full=1").status_code == 403
    assert login(users["leader"]).get(f"/assistance/households/{h.pk}/manual/").status_code == 200


def test_another_village_answers_404(home, users, api_client):
    h = home["household"]
    assert login(users["village_b1"]).get(f"/assistance/households/{h.pk}/manual/").status_code == 404
    assert api_client(users["village_b1"]).get(f"/api/assistance/households/{h.pk}/manual").status_code == 404
    assert login(users["town_b"]).get(f"/assistance/households/{h.pk}/manual/").status_code == 404


def test_api_returns_the_pdf(home, users, api_client, tmp_path):
    h = home["household"]
    response = api_client(users["town_a"]).get(f"/api/assistance/households/{h.pk}/manual?year={YEAR - 1}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    assert f"{YEAR - 1}年度" in text and "7,000.00" in text


def test_the_household_file_shows_what_the_manual_adds(home, users):
    h = home["household"]
    page = login(users["village_a1"]).get(f"/registry/households/{h.pk}/").content.decode()
    assert 'data-testid="manual-panel"' in page and f"/assistance/households/{h.pk}/manual/" in page
    assert "扶贫标准（贫困线）" in page or "扶贫标准" in page
    assert "李书记" in page and "发放鸡苗200只" in page and "宣讲政策" in page
    assistance = login(users["village_a1"]).get(f"/assistance/households/{h.pk}/").content.decode()
    assert f"/assistance/households/{h.pk}/manual/" in assistance


@pytest.fixture
def village(household, regions, home):
    for n in range(3):
        household(regions["village_a1"], income=8000 + n, head_name=f"户主{n}")
    household(regions["village_a2"], income=8000, head_name="别村户主")
    return regions["village_a1"]


def test_the_village_batch_job_prints_every_household_with_progress(village, users, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    client = login(users["village_a1"])
    assert 'name="village"' in client.get("/assistance/manuals/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assistance/manuals/", {"village": village.code, "format": "pdf"})
    job = Job.objects.get(kind=manual_jobs.KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Status.SUCCEEDED and job.total == 4 and job.done == 4 and job.result["households"] == 4
    text = text_of(open(job.result_file, "rb").read(), tmp_path)
    assert all(name in text for name in (RARE_NAME, "户主0", "户主1", "户主2")) and "别村户主" not in text
    assert text.count("第1页/共") == 4  # each household's manual numbers its own pages
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Not a village of the account's scope.
    assert client.post("/assistance/manuals/", {"village": "410481101201"}).status_code == 404


def test_the_cli_prints_a_zip_per_household(village, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "zhangzhuang.zip"
    call_command("manual_print", "--village", village.code, str(target), stdout=out, stderr=err)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert len(names) == 4 and all(n.endswith(".pdf") for n in names)
        assert any(RARE_NAME in n for n in names)
        assert archive.read(names[0]).startswith(b"%PDF")
    assert "4/4" in err.getvalue() and "每户" in err.getvalue() and "4 户" in out.getvalue()


def test_the_cli_pdf_and_its_refusals(village, users, tmp_path):
    target = tmp_path / "all.pdf"
    call_command("manual_print", "--village", village.code, str(target), "--user", users["village_a1"].username,
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert target.read_bytes().startswith(b"%PDF")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不在管辖范围"):
        call_command("manual_print", "--village", village.code, str(target), "--user", users["village_b1"].username)
    with pytest.raises(CommandError, match=".pdf 或 .zip"):
        call_command("manual_print", "--village", village.code, str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="完整证件号码"):
        call_command("manual_print", "--village", village.code, str(target), "--full", "--user",
                     users["leader"].username)


def test_manual_data_masks_by_default(home, users):
    data = manual.household_data(home["household"], users["village_a1"])
    assert all("*" in m.id_shown for m in data["members"])
    assert data["income"].above_poverty is True and data["teams"][0].name == "张庄村驻村工作队"
