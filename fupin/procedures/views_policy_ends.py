"""退出享受政策台账 pages: the ledger (filters, pagination, Excel export) and the county's 公告 of rows not yet
announced. Thin callers of ``notices.announce_policy_ends`` over ``visible_to()``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone

from fupin.audit.models import Channel
from fupin.jobs import exports
from fupin.regions.models import Level

from . import notices, services
from .jobs import policy_end_export
from .models import NoticeItem, PolicyEnd
from .policy_ends import filter_policy_ends

PAGE_SIZE = 50
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AnnounceForm(forms.Form):
    start_date = forms.DateField(label="公告开始", widget=DATE)
    end_date = forms.DateField(label="公告截止", widget=DATE)
    title = forms.CharField(label="标题", required=False, max_length=200, help_text="留空按“某县稳定脱贫户退出享受政策公告”生成")
    contact = forms.CharField(label="咨询电话/地点", required=False, max_length=200)


def policy_end_list(request):
    queryset = PolicyEnd.objects.visible_to(request.user).select_related("household", "village", "decided_by")
    queryset, form = filter_policy_ends(queryset, request.GET)
    is_county = services.user_level(request.user) == Level.COUNTY and request.user.can_write
    today = timezone.localdate()
    announce_form = AnnounceForm(request.POST if request.method == "POST" else None,
                                 initial={"start_date": today, "end_date": today})
    if request.method == "POST" and announce_form.is_valid():
        ids = [int(i) for i in request.POST.getlist("policy_ends") if i.isdigit()]
        data = announce_form.cleaned_data
        try:
            notice = notices.announce_policy_ends(
                queryset.filter(pk__in=ids), start_date=data["start_date"], end_date=data["end_date"],
                title=data["title"], contact=data["contact"], acting_user=request.user, channel=Channel.PAGE,
            )
        except (PermissionDenied, ValidationError) as exc:
            for message in [str(exc)] if isinstance(exc, PermissionDenied) else exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "已生成公告草稿，核对后发布")
            return redirect("procedures:notice_detail", pk=notice.pk)
    items = NoticeItem.objects.select_related("notice").order_by("-notice__start_date")
    page = Paginator(queryset.prefetch_related(Prefetch("notice_items", queryset=items)), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "procedures/policy_end_list.html", {
        "page": page, "form": form, "announce_form": announce_form, "is_county": is_county,
    })


policy_end_export_view = exports.view(policy_end_export)
