from django import template

from fupin.monitoring import explain

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def alert_reason(figures):
    """An alert's figures in Chinese (rule, figure, parameter by name and value)."""
    return explain.text(figures)


@register.filter
def figures_text(values):
    """One rule's figures in Chinese, e.g. a data-quality finding's."""
    return explain.values_text(values)
