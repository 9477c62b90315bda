"""Background jobs of the ledger: importing a problem list, and the list's export."""

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, tables
from .filters import filter_problems
from .models import Problem

IMPORT = "oversight.import"


def problem_rows(user, params):
    queryset = Problem.objects.all() if user is None else Problem.objects.visible_to(user)
    return filter_problems(queryset, params, user)[0]


problem_export = register(Export("oversight.export", tables.problems, problem_rows))


@handler(IMPORT)
def import_problems(job, progress):
    result = imports.import_problems(job.input_file, acting_user=job.user,
                                     channel=job.params.get("channel", Channel.IMPORT),
                                     filename=job.params.get("filename"))
    return import_jobs.finish(job, result)

