"""What the household file, the household manual, the project page show of 扶贫项目资产, scoped to
the user."""

from django import template

from fupin.projects.models import ProjectStatus

from .. import services
from ..access import assets_work
from ..forms import HandoverForm
from ..models import Asset, Distribution

register = template.Library()


@register.simple_tag
def household_distributions(household, user):
    """The household's asset-income ledger rows the user may see, newest year first."""
    if not assets_work.allows(user):
        return []
    return list(Distribution.objects.visible_to(user).filter(household=household).select_related("asset")
                .order_by("-year", "asset__name", "id")[:100])


@register.simple_tag
def project_asset(project, user):
    """The project panel's state: the asset formed from it, or the 移交 form when the user may hand it over."""
    asset = Asset.objects.visible_to(user).filter(project=project).first()
    may_hand_over = (asset is None and project.status == ProjectStatus.ACCEPTED
                     and services.can_change(user, project.region_id))
    form = HandoverForm(initial=services.handover_initial(project), user=user) if may_hand_over else None
    return {"asset": asset, "form": form}
