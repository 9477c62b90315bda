"""扶贫项目 background jobs: the project library's export and import."""

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, tables
from .filters import filter_projects
from .models import Project


def project_rows(user, params):
    queryset = Project.objects.all() if user is None else Project.objects.visible_to(user)
    return filter_projects(queryset, params, user)[0]


project_export = register(Export("projects.export", tables.projects, project_rows))


@handler("projects.import")
def import_projects(job, progress):
    result = imports.import_projects(
        job.input_file, acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT), progress=progress,
        filename=job.params.get("filename"),
    )
    return import_jobs.finish(job, result)
