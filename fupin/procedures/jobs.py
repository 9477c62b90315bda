"""Background jobs of the yearly adjustment: proposing candidates and starting confirmed procedures in bulk."""

from django.core.exceptions import PermissionDenied, ValidationError

from fupin.jobs.services import JobError, handler

from . import adjustment as adjustments
from .models import Adjustment


def _run(action, job, progress) -> dict:
    found = Adjustment.objects.select_related("county").filter(pk=job.params.get("adjustment")).first()
    if found is None or job.user is None:
        raise JobError("动态调整不存在或任务缺少发起账号")
    try:
        return action(found, acting_user=job.user, progress=progress)
    except ValidationError as exc:
        raise JobError("；".join(exc.messages)) from exc
    except PermissionDenied as exc:
        raise JobError(str(exc)) from exc


@handler(adjustments.PROPOSE_JOB)
def propose(job, progress) -> dict:
    return _run(adjustments.propose, job, progress)


@handler(adjustments.START_JOB)
def start(job, progress) -> dict:
    return _run(adjustments.start_confirmed, job, progress)
