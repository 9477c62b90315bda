"""Migration 0004: built-in kinds get their owning departments, and a kind's shared remembered mapping is kept as
the system's own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("comparison", "0003_datasetrow_without_fk_constraint")]
AFTER = [("comparison", "0004_kind_departments_and_remembered_mappings")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_owners_filled_and_shared_mapping_kept():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        _check_migration()
    finally:  # going back to BEFORE also unapplied the apps that depend on comparison; the next tests need them
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_migration():
    executor = MigrationExecutor(connection)
    old = executor.loader.project_state(BEFORE).apps
    OldKind = old.get_model("comparison", "DatasetKind")
    OldKind.objects.filter(code="dibao").update(remembered_mapping={"保障对象": "name"})
    OldKind.objects.create(code="village_cadre", name="村干部名单", department="组织部、民政")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Kind = new.get_model("comparison", "DatasetKind")
    Remembered = new.get_model("comparison", "RememberedMapping")
    assert Kind.objects.get(code="medical_insurance").departments == "医保"
    assert Kind.objects.get(code="death").departments == "公安、民政、卫健"
    assert Kind.objects.get(code="poverty_register").departments == ""
    assert Kind.objects.get(code="village_cadre").departments == "组织部、民政"
    kept = Remembered.objects.get()
    assert (kept.kind.code, kept.department, kept.region_code, kept.mapping) == ("dibao", "", "", {"保障对象": "name"})
