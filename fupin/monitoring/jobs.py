"""Background job: a monitoring run (or a data-quality run) with progress, started from a page, the API or the CLI."""

from fupin.core.channels import Channel
from fupin.jobs.services import handler, start
from fupin.regions.models import Region

from . import services
from .models import Family

KIND = "monitoring.run"


def start_run(family: str, region: Region, year: int, *, acting_user, channel):
    """Queue a run as a background job (pages and the API); the job page shows its progress."""
    services.ensure_runnable(family, region, year, acting_user)
    title = f"{region.name}{year}年度{Family(family).label}"
    return start(KIND, title, user=acting_user, region_code=region.code,
                 params={"family": family, "region": region.code, "year": year, "channel": channel})


@handler(KIND)
def run_job(job, progress):
    params = job.params
    region = Region.objects.get(code=params["region"])
    record = services.run(params["family"], region, int(params["year"]), acting_user=job.user,
                          channel=params.get("channel", Channel.SYSTEM), job=job, progress=progress)
    return record.summary()
