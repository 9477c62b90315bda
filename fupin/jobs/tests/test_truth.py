"""A job's status tells the truth after SIGKILL at any point: succeeded with its data, or failed and "数据未作更改"
without it. Real worker processes (``fupin worker``) run a job that writes a region and stalls either before or
just after its transaction commits; the test kills the worker there, starts a new one and reads the database."""

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import PASSWORD
from fupin.core.tests.processes import copy_of, migrated, query
from fupin.jobs import services
from fupin.jobs.models import Job, Status

CHILD = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from fupin.jobs import services
    from fupin.jobs.models import Job
    from fupin.regions.models import Region

    @services.handler("tests.truth")
    def truth(job, progress):
        with transaction.atomic():
            Region.objects.create(code=job.params["code"], name="测试村", level=5)
        progress(1, 2, "已写入", force=True)
        stall = job.params["stall"]
        if stall == "before_commit":
            print("STALLED", flush=True)
            time.sleep(600)
        if stall == "after_commit":  # runs once the job's transaction has committed
            transaction.on_commit(lambda: (print("STALLED", flush=True), time.sleep(600)))
        time.sleep(job.params.get("seconds", 0))
        return {"summary": "已写入"}

    command, *args = sys.argv[1:]
    if command == "start":
        with transaction.atomic():
            job = services.start("tests.truth", "测试", params={"stall": args[0], "code": args[1]})
        print(job.pk, flush=True)
    elif command == "run":  # the CLI's synchronous path
        job = Job.objects.get(pk=int(args[0]))
        print("STALLED", flush=True)
        services.run(job)
        sys.exit(0 if job.status == "succeeded" else 3)
    else:
        call_command("worker", interval=0.2)
""")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    with migrated(tmp_path_factory.mktemp("template"), "truth") as env:
        yield env


@pytest.fixture
def env(template, tmp_path):
    with copy_of(template, tmp_path) as env:
        yield env


def child(env, *args, **kwargs):
    return subprocess.Popen([sys.executable, "-c", CHILD, *args], env=env, stdout=subprocess.PIPE, text=True,
                            **kwargs)


def start_job(env, stall, code="410481100299") -> int:
    started = child(env, "start", stall, code)
    out, _ = started.communicate(timeout=60)
    return int(out.split()[-1])


def wait_for_stall(process):
    for line in process.stdout:
        if line.startswith("STALLED"):
            return
    raise AssertionError("the child ended before it stalled")


def job_row(env, pk):
    return query(env, f"SELECT status, message FROM jobs_job WHERE id = {pk}")[0]


def regions(env):
    return query(env, "SELECT count(*) FROM regions_region WHERE code = '410481100299'")[0][0]


def kill_worker_at_stall(env, pk):
    worker = child(env, "worker", stderr=subprocess.DEVNULL)
    try:
        wait_for_stall(worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()


def restart_worker(env, pk):
    """A new worker: its start marks the job failed if it was cut off; give it until the row changes or 20 s."""
    worker = subprocess.Popen([sys.executable, "-m", "fupin.cli", "worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while job_row(env, pk)[0] == Status.RUNNING and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # a sweep that should not touch a finished job has had its chance
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_killed_before_commit_is_failed_without_data(env):
    pk = start_job(env, "before_commit")
    kill_worker_at_stall(env, pk)
    assert job_row(env, pk)[0] == Status.RUNNING and regions(env) == 0
    restart_worker(env, pk)
    assert job_row(env, pk) == (Status.FAILED, services.INTERRUPTED) and regions(env) == 0


def test_killed_after_commit_is_succeeded_with_data(env):
    pk = start_job(env, "after_commit")
    kill_worker_at_stall(env, pk)
    restart_worker(env, pk)
    assert job_row(env, pk)[0] == Status.SUCCEEDED and regions(env) == 1


def test_running_job_progress_is_visible_from_another_process(env):
    pk = start_job(env, "before_commit")
    worker = child(env, "worker", stderr=subprocess.DEVNULL)
    try:
        wait_for_stall(worker)
        reader = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from fupin.jobs.models import Job; "
                                   f"j = Job.objects.get(pk={pk}); print(j.status, j.done, j.total, j.message)"],
            env=env, capture_output=True, text=True, check=True)
        assert reader.stdout.split() == ["running", "1", "2", "已写入"]
    finally:
        worker.kill()
        worker.wait(timeout=30)


def test_two_jobs_at_once_both_succeed(env):
    """Two processes run a job each at once; the first holds its transaction open for 3 s. On SQLite that is the
    write lock, held longer than the busy timeout (1 s here): the second waits for its turn instead of failing with
    "database is locked". On PostgreSQL the two run side by side."""
    env = {**env, "FUPIN_SQLITE_BUSY_SECONDS": "1"}
    first = start_job(env, "none", "410481100299")
    second = start_job(env, "none", "410481100298")
    set_seconds = ("json_set(params, '$.seconds', 3)" if env["FUPIN_DATABASE_URL"].startswith("sqlite")
                   else "jsonb_set(params, '{seconds}', '3')")
    query(env, f"UPDATE jobs_job SET params = {set_seconds} WHERE id = {first} RETURNING id")
    a = child(env, "run", str(first))
    wait_for_stall(a)
    time.sleep(1)  # a is inside its transaction now
    b = child(env, "run", str(second))
    assert a.wait(timeout=60) == 0 and b.wait(timeout=60) == 0
    assert {job_row(env, pk)[0] for pk in (first, second)} == {Status.SUCCEEDED}


@services.handler("tests.progress")
def report_progress(job, progress):
    progress(3, 10, "第 3 步", force=True)
    return {}


def test_progress_fragment_reads_the_running_jobs_progress_file(client, users):
    job = Job.objects.create(kind="tests.progress", title="数数", user=users["village_a1"], status=Status.RUNNING)
    services.Progress(job)(3, 10, "第 3 步", force=True)
    assert Job.objects.filter(pk=job.pk).values_list("done", flat=True).get() == 0  # the row is not touched
    assert client.login(username=users["village_a1"].username, password=PASSWORD)
    from django.urls import reverse

    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "30%" in fragment and "第 3 步" in fragment
