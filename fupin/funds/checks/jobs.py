"""The background job of a check run (``funds.check``), registered with fupin.jobs by ``fupin/funds/jobs.py``."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from fupin.jobs.services import JobError, handler

from ..models import FundCheckRun
from . import exports as _exports  # noqa: F401  (registers the anomaly export job)
from .runs import JOB_KIND, execute_check, mark_failed


def run_failed(job):
    """The job's writes were rolled back, the run's failed state with them: it is written again with the job's."""
    mark_failed(job.params.get("run_id"), job.message)


@handler(JOB_KIND, on_failure=run_failed)
def check(job, progress):
    run = FundCheckRun.objects.select_related("region", "started_by").get(pk=job.params["run_id"])
    try:
        result = execute_check(run, progress, channel=job.params.get("channel", "system"))
    except (ValidationError, LookupError) as exc:
        raise JobError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
    return {"run_id": run.pk, "url": reverse("funds:anomaly_run", args=[run.pk]),
            "summary": f"资金异常检查完成：发现 {result['hits']} 条，新增 {result['opened'] + result['reopened']} 条，"
                       f"消除 {result['closed']} 条（核查 #{run.pk}）"}
