"""Turn a check's hits into anomalies, one per rule and subject, against what earlier runs left.

New hits become 待核实 anomalies; a hit already known updates its ``last_seen`` (and, while 待核实, its figures);
a closed one found again is reopened; a 待核实 anomaly the run no longer finds is closed (已消除). Answered
anomalies (属实/不属实/已整改) keep their answer either way. Every created, changed, closed or reopened anomaly
gets its audit row in the run's transaction.
"""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.audit.services import build_entry, snapshot

from ..models import Anomaly, AnomalyStatus, FundCheckRun
from . import explain

BATCH = 1000
ANSWERED = (AnomalyStatus.CONFIRMED, AnomalyStatus.REJECTED, AnomalyStatus.RECTIFIED)
COMPARED = ("region_id", "disbursement_id", "allocation_id", "fund_id", "payee_name", "id_number", "amount",
            "figures")

UPDATED_FIELDS = ["status", "closed_at", "run", "last_seen", "region", "disbursement", "allocation", "fund",
                  "payee_name", "id_number", "amount", "figures"]


def _values(row: dict) -> dict:
    amount = row["amount"]
    return {
        "region_id": row["region_code"], "disbursement_id": row["disbursement_id"],
        "allocation_id": row["allocation_id"], "fund_id": row["fund_id"], "payee_name": row["payee_name"][:100],
        "id_number": row["id_number"][:18],
        "amount": None if amount is None else Decimal(str(round(amount, 2))).quantize(Decimal("0.01")),
        "figures": json.loads(row["figures"]),
    }


def existing_anomalies(rules, prefix: str, year: int):
    """The anomalies of these rules the run covers: under its region, of its year."""
    return (Anomaly.objects.in_region(prefix).filter(rule__in=rules)
            .filter(Q(fund__year=year) | Q(fund__isnull=True, disbursement__paid_on__year=year)))


def _lock() -> None:
    """One run writes anomalies at a time (a second waits instead of colliding on the rule/subject constraint)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Anomaly._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def reconcile(run: FundCheckRun, hits: pl.DataFrame, rules: dict, prefix: str, *, channel: str) -> dict:
    """Apply the hits (``engine.HIT_SCHEMA``) of ``rules`` ({code: FundRule}); return the counts per outcome."""
    _lock()
    now = timezone.now()
    by_id = {rule.pk: rule for rule in rules.values()}
    existing = {
        (row["rule_id"], row["subject_key"]): row
        for row in existing_anomalies(list(rules.values()), prefix, run.year)
        .values("pk", "rule_id", "subject_key", "status", *COMPARED)
    }
    counts = {"opened": 0, "reopened": 0, "updated": 0, "unchanged": 0, "answered": 0, "closed": 0}
    created, changed, seen_only = [], {}, []
    seen = set()
    for row in hits.iter_rows(named=True):
        rule = rules[row["rule"]]
        key = (rule.pk, row["subject_key"])
        seen.add(key)
        values = _values(row)
        old = existing.get(key)
        if old is None:
            created.append(Anomaly(rule=rule, subject_key=row["subject_key"], run=run, last_seen=now,
                                   status=AnomalyStatus.PENDING, **values))
        elif old["status"] in ANSWERED:
            counts["answered"] += 1
            seen_only.append(old["pk"])
        elif old["status"] == AnomalyStatus.CLOSED:
            changed[old["pk"]] = ("reopened", {**values, "status": AnomalyStatus.PENDING, "closed_at": None})
        elif any(old[name] != value for name, value in values.items()):
            changed[old["pk"]] = ("updated", values)
        else:
            counts["unchanged"] += 1
            seen_only.append(old["pk"])
    for key, old in existing.items():
        if key not in seen and old["status"] == AnomalyStatus.PENDING:
            changed[old["pk"]] = ("closed", {"status": AnomalyStatus.CLOSED, "closed_at": now})
    entries = _create(run, created, channel)
    entries += _update(run, changed, counts, now, channel)
    for start in range(0, len(seen_only), BATCH):
        Anomaly.objects.filter(pk__in=seen_only[start:start + BATCH]).update(last_seen=now, run=run)
    if entries:
        for entry in entries:
            entry.time = now
        AuditLog.objects.append(entries)
    counts["opened"] = len(created)
    counts["rules"] = {by_id[rule_id].code: n for rule_id, n in _per_rule(created).items()}
    return counts


def _per_rule(created) -> dict:
    result: dict = {}
    for anomaly in created:
        result[anomaly.rule_id] = result.get(anomaly.rule_id, 0) + 1
    return result


def _note(run: FundCheckRun, anomaly: Anomaly) -> str:
    return f"资金核查 #{run.pk}：{explain.text(anomaly.figures)}"[:500]


def _create(run, anomalies: list[Anomaly], channel: str) -> list[AuditLog]:
    if not anomalies:
        return []
    Anomaly.objects.bulk_create(anomalies, batch_size=BATCH)  # keys come back (RETURNING) on both databases
    return [build_entry(a, before=None, after=snapshot(a), acting_user=run.started_by, channel=channel,
                        note=_note(run, a)) for a in anomalies]


def _update(run, changed: dict, counts: dict, now, channel: str) -> list[AuditLog]:
    entries = []
    pending = list(changed)
    for start in range(0, len(pending), BATCH):
        updated = []
        for pk, anomaly in Anomaly.objects.in_bulk(pending[start:start + BATCH]).items():
            what, values = changed[pk]
            before = snapshot(anomaly)
            for name, value in values.items():
                setattr(anomaly, name, value)
            if what != "closed":
                anomaly.run, anomaly.last_seen = run, now
            counts[what] += 1
            updated.append(anomaly)
            entries.append(build_entry(anomaly, before=before, after=snapshot(anomaly), acting_user=run.started_by,
                                       channel=channel, note=f"资金核查 #{run.pk}"
                                       + ("：已不再发现，消除" if what == "closed" else "")))
        Anomaly.objects.bulk_update(updated, UPDATED_FIELDS, batch_size=BATCH)
    return entries
