"""Alerts are graded 一般/较重/严重 by the rules' configurable bands, and name what failed in Chinese — the rule,
the figure, the parameter by its name and value, the 两不愁三保障 item — on the pages, the export, the API and the
CLI, while the API keeps the raw figures for scripts (issue 10, §2)."""

import io
import json

from django.core.management import call_command
from python_calamine import CalamineWorkbook

from conftest import PASSWORD
from fupin.audit.models import Channel
from fupin.monitoring import services
from fupin.monitoring.models import Alert, Family, Parameter, Rule, Severity

from .conftest import YEAR

SECURE = {"food_secure": True, "clothing_secure": True, "education_secure": True, "medical_secure": True,
          "housing_secure": True, "water_secure": True}
RAW_KEYS = ("monitoring_line", "per_capita_income", "p_", ":income", "security_unmet", "security_failed")


def run(regions, users):
    return services.run(Family.MONITORING, regions["county"], YEAR, acting_user=users["county"], channel=Channel.PAGE)


def test_income_alerts_are_graded_by_how_far_below_the_line(household, regions, users):
    # Line 7000, poverty line 4500 (conftest); 较重 below 7000 × (1 − 15 %) = 5950, 严重 below the poverty line.
    slight = household(regions["village_a1"], income=6900, last=6900)
    far = household(regions["village_a1"], income=5000, last=5000)
    poorest = household(regions["village_a1"], income=4000, last=4000)
    run(regions, users)
    grades = {h: Alert.objects.get(household=h).severity for h in (slight, far, poorest)}
    assert grades == {slight: Severity.LOW, far: Severity.MEDIUM, poorest: Severity.HIGH}
    assert Alert.objects.get(household=slight).get_severity_display() == "一般"


def test_bands_are_data_edited_on_the_rule_page(household, regions, users, client):
    h = household(regions["village_a1"], income=6900, last=6900)
    national = Rule.objects.get(code="M01", region=None)
    assert client.login(username=users["admin"].username, password=PASSWORD)
    page = client.get(f"/monitoring/rules/{national.pk}/?override=1").content.decode()
    assert "较重条件" in page and "严重条件" in page
    form = {"family": national.family, "code": "M01", "name": national.name, "condition": national.condition,
            "severity": 1, "region": regions["county"].code, "enabled": "on"}
    response = client.post("/monitoring/rules/new/", {
        **form, "heavier_condition": "per_capita_income < :no_such_parameter", "severe_condition": ""})
    assert "未定义的参数" in response.content.decode()
    client.post("/monitoring/rules/new/", {
        **form, "heavier_condition": "", "severe_condition": "per_capita_income < monitoring_line"})
    county = Rule.objects.get(code="M01", region=regions["county"])
    assert county.severe_condition == "per_capita_income < monitoring_line"
    run(regions, users)
    assert Alert.objects.get(household=h).severity == Severity.HIGH
    assert "严重：" in client.get("/monitoring/rules/").content.decode()


def test_the_alert_names_the_failing_item_figure_and_parameter_in_chinese(household, regions, users, client,
                                                                          api_client, capsys):
    h = household(regions["village_a1"], income=4812, last=9000, security={**SECURE, "water_secure": False})
    run(regions, users)
    alert = Alert.objects.get(household=h)
    assert set(alert.rule_codes) >= {"M01", "M02", "M09"}
    assert client.login(username=users["county"].username, password=PASSWORD)
    detail = client.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    reason = detail.split('data-testid="explanation"')[1].split("</div></div>")[0]
    for text in ("本年人均纯收入", "4,812 元", "本年监测范围", "7,000 元/人", "收入大幅下降幅度", "30%",
                 "饮水安全有保障", "两不愁三保障出现问题"):
        assert text in reason, text
    for key in RAW_KEYS:
        assert key not in reason, key
    listing = client.get("/monitoring/alerts/").content.decode()
    assert "4,812 元" in listing and "p_income_drop_pct" not in listing
    rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/monitoring/alerts/export/").content)) \
        .get_sheet_by_index(0).to_python()
    header, row = rows[0], rows[1]
    figures = row[header.index("触发数据")]
    assert "饮水安全有保障" in figures and "4,812 元" in figures
    assert all(key not in figures for key in RAW_KEYS)
    api = api_client(users["county"]).get(f"/api/monitoring/alerts/{alert.pk}").json()
    assert api["figures"]["M01"] == {"per_capita_income": 4812.0, "monitoring_line": 7000.0}
    assert api["severity_label"] in ("一般", "较重", "严重") and "饮水安全有保障" in api["reason"]
    call_command("monitor_alerts", "--json")
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["figures"]["M09"]["security_failed"] == "饮水安全有保障"
    assert "饮水安全有保障" in line["reason"] and line["severity_label"]


def test_run_warnings_name_missing_parameters_in_chinese(household, regions, users):
    household(regions["village_a1"], income=6900, last=6900)
    Parameter.objects.filter(code="income_drop_pct").delete()
    warnings = " ".join(run(regions, users).warnings)
    assert "“收入大幅下降幅度”" in warnings and "income_drop_pct" not in warnings


def test_leads_are_graded_general_until_verified(household, regions, users):
    h = household(regions["village_a1"], income=9000, last=9000)
    lead = services.create_lead(h, source="cadre", description="户主务工受伤", acting_user=users["village_a1"],
                                channel=Channel.PAGE)
    assert lead.get_severity_display() == "一般"
