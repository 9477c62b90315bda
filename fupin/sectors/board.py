"""The 应享未享 board: a coverage run over a region and year, its gaps reconciled, counted per township and village.

A run evaluates every active rule (``coverage``) and keeps one gap per rule, year and subject: a new hit opens a
gap, a repeated one refreshes its figures, and a gap no longer found is closed (已补齐) — so a board shows who still
lacks a policy, and when each gap was filled.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fupin.audit.services import record_change
from fupin.comparison.access import department_of
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.regions.models import PREFIX_LENGTH, Level, Region
from fupin.registry.models import Member

from . import coverage
from .access import can_run_coverage, sectors_of
from .choices import GapStatus
from .models import CoverageGap, CoverageRule, CoverageRun


def rules(active_only: bool = True) -> list[CoverageRule]:
    queryset = CoverageRule.objects.all()
    return list(queryset.filter(active=True) if active_only else queryset)


def rule_names() -> dict[str, str]:
    return dict(CoverageRule.objects.values_list("code", "name"))


def gaps_visible_to(user):
    """Gaps in the account's region; a department's only those of its sector's rules."""
    queryset = CoverageGap.objects.visible_to(user) if user is not None else CoverageGap.objects.all()
    if user is not None and department_of(user) is not None:
        codes = CoverageRule.objects.filter(sector__in=sectors_of(user)).values_list("code", flat=True)
        queryset = queryset.filter(rule__in=list(codes))
    return queryset


def runs_visible_to(user):
    """Runs over the account's region or inside it, and the runs of the whole register (the CLI's)."""
    prefix = user_scope_prefix(user)
    if prefix is None:
        return CoverageRun.objects.none()
    return CoverageRun.objects.filter(Q(region_code__in_region=prefix) | Q(region_code=""))


def run(region: Region | None, year: int, *, acting_user, channel, today=None) -> CoverageRun:
    """Evaluate the active rules over the region (None: everything) for the year and reconcile the gaps."""
    if acting_user is not None:
        if not can_run_coverage(acting_user):
            raise PermissionDenied("当前账号不能运行应享未享排查")
        region = region or acting_user.region
        if region is None or not in_scope(acting_user, region.code):
            raise PermissionDenied("该区划不在当前账号的管辖范围内")
    prefix = region.prefix if region is not None else ""
    active = rules()
    checked = [(rule, coverage.validate(rule.condition, rule.subject)) for rule in active]
    with coverage.Facts(prefix, year, reference_date=today) as facts:
        hits = {rule.code: facts.evaluate(rule.code, rule.subject, condition) for rule, condition in checked}
    with transaction.atomic():
        summary = _reconcile(prefix, year, hits)
        record = CoverageRun.objects.create(year=year, region_code=region.code if region else "",
                                            started_by=acting_user, summary=summary)
        record_change(record, before=None, acting_user=acting_user, channel=channel,
                      note=f"应享未享排查：{year}年，发现{summary['open']}条，补齐{summary['closed']}条")
    return record


def _reconcile(prefix: str, year: int, hits: dict[str, list[coverage.RuleHit]]) -> dict:
    now = timezone.now()
    existing = {(g.rule, g.household_id, g.member_id): g
                for g in CoverageGap.objects.in_region(prefix).filter(year=year, rule__in=list(hits))}
    member_ids = {h.member_id for found in hits.values() for h in found if h.member_id}
    people = dict((pk, (name, number)) for pk, name, number in
                  Member.objects.filter(pk__in=member_ids).values_list("pk", "name", "id_number"))
    seen, new, refreshed = set(), [], []
    summary = {"rules": {}, "open": 0, "new": 0, "closed": 0}
    for code, found in hits.items():
        summary["rules"][code] = len(found)
        for hit in found:
            key = (code, hit.household_id, hit.member_id)
            seen.add(key)
            figures = {k: _plain(v) for k, v in hit.figures.items()}
            gap = existing.get(key)
            if gap is None:
                name, number = people.get(hit.member_id, ("", ""))
                new.append(CoverageGap(rule=code, year=year, village_code=hit.village_code,
                                       household_id=hit.household_id, household_number=hit.household_number,
                                       member_id=hit.member_id, member_name=name, id_number=number, figures=figures,
                                       last_seen=now))
            else:
                gap.figures, gap.last_seen, gap.status, gap.closed_at = figures, now, GapStatus.OPEN, None
                refreshed.append(gap)
    CoverageGap.objects.bulk_create(new)
    CoverageGap.objects.bulk_update(refreshed, ["figures", "last_seen", "status", "closed_at"])
    closing = [g.pk for key, g in existing.items() if key not in seen and g.status == GapStatus.OPEN]
    CoverageGap.objects.filter(pk__in=closing).update(status=GapStatus.CLOSED, closed_at=now)
    summary.update(open=len(seen), new=len(new), closed=len(closing))
    return summary


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def counts(queryset, level: int) -> list[dict]:
    """Open gaps per region of a level (township or village) and rule: [{code, name, rules: {rule: n}, total}]."""
    digits = PREFIX_LENGTH[level]
    rows: dict[str, dict] = {}
    for village, rule, n in (queryset.filter(status=GapStatus.OPEN).values_list("village_code", "rule")
                             .annotate(n=Count("id")).order_by()):
        code = village[:digits].ljust(12, "0")
        row = rows.setdefault(code, {"code": code, "rules": {}, "total": 0})
        row["rules"][rule] = row["rules"].get(rule, 0) + n
        row["total"] += n
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    for code, row in rows.items():
        row["name"] = names.get(code, code)
    return sorted(rows.values(), key=lambda r: r["code"])


def default_level(user) -> int:
    """Townships for a county account, villages below it."""
    prefix = user_scope_prefix(user) or ""
    return Level.VILLAGE if len(prefix) >= PREFIX_LENGTH[Level.TOWNSHIP] else Level.TOWNSHIP
