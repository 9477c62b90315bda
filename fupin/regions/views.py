from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from fupin.core.channels import Channel
from fupin.core.scope import in_scope, user_scope_prefix

from . import services
from .forms import RegionForm
from .models import Level, Region


def _top_regions(user):
    """The nodes a user starts browsing from: their own region (or the provinces for an unbound superuser)."""
    if user.region_id:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.filter(level=Level.PROVINCE) if user_scope_prefix(user) == "" else Region.objects.none()


def tree(request, code=None):
    """Browse the tree one level at a time, with household counts per child; search by name or code."""
    node = None
    if code:
        node = get_object_or_404(Region.objects.visible_to(request.user), pk=code)
        children = node.children.all()
    else:
        children = _top_regions(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        children = Region.objects.visible_to(request.user).filter(Q(name__contains=q) | Q(code__startswith=q))[:200]
    children = list(children)
    figures = services.region_figures(children)
    rows = [(child, [(figure, counts.get(child.prefix, 0)) for figure, counts in figures]) for child in children]
    return render(
        request, "regions/tree.html",
        {"node": node, "path": node.path() if node else [], "rows": rows, "q": q,
         "figures": [figure for figure, _counts in figures],
         "can_edit": request.user.can_administer, "Level": Level},
    )


def edit(request, code=None):
    region = get_object_or_404(Region.objects.visible_to(request.user), pk=code) if code else Region()
    if not request.user.can_administer or (code and not in_scope(request.user, code)):
        raise PermissionDenied("只有系统管理员可以维护行政区划")
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        region = form.save(commit=False)
        try:
            services.save_region(region, acting_user=request.user, channel=Channel.PAGE, creating=code is None)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"{region.name} 已保存")
            return redirect("regions:node", code=region.parent_id) if region.parent_id else redirect("regions:tree")
    return render(request, "regions/form.html", {"form": form, "object": region})
