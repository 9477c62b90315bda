"""Background jobs of the funds app: loading a bank disbursement file into its batch, and the lists' exports."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fupin.accounts.models import User
from fupin.core.channels import Channel
from fupin.core.exports import Export
from fupin.jobs.exports import register
from fupin.jobs.services import JobError, handler

from . import tables
from .checks import jobs as _checks_jobs  # noqa: F401  (registers funds.check: autodiscovery imports only this module)
from .filters import filter_allocations, filter_disbursements, filter_funds
from .imports import load_disbursements, mark_rejected
from .models import Allocation, BatchStatus, Disbursement, DisbursementBatch, Fund


def _rows(model, filter_rows):
    def rows(user, params):
        queryset = model.objects.all() if user is None else model.objects.visible_to(user)
        return filter_rows(queryset, params)[0]

    return rows


fund_export = register(Export("funds.export_funds", tables.funds, _rows(Fund, filter_funds)))
allocation_export = register(Export("funds.export_allocations", tables.allocations,
                                    _rows(Allocation, filter_allocations)))
disbursement_export = register(Export("funds.export_disbursements", tables.disbursements,
                                      _rows(Disbursement, filter_disbursements)))

LOAD = "funds.load"


def load_failed(job):
    """The job's writes were rolled back, the batch's rejection with them: it is written again with the job's."""
    batch_id = job.params.get("batch_id")
    if job.result.get("error_count"):
        mark_rejected(batch_id, job.result)
    else:
        DisbursementBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, report={"summary": job.message})


@handler(LOAD, on_failure=load_failed)
def load(job, progress):
    """params: batch_id, mapping, channel; input_file is the uploaded file."""
    batch = DisbursementBatch.objects.get(pk=job.params["batch_id"])
    DisbursementBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, job=job)
    user = User.objects.select_related("region").filter(pk=job.user_id).first() if job.user_id else None
    try:
        report = load_disbursements(job.input_file, batch, acting_user=user,
                                    channel=job.params.get("channel", Channel.PAGE),
                                    mapping=job.params.get("mapping"), progress=progress)
    except (ValidationError, PermissionDenied) as exc:
        raise JobError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
    finally:
        Path(job.input_file).unlink(missing_ok=True)
    job.result = {**report, "batch_id": batch.pk, "url": reverse("funds:batch_detail", args=[batch.pk])}
    if report["error_count"]:
        job.error_file = report.get("error_file", "")
        raise JobError(report["summary"])
    return job.result
