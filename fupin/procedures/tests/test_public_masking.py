"""Public notice pages show no ID number, phone, bank account or health condition of anyone in the household."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from conftest import new_id
from fupin.core.channels import Channel
from fupin.procedures import notices
from fupin.procedures.models import NoticeKind
from fupin.registry.choices import HouseholdStatus

from .test_views import _to_notice_step


def test_public_notice_pages_show_no_phone_id_bank_or_health(regions, household, accounts, users):
    sick_id = new_id()
    applicant = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱",
                          extra=[("刘小病", sick_id, "20", {"health": "2,4", "disability_cert": sick_id + "41"})])
    accounts(applicant, 2000)
    procedure = _to_notice_step(applicant, users)
    village = users["village_a1"]
    today = timezone.localdate()
    notice = notices.publish_notice(
        notices.create_notice(kind=NoticeKind.PUBLICITY, procedures=[procedure], start_date=today,
                              end_date=today + dt.timedelta(days=6), acting_user=village, channel=Channel.PAGE),
        acting_user=village, channel=Channel.PAGE,
    )
    public = Client()  # no login
    pages = [public.get("/public/notices/", {"region": regions["village_a1"].code}),
             public.get(f"/public/notices/{notice.pk}/")]
    assert all(page.status_code == 200 for page in pages)
    head_id = applicant.members.get(relation="01").id_number
    for page in pages:
        body = page.content.decode()
        assert notice.title in body
        for secret in (head_id, head_id[-6:], sick_id, sick_id[-6:], applicant.phone, "138****0000",
                       applicant.bank_account, "长期慢性病", "残疾", "刘小病"):
            assert secret not in body, secret
