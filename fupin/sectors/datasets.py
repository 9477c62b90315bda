"""Sector records from a department's data set (``comparison``): 民政 低保/特困 lists become enrolments, the 学籍 list
student records, 医保 settlements hospital bills, 住建 appraisals house appraisals.

Each row is matched to an active member of the register by the normalised ID number (the householder's, for a
house); rows of people outside the account's region or not registered are counted, not guessed. Records already
taken from the same data set row are skipped, so loading a data set twice adds nothing. All rows go through the
services (validated, audited) in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.comparison.access import datasets_visible_to
from fupin.comparison.models import Dataset, DatasetRow
from fupin.registry.models import Member

from . import services
from .choices import Policy, Source, Stage
from .models import Enrolment, HospitalBill, HouseAppraisal, StudentStatus

STAGE_WORDS = {"学前": Stage.PRESCHOOL, "幼儿": Stage.PRESCHOOL, "小学": Stage.PRIMARY, "初中": Stage.JUNIOR,
               "高中": Stage.SENIOR, "中职": Stage.VOCATIONAL, "中专": Stage.VOCATIONAL, "技工": Stage.VOCATIONAL,
               "高职": Stage.HIGHER_VOCATIONAL, "专科": Stage.HIGHER_VOCATIONAL, "大专": Stage.HIGHER_VOCATIONAL,
               "本科": Stage.UNDERGRADUATE}
LEFT_SCHOOL = ("休学", "辍学", "退学", "毕业", "转出", "离校")
KIND_MODELS = {"dibao": Enrolment, "tekun": Enrolment, "school_enrolment": StudentStatus,
               "hospital_bill": HospitalBill, "dangerous_house": HouseAppraisal}


def loadable_datasets(user):
    return datasets_visible_to(user).filter(kind__code__in=list(KIND_MODELS))


def _date(text, default=None):
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else default
    except ValueError:
        return default


def _money(text) -> Decimal | None:
    try:
        return Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None


def _stage(text: str) -> str | None:
    return next((stage for word, stage in STAGE_WORDS.items() if word in (text or "")), None)


def school_year(day: dt.date) -> int:
    """The school year a date falls in: from September it is that year's, before it the previous year's."""
    return day.year if day.month >= 9 else day.year - 1


def _record(kind: str, row: DatasetRow, member: Member, dataset: Dataset):
    data = row.data or {}
    base = {"source": Source.DATASET, "dataset": dataset, "row_no": row.row_no}
    if kind in ("dibao", "tekun"):
        return Enrolment(member=member, policy=Policy.DIBAO if kind == "dibao" else Policy.TEKUN,
                         start=_date(data.get("start_date"), dataset.reference_date), amount=_money(data.get("amount")),
                         **base)
    if kind == "school_enrolment":
        stage = _stage(data.get("stage")) or _stage(data.get("grade"))
        if stage is None:
            raise ValidationError({"stage": f"学段“{data.get('stage') or data.get('grade') or ''}”无法识别"})
        return StudentStatus(member=member, year=school_year(dataset.reference_date), school=data.get("school") or "未填",
                             grade=(data.get("grade") or "")[:20], stage=stage,
                             enrolled=not any(word in (data.get("student_status") or "") for word in LEFT_SCHOOL),
                             **base)
    if kind == "hospital_bill":
        in_policy = _money(data.get("in_policy_cost")) or Decimal(0)
        self_pay = _money(data.get("in_policy_self_pay"))
        return HospitalBill(member=member, hospital=data.get("hospital") or "未填",
                            admitted_on=_date(data.get("admission_date")),
                            discharged_on=_date(data.get("discharge_date"), dataset.reference_date),
                            diagnosis=(data.get("diagnosis") or "")[:100],
                            total_cost=_money(data.get("total_cost")) or Decimal(0), in_policy_cost=in_policy,
                            reimbursed=_money(data.get("reimbursed")) or Decimal(0),
                            self_pay=self_pay if self_pay is not None else _money(data.get("out_of_pocket")) or 0,
                            **base)
    grade = (data.get("grade") or "").strip().upper()[:1]
    return HouseAppraisal(household=member.household, grade=grade,
                          appraised_on=_date(data.get("appraisal_date"), dataset.reference_date), **base)


def load(dataset: Dataset, *, acting_user, channel) -> dict[str, int]:
    """Create the sector records of a data set's rows; returns how many were created, already there, not in the
    register (or outside the account's region), and refused (with the first reasons)."""
    kind = dataset.kind.code
    if kind not in KIND_MODELS:
        raise ValidationError(f"“{dataset.kind.name}”类数据不能导入行业政策")
    if acting_user is not None and not loadable_datasets(acting_user).filter(pk=dataset.pk).exists():
        raise PermissionDenied("该数据集不在当前账号的查看范围内")
    model = KIND_MODELS[kind]
    done = set(model.objects.filter(dataset=dataset).values_list("row_no", flat=True))
    rows = list(DatasetRow.objects.filter(dataset=dataset).order_by("row_no"))
    members = {m.id_number: m for m in Member.objects.filter(
        id_number__in={r.id_number for r in rows}, active=True,
        household__in=services.households_for(acting_user)).select_related("household")}
    counts = {"created": 0, "existing": 0, "unmatched": 0, "refused": 0}
    reasons: list[str] = []
    with transaction.atomic():
        for row in rows:
            if row.row_no in done:
                counts["existing"] += 1
                continue
            member = members.get(row.id_number)
            if member is None:
                counts["unmatched"] += 1
                continue
            try:
                with transaction.atomic():
                    record = _record(kind, row, member, dataset)
                    save = services.record_appraisal if model is HouseAppraisal else services.save_record
                    save(record, acting_user=acting_user, channel=channel)
            except (ValidationError, PermissionDenied) as exc:
                counts["refused"] += 1
                if len(reasons) < 20:
                    reasons.append(f"第{row.row_no}行：{'；'.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                counts["created"] += 1
    return {**counts, "reasons": reasons}
