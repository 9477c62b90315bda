"""The phone survey with no signal: the answer sheet is queued on the phone (待发送), sent once the phone is online
(已发送), and a resend answers the sheet already recorded instead of a second one (the same queue as the visits)."""

import pytest
from playwright.sync_api import expect

from fupin.assessment.models import AnswerSheet, SampleHousehold


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_offline_survey_is_queued_and_sent_once(page_as, live_server, users, assessment):
    sample = SampleHousehold.objects.filter(assessment=assessment, stratum="exited").first()
    phone = page_as(users["county"])
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/assessment/samples/{sample.pk}/survey/")
    phone.context.set_offline(True)
    for code, value in (("A1", "是"), ("A2", "是"), ("A3", "是"), ("B2", "是"), ("B3", "否"), ("C1", "认可"),
                        ("C2", "满意"), ("C3", "基本认可"), ("C4", "满意")):
        phone.check(f"input[name={code}][value={value}]")
    phone.get_by_test_id("save-survey").click()
    queued = phone.get_by_test_id("queued-survey")
    expect(queued).to_have_count(1)
    expect(queued.get_by_test_id("queue-state")).to_contain_text("待发送")
    expect(phone.get_by_test_id("queue-note")).to_contain_text("恢复信号后自动发送")
    assert not AnswerSheet.objects.exists()

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(queued.get_by_test_id("queue-state")).to_contain_text("已发送")
    sheet = AnswerSheet.objects.get(sample=sample)
    assert sheet.answers.get(question__code="B2").value == "是"

    phone.get_by_test_id("resend").click()
    expect(queued.get_by_test_id("queue-state")).to_contain_text("已发送")
    phone.wait_for_timeout(500)
    assert AnswerSheet.objects.count() == 1
    phone.goto(f"{live_server.url}/assessment/mine/?assessment={assessment.pk}")
    expect(phone.get_by_test_id("queued-survey").get_by_test_id("queue-state")).to_contain_text("已发送")
