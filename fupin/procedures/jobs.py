"""Background jobs: the yearly adjustment's proposing candidates and starting confirmed procedures in bulk, and the
export of the 退出享受政策台账."""

from django.core.exceptions import PermissionDenied, ValidationError

from fupin.core.exports import Export
from fupin.jobs.exports import register
from fupin.jobs.services import JobError, handler

from . import adjustment as adjustments
from . import tables
from .models import Adjustment, PolicyEnd
from .policy_ends import filter_policy_ends


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


def policy_end_rows(user, params):
    queryset = PolicyEnd.objects.all() if user is None else PolicyEnd.objects.visible_to(user)
    return filter_policy_ends(queryset, params)[0]


policy_end_export = register(Export("procedures.export_policy_ends", tables.policy_ends, policy_end_rows))
