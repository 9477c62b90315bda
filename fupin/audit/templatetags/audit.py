"""Show a log entry's changes the way users know the fields: Chinese field names and code-table labels."""

from functools import cache

from django import template
from django.apps import apps

from fupin.audit.chain import scrub
from fupin.core import hooks

register = template.Library()


@register.filter
def masked_ids(value) -> str:
    """Full ID numbers in a logged text masked: the writer masks them, rows from before it did not."""
    return scrub(str(value)) if value not in (None, "") else value


@cache
def _model(object_type: str):
    return next((m for m in apps.get_models() if m._meta.model_name == object_type), None)


def _display(field, value, table):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, str):
        value = scrub(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if table:
        return "、".join(table.get(part, part) for part in str(value).split(","))
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


@register.simple_tag
def readable_changes(entry) -> list[tuple[str, object, object]]:
    """(field label, before, after) rows; ``before`` is None for a creation."""
    model = _model(entry.object_type)
    coded = getattr(model, "coded_fields", {}) if model else {}
    tables = hooks.code_labels(coded[name] for name in entry.changes if name in coded)
    rows = []
    for name, (before, after) in entry.changes.items():
        if name == "id":
            continue
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except Exception:  # a field since removed from the model: show its stored name
                field = None
        table = tables[coded[name]] if name in coded else None
        label = str(field.verbose_name) if field is not None else name
        shown_before = None if before is None and entry.action == "create" else _display(field, before, table)
        rows.append((label, shown_before, _display(field, after, table)))
    return rows
