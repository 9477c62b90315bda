"""Assistance pages: helpers, pairing, measures, visits, and the phone-first "my households" page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.registry.models import Household

from . import plans, services
from .forms import EndPairingForm, HelperForm, MeasureForm, PairingForm, VisitForm
from .models import Helper, Measure, Pairing, Visit, VisitPhoto

PAGE_SIZE = 50


def _household(request, pk) -> Household:
    return get_object_or_404(Household.objects.visible_to(request.user).select_related("village"), pk=pk)


def helper_list(request):
    helpers = Helper.objects.visible_to(request.user).select_related("region", "user").annotate(
        households=Count("pairings", filter=Q(pairings__end__isnull=True)))
    text = request.GET.get("q", "").strip()
    if text:
        helpers = helpers.filter(Q(name__contains=text) | Q(unit__contains=text))
    page = Paginator(helpers.order_by("region", "name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assistance/helper_list.html", {"page": page, "q": text})


def helper_edit(request, pk=None):
    helper = get_object_or_404(Helper.objects.visible_to(request.user), pk=pk) if pk else Helper()
    form = HelperForm(request.POST or None, instance=helper, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_helper(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"帮扶责任人 {saved} 已保存")
            return redirect("assistance:helper_detail", pk=saved.pk)
    return render(request, "assistance/helper_form.html", {"form": form, "helper": helper})


def helper_detail(request, pk):
    helper = get_object_or_404(Helper.objects.visible_to(request.user).select_related("region"), pk=pk)
    pairings = Pairing.objects.visible_to(request.user).filter(helper=helper).select_related("household")
    visits = Visit.objects.visible_to(request.user).filter(helper=helper).select_related("household")[:30]
    return render(request, "assistance/helper_detail.html", {"helper": helper, "pairings": pairings,
                                                              "visits": visits})


def household(request, pk):
    """One household's assistance: paired helpers, measures and visits."""
    household = _household(request, pk)
    return render(request, "assistance/household.html", {
        "household": household,
        "pairings": Pairing.objects.filter(household=household).select_related("helper"),
        "measures": Measure.objects.filter(household=household).select_related("helper"),
        "visits": Visit.objects.filter(household=household).select_related("helper").prefetch_related("photos"),
        "can_manage": services.can_manage(request.user, household.village_id),
        "end_form": EndPairingForm(initial={"end": timezone.localdate()}),
    })


def pairing_create(request, household_pk):
    household = _household(request, household_pk)
    form = PairingForm(request.POST or None, household=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.pair(form.cleaned_data["helper"], household, start=form.cleaned_data["start"],
                          acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已结对")
            return redirect("assistance:household", pk=household.pk)
    return render(request, "assistance/simple_form.html",
                  {"form": form, "title": f"结对帮扶 · {household.number} {household.head_name}"})


def pairing_end(request, pk):
    pairing = get_object_or_404(Pairing.objects.visible_to(request.user), pk=pk)
    form = EndPairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_pairing(pairing, end=form.cleaned_data["end"], reason=form.cleaned_data["reason"],
                                 acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已取消结对")
            return redirect("assistance:household", pk=pairing.household_id)
    return render(request, "assistance/simple_form.html", {"form": form, "title": f"取消结对 · {pairing}"})


def _after_save(household):
    monitored = services.current_monitored(household)
    if monitored is not None:
        return redirect("monitoring:monitored_detail", pk=monitored.pk)
    return redirect("assistance:household", pk=household.pk)


def measure_edit(request, household_pk=None, pk=None):
    if pk:
        measure = get_object_or_404(Measure.objects.visible_to(request.user).select_related("household"), pk=pk)
    else:
        measure = Measure(household=_household(request, household_pk))
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_measure(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "帮扶措施已保存")
            return _after_save(measure.household)
    household = measure.household
    return render(request, "assistance/simple_form.html",
                  {"form": form, "title": f"帮扶措施 · {household.number} {household.head_name}"})


def visit_helpers(request, household):
    """Whom the visit may be recorded for: the login's own helper profile if paired, else the paired helpers."""
    paired = services.current_pairings(household).values("helper_id")
    own = services.helpers_of(request.user).filter(pk__in=paired)
    return own if own.exists() else Helper.objects.filter(pk__in=paired)


def visit_create(request, household_pk):
    household = get_object_or_404(Household.objects.select_related("village"), pk=household_pk)
    if not (Household.objects.visible_to(request.user).filter(pk=household.pk).exists()
            or services.is_paired_helper(request.user, household)):
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    form = VisitForm(request.POST or None, request.FILES or None, instance=Visit(household=household),
                     helpers=visit_helpers(request, household))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_visit(form.save(commit=False), form.cleaned_data["photos"], acting_user=request.user,
                                  channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已记录对{household.head_name}户的走访")
            if services.helpers_of(request.user).exists():
                return redirect("assistance:my_households")
            return _after_save(household)
    return render(request, "assistance/visit_form.html", {"form": form, "household": household})


def my_households(request):
    today = timezone.localdate()
    pairings = list(plans.mine(request.user, today=today))
    for pairing in pairings:
        pairing.state, pairing.state_text = plans.due_state(pairing, today)
    return render(request, "assistance/my_households.html", {
        "pairings": pairings, "is_helper": services.helpers_of(request.user).exists(),
        "today": timezone.localdate(),
    })


def photo(request, pk):
    stored = get_object_or_404(VisitPhoto.objects.select_related("visit__household"), pk=pk)
    household = stored.visit.household
    if not (Household.objects.visible_to(request.user).filter(pk=household.pk).exists()
            or services.is_paired_helper(request.user, household)):
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    return FileResponse(stored.file.open("rb"), filename=stored.original_name or None)
