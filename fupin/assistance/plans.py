"""走访计划: how often each paired household is to be visited (by its kind — 监测对象, 未脱贫户, 脱贫户, others — a
figure configured by year and region, ``parameters``) and, per current pairing, the next visit due counted from the
pairing helper's last visit (or from the pairing's start). Set-based: the interval and the cut-off date of each
pairing come from one ``Case`` over the configured rows, most specific region first, so a township's overdue list is
one query however many counties' figures apply."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Case, CharField, DateField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.regions.models import region_prefix
from fupin.registry.choices import HouseholdType

from .models import ParameterCode, Visit
from .parameters import Resolver
from .services import current_pairings, my_households

SOON_DAYS = 7


class HouseholdKind:
    MONITORED = "monitored"
    POOR = "poor"
    EXITED = "exited"
    ORDINARY = "ordinary"
    CHOICES = ((MONITORED, _("监测对象")), (POOR, _("未脱贫户")), (EXITED, _("脱贫户")), (ORDINARY, _("其他结对户")))
    LABELS = dict(CHOICES)


INTERVAL_CODE = {
    HouseholdKind.MONITORED: ParameterCode.VISIT_DAYS_MONITORED, HouseholdKind.POOR: ParameterCode.VISIT_DAYS_POOR,
    HouseholdKind.EXITED: ParameterCode.VISIT_DAYS_EXITED, HouseholdKind.ORDINARY: ParameterCode.VISIT_DAYS_ORDINARY,
}

# A household under monitoring carries its 监测对象类别; otherwise its 户类型 decides.
KIND = Case(
    When(~Q(household__monitoring_kind=""), then=Value(HouseholdKind.MONITORED)),
    When(household__household_type=HouseholdType.POOR.value, then=Value(HouseholdKind.POOR)),
    When(household__household_type=HouseholdType.EXITED.value, then=Value(HouseholdKind.EXITED)),
    default=Value(HouseholdKind.ORDINARY), output_field=CharField(),
)


def _by_place(resolver: Resolver, today: dt.date, *, cutoff: bool):
    """The interval (days) or the cut-off date (a pairing last visited before it is overdue) of each pairing: the
    configured rows of each kind, the winner first, as the branches of one Case."""
    whens = []
    for kind, code in INTERVAL_CODE.items():
        for row in resolver.ranked(code):
            place = Q(village__code__startswith=row.region.prefix) if row.region_id else Q()
            if cutoff:
                result = Value(today - dt.timedelta(days=row.value) if row.value else None, output_field=DateField())
            else:
                result = Value(row.value)
            whens.append(When(place & Q(kind=kind), then=result))
    if cutoff:
        return Case(*whens, default=Value(None, output_field=DateField()), output_field=DateField())
    return Case(*whens, default=Value(0), output_field=IntegerField())


def schedule(pairings=None, *, today: dt.date | None = None, resolver: Resolver | None = None):
    """Current pairings with ``kind``, ``last_visit`` (the helper's own, since the pairing began), ``base`` (that or
    the start), ``interval_days`` (0: no requirement) and ``cutoff``."""
    today = today or timezone.localdate()
    resolver = resolver or Resolver(today.year)
    pairings = current_pairings() if pairings is None else pairings
    last = Visit.objects.filter(household=OuterRef("household_id"), helper=OuterRef("helper_id"),
                                date__gte=OuterRef("start")).order_by("-date").values("date")[:1]
    return (pairings.annotate(kind=KIND, last_visit=Subquery(last, output_field=DateField()))
            .annotate(base=Coalesce("last_visit", "start"))
            .annotate(interval_days=_by_place(resolver, today, cutoff=False),
                      cutoff=_by_place(resolver, today, cutoff=True)))


def mine(user, *, today: dt.date | None = None):
    """The helper's own pairings with their due dates, the longest unvisited first."""
    return schedule(my_households(user), today=today).order_by("base", "household__number")


def overdue(queryset):
    return queryset.filter(cutoff__isnull=False, base__lt=F("cutoff"))


def next_due(pairing) -> dt.date | None:
    return pairing.base + dt.timedelta(days=pairing.interval_days) if pairing.interval_days else None


def due_state(pairing, today: dt.date | None = None) -> tuple[str, str]:
    """(state, Chinese text) of one annotated pairing: overdue, due soon, planned, or no requirement."""
    today = today or timezone.localdate()
    due = next_due(pairing)
    if due is None:
        return "none", "不作要求"
    if due < today:
        return "overdue", f"已逾期{(today - due).days}天"
    if due <= today + dt.timedelta(days=SOON_DAYS):
        return "soon", f"应于{due:%m-%d}前走访"
    return "planned", f"下次应走访：{due:%Y-%m-%d}"


STATES = (("overdue", "已逾期"), ("soon", f"{SOON_DAYS}天内到期"), ("", "全部结对户"))


class PlanFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "户编号、户主或帮扶责任人"}))
    region = forms.CharField(label="区划代码", required=False)
    state = forms.ChoiceField(label="走访状态", required=False, choices=STATES)
    kind = forms.ChoiceField(label="户类别", required=False, choices=(("", "全部"), *HouseholdKind.CHOICES))
    unit = forms.CharField(label="帮扶单位", required=False)


def filter_plans(queryset, params, *, today: dt.date | None = None):
    """The visit plan list's filters (page, export and API); default: the overdue ones."""
    today = today or timezone.localdate()
    data = {key: params.get(key) for key in params} if params else {}
    data.setdefault("state", "overdue")
    form = PlanFilterForm(data)
    resolver = Resolver(today.year)
    rows = schedule(queryset, today=today, resolver=resolver)
    if not form.is_valid():
        return overdue(rows).none(), form
    data = form.cleaned_data
    if data["q"]:
        rows = rows.filter(Q(household__number__startswith=data["q"]) | Q(household__head_name__contains=data["q"])
                           | Q(helper__name__contains=data["q"]))
    if data["region"]:
        rows = rows.in_region(region_prefix(data["region"]))
    if data["kind"]:
        rows = rows.filter(kind=data["kind"])
    if data["unit"]:
        rows = rows.filter(helper__unit__contains=data["unit"])
    if data["state"] == "overdue":
        rows = overdue(rows)
    elif data["state"] == "soon":
        # Due within the week: not overdue today, overdue by the cut-offs a week on.
        rows = rows.annotate(soon_cutoff=_by_place(resolver, today + dt.timedelta(days=SOON_DAYS), cutoff=True))
        rows = rows.filter(base__gte=F("cutoff"), base__lt=F("soon_cutoff"))
    return rows.order_by("base", "household__number"), form
