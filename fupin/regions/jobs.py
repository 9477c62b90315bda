"""Region background jobs: the region tree import and export."""

from django.db.models import Q

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, tables
from .models import Region


def region_rows(user, params):
    """The user's subtree, or the subtree of ``region`` inside it; the system (CLI) sees all."""
    queryset = Region.objects.all() if user is None else Region.objects.visible_to(user)
    code = params.get("region") or params.get("code")
    if code:
        region = Region.objects.filter(code=code).first()
        queryset = queryset.filter(code__in_region=region.prefix if region else code)
    if params.get("q"):
        queryset = queryset.filter(Q(name__contains=params["q"]) | Q(code__startswith=params["q"]))
    return queryset


region_export = register(Export("regions.export", tables.regions, region_rows))


@handler("regions.import")
def import_regions(job, progress):
    result = imports.import_regions(
        job.input_file, acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT), progress=progress,
        filename=job.params.get("filename"),
    )
    return import_jobs.finish(job, result)
