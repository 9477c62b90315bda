"""小额信贷 background jobs: the bank repayment import and the list exports."""

from django.utils import timezone

from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs import imports as import_jobs
from fupin.jobs.exports import register
from fupin.jobs.services import handler

from . import imports, parameters, services, tables
from .filters import filter_due_soon, filter_loans, filter_subsidies
from .models import FundEntry, Loan, ScheduleItem, Subsidy

IMPORT_KIND = "credit.import_repayments"


def scoped(model, user):
    """The rows a user may see; the system (CLI without --user) sees all."""
    return model.objects.all() if user is None else model.objects.visible_to(user)


def loan_rows(user, params):
    queryset = scoped(Loan, user).select_related("household", "village", "borrower")
    return filter_loans(queryset, params)[0]


def overdue_rows(user, params):
    queryset = services.with_arrears(services.overdue(scoped(Loan, user)))
    return filter_loans(queryset.select_related("household", "village", "borrower"), params)[0]


def due_soon_days(user) -> int:
    region = user.region_id if user is not None else None
    return parameters.resolve(region, timezone.localdate().year).due_soon_days


def due_soon_rows(user, params):
    queryset = scoped(ScheduleItem, user).select_related("loan__household", "loan__borrower", "loan__village")
    return filter_due_soon(queryset, params, due_soon_days(user))[0]


def subsidy_rows(user, params):
    return filter_subsidies(scoped(Subsidy, user).select_related("loan__household", "loan__borrower"), params)[0]


def fund_rows(user, params):
    return scoped(FundEntry, user).select_related("county", "loan")


def may_export_full(user, params):
    """Full ID numbers only for accounts that may change 小额信贷 in their own scope."""
    services.ensure_can_change(user, user.region_id or "")


loan_export = register(Export("credit.export_loans", tables.loans, loan_rows, may_export_full))
overdue_export = register(Export("credit.export_overdue", tables.overdue, overdue_rows, may_export_full))
due_soon_export = register(Export("credit.export_due_soon", tables.due_soon, due_soon_rows, may_export_full))
subsidy_export = register(Export("credit.export_subsidies", tables.subsidies, subsidy_rows))
fund_export = register(Export("credit.export_fund", tables.fund, fund_rows))


@handler(IMPORT_KIND)
def import_repayments(job, progress):
    result = imports.import_repayments(
        job.input_file, acting_user=job.user, channel=job.params.get("channel", Channel.IMPORT), progress=progress,
        filename=job.params.get("filename"),
    )
    return import_jobs.finish(job, result)
