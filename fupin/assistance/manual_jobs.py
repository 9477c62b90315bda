"""The village's manuals printed in the background (``assistance.print_manuals``), with progress per household;
the job page offers the PDF or zip when done."""

from django.core.exceptions import PermissionDenied

from fupin.core.channels import Channel
from fupin.jobs.services import JobError, handler, job_dir
from fupin.regions.models import Region

from . import manual

KIND = "assistance.print_manuals"


def start(village: Region, user, *, as_zip: bool, full: bool = False, year: int | None = None):
    from fupin.jobs.services import start as start_job

    count = manual.village_households(village, user).count()
    kind = "每户一个文件" if as_zip else "合并为一个文件"
    return start_job(KIND, f"打印{village.name}扶贫手册（{count} 户，{kind}）", user=user, region_code=village.code,
                     params={"village": village.code, "zip": as_zip, "full": full, "year": year,
                             "channel": Channel.PAGE})


@handler(KIND, atomic=False)  # reads only
def print_manuals(job, progress):
    params = job.params
    village = Region.objects.filter(code=params["village"]).first()
    if village is None:
        raise JobError("村不存在")
    suffix = "zip" if params.get("zip") else "pdf"
    path = job_dir() / f"job-{job.pk}-manuals.{suffix}"
    try:
        count = manual.print_village(village, job.user, path, as_zip=bool(params.get("zip")),
                                     full=bool(params.get("full")), year=params.get("year"),
                                     channel=params.get("channel", Channel.PAGE), progress=progress)
    except PermissionDenied as exc:
        raise JobError(str(exc)) from exc
    job.result_file = str(path)
    return {"households": count, "filename": f"{manual.TITLE}-{village.name}-{village.code}.{suffix}",
            "summary": f"已生成 {count} 户的扶贫手册"}
