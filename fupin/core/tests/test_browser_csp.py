"""The pages still work under the Content-Security-Policy (fupin/core/middleware.py), in headless Chromium: charts,
Swagger UI, the shared data-* behaviours of fupin.js; and the browser reports no blocked script or style."""

import pytest
from django.core.management import call_command

from fupin.registry.choices import HouseholdStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def watched(page_as):
    """``watched(user)``: a logged-in page, plus the list of CSP violations the browser reports on it."""

    def open_as(user):
        page = page_as(user)
        violations = []
        page.on("console", lambda message: violations.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text else None)
        return page, violations

    return open_as


def test_charts_swagger_and_page_behaviours_run_under_the_csp(watched, live_server, make_household, regions, users):
    household = make_household(regions["village_a1"], head_name="张建国")
    make_household(regions["village_a1"], head_name="李脱贫", status=HouseholdStatus.EXITED, exit_year=2020,
                   enjoys_policy=True)
    page, violations = watched(users["county"])

    call_command("stats_rebuild")  # the dashboards read the aggregates (by name: core tests import no app above)
    page.goto(f"{live_server.url}/stats/")
    page.locator("[data-chart] canvas").first.wait_for()  # ECharts drew (the script file ran, after echarts)

    page.goto(f"{live_server.url}/api/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()

    # <form data-confirm>: dismissing the question keeps the household.
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="删除该户").click()
    page.wait_for_timeout(300)
    assert asked == ["确定删除该户及其全部成员？删除记录将保留在操作日志中。"]
    assert "/registry/households/" in page.url and household.__class__.objects.filter(pk=household.pk).exists()

    # <input data-check-all>: ticks every household of the list.
    page.goto(f"{live_server.url}/procedures/end-policies/")
    page.locator("input[data-check-all=households]").check()
    boxes = page.locator("input[name=households]")
    assert boxes.count() == 1 and boxes.first.is_checked()

    # <select data-autosubmit>: choosing a rule reloads the dashboard for it.
    page.goto(f"{live_server.url}/comparison/dashboard/")
    code = page.locator("select[name=rule] option").nth(1).get_attribute("value")  # the built-in rules
    page.locator("select[name=rule]").select_option(code)
    page.wait_for_url(f"**/comparison/dashboard/?rule={code}")

    assert violations == []


def test_an_injected_inline_script_is_blocked(watched, live_server, users):
    """The policy is really enforced: a script written into the page does not run."""
    page, violations = watched(users["county"])
    page.goto(f"{live_server.url}/registry/overview/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in violations)
