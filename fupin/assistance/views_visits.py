"""Visit pages beyond the form: the visit plan (overdue visits, filters, pagination, export) and the endpoint the
phone's offline queue sends each queued visit to (JSON; a resend answers the visit already recorded)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.core.channels import Channel
from fupin.jobs import exports as export_views
from fupin.registry.models import Household

from . import plans, services
from .exports import plan_export
from .forms import VisitForm
from .models import Pairing, Visit
from .views import PAGE_SIZE, visit_helpers


def visit_plan_list(request):
    rows, form = plans.filter_plans(Pairing.objects.visible_to(request.user), request.GET)
    rows = rows.select_related("household", "helper", "village")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for pairing in page:
        pairing.due, (pairing.state, pairing.state_text) = plans.next_due(pairing), plans.due_state(pairing, today)
        pairing.kind_label = plans.HouseholdKind.LABELS[pairing.kind]
    return render(request, "assistance/visit_plan_list.html", {"page": page, "form": form})


visit_plan_export = export_views.view(plan_export)


def _visit_household(request, pk) -> Household:
    household = Household.objects.select_related("village").filter(pk=pk).first()
    if household is None or not (Household.objects.visible_to(request.user).filter(pk=pk).exists()
                                 or services.is_paired_helper(request.user, household)):
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    return household


@require_POST
def visit_sync(request, household_pk):
    """One queued visit from the phone (multipart, with its photos and ``client_uuid``): 201 when recorded, 200 when
    it had been recorded already, 400 with the reason in Chinese."""
    household = _visit_household(request, household_pk)
    form = VisitForm(request.POST, request.FILES, instance=Visit(household=household),
                     helpers=visit_helpers(request, household), with_uuid=True)
    if not form.is_valid():
        return JsonResponse({"error": "；".join(f"{form.fields[f].label}：{m}" if f in form.fields else m
                                                for f, ms in form.errors.items() for m in ms)}, status=400)
    visit = form.save(commit=False)
    visit.client_uuid = form.cleaned_data["client_uuid"]
    try:
        visit, created = services.record_visit_once(visit, form.cleaned_data["photos"], acting_user=request.user,
                                                    channel=Channel.PAGE)
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    return JsonResponse({"visit": visit.pk, "created": created, "date": visit.date.isoformat()},
                        status=201 if created else 200)
