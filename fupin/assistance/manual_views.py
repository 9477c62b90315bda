"""扶贫手册 pages: one household's PDF (from the household file and the assistance page) and a village's manuals
as a background job. Thin callers of ``manual``."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header

from fupin.core.channels import Channel
from fupin.regions.models import Level, Region
from fupin.registry.models import Household

from . import manual, manual_jobs


def _year(request) -> int | None:
    value = request.GET.get("year", "")
    if not value:
        return None
    if not value.isdigit() or not 1990 <= int(value) <= 2100:
        raise Http404("年度无效")
    return int(value)


def pdf_response(household: Household, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    # Shown in the browser (to print); saved under the household's name.
    response["Content-Disposition"] = content_disposition_header(False, manual.filename(household))
    return response


def household_manual(request, pk):
    household = get_object_or_404(Household.objects.visible_to(request.user).select_related("village"), pk=pk)
    data = manual.household_pdf(household, request.user, full=request.GET.get("full") == "1", year=_year(request),
                                channel=Channel.PAGE)
    return pdf_response(household, data)


def village_manuals(request):
    """Choose a village of one's scope and the form (one PDF or a zip); the job page shows progress."""
    villages = Region.objects.visible_to(request.user).filter(level=Level.VILLAGE, active=True).order_by("code")
    if request.method == "POST":
        village = get_object_or_404(villages, code=request.POST.get("village", ""))
        if request.POST.get("full") == "1":
            manual.ensure_may_print_full(request.user, village.code)
        job = manual_jobs.start(village, request.user, as_zip=request.POST.get("format") == "zip",
                                full=request.POST.get("full") == "1")
        return redirect("jobs:detail", pk=job.pk)
    chosen = request.GET.get("village") or (request.user.region_id if request.user.region_id else "")
    return render(request, "assistance/manual_village.html", {
        "villages": villages[:2000], "chosen": chosen,
        "may_full": manual.may_print_full(request.user, request.user.region_id or ""),
    })
