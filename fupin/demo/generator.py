"""The demo generator: wipe the previous demo, load the region tree, the logins, the lines and, county by county,
the registry with its monitored households and history, then do a county's work through the apps' services
(``seed_activity``: monitoring run, procedures at every stage, assistance, comparison), in one transaction.

Everything is generated column-wise with NumPy and Polars, one county at a time, and written with
``fupin.core.bulkload`` (COPY on PostgreSQL), so 10 million people load with bounded memory. ``run()`` is the
entry point (the ``fupin demo`` command is a thin caller); ``accounts.DEMO_ACCOUNTS`` lists the logins.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import SET_NULL
from django.utils import timezone

from fupin.accounts.models import User
from fupin.audit.models import AuditLog
from fupin.audit.services import append_frame, restart_chain
from fupin.comparison.models import ComparisonRun, Dataset, DatasetRow, RememberedMapping, Suspect
from fupin.core import bulkload
from fupin.regions.models import Level, Region
from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck

from . import assets, assistance, comparison, credit, fund_checks, funds, monitoring, projects, sectors, workflows
from .accounts import DEMO_USERNAMES, DemoAccount, create_accounts, has_demo_data
from .assessment import create_assessment
from .procedures import create_lines
from .regions import County, plan_regions, region_frame
from .registry import REGISTRY_MODELS, generate_county
from .stats import create_stats
from .whatif import create_scenario

# The comparison's data sets, runs and suspects (and the mappings remembered for the demo's uploaders).
COMPARISON_MODELS = (Suspect, ComparisonRun, DatasetRow, Dataset, RememberedMapping)
DEFAULT_PEOPLE = 5000
DEFAULT_SEED = 2014
MONITORING_DAYS_AGO = 95  # the county's run over last year's accounts, so alerts have been verified since

Report = Callable[[str], None]


class DemoRefused(Exception):
    """The database holds data that is not demo data; the message says how to proceed."""


@dataclass
class DemoResult:
    counties: list[County]
    counts: dict[str, int]
    accounts: list[tuple[DemoAccount, Region]]
    generate_seconds: float = 0.0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    wipe_seconds: float = 0.0
    activity: dict[str, int] = field(default_factory=dict)
    activity_seconds: float = 0.0

    @property
    def people(self) -> int:
        return self.counts.get("members", 0)


def _reverse_relations(model: type) -> list:
    """Every relation pointing at ``model``, including those declared with ``related_name="+"`` (which
    ``_meta.related_objects`` leaves out): the apps' rows that hang off a region that way must go too."""
    return [
        field for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and field.related_model is not None
    ]


def _dependents(targets: set[type], skip: set[type]) -> list:
    """Reverse relations pointing at ``targets`` from models outside them (other apps' tables)."""
    return [
        rel for model in targets for rel in _reverse_relations(model)
        if rel.related_model not in targets and rel.related_model not in skip
    ]


def _clear_dependents(targets: set[type], skip: set[type], using: str) -> None:
    """Empty or unlink other apps' rows that refer to the tables about to be wiped (as on_delete says), and the
    rows that refer to those in turn (procedures' steps and notice items …), as TRUNCATE … CASCADE does."""
    for rel in _dependents(targets, skip):
        if rel.many_to_many:
            rel.through._default_manager.using(using).all().delete()
            continue
        rows = rel.related_model._base_manager.using(using).filter(**{f"{rel.field.name}__isnull": False})
        _clear_rows(rows, rel.on_delete is SET_NULL and rel.field.name, using)


def _clear_rows(rows, null_field: str | bool, using: str) -> None:
    """Unlink (``null_field``) or delete ``rows`` without the ORM's collector, whose PROTECT would refuse, after
    the rows referring to them."""
    if null_field:
        rows.update(**{null_field: None})
        return
    model = rows.model
    for rel in _reverse_relations(model):
        if rel.related_model is model:
            continue
        if rel.many_to_many:
            joins = rel.through._base_manager.using(using)
            joins.filter(**{f"{rel.field.m2m_reverse_field_name()}__in": rows})._raw_delete(using)
            continue
        dependents = rel.related_model._base_manager.using(using).filter(**{f"{rel.field.name}__in": rows})
        _clear_rows(dependents, rel.on_delete is SET_NULL and rel.field.name, using)
    rows._raw_delete(using)


def wipe(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """Remove the registry, the audit trail, the comparison data, the demo accounts and the region tree.

    Other accounts survive, unbound from their region; the returned {username: region code} lets ``run`` bind
    them again once the tree exists. Rows of other apps that hang off households or regions go too.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    big = [SecurityCheck, IncomeAccount, Member, Household, AuditLog]  # children first
    with transaction.atomic(using=using):
        # Comparison data refer to the register by ID number, not by key: they go first, on their own.
        for model in COMPARISON_MODELS:
            _clear_rows(model._base_manager.using(using).all(), False, using)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE … CASCADE also empties other apps' tables that reference these ones. It refuses to
                # run while deferred foreign-key checks are pending in the transaction, so run those first.
                connection.check_constraints()
                cursor.execute(f"TRUNCATE {', '.join(qn(m._meta.db_table) for m in big)} CASCADE")
            else:
                _clear_dependents(set(big), {User}, using)
                for model in big:
                    cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")
        User.objects.using(using).filter(username__in=DEMO_USERNAMES).delete()
        bound = User.objects.using(using).filter(region__isnull=False)
        bindings = dict(bound.values_list("username", "region_id"))
        bound.update(region=None)
        _clear_dependents({Region}, {User, Household}, using)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {qn(Region._meta.db_table)}")
        # Emptying the audit log above is the one place its rows go: PostgreSQL's append-only trigger is a row
        # trigger, which TRUNCATE does not fire, and SQLite has none. That is acceptable for demo data only (run
        # refuses a database holding real data without --reset), and the chain restarts with a row saying so.
        restart_chain("演示数据重置：操作日志已清空，哈希链自此重新开始", using=using)
    return bindings


def run(
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    *,
    reset: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    report: Report | None = None,
    today: dt.date | None = None,
) -> DemoResult:
    """Generate and load the demo in one transaction, so a run that fails leaves the database as it was.

    Memory stays bounded: counties are generated and written one at a time. The registry tables' plain indexes
    are built once at the end (bulkload.deferred_indexes). A database holding demo data (or any data, with
    ``reset``) is wiped first; a database holding other data is refused, so real data is never lost by accident.
    """
    report = report or (lambda message: None)
    today = today or timezone.localdate()
    counties = plan_regions(people, seed)
    result = DemoResult(counties, {}, [])
    with bulkload.bulk_session(using), transaction.atomic(using=using):
        _load(people, seed, reset=reset, using=using, report=report, today=today, result=result)
        if using == DEFAULT_DB_ALIAS:  # the services below write to the default database
            started = time.perf_counter()
            report("演示业务：监测预警、各类程序、帮扶结对与走访、数据比对……")
            result.activity = seed_activity(counties[0], today)
            result.activity_seconds = time.perf_counter() - started
    return result


def seed_activity(county: County, today: dt.date) -> dict[str, int]:
    """The work a county has done, through the apps' services, in the demo accounts' villages (bounded: a fixed
    sample whatever the demo's size): a monitoring run over the first county, a household at each stage of every
    procedure chain, helpers with pairings, measures and visits, a death-register comparison with suspects."""
    actors = workflows.village_actors()
    year = today.year - 1
    county_user = actors[0].by_level[Level.COUNTY]
    with workflows.on(timezone.localdate() - dt.timedelta(days=MONITORING_DAYS_AGO)):
        run = monitoring.run_monitoring(Region.objects.get(code=county.code), [a.village for a in actors],
                                        county_user, year=year)
    procedures = workflows.run_chains(year, actors)
    return {
        "alerts": run.opened, "procedures": len(procedures), "pairings": assistance.create_assistance(actors),
        "team_members": assistance.create_teams(actors),
        "suspects": comparison.compare_deaths(actors),
        "sector_records": sectors.create_sectors(actors, today),
        "projects": projects.create_projects(actors, today),
        # After the projects: it hands their accepted ones over as assets.
        "assets": assets.create_assets(actors, today),
        # After the projects (their allocations) and the comparison (a member on its death register is paid).
        "disbursements": funds.create_funds(actors, today),
        # After the funds: the county checks their payments, and the planted anomalies show in 资金异常.
        "fund_anomalies": fund_checks.check_funds(actors),
        "loans": credit.create_loans(actors, today),
        # After the monitoring run: the county's what-if scenario over the same year.
        "whatif_households": create_scenario(actors, year),
        # After the register, monitoring and procedures: the assessment samples the county as they left it.
        "assessment_sheets": create_assessment(actors, today),
        # Last: the figures over all of the above, and the county's targets against them.
        "targets": create_stats(actors, today),
    }


def _load(people, seed, *, reset, using, report, today, result) -> None:
    counties = result.counties
    connection = connections[using]
    # The plain indexes go before the wipe too: SQLite deletes row by row, updating each index.
    with bulkload.deferred_indexes(*REGISTRY_MODELS, using=using):
        started = time.perf_counter()
        bindings: dict[str, str] = {}
        if reset or has_demo_data(using):
            report("清除原有演示数据……")
            bindings = wipe(using)
        elif Household.objects.using(using).exists() or Region.objects.using(using).exists():
            raise DemoRefused(
                "数据库中已有行政区划或建档立卡数据（不是演示数据）。如确定要清空并生成演示数据，请加 --reset"
            )
        result.wipe_seconds = time.perf_counter() - started

        regions = region_frame(counties)
        bulkload.load_frame(Region, regions, using=using)
        result.accounts = create_accounts(counties[0], using)
        create_lines(counties[0], using)
        existing = set(Region.objects.using(using).filter(code__in=bindings.values()).values_list("code", flat=True))
        for username, code in bindings.items():
            if code in existing:
                User.objects.using(using).filter(username=username).update(region_id=code)
        report(f"行政区划 {regions.height:,} 个（{len(counties)} 个县）")

        totals: dict[str, int] = {}
        for index, county in enumerate(counties):
            started = time.perf_counter()
            data = generate_county(county, seed, index, today)
            result.generate_seconds += time.perf_counter() - started
            started = time.perf_counter()
            sizes = dict(zip(REGISTRY_MODELS, data.counts().values()))
            bases = {
                model: bulkload.allocate_ids(model, n, using) for model, n in sizes.items() if model is not AuditLog
            }
            for model, frame in data.with_ids(bases).items():
                if model is AuditLog:
                    append_frame(frame, using=using)
                else:
                    bulkload.load_frame(model, frame, using=using)
            if connection.vendor == "postgresql":
                # Run this county's deferred foreign-key checks now, so the queue never outgrows a county.
                connection.check_constraints()
            result.load_seconds += time.perf_counter() - started
            for key, n in data.counts().items():
                totals[key] = totals.get(key, 0) + n
            report(
                f"[{index + 1}/{len(counties)}] {county.name}：{data.households.height:,} 户 "
                f"{data.members.height:,} 人，收支 {data.income.height:,} 条，三保障 {data.security.height:,} 条，"
                f"监测对象 {data.monitored.height:,} 户，收入核查 {data.income_checks.height:,} 条，"
                f"日志 {data.audit.height:,} 条"
            )
            del data
        result.counts = totals
        started = time.perf_counter()
        report("建立索引……")
    result.index_seconds = time.perf_counter() - started
