import io

from python_calamine import CalamineWorkbook

from fupin.oversight.models import Status

PASSWORD = "Test1234pass"


def _client(client, user):
    client.force_login(user)
    return client


def test_list_detail_and_query_counts(client, problem, users, django_assert_max_num_queries):
    for _ in range(5):
        problem()
    c = _client(client, users["town_a"])
    with django_assert_max_num_queries(20):
        response = c.get("/oversight/?status=pending")
    assert response.status_code == 200 and "村级档案" in response.content.decode()
    p = problem()
    with django_assert_max_num_queries(25):
        assert c.get(f"/oversight/problems/{p.pk}/").status_code == 200


def test_other_township_sees_nothing(client, problem, users):
    p = problem()
    c = _client(client, users["town_b"])
    assert c.get(f"/oversight/problems/{p.pk}/").status_code == 404
    assert "村级档案" not in c.get("/oversight/").content.decode()


def test_statistics_export_layout(client, problem, users):
    problem()
    response = _client(client, users["county"]).get("/oversight/statistics/export/")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert "问题整改统计表" in rows[0][0] and rows[1][0].startswith("填报单位")
    assert rows[2][1] == "合计" and rows[3][1] == "问题数"
    assert any(r[0] == "合计" for r in rows)


def test_api_flow_and_wrong_level(api_client, problem, users):
    p = problem()
    village = api_client(users["village_a1"])
    r = village.post(f"/api/oversight/problems/{p.pk}/progress", {"text": "已补齐"}, content_type="application/json")
    assert r.status_code == 201, r.content
    p.refresh_from_db()
    p.measures = "补档"
    p.save()
    assert village.post(f"/api/oversight/problems/{p.pk}/submit", {}, content_type="application/json").status_code == 200
    assert village.post(f"/api/oversight/problems/{p.pk}/sign-off", {},
                        content_type="application/json").status_code == 403
    town = api_client(users["town_a"])
    r = town.post(f"/api/oversight/problems/{p.pk}/sign-off", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == Status.CLOSED
    assert api_client(users["town_b"]).get(f"/api/oversight/problems/{p.pk}").status_code == 404


def test_cli_import_errors_name_row_and_column(tmp_path, regions, capsys):
    import pytest
    from django.core.management import CommandError, call_command

    from fupin.core import excel
    from fupin.oversight.imports import HEADERS
    from fupin.oversight.models import Problem

    good = ["督查巡查", "督查通报", regions["village_a1"].code, "", "", "基础工作", "", "档案不全", "张庄村委会",
            "", "", "", ""]
    bad = ["督查巡查", "", "999999999999", "", "", "乱写", "", "x", "y", "", "", "", ""]
    path = tmp_path / "list.xlsx"
    excel.write_table(path, "问题清单", [excel.Col(h) for h in HEADERS], [good, bad])
    with pytest.raises(CommandError):
        call_command("problems_import", str(path), "--json")
    out = capsys.readouterr().out
    assert '"row": 3' in out and "区划代码" in out and "问题类别" in out
    assert not Problem.objects.exists()
    excel.write_table(path, "问题清单", [excel.Col(h) for h in HEADERS], [good])
    call_command("problems_import", str(path), "--json")
    assert Problem.objects.count() == 1
    call_command("problems_list", "--json")
    assert "档案不全" in capsys.readouterr().out
