"""Comparison runs: idempotent re-runs, closing and reopening, atomic failure, verification, scope and counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.comparison import access, engine
from fupin.comparison.actions import runs
from fupin.comparison.actions.stats import progress_by_township, rates_by_rule
from fupin.comparison.actions.suspects import verify_suspect
from fupin.comparison.models import ComparisonRun, Suspect, SuspectStatus
from fupin.core.channels import Channel
from fupin.registry.models import Member


@pytest.fixture
def deaths(load, make_household, regions):
    """Three registered people in three villages (two townships), all in one death file."""
    people = {key: new_id() for key in ("village_a1", "village_a2", "village_b1")}
    for key, number in people.items():
        make_household(regions[key], head_name=f"{key}户主", head_id=number)
    dataset = load("death", ["姓名", "身份证号", "死亡日期"], [[f"{k}户主", n, "2024-05-01"] for k, n in people.items()])
    return people, dataset


def _statuses():
    return dict(Suspect.objects.values_list("id_number", "status"))


def test_rerun_does_not_duplicate_and_closes_what_is_no_longer_supported(deaths, compare, users):
    people, dataset = deaths
    first = compare([dataset])
    assert first.summary["rules"]["deceased_registered"]["new"] == 3
    second = compare([dataset])
    assert Suspect.objects.count() == 3
    assert second.summary["rules"]["deceased_registered"] | {"hits": 3, "new": 0, "closed": 0, "unchanged": 3} == \
        second.summary["rules"]["deceased_registered"]

    # The village has removed one of them from the register: the next run closes that suspect.
    Member.objects.filter(id_number=people["village_a2"]).update(active=False)
    third = compare([dataset])
    assert third.summary["rules"]["deceased_registered"]["closed"] == 1
    assert _statuses()[people["village_a2"]] == SuspectStatus.CLOSED
    closed = Suspect.objects.get(id_number=people["village_a2"])
    assert closed.closed_at and f"#{third.pk}" in closed.close_note

    # Reinstated by mistake: the suspect reopens instead of a second one appearing.
    Member.objects.filter(id_number=people["village_a2"]).update(active=True)
    fourth = compare([dataset])
    assert fourth.summary["rules"]["deceased_registered"]["reopened"] == 1
    assert Suspect.objects.count() == 3 and set(_statuses().values()) == {SuspectStatus.OPEN}
    actions = list(AuditLog.objects.filter(object_type="suspect", object_id=str(closed.pk))
                   .order_by("id").values_list("action", "region_code"))
    assert actions == [("create", closed.village_code), ("update", closed.village_code),
                       ("update", closed.village_code)]


def test_answered_suspects_are_left_alone(deaths, compare, users):
    people, dataset = deaths
    compare([dataset])
    suspect = Suspect.objects.get(id_number=people["village_a1"])
    verify_suspect(suspect, confirmed=True, action_taken="已启动自然减员", acting_user=users["village_a1"],
                   channel=Channel.PAGE)
    Member.objects.filter(id_number=people["village_a1"]).update(active=False)
    run = compare([dataset])
    assert run.summary["rules"]["deceased_registered"]["closed"] == 0
    assert _statuses()[people["village_a1"]] == SuspectStatus.CONFIRMED


def test_event_kinds_close_only_their_own_data_sets_suspects(deaths, compare, load, make_household, regions):
    _people, january = deaths
    compare([january])
    later = new_id()
    make_household(regions["village_b2"], head_id=later)
    february = load("death", ["姓名", "身份证号"], [["乙", later]])
    run = compare([february])
    # January's deaths are still deaths: a February file does not close them.
    assert run.summary["rules"]["deceased_registered"]["closed"] == 0
    assert Suspect.objects.filter(status=SuspectStatus.OPEN).count() == 4


def test_full_lists_replace_older_lists(load, compare, make_household, regions):
    number = new_id()
    make_household(regions["village_a1"], head_id=number)
    old = load("medical_insurance", ["姓名", "身份证号"], [["外人", new_id()]])
    compare([old])
    assert _statuses() == {number: SuspectStatus.OPEN}
    new = load("medical_insurance", ["姓名", "身份证号"], [["甲", number]])
    run = compare([new])
    assert run.summary["rules"]["not_insured"]["closed"] == 1
    assert _statuses() == {number: SuspectStatus.CLOSED}


def test_a_failing_run_writes_no_suspects(deaths, compare, monkeypatch):
    _people, dataset = deaths
    calls = []
    real = runs.build_entry

    def fail_late(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "build_entry", fail_late)
    run = compare([dataset])
    assert run.status == "failed" and run.job.status == "failed"
    assert not Suspect.objects.exists()
    assert not AuditLog.objects.filter(object_type="suspect").exists()


def test_run_in_a_region_outside_the_users_scope_is_refused(deaths, users, regions):
    _people, dataset = deaths
    with pytest.raises(PermissionDenied):
        runs.start_run(datasets=[dataset], region_code=regions["city"].code, acting_user=users["county"],
                       channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        runs.start_run(datasets=[dataset], acting_user=users["town_a"], channel=Channel.PAGE)
    with pytest.raises(ValidationError, match="需要"):
        runs.start_run(datasets=[dataset], rules=["not_insured"], acting_user=users["county"], channel=Channel.PAGE)


def test_background_job_runs_the_comparison(deaths, users, django_capture_on_commit_callbacks):
    _people, dataset = deaths
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_run(datasets=[dataset], acting_user=users["county"], channel=Channel.PAGE)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.job.status == "succeeded" and run.job.percent == 100
    assert run.job.result["run_id"] == run.pk and Suspect.objects.count() == 3


def test_suspects_are_scoped_to_the_village_and_township(deaths, compare, users):
    people, dataset = deaths
    compare([dataset])
    assert set(access.suspects_visible_to(users["village_a1"]).values_list("id_number", flat=True)) == {
        people["village_a1"]}
    assert set(access.suspects_visible_to(users["town_a"]).values_list("id_number", flat=True)) == {
        people["village_a1"], people["village_a2"]}
    assert access.suspects_visible_to(users["county"]).count() == 3
    # A department sees the suspects its own data raised, nothing else.
    assert access.suspects_visible_to(users["department"]).count() == 0


def test_verification_rules_and_audit(deaths, compare, users):
    people, dataset = deaths
    compare([dataset])
    suspect = Suspect.objects.get(id_number=people["village_a1"])
    other = Suspect.objects.get(id_number=people["village_b1"])
    with pytest.raises(PermissionDenied):
        verify_suspect(other, confirmed=True, action_taken="x", acting_user=users["village_a1"],
                       channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        verify_suspect(suspect, confirmed=True, action_taken="x", acting_user=users["leader"],
                       channel=Channel.PAGE)
    with pytest.raises(ValidationError) as caught:
        verify_suspect(suspect, confirmed=False, reason="", acting_user=users["village_a1"],
                       channel=Channel.PAGE)
    assert set(caught.value.message_dict) == {"reason", "attachment"}
    photo = SimpleUploadedFile("证明.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    verify_suspect(suspect, confirmed=False, reason="本人健在，系同名同姓", attachment=photo,
                   acting_user=users["village_a1"], channel=Channel.PAGE)
    suspect.refresh_from_db()
    assert suspect.status == SuspectStatus.REJECTED and suspect.verified_by == users["village_a1"]
    assert suspect.attachment.endswith("证明.jpg")
    log = AuditLog.objects.filter(object_type="suspect", object_id=str(suspect.pk), action="update").get()
    assert log.region_code == suspect.village_code and log.changes["status"] == ["open", "rejected"]
    assert log.parent_type == "household"


def test_progress_by_township_and_rates_by_rule(deaths, compare, users, regions):
    people, dataset = deaths
    compare([dataset])
    verify_suspect(Suspect.objects.get(id_number=people["village_a1"]), confirmed=True,
                   action_taken="已减员", acting_user=users["town_a"], channel=Channel.PAGE)
    Suspect.objects.filter(id_number=people["village_b1"]).update(due_date=dt.date(2020, 1, 1))
    townships = {row["name"]: row for row in progress_by_township(access.suspects_visible_to(users["county"]))}
    assert townships["尹集镇"] | {"total": 2, "confirmed": 1, "open": 1, "verified_rate": 50.0} == townships["尹集镇"]
    assert townships["枣林镇"]["overdue"] == 1 and townships["枣林镇"]["verified_rate"] == 0.0
    by_rule = rates_by_rule(access.suspects_visible_to(users["county"]))
    assert by_rule == [by_rule[0] | {"rule": "deceased_registered", "name": "死亡人员仍在册", "total": 3,
                                     "confirmed": 1, "confirmed_rate": 100.0}]


def test_register_pull_matches_the_database(deaths, make_household, regions):
    """The bulk column pull sees exactly what the ORM sees (types included), on either database."""
    with engine.Workspace() as workspace:
        counts = workspace.load_register("410481100", dt.date(2024, 6, 1))
        assert counts == {"households": 2, "members": 2}
        row = workspace.con.execute(
            "SELECT village_code, in_register, age, basic_medical_insurance, birth_date FROM register_members "
            "JOIN register_households USING (household_id) ORDER BY village_code LIMIT 1").fetchone()
    assert row == ("410481100201", True, 44, True, dt.date(1980, 5, 17))
    assert ComparisonRun.objects.count() == 0
