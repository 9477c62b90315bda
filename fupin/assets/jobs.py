"""Background jobs of 扶贫项目资产: the asset list's Excel export and the asset import."""

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, tables
from .filters import filter_assets
from .models import Asset


def asset_rows(user, params):
    queryset = Asset.objects.all() if user is None else Asset.objects.visible_to(user)
    return filter_assets(queryset, params)[0]


asset_export = register(Export("assets.export", tables.assets, asset_rows))

IMPORT_KIND = "assets.import"


@handler(IMPORT_KIND)
def import_assets(job, progress):
    result = imports.import_assets(
        job.input_file, acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT), progress=progress,
        filename=job.params.get("filename"),
    )
    return import_jobs.finish(job, result)
