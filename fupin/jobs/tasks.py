from django_tasks import task

from .models import Job
from .services import run, sweep_once_per_process


@task()
def run_job(job_id: int) -> None:
    # Handlers register on import of each app's jobs module (see JobsConfig.ready).
    sweep_once_per_process()
    run(Job.objects.get(pk=job_id))
