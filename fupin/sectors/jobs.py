"""Background jobs of 行业政策: the Excel import of each record kind."""

from fupin.core.channels import Channel
from fupin.jobs import imports as import_jobs
from fupin.jobs.services import handler

from . import imports


@handler(imports.IMPORT_JOB)
def import_records(job, progress):
    result = imports.import_records(
        job.input_file, job.params["kind"], acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT),
        progress=progress, filename=job.params.get("filename"),
    )
    return import_jobs.finish(job, result)
