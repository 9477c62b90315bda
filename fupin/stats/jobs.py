"""The rebuild job: the figures of one county (or all) and year, replaced in the job's one transaction."""

from fupin.jobs.services import JobError, handler

from . import services
from .rebuild import rebuild


@handler(services.REBUILD_JOB)
def run_rebuild(job, progress):
    """params: year, prefix (a county's 6 digits, '' for all), trigger."""
    progress(0, 1, "正在汇总统计数据", force=True)
    try:
        done = rebuild(job.params.get("prefix", ""), job.params.get("year"), trigger=job.params.get("trigger", ""))
    except ValueError as exc:
        raise JobError(str(exc)) from exc
    progress(1, 1, "统计数据已更新", force=True)
    return {"rows": done.rows, "seconds": float(done.seconds), "year": done.year}
