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
    result = _run(adjustments.propose, job, progress)
    counts = result["proposed"]
    result["summary"] = (
        f"测算完成，共{result['total']}户候选：脱贫退出{counts['exit']}户、返贫纳入{counts['return']}户、"
        f"识别纳入{counts['identification']}户、自然变更{counts['natural']}户，请各村逐户确认"
    )
    return result


@handler(adjustments.START_JOB)
def start(job, progress) -> dict:
    result = _run(adjustments.start_confirmed, job, progress)
    result["summary"] = f"已发起{result['started']}个程序；{result['refused']}户未通过校验，原因见候选列表"
    return result
