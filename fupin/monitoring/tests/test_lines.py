"""The monitoring ranges from 2020 on are configuration with their source, and a year without one is refused in
Chinese on the run page, the API and the CLI instead of running silently (issue 10, §2)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from conftest import PASSWORD
from fupin.core.channels import Channel
from fupin.monitoring import services
from fupin.monitoring.models import Family, Run
from fupin.procedures.models import LineKind, PovertyLine

MISSING = "2019年度未设置防返贫监测范围，请先在标准管理中设置"


def test_edge_line_of_2020_and_the_national_ranges_are_seeded_with_their_source(db):
    seeded = {line.year: line for line in PovertyLine.objects.filter(kind=LineKind.MONITORING, region=None)}
    assert seeded[2020].amount == 5000
    assert "四不摘" in seeded[2020].document and "000_33450529595b036f" in seeded[2020].note
    assert seeded[2021].amount == 6000 and "中农组发〔2021〕7号" in seeded[2021].document
    for year in (2022, 2024):
        assert "待核实" in seeded[year].note
    assert 2019 not in seeded


def test_a_year_without_a_line_is_refused_everywhere(regions, users, api_client, client, db):
    with pytest.raises(ValidationError, match=MISSING):
        services.run(Family.MONITORING, regions["county"], 2019, acting_user=users["county"], channel=Channel.PAGE)
    assert not Run.objects.exists()
    # Data-quality checks read no line and still run.
    services.run(Family.QUALITY, regions["county"], 2019, acting_user=users["county"], channel=Channel.PAGE)
    with pytest.raises(CommandError, match=MISSING):
        call_command("monitor_run", "--region", regions["county"].code, "--year", "2019", "--json")
    response = api_client(users["county"]).post(
        "/api/monitoring/runs", {"region": regions["county"].code, "year": 2019}, content_type="application/json")
    assert response.status_code == 422 and MISSING in response.json()["detail"]
    assert client.login(username=users["county"].username, password=PASSWORD)
    page = client.post("/monitoring/runs/", {"region": regions["county"].pk, "year": 2019, "family": "monitoring"})
    assert page.status_code == 200 and MISSING in page.content.decode()
