import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, transaction

from fupin.audit.models import AuditLog
from fupin.core import bulkload
from fupin.registry.models import Household

CREATED = dt.datetime(2016, 5, 6, 1, 2, 3, tzinfo=dt.UTC)


def household_frame(first_id, count, village="410481100201"):
    return pl.DataFrame({
        "id": range(first_id, first_id + count),
        "number": [f"B{first_id + i:05d}" for i in range(count)],
        "village": [village] * count,
        "group_name": ["", "一组", 'quote"and,comma'][:count] + ["二组"] * max(0, count - 3),
        "status": ["2"] * count,
        "exit_year": [None, 2018, None][:count] + [2019] * max(0, count - 3),
        "enjoys_policy": [True, False, True][:count] + [True] * max(0, count - 3),
        "house_area": pl.Series([Decimal("95.50"), None, Decimal("0.05")][:count] + [Decimal(1)] * max(0, count - 3))
        .cast(pl.Decimal(10, 2)),
        "created": [CREATED] * count,
        "updated": [CREATED + dt.timedelta(microseconds=250)] * count,
    })


def test_load_frame_keeps_types_nulls_and_empty_strings(regions):
    first = bulkload.allocate_ids(Household, 3)
    assert bulkload.load_frame(Household, household_frame(first, 3)) == 3
    rows = list(Household.objects.order_by("id"))
    assert [h.id for h in rows] == [first, first + 1, first + 2]
    assert [h.group_name for h in rows] == ["", "一组", 'quote"and,comma']
    assert [h.exit_year for h in rows] == [None, 2018, None]
    assert [h.enjoys_policy for h in rows] == [True, False, True]
    assert [h.house_area for h in rows] == [Decimal("95.50"), None, Decimal("0.05")]
    assert rows[0].created == CREATED and rows[0].updated == CREATED + dt.timedelta(microseconds=250)
    assert Household.objects.filter(created__lt=CREATED + dt.timedelta(seconds=1), exit_year__isnull=True).count() == 2


def test_load_rows_and_json_columns(regions):
    first = bulkload.allocate_ids(AuditLog, 2)
    rows = [
        (first + i, CREATED, "", "import", "create", "household", str(i), f"户{i}", "", "", "410481100201",
         '{"status": [null, "1"]}', "")
        for i in range(2)
    ]
    columns = ["id", "time", "username", "channel", "action", "object_type", "object_id", "object_repr",
               "parent_type", "parent_id", "region_code", "changes", "note"]
    if bulkload.connections["default"].vendor == "sqlite":
        rows = [(r[0], "2016-05-06 01:02:03", *r[2:]) for r in rows]  # naive UTC, as documented
    seen = []
    assert bulkload.load_rows(AuditLog, columns, iter(rows), chunk_rows=1, progress=lambda *a: seen.append(a)) == 2
    assert seen == [("audit_auditlog", 1, None), ("audit_auditlog", 2, None)]
    entry = AuditLog.objects.get(pk=first)
    assert entry.changes == {"status": [None, "1"]} and entry.time == CREATED
    assert AuditLog.objects.filter(changes__status=[None, "1"]).count() == 2


def test_ids_allocated_before_orm_rows_and_after(regions, make_household):
    existing = make_household(regions["village_a1"])
    first = bulkload.allocate_ids(Household, 2)
    assert first > existing.pk
    bulkload.load_frame(Household, household_frame(first, 2))
    later = make_household(regions["village_a1"])
    assert later.pk > first + 1


def test_progress_and_all_or_nothing(regions):
    seen = []
    first = bulkload.allocate_ids(Household, 5)
    bulkload.load_frame(Household, household_frame(first, 5), chunk_rows=2, progress=lambda *a: seen.append(a))
    assert seen == [("registry_household", n, 5) for n in (2, 4, 5)]
    duplicate = household_frame(first + 5, 4).with_columns(number=pl.lit("B99999"))
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkload.load_frame(Household, duplicate)
    assert Household.objects.count() == 5


def test_bulk_session_restores_settings(db):
    connection = bulkload.connections["default"]
    query = "PRAGMA cache_size" if connection.vendor == "sqlite" else "SHOW synchronous_commit"
    with connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchone()[0]
        with bulkload.bulk_session():
            cursor.execute(query)
            assert cursor.fetchone()[0] != before
        cursor.execute(query)
        assert cursor.fetchone()[0] == before


def index_names(table, unique=None):
    connection = bulkload.connections["default"]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name for name, info in constraints.items()
        if (info["index"] or info["unique"]) and unique in (None, info["unique"])
    }


def test_deferred_indexes_are_rebuilt_or_rolled_back(regions):
    before = index_names("registry_household")
    assert len(before - index_names("registry_household", unique=True)) > 3
    with transaction.atomic(), bulkload.deferred_indexes(Household):
        # The unique ones stay, so duplicates still fail at once.
        assert index_names("registry_household") == index_names("registry_household", unique=True)
        first = bulkload.allocate_ids(Household, 3)
        bulkload.load_frame(Household, household_frame(first, 3))
    assert index_names("registry_household") == before
    with pytest.raises(IntegrityError), transaction.atomic(), bulkload.deferred_indexes(Household):
        bulkload.load_frame(Household, household_frame(first, 1))  # the id and number are taken
    assert index_names("registry_household") == before


def test_allocated_ids_never_reuse_deleted_ones(db):
    from fupin.core.bulkload import allocate_ids
    from fupin.jobs.models import Job

    first = Job.objects.create(kind="k", title="a")
    second = Job.objects.create(kind="k", title="b")
    deleted = second.pk
    second.delete()
    assert allocate_ids(Job, 1) > deleted > first.pk
