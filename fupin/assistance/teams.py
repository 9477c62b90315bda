"""驻村工作队: teams, members, 召回调整, attendance, and the completeness check of a village's team against the
configured minimum and term (docs/domain-facts.md §6: 一般不少于3人, 每期不少于2年; figures in ``parameters``)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from fupin.audit.services import record_change, snapshot
from fupin.core import validators
from fupin.regions.models import Level, Region

from .models import (
    Attendance,
    AttendanceStatus,
    MemberChange,
    MemberStatus,
    ParameterCode,
    TeamChangeKind,
    TeamMember,
    TeamRole,
    WorkTeam,
)
from .parameters import Resolver, figure
from .services import ensure_can_manage

# What each change leaves the member as.
STATUS_AFTER = {TeamChangeKind.RECALL: MemberStatus.RECALLED, TeamChangeKind.ADJUST: MemberStatus.ADJUSTED,
                TeamChangeKind.FINISH: MemberStatus.FINISHED}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- teams and members --------------------------------------------------------------------------------------------

@transaction.atomic
def save_team(team: WorkTeam, *, acting_user, channel) -> WorkTeam:
    ensure_can_manage(acting_user, team.village_id or "")
    before = None
    if team.pk:
        original = WorkTeam.objects.get(pk=team.pk)
        ensure_can_manage(acting_user, original.village_id)
        before = snapshot(original)
        if original.village_id != team.village_id:
            raise ValidationError({"village": "工作队的驻村不能更改，请结束本期后新建"})
    errors = {}
    if team.village.level != Level.VILLAGE:
        errors["village"] = "驻村应为村级区划"
    if team.end and team.start and team.end < team.start:
        errors["end"] = "本期结束不能早于本期开始"
    if team.active and WorkTeam.objects.filter(village_id=team.village_id, active=True).exclude(pk=team.pk).exists():
        errors["village"] = f"{team.village.name}已有在驻工作队，请先结束本期"
    if errors:
        raise ValidationError(errors)
    team.full_clean(validate_constraints=False)
    team.save()
    record_change(team, before=before, acting_user=acting_user, channel=channel)
    return team


@transaction.atomic
def end_team(team: WorkTeam, *, end: dt.date, reason: str, acting_user, channel) -> WorkTeam:
    """本期结束 (轮换): the team and its members still in post leave on ``end``; the rows stay as history."""
    ensure_can_manage(acting_user, team.village_id)
    if not team.active:
        raise ValidationError("该工作队本期已结束")
    if end < team.start:
        raise ValidationError({"end": "本期结束不能早于本期开始"})
    for member in team.members.filter(status=MemberStatus.ACTIVE):
        change_member(member, kind=TeamChangeKind.FINISH, date=end, reason=reason or "工作队期满轮换",
                      acting_user=acting_user, channel=channel)
    before = snapshot(team)
    team.end, team.active = end, False
    team.save()
    record_change(team, before=before, acting_user=acting_user, channel=channel, note="本期结束")
    return team


@transaction.atomic
def save_member(member: TeamMember, *, acting_user, channel) -> TeamMember:
    team = member.team
    ensure_can_manage(acting_user, team.village_id)
    before = None
    if member.pk:
        original = TeamMember.objects.get(pk=member.pk)
        before = snapshot(original)
        if original.status != MemberStatus.ACTIVE and member.status == MemberStatus.ACTIVE:
            raise ValidationError("已召回或调整的队员不能恢复在岗，请重新选派")
    errors = {}
    if not team.active and not member.pk:
        errors["team"] = "该工作队本期已结束，不能再选派队员"
    if member.phone:
        if (problem := validators.phone(member.phone)) is not None:
            errors["phone"] = problem
    if member.term_start and member.term_end:
        term = figure(ParameterCode.TEAM_TERM_YEARS, member.term_start.year, team.village_id)
        if member.term_end < _add_years(member.term_start, term.value):
            errors["term_end"] = f"每期驻村时间不少于{term.value}年（依据：{term.source}）"
    if member.role == TeamRole.FIRST_SECRETARY and member.status == MemberStatus.ACTIVE:
        other = team.members.filter(role=TeamRole.FIRST_SECRETARY, status=MemberStatus.ACTIVE).exclude(pk=member.pk)
        if other.exists():
            errors["role"] = f"该工作队已有在岗第一书记{other.first().name}"
    if errors:
        raise ValidationError(errors)
    member.village_id = team.village_id
    member.full_clean(exclude=["team", "village", "user"])
    member.save()
    record_change(member, before=before, acting_user=acting_user, channel=channel)
    return member


@transaction.atomic
def change_member(member: TeamMember, *, kind: str, date: dt.date, reason: str, role: str = "", acting_user,
                  channel) -> MemberChange:
    """召回调整: recall, adjust (轮换) or finish a member, or change their role; the reason stays as history."""
    ensure_can_manage(acting_user, member.village_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写原因"})
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(f"{member.name}已不在岗")
    if date < member.term_start:
        raise ValidationError({"date": "日期不能早于任期开始"})
    if date > timezone.localdate():
        raise ValidationError({"date": "日期不能晚于今天"})
    before = snapshot(member)
    detail = ""
    if kind == TeamChangeKind.ROLE:
        if role not in TeamRole.values or role == member.role:
            raise ValidationError({"role": "请选择新的职务"})
        detail = f"{member.get_role_display()} → {TeamRole(role).label}"
        member.role = role
        save_member(member, acting_user=acting_user, channel=channel)  # the one-first-secretary rule applies
    else:
        member.status, member.left_on = STATUS_AFTER[TeamChangeKind(kind)], date
        member.save()
        record_change(member, before=before, acting_user=acting_user, channel=channel,
                      note=f"{TeamChangeKind(kind).label}：{reason.strip()}")
    return MemberChange.objects.create(member=member, kind=kind, date=date, reason=reason.strip(), detail=detail,
                                       created_by=acting_user)


@transaction.atomic
def record_attendance(team: WorkTeam, day: dt.date, entries: dict, *, acting_user, channel) -> int:
    """A day's attendance of a team: ``entries`` maps a member to (status, note); returns the rows written."""
    ensure_can_manage(acting_user, team.village_id)
    if day > timezone.localdate():
        raise ValidationError({"date": "考勤日期不能晚于今天"})
    members = {m.pk: m for m in team.members.all()}
    written = 0
    for member, (status, note) in entries.items():
        if member.pk not in members:
            raise ValidationError(f"{member.name}不是该工作队队员")
        if status not in AttendanceStatus.values:
            raise ValidationError({"status": f"{member.name}的考勤状态无效"})
        if day < member.term_start or (member.left_on and day > member.left_on):
            raise ValidationError({"date": f"{day:%Y-%m-%d}不在{member.name}的在岗期间"})
        row = Attendance.objects.filter(member=member, date=day).first()
        before = snapshot(row) if row else None
        row = row or Attendance(member=member, village_id=team.village_id, date=day)
        row.status, row.note, row.recorded_by = status, (note or "").strip()[:200], acting_user
        row.save()
        if record_change(row, before=before, acting_user=acting_user, channel=channel) is not None or before is None:
            written += 1
    return written


@dataclass
class MemberMonth:
    member: TeamMember
    counts: dict
    recorded: int


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def monthly_summary(team: WorkTeam, year: int, month: int) -> list[MemberMonth]:
    """Per member of the team: days 在岗/缺勤/请假 recorded in the month (one query)."""
    first, last = month_bounds(year, month)
    members = team.members.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.filter(date__range=(first, last)), to_attr="month"))
    rows = []
    for member in members:
        counts = Counter(a.status for a in member.month)
        rows.append(MemberMonth(member, {s: counts.get(s, 0) for s in AttendanceStatus.values}, len(member.month)))
    return rows


# --- completeness ---------------------------------------------------------------------------------------------------

@dataclass
class TeamCheck:
    village_code: str
    village_name: str
    poor_village: bool
    team: str | None
    team_id: int | None
    members: int
    first_secretary: str | None
    minimum: int
    minimum_source: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def team_problems(team: WorkTeam | None, members: list[TeamMember], minimum: int, today: dt.date) -> list[str]:
    """What a village's team lacks, in Chinese: no team, too few members in post, no 第一书记, terms run out."""
    if team is None:
        return ["未选派驻村工作队"]
    in_post = [m for m in members if m.status == MemberStatus.ACTIVE and m.term_end >= today]
    expired = [m for m in members if m.status == MemberStatus.ACTIVE and m.term_end < today]
    problems = []
    if len(in_post) < minimum:
        problems.append(f"在岗队员{len(in_post)}人，少于{minimum}人")
    if not any(m.role == TeamRole.FIRST_SECRETARY for m in in_post):
        problems.append("未选派第一书记")
    if expired:
        problems.append("任期已满未轮换：" + "、".join(m.name for m in expired))
    if team.end and team.end < today:
        problems.append(f"工作队本期已于{team.end:%Y-%m-%d}到期")
    return problems


def villages_to_check(prefix: str = ""):
    """The villages whose team is checked: 贫困村 (and 脱贫村, which keep the flag), and any village with a team."""
    with_team = WorkTeam.objects.filter(active=True).values("village_id")
    villages = Region.objects.filter(level=Level.VILLAGE, active=True).filter(
        Q(is_poor_village=True) | Q(code__in=with_team))
    return villages.in_region(prefix) if prefix else villages


def check_villages(villages, *, today: dt.date | None = None) -> list[TeamCheck]:
    """The completeness of each village's current team (three queries for any number of villages)."""
    today = today or timezone.localdate()
    villages = list(villages.order_by("code"))
    teams = {t.village_id: t for t in WorkTeam.objects.filter(active=True, village__in=villages).prefetch_related(
        Prefetch("members", queryset=TeamMember.objects.order_by("role", "name")))}
    resolver = Resolver(today.year)
    checks = []
    for village in villages:
        minimum = resolver.figure(ParameterCode.TEAM_MIN_MEMBERS, village.code)
        team = teams.get(village.code)
        members = list(team.members.all()) if team else []
        in_post = [m for m in members if m.status == MemberStatus.ACTIVE and m.term_end >= today]
        secretary = next((m.name for m in in_post if m.role == TeamRole.FIRST_SECRETARY), None)
        checks.append(TeamCheck(
            village_code=village.code, village_name=village.name, poor_village=village.is_poor_village,
            team=team.name if team else None, team_id=team.pk if team else None, members=len(in_post),
            first_secretary=secretary, minimum=minimum.value, minimum_source=minimum.source,
            problems=team_problems(team, members, minimum.value, today),
        ))
    return checks
