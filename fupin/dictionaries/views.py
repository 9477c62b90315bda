from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from fupin.core.channels import Channel

from .models import Entry, Kind
from .services import save_entry


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ["kind", "code", "label", "sort_order", "active"]


def _require_admin(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护代码表")


def entry_list(request):
    _require_admin(request.user)
    kind = request.GET.get("kind") or Kind.POVERTY_CAUSE
    return render(
        request, "dictionaries/list.html",
        {"kinds": Kind.choices, "kind": kind, "entries": Entry.objects.filter(kind=kind)},
    )


def entry_edit(request, pk=None):
    _require_admin(request.user)
    entry = get_object_or_404(Entry, pk=pk) if pk else Entry(kind=request.GET.get("kind", ""))
    form = EntryForm(request.POST or None, instance=entry)
    if pk:
        # Records store the code; changing it would orphan them, so only the label and order are editable.
        form.fields["code"].disabled = True
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        save_entry(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        messages.success(request, "已保存")
        return redirect(f"/dictionaries/?kind={entry.kind}")
    return render(request, "dictionaries/form.html", {"form": form, "object": entry})
