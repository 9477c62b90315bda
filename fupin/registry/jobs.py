"""Registry background jobs: the household/member import and the household and member exports."""

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, services, tables
from .filters import filter_duplicate_reports, filter_households, filter_members
from .models import DuplicateIdReport, Household, Member


def _scoped(model, user):
    """The rows a user may see; the system (CLI without --user) sees all."""
    return model.objects.all() if user is None else model.objects.visible_to(user)


def household_rows(user, params):
    return filter_households(_scoped(Household, user), params)[0]


def member_rows(user, params):
    return filter_members(_scoped(Member, user), params)[0]


def may_export_full(user, params):
    """Full ID numbers only for accounts that may write registry data in their scope (the export never reaches
    beyond the account's own scope)."""
    services.ensure_can_write(user, user.region_id or "")


household_export = register(Export("registry.export_households", tables.households, household_rows, may_export_full))
member_export = register(Export("registry.export_members", tables.members, member_rows, may_export_full,
                                full_only_filters=("health",)))


def duplicate_report_rows(user, params):
    return filter_duplicate_reports(_scoped(DuplicateIdReport, user), params)[0]


duplicate_report_export = register(
    Export("registry.export_duplicate_reports", tables.duplicate_reports, duplicate_report_rows)
)


def report_refused_duplicates(job):
    """A failed import's people registered out of scope are reported here, after its transaction rolled back."""
    services.report_duplicates(getattr(job, "duplicates_to_report", []), acting_user=job.user,
                               channel=job.params.get("channel", Channel.IMPORT))


@handler("registry.import_households", on_failure=report_refused_duplicates)
def import_households(job, progress):
    result = imports.import_households(
        job.input_file, acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT), progress=progress,
        filename=job.params.get("filename"),
    )
    job.duplicates_to_report = result.duplicates
    return import_jobs.finish(job, result)
