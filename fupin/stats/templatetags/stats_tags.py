"""The figures as pages show them, and the 总览 section (the overview board, read from the aggregates)."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone

from ..access import stats_work

register = template.Library()


@register.filter
def figure(value):
    """A figure with thousands separators and at most two decimals; 暂无 where there is none (a ratio of 0)."""
    if value is None:
        return "暂无"
    return intcomma(int(value)) if float(value).is_integer() else intcomma(f"{value:.2f}")


@register.filter
def bar(share) -> int:
    """A share as the width of a progress bar (0–100)."""
    return max(0, min(int(share or 0), 100))


@register.filter
def indicator(catalogue, code):
    return catalogue[code] if code in catalogue else None


@register.filter
def local_cn(moment):
    moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


@register.simple_tag(takes_context=True)
def stats_board(context, key):
    """The board's template context for the page's ``?region=`` and ``?year=``; None for an account the
    statistics refuse."""
    from .. import views  # the views import the catalogue's models; templatetags load before the apps are ready

    request = context["request"]
    if not stats_work.allows(request.user):
        return None
    return views.context(request, views.board_view(request, key))
