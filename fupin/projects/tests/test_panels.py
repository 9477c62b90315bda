from django.template.loader import render_to_string
from django.urls import reverse

from fupin.assistance.panels import MANUAL_SECTIONS
from fupin.core.channels import Channel
from fupin.projects import services


def _benefiting(make_project, make_household, users, regions):
    project = make_project(name="光伏电站", scale="200千瓦")
    household = make_household(regions["village_a1"])
    services.add_beneficiaries(project, [household], note="分红", acting_user=users["county"], channel=Channel.PAGE)
    return project, household


def test_household_file_panel_lists_the_projects_in_scope(client, make_project, make_household, users, regions):
    project, household = _benefiting(make_project, make_household, users, regions)
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="project-panel"' in page and "光伏电站" in page and "分红" in page


def test_manual_section_rows_and_empty(make_project, make_household, users, regions):
    MANUAL_SECTIONS.register("projects/_manual_section.html")
    assert "projects/_manual_section.html" in MANUAL_SECTIONS.templates
    project, household = _benefiting(make_project, make_household, users, regions)
    html = render_to_string("projects/_manual_section.html", {"household": household, "user": users["village_a1"]})
    assert "户脱贫措施及项目规划表" in html and "200千瓦" in html and "35.00" in html and "<script" not in html
    other = make_household(regions["village_a1"])
    html = render_to_string("projects/_manual_section.html", {"household": other, "user": users["village_a1"]})
    assert "manual-empty" in html and "无" in html
