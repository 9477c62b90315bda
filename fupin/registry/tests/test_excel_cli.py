"""``fupin import households`` / ``fupin import regions`` / ``fupin export households|members``."""

import io
import json

import pytest
import python_calamine
from django.core.management import CommandError, call_command

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.cli import main
from fupin.core.channels import Channel
from fupin.registry.models import Household, Member
from fupin.registry.tests.test_import_export import row, workbook


def test_cli_import_prints_a_summary_and_audits_as_cli(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811002010001", regions["village_a1"].code, "张三", new_id())])
    out = io.StringIO()
    call_command("import_households", str(path), "--user", "cun_a1", stdout=out)
    assert "导入成功：新增 1 户、1 人" in out.getvalue()
    assert AuditLog.objects.filter(channel=Channel.CLI, user=users["village_a1"], object_type="member").count() == 1


def test_cli_import_errors_exit_1_with_json_and_error_workbook(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811012010001", regions["village_b1"].code, "张三", new_id())])
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_households", str(path), "--user", "cun_a1", "--json", stdout=out)
    assert raised.value.returncode == 1
    data = json.loads(out.getvalue())
    assert data["error_count"] == 1 and data["errors"][0]["row"] == 2 and data["errors"][0]["column"] == "村代码"
    error_file = tmp_path / "导入-错误清单.xlsx"
    assert data["error_file"] == str(error_file) and error_file.is_file()
    assert not Household.objects.exists()


def test_fupin_two_word_command_and_exit_code(users, regions, tmp_path, capsys):
    path = workbook(tmp_path, [row("4104811002990001", "410481100299", "张三", new_id())])
    with pytest.raises(SystemExit) as exited:
        main(["import", "households", str(path)])
    assert exited.value.code == 1
    assert "村代码" in capsys.readouterr().out


def test_cli_import_without_user_acts_as_the_system(users, regions, tmp_path):
    path = workbook(tmp_path, [row("4104811012010001", regions["village_b1"].code, "张三", new_id())])
    call_command("import_households", str(path), stdout=io.StringIO())
    log = AuditLog.objects.get(object_type="household")
    assert (log.channel, log.user, log.region_code) == (Channel.CLI, None, regions["village_b1"].code)


def test_cli_region_import(users, regions, tmp_path):
    from fupin.core import excel

    path = tmp_path / "regions.csv"
    path.write_text("代码,名称,级别\n410481102000,八台镇,乡镇\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_regions", str(path), "--user", "guanli", stdout=out)
    assert "新增 1 个" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), "--user", "xian", stdout=io.StringIO())
    assert excel.read(path).header == ["代码", "名称", "级别"]


def test_cli_exports_by_region_and_user(users, regions, make_household, tmp_path):
    a = make_household(regions["village_a1"])
    make_household(regions["village_b1"])
    target = tmp_path / "households.xlsx"
    out = io.StringIO()
    call_command("export_households", str(target), "--region", regions["town_a"].code, stdout=out)
    assert "已导出 1 行" in out.getvalue()
    sheet = python_calamine.load_workbook(str(target)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == a.number and a.head_id_number not in sheet[1]

    call_command("export_households", str(target), "--user", "cun_b1", stdout=out)
    assert "已导出 1 行" in out.getvalue().splitlines()[-1]

    members = tmp_path / "members.xlsx"
    call_command("export_members", str(members), "--user", "xian", "--full-ids", stdout=out)
    ids = [r[python_calamine.load_workbook(str(members)).get_sheet_by_index(0).to_python()[0].index("证件号码")]
           for r in python_calamine.load_workbook(str(members)).get_sheet_by_index(0).to_python()[1:]]
    assert sorted(ids) == sorted(Member.objects.values_list("id_number", flat=True))
    assert AuditLog.objects.filter(action="export", channel=Channel.CLI, note__contains="完整证件号码").count() == 1
    with pytest.raises(CommandError):
        call_command("export_members", str(members), "--user", "lingdao", "--full-ids", stdout=out)
