import datetime as dt

import pytest
from django.db.models import F

from fupin.core import throttle
from fupin.core.models import ThrottleHit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.FUPIN_THROTTLES = {"form_ip": (3, 600), "form_target": (5, 3600)}


def test_a_key_is_refused_past_its_limit_and_the_refusal_counts_nothing():
    assert [throttle.hit(form_ip="1.2.3.4") for _ in range(4)] == [None, None, None, "form_ip"]
    assert ThrottleHit.objects.filter(key="1.2.3.4").count() == 3
    assert throttle.hit(form_ip="5.6.7.8") is None  # another key has its own count


def test_the_window_slides():
    for _ in range(3):
        throttle.hit(form_ip="1.2.3.4")
    ThrottleHit.objects.update(time=F("time") - dt.timedelta(seconds=601))
    assert throttle.hit(form_ip="1.2.3.4") is None
    assert ThrottleHit.objects.count() == 1  # the expired hits are gone


def test_one_scope_refusing_records_no_hit_under_the_others():
    for ip in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        assert throttle.hit(form_ip=ip, form_target="notice-1") is None
    assert throttle.hit(form_ip="6.6.6.6", form_target="notice-1") == "form_target"
    assert not ThrottleHit.objects.filter(key="6.6.6.6").exists()
    assert throttle.hit(form_ip="6.6.6.6", form_target="notice-2") is None


def test_the_client_address_behind_our_proxy_only(rf, settings):
    settings.FUPIN_TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]
    forged_chain = "6.6.6.6, 203.0.113.9, 10.1.2.3"  # the client wrote 6.6.6.6; our proxies added the rest
    assert throttle.client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged_chain)) == "203.0.113.9"
    assert throttle.client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    # Straight from the internet, a forwarded header is the client's own word: ignored.
    assert throttle.client_ip(rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.1.1.1")) == "198.51.100.7"
    settings.FUPIN_TRUSTED_PROXIES = []
    assert throttle.client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")) == "127.0.0.1"
