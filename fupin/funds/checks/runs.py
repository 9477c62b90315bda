"""A check run (资金核查): start it (queued as a background job, or here for the CLI), evaluate the enabled rules
in a DuckDB workspace, and reconcile the anomalies in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.comparison.engine import Workspace
from fupin.core.scope import in_scope
from fupin.jobs import services as jobs
from fupin.jobs.models import Job
from fupin.regions.models import Region

from ..models import FundCheckRun, RunStatus
from . import engine, parameters, reconcile
from . import rules as rule_book
from .access import can_run

JOB_KIND = "funds.check"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def resolve_region(region_code: str, acting_user) -> Region:
    """The run's region: the one asked for (in the user's scope), else the user's own, else the top of the tree."""
    region_code = (region_code or "").strip()
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError({"region": f"区划代码 {region_code} 不存在"})
        if acting_user is not None and not in_scope(acting_user, region.code):
            raise PermissionDenied("核查范围超出当前账号的管辖范围")
        return region
    if acting_user is not None and acting_user.region_id:
        return acting_user.region
    region = Region.objects.order_by("level", "code").first()
    if region is None:
        raise ValidationError({"region": "尚未建立行政区划"})
    return region


def resolve_year(year) -> int:
    year = timezone.localdate().year if year in (None, "") else year
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"年度应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的整数"})
    return year


def start_check(*, year: int | None = None, region_code: str = "", acting_user, channel: str,
                rules: list[str] | None = None, run_now: bool = False) -> FundCheckRun:
    """Create a run and queue it as a background job (``run_now``: execute here and return it finished)."""
    if not can_run(acting_user):
        raise PermissionDenied("当前账号没有发起资金异常检查的权限")
    year = resolve_year(year)
    region = resolve_region(region_code, acting_user)
    chosen, _warnings = rule_book.enabled_rules(rules)
    if rules and len(chosen) < len(set(rules)):
        known = {rule.code for rule, _check in chosen}
        raise ValidationError({"rules": [f"没有启用的规则 {code}" for code in rules if code not in known]})
    if not chosen:
        raise ValidationError({"rules": "没有启用的资金异常规则"})
    with transaction.atomic():
        run = FundCheckRun.objects.create(year=year, region=region, started_by=acting_user,
                                          rules=[rule.code for rule, _check in chosen])
        title = f"{year}年资金异常检查 #{run.pk}"
        params = {"run_id": run.pk, "channel": channel}
        if run_now:
            job = Job.objects.create(kind=JOB_KIND, title=title, user=acting_user, params=params,
                                     region_code=region.code)
        else:
            job = jobs.start(JOB_KIND, title, user=acting_user, params=params, region_code=region.code)
        run.job = job
        run.save(update_fields=["job"])
    if run_now:
        jobs.run(job)
        run.refresh_from_db()
    return run


def evaluate(year: int, region: Region, rules: list[str] | None = None, progress: Callable | None = None
             ) -> tuple[pl.DataFrame, dict, dict, list[str]]:
    """The hits of the enabled rules (or ``rules``) for a year and region, without writing anything:
    (hits, {code: FundRule}, row counts, warnings)."""
    progress = progress or (lambda *args, **kwargs: None)
    chosen, warnings = rule_book.enabled_rules(rules)
    prefix = region.prefix
    reference = parameters.reference_date(year, timezone.localdate())
    with Workspace() as workspace:
        progress(0, 4, "读取拨付明细、资金分配、在册人员和比对数据")
        checks = [check for _rule, check in chosen]
        counts = engine.load(workspace, year=year, prefix=prefix, reference=reference,
                             needed=engine.needed_facts(checks))
        progress(2, 4, f"执行 {len(chosen)} 条规则")
        hits = engine.evaluate(workspace.con, checks, prefix)
    known = set(Region.objects.filter(code__in=hits["region_code"].unique().to_list()).values_list("code", flat=True))
    unknown = hits.filter(~pl.col("region_code").is_in(list(known)))
    if unknown.height:
        warnings.append(f"{unknown.height} 条异常的责任区划不在区划表中，未记录："
                        f"{'、'.join(sorted(set(unknown['region_code'].to_list()))[:5])}")
        hits = hits.filter(pl.col("region_code").is_in(list(known)))
    return hits, {rule.code: rule for rule, _check in chosen}, counts, warnings


def execute_check(run: FundCheckRun, progress: Callable | None = None, *, channel: str) -> dict:
    """Evaluate the run's rules and reconcile its anomalies; the run's figures are saved with them."""
    progress = progress or (lambda *args, **kwargs: None)
    started = time.perf_counter()
    hits, rules, counts, warnings = evaluate(run.year, run.region, run.rules or None, progress)
    progress(3, 4, "写入异常")
    with transaction.atomic():
        result = reconcile.reconcile(run, hits, rules, run.region.prefix, channel=channel)
        run.status = RunStatus.DONE
        run.scanned = counts.get("disbursements", 0)
        run.opened = result["opened"] + result["reopened"]
        run.updated_count = result["updated"]
        run.unchanged = result["unchanged"] + result["answered"]
        run.closed = result["closed"]
        run.warnings = warnings
        run.seconds = round(time.perf_counter() - started, 2)
        run.finished = timezone.now()
        run.save()
    progress(4, 4, "完成")
    return {**result, "hits": hits.height, "counts": counts}


def mark_failed(run_id: int, message: str) -> None:
    FundCheckRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, warnings=[message],
                                                  finished=timezone.now())
