import io

import pytest
from django.urls import reverse

from fupin.core import excel
from fupin.stats.rebuild import rebuild

from .helpers import login


@pytest.fixture
def rebuilt(county_data):
    rebuild("410481", county_data["year"])
    return county_data


def test_board_reads_aggregates_with_fixed_queries(client, rebuilt, users, regions, make_household,
                                                   django_assert_max_num_queries):
    login(client, users["county"])
    url = reverse("stats:board", args=["registry"])
    client.get(url)
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert 'data-testid="card-registry.households"' in body and "数据更新于" in body
    assert "尹集镇" in body and "枣林镇" in body
    for _ in range(5):
        make_household(regions["village_a1"], status="1")
    with django_assert_max_num_queries(12):
        again = client.get(url).content.decode()
    # Nothing counted at page time: the new households appear only after the next rebuild.
    assert again.count("data-testid") == body.count("data-testid")
    town = client.get(url, {"region": regions["town_a"].code}).content.decode()
    assert "张庄村" in town and "枣林镇" not in town.split("stats-children")[1]


def test_township_sees_its_own_township_only(client, rebuilt, users, regions):
    login(client, users["town_a"])
    body = client.get(reverse("stats:board", args=["overview"])).content.decode()
    assert "张庄村" in body and "王庄村" not in body
    assert client.get(reverse("stats:board", args=["overview"]), {"region": regions["town_b"].code}).status_code == 403
    assert client.get(reverse("stats:board", args=["overview"]), {"region": regions["county"].code}).status_code == 403


def test_empty_chart_says_no_data(client, regions, users, db):
    login(client, users["county"])
    body = client.get(reverse("stats:board", args=["money"])).content.decode()
    assert 'data-testid="chart-empty-funds"' in body and "暂无数据" in body and "本年度数据尚未汇总" in body


def test_chart_excel(client, rebuilt, users, regions):
    login(client, users["county"])
    response = client.get(reverse("stats:chart_excel", args=["registry", "households"]))
    assert response.status_code == 200
    path = io.BytesIO(response.content)
    import tempfile
    from pathlib import Path
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        Path(tmp.name).write_bytes(path.getvalue())
        sheet = excel.read(tmp.name)
        rows = [r.cells[:2] for r in sheet.rows]
    assert sheet.header[0] == "区划" and ["尹集镇", "5"] in rows and ["枣林镇", "2"] in rows


def test_overview_page_shows_the_aggregates(client, rebuilt, users):
    login(client, users["county"])
    body = client.get(reverse("registry:dashboard")).content.decode()
    assert 'data-testid="stats-overview"' in body and 'id="stats-charts"' in body and "<script>" not in body
