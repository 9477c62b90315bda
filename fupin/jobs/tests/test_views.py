"""Job pages: the progress fragment polls while a job runs and stops when it has finished; access rules."""

from django.urls import reverse

from conftest import PASSWORD
from fupin.jobs import services
from fupin.jobs.models import Job, Status


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@services.handler("tests.count_to")
def count_to(job, progress):
    for i in range(1, job.params["n"] + 1):
        progress(i, job.params["n"], f"第 {i} 步")
    return {"summary": f"数到了 {job.params['n']}"}


def test_progress_job_runs_to_success(client, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start("tests.count_to", "数数", user=users["village_a1"], params={"n": 5})
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (Status.SUCCEEDED, 5, 5, 100)
    assert job.result["summary"] == "数到了 5"
    login(client, users["village_a1"])
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-get" not in fragment and "数到了 5" in fragment and "100%" in fragment


def test_running_job_fragment_polls_every_second(client, users):
    job = Job.objects.create(kind="tests.count_to", title="数数", user=users["village_a1"], status=Status.RUNNING,
                             done=3, total=12, message="第 3 步", region_code=users["village_a1"].region_id)
    login(client, users["village_a1"])
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="25"' in fragment and "第 3 步" in fragment
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "job-progress" in page
    assert "数数" in client.get(reverse("jobs:list")).content.decode()


def test_jobs_are_private_to_their_owner_and_administrators(client, users):
    job = Job.objects.create(kind="tests.count_to", title="数数", user=users["village_a1"],
                             region_code=users["village_a1"].region_id)
    login(client, users["village_b1"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
    assert client.get(reverse("jobs:progress", args=[job.pk])).status_code == 403
    assert "数数" not in client.get(reverse("jobs:list")).content.decode()
    client.logout()
    login(client, users["admin"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[job.pk, "result"])).status_code == 404  # no file yet
    assert client.get(reverse("jobs:download", args=[job.pk, "other"])).status_code == 404
