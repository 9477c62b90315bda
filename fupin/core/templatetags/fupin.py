from django import forms, template
from django.utils.http import urlencode

from fupin.core.idnumber import mask

register = template.Library()


@register.filter
def styled(field):
    """Render a bound field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        css = ""
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def masked(value):
    return mask(value)


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters replaced (pagination and sorting keep the filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True)


@register.filter
def label_of(code, labels):
    """Look a code up in a {code: label} map; multi-valued codes are comma-separated."""
    if code in (None, ""):
        return ""
    return "、".join(labels.get(part, part) for part in str(code).split(","))
