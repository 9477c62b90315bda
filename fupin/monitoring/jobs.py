"""Background job: a monitoring run (or a data-quality run) with progress, started from a page, the API or the CLI."""

from fupin.audit.models import Channel
from fupin.jobs.services import handler
from fupin.regions.models import Region

from . import services

KIND = "monitoring.run"


@handler(KIND)
def run_job(job, progress):
    params = job.params
    region = Region.objects.get(code=params["region"])
    record = services.run(params["family"], region, int(params["year"]), acting_user=job.user,
                          channel=params.get("channel", Channel.SYSTEM), job=job, progress=progress)
    return record.summary()
