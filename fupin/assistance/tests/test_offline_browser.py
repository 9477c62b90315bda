"""The phone visit page with no signal: the visit is queued on the phone (待发送), sent once the phone is online
(已发送), and a resend answers the visit already recorded instead of a second one."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from fupin.accounts.models import Role, User
from fupin.assistance.models import Helper, Pairing, Visit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_offline_visit_is_queued_and_sent_once(page_as, live_server, household, regions):
    h = household(regions["village_a1"], income=9000, head_name="吴长顺")
    account = User.objects.create_user("bangfu_off", password=PASSWORD, role=Role.VILLAGE,
                                       region=regions["village_a1"], full_name="郑帮扶")
    helper = Helper.objects.create(name="郑帮扶", unit="县交通局", region=regions["town_a"], user=account)
    Pairing.objects.create(helper=helper, household=h, village=regions["village_a1"], start=timezone.localdate())

    phone = page_as(account)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/assistance/households/{h.pk}/visits/new/")
    phone.context.set_offline(True)
    phone.fill("textarea[name=content]", "无信号时入户走访，了解务工收入")
    phone.set_input_files("input[name=photos]", files=[
        {"name": "offline.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0offline-jpeg"}])
    phone.get_by_test_id("save-visit").click()
    queued = phone.get_by_test_id("queued-visit")
    expect(queued).to_have_count(1)
    expect(queued.get_by_test_id("queue-state")).to_contain_text("待发送")
    expect(phone.get_by_test_id("queue-note")).to_contain_text("恢复信号后自动发送")
    assert not Visit.objects.filter(household=h).exists()

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(queued.get_by_test_id("queue-state")).to_contain_text("已发送")
    visit = Visit.objects.get(household=h)
    assert visit.client_uuid is not None and visit.photos.count() == 1 and "务工收入" in visit.content

    # A resend (as after an answer lost on a poor signal) gets the same visit back.
    phone.get_by_test_id("resend").click()
    expect(queued.get_by_test_id("queue-state")).to_contain_text("已发送")
    phone.wait_for_timeout(500)
    assert Visit.objects.filter(household=h).count() == 1
    # The queue shows on the helper's page too, with the state kept on the phone.
    phone.goto(f"{live_server.url}/assistance/mine/")
    expect(phone.get_by_test_id("queued-visit").get_by_test_id("queue-state")).to_contain_text("已发送")
