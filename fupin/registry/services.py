"""Registry actions: every write to households, members, accounts and checks goes through these functions.

Pages, the API, imports and the CLI are thin callers. Each action checks the acting user's scope and write
right, validates (ID numbers, code tables, one person in one household), writes, and records the change.
"""

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit.models import Action
from fupin.audit.services import record_change, record_event, snapshot
from fupin.core import idnumber, validators
from fupin.core.channels import Channel
from fupin.core.scope import in_scope
from fupin.dictionaries.services import labels
from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .choices import KINDS_FOR_TYPE, HouseGrade, HouseholdStatus, HouseholdType, Relation, type_for_status
from .models import (
    HOUSEHOLD_CODED_FIELDS,
    MEMBER_CODED_FIELDS,
    DuplicateIdReport,
    Household,
    IncomeAccount,
    Member,
    SecurityCheck,
)

REGISTRY_WRITERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}


def is_registry_writer(user) -> bool:
    return user.is_superuser or (user.can_write and user.role in REGISTRY_WRITERS)


def ensure_can_write(user, region_code: str) -> None:
    """Refuse writes outside the user's subtree and by read-only or department accounts."""
    if not is_registry_writer(user):
        raise PermissionDenied("当前账号没有修改建档立卡数据的权限")
    if not in_scope(user, region_code):
        raise PermissionDenied("该户不在当前账号的管辖范围内")


def check_codes(instance, fields: dict[str, str], multi: dict[str, str] | None = None, *, tables=None) -> dict[str, str]:
    """Field → error for coded values that are not in their code table.

    ``tables`` (kind → {code: label}) lets a batch caller such as an import read each code table once.
    """
    lookup = tables.__getitem__ if tables is not None else labels
    errors = {}
    for field, kind in fields.items():
        value = getattr(instance, field)
        if value and value not in lookup(kind):
            errors[field] = f"“{value}”不是有效的{instance._meta.get_field(field).verbose_name}代码"
    for field, kind in (multi or {}).items():
        value = getattr(instance, field, None)
        if value:
            known = lookup(kind)
            bad = [v for v in value.split(",") if v not in known]
            if bad:
                errors[field] = f"“{'、'.join(bad)}”不是有效的{instance._meta.get_field(field).verbose_name}代码"
    return errors


def household_label(household: Household) -> str:
    village = household.village
    return f"{village.full_name() if village else ''}户编号{household.number}（户主：{household.head_name or '未登记'}）"


def duplicate_member(id_number: str, exclude_pk=None) -> Member | None:
    """The active member holding this ID number elsewhere, if any (searched across all regions on purpose)."""
    qs = Member.objects.filter(id_number=id_number, active=True).select_related("household__village")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def may_name(acting_user, member: Member) -> bool:
    """Whether a message to this account may name the member's household (the system names everyone)."""
    return acting_user is None or in_scope(acting_user, member.household.village_id)


def registered_elsewhere_error(id_number: str) -> str:
    """The refusal for a number held outside the reader's scope: it names no one there."""
    return f"证件号码 {idnumber.mask(id_number)} 在其他地区已登记，不能在此重复登记；须由上级核实处理，已通知上级"


def duplicate_error(id_number: str, existing: Member, target_label: str, *, named: bool) -> str:
    """The refusal for a number already registered elsewhere. Only a reader who may see the other household
    (``named``) is told whose it is; anyone else learns only that the level above must resolve it."""
    if not named:
        return registered_elsewhere_error(id_number)
    return (
        f"证件号码 {idnumber.mask(id_number)} 的人员（{existing.name}）已在"
        f"{household_label(existing.household)}中登记，不能同时登记到{target_label}"
    )


@dataclass(frozen=True)
class Duplicate:
    """An attempt to register ``id_number`` in a village while ``existing`` holds it outside the account's scope."""

    id_number: str
    existing: Member
    village_code: str
    name: str = ""
    household_number: str = ""


class DuplicateIdError(ValidationError):
    """A refusal for numbers registered out of scope; ``reporting_duplicates`` files its reports."""

    def __init__(self, errors, duplicates: list[Duplicate]):
        super().__init__(errors)
        self.duplicates = duplicates


def common_region(code: str, other: str) -> Region | None:
    """The lowest region above village level holding both codes (None across provinces or unknown regions)."""
    candidates = []
    for level in (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE):
        keep = PREFIX_LENGTH[level]
        if code[:keep] == other[:keep]:
            candidates.append(code[:keep] + "0" * (12 - keep))
    found = Region.objects.in_bulk(candidates)
    return next((found[c] for c in candidates if c in found), None)


@transaction.atomic
def report_duplicates(duplicates: list[Duplicate], *, acting_user, channel) -> list[DuplicateIdReport]:
    """Tell the level above about numbers someone tried to register while held outside their scope."""
    now = timezone.now()
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    reports = []
    for dup in duplicates:
        report = DuplicateIdReport.objects.filter(
            member=dup.existing, village_id=dup.village_code, status=DuplicateIdReport.Status.OPEN
        ).first()
        before = snapshot(report) if report else None
        if report is None:
            household = dup.existing.household
            report = DuplicateIdReport(
                region=common_region(dup.village_code, household.village_id),
                id_number_masked=idnumber.mask(dup.id_number), member=dup.existing, existing_household=household,
                existing_village_id=household.village_id, village_id=dup.village_code, attempts=0,
            )
        report.attempts += 1
        report.name, report.household_number = dup.name[:50], dup.household_number[:20]
        report.channel, report.reported_by, report.last_reported = channel, user, now
        report.save()
        record_change(report, before=before, acting_user=acting_user, channel=channel)
        reports.append(report)
    return reports


def reporting_duplicates(action):
    """Run a registry write; when it is refused for numbers registered out of scope, file the reports after its
    own transaction has rolled back, so they stay."""

    @functools.wraps(action)
    def run(*args, acting_user, channel, **kwargs):
        try:
            return action(*args, acting_user=acting_user, channel=channel, **kwargs)
        except DuplicateIdError as exc:
            report_duplicates(exc.duplicates, acting_user=acting_user, channel=channel)
            raise

    return run


@transaction.atomic
def resolve_duplicate_report(report: DuplicateIdReport, resolution: str, *, acting_user, channel) -> DuplicateIdReport:
    """Close a report with what was done (e.g. the person's record corrected or moved by a procedure)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "请填写处理结果"})
    if not is_registry_writer(acting_user):
        raise PermissionDenied("当前账号没有处理重复登记报告的权限")
    if not in_scope(acting_user, report.region_id or ""):  # a report across provinces: the system's own accounts
        raise PermissionDenied("该报告不在当前账号的管辖范围内")
    if report.status != DuplicateIdReport.Status.OPEN:
        raise ValidationError({"status": "该报告已处理"})
    before = snapshot(report)
    report.status, report.resolution = DuplicateIdReport.Status.RESOLVED, resolution[:200]
    report.resolved_by, report.resolved_at = acting_user, timezone.now()
    report.save()
    record_change(report, before=before, acting_user=acting_user, channel=channel)
    return report


def clean_household(household: Household, *, tables=None, new: bool = False, before: Household | None = None
                    ) -> dict[str, str]:
    """The household rules that need no database: codes, causes, field formats (户编号 of a ``new`` household,
    联系电话, 银行账号: ``core.validators``; on an edit, ``before`` the stored household, only where they changed, so
    a procedure's outcome is not refused for a number kept before the rule). Returns field → error.

    The village and the uniqueness of the number are checked by the callers (one query each for a form, one
    query for a whole file in an import). The number's format is checked when a household is created only: it is
    the household's identity and never changes, and registers kept before may have numbered otherwise.
    """
    # 户类型 is not entered: it follows the 户状态 (one rule for pages, API, imports and procedures).
    household.household_type = type_for_status(household.status, household.household_type)
    errors = check_codes(household, HOUSEHOLD_CODED_FIELDS, {"other_causes": "poverty_cause"}, tables=tables)
    if household.other_causes:
        others = household.other_causes.split(",")
        if len(others) > 2:
            errors["other_causes"] = "其他致贫原因最多填写两项"
        elif household.main_cause in others:
            errors["other_causes"] = "其他致贫原因不能与主要致贫原因重复"
    errors.update(clean_numbers(household, new=new, before=before))
    try:
        household.full_clean(exclude=["village", *errors.keys()], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    return errors


def clean_numbers(household: Household, *, new: bool, before: Household | None = None) -> dict[str, str]:
    """户编号 (when ``new``), 联系电话 and 银行账号 by their formats; the phone and account are stored trimmed and the
    account without the spaces people type between its groups."""
    errors = {}
    household.number = (household.number or "").strip()
    household.phone = (household.phone or "").strip()
    household.bank_account = validators.bank_account_digits(household.bank_account or "")
    if new and household.number:
        village = household.village_id if len(household.village_id or "") == validators.VILLAGE_CODE_LENGTH else None
        if error := validators.household_number(household.number, village):
            errors["number"] = error
    def changed(field):
        return before is None or getattr(household, field) != getattr(before, field)

    if household.phone and changed("phone") and (error := validators.phone(household.phone)):
        errors["phone"] = error
    if household.bank_account and changed("bank_account") and (
            error := validators.bank_account(household.bank_account)):
        errors["bank_account"] = error
    return errors


def next_household_numbers(village_code: str, count: int) -> list[str]:
    """户编号 for ``count`` new households of a village: its code and the sequences after the highest in use."""
    used = Household.objects.filter(number__startswith=village_code).values_list("number", flat=True)
    low = validators.SEQUENCE_LENGTHS[0]
    last = max((int(n[len(village_code):]) for n in used if validators.household_number(n, village_code) is None),
               default=0)
    return [f"{village_code}{sequence:0{low}d}" for sequence in range(last + 1, last + 1 + count)]


def household_warnings(household: Household) -> dict[str, str]:
    """What is allowed but worth a second look: a 银行账号 failing the card check digit (``core.validators``)."""
    warning = household.bank_account and validators.bank_card_warning(household.bank_account)
    return {"bank_account": warning} if warning else {}


def _validate_household(household: Household, *, new: bool = False, before: Household | None = None) -> None:
    errors = clean_household(household, new=new, before=before)
    village = Region.objects.filter(code=household.village_id).first()
    if village is None or village.level != Level.VILLAGE:
        errors["village"] = "所属村必须是村级行政区划"
    try:
        household.validate_unique(exclude=["village", *errors.keys()])
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def clean_member(member: Member, *, tables=None) -> dict[str, str]:
    """The member rules that need no database: normalise the ID number and derive sex and birth date from it,
    check codes and field rules. Returns field → error (only the ID error when the ID number is invalid)."""
    result = idnumber.check(member.id_number)
    if not result.valid:
        return {"id_number": result.error}
    member.id_number = result.normalized
    member.sex = idnumber.sex(member.id_number)
    member.birth_date = idnumber.birth_date(member.id_number)
    errors = check_codes(member, MEMBER_CODED_FIELDS, {"health": "health"}, tables=tables)
    if member.education and member.schooling:
        errors["schooling"] = "文化程度与在校生状况只能填写一项"
    if not 0 <= (member.work_months or 0) <= 12:
        errors["work_months"] = "务工时间应在0至12个月之间"
    if member.disability_cert and not member.disability_cert.startswith(member.id_number):
        errors["disability_cert"] = "残疾证号前18位应与证件号码一致"
    return errors


def prepare_member(member: Member, *, acting_user) -> None:
    """Normalise the ID number, derive sex and birth date from it, check codes and uniqueness."""
    errors = clean_member(member)
    if "id_number" in errors:
        raise ValidationError(errors)
    duplicates = []
    if member.active:
        existing = duplicate_member(member.id_number, exclude_pk=member.pk)
        if existing is not None and existing.household_id != member.household_id:
            named = may_name(acting_user, existing)
            errors["id_number"] = duplicate_error(
                member.id_number, existing, household_label(member.household), named=named
            )
            if not named:
                duplicates.append(Duplicate(member.id_number, existing, member.household.village_id, member.name,
                                            member.household.number))
        elif existing is not None:
            errors["id_number"] = f"证件号码 {idnumber.mask(member.id_number)} 已在本户登记（{existing.name}）"
    if duplicates:
        raise DuplicateIdError(errors, duplicates)
    if errors:
        raise ValidationError(errors)


def refresh_summary(household: Household) -> None:
    """Keep the denormalised head and size in step with the members."""
    active = list(household.members.filter(active=True).order_by("relation", "birth_date"))
    head = next((m for m in active if m.relation == Relation.HEAD), None)
    household.head_name = head.name if head else ""
    household.head_id_number = head.id_number if head else ""
    household.size = len(active)
    Household.objects.filter(pk=household.pk).update(
        head_name=household.head_name, head_id_number=household.head_id_number, size=household.size
    )


# Where a household is entered by hand; an import (Channel.IMPORT, the CLI) brings an existing register.
FORM_CHANNELS = (Channel.PAGE, Channel.API)


def ensure_creatable_status(household: Household, *, acting_user, channel) -> None:
    """A village enters 一般农户 (blank 户状态) or households of a register already kept, but not 贫困户: 未脱贫,
    返贫 and 新识别 come from the identification and return procedures (docs/domain-facts.md §3.2), so the village's
    page and API refuse them; the county's import of an existing register keeps its statuses."""
    if (channel in FORM_CHANNELS and household.status in HouseholdStatus.IN_POVERTY
            and getattr(acting_user, "role", None) == Role.VILLAGE):
        status = labels("household_status").get(household.status, household.status)
        raise ValidationError({"status": f"户状态不能直接登记为“{status}”：贫困户须经识别纳入（或返贫纳入）程序认定；"
                                         "一般农户请将户状态留空"})


@reporting_duplicates
@transaction.atomic
def create_household(household: Household, members: list[Member], *, acting_user, channel) -> Household:
    ensure_can_write(acting_user, household.village_id)
    ensure_creatable_status(household, acting_user=acting_user, channel=channel)
    _validate_household(household, new=True)
    if not any(m.relation == Relation.HEAD for m in members):
        raise ValidationError({"__all__": "新建户必须登记一名户主"})
    household.save()
    record_change(household, before=None, acting_user=acting_user, channel=channel)
    for member in members:
        member.household = household
        prepare_member(member, acting_user=acting_user)
        member.save()
        record_change(member, before=None, acting_user=acting_user, channel=channel)
    refresh_summary(household)
    return household


@transaction.atomic
def update_household(household: Household, *, acting_user, channel, note: str = "") -> Household:
    original = Household.objects.select_for_update().get(pk=household.pk)
    ensure_can_write(acting_user, original.village_id)
    ensure_can_write(acting_user, household.village_id)
    _validate_household(household, before=original)
    before = snapshot(original)
    household.save()
    record_change(household, before=before, acting_user=acting_user, channel=channel, note=note)
    return household


@transaction.atomic
def delete_household(household: Household, *, acting_user, channel) -> None:
    """Only for records entered by mistake: a household other records (procedures, alerts…) refer to stays."""
    ensure_can_write(acting_user, household.village_id)
    for member in household.members.all():
        record_change(member, before=snapshot(member), acting_user=acting_user, channel=channel, action=Action.DELETE)
    record_change(household, before=snapshot(household), acting_user=acting_user, channel=channel, action=Action.DELETE)
    try:
        with transaction.atomic():
            household.delete()
    except ProtectedError as exc:
        kinds = "、".join(sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects}))
        raise ValidationError(
            {"__all__": f"该户已有{kinds}等业务记录，不能删除；如需清退请发起相应程序"}
        ) from exc


def monitoring_kinds_hint(household: Household) -> str:
    """Which 监测对象类别 the household's 户类型 allows, in a sentence for the inclusion form."""
    household_type = type_for_status(household.status, household.household_type)
    type_label = labels("household_type").get(household_type, household_type)
    kinds = labels("monitoring_kind")
    allowed = "或".join(kinds.get(k, k) for k in KINDS_FOR_TYPE[household_type])
    return f"该户为{type_label}，可认定为{allowed}" if allowed else f"该户为{type_label}，不能认定为监测对象"


def monitoring_kind_refusal(household: Household, kind: str) -> str | None:
    """Why a household of its 户类型 cannot be a monitored household of ``kind`` (中农组发〔2021〕7号,
    docs/domain-facts.md §2.2), or None."""
    # Read from the status, the register's own record, so a status written around the services still counts.
    household_type = type_for_status(household.status, household.household_type)
    if kind in KINDS_FOR_TYPE[household_type]:
        return None
    kind_label = labels("monitoring_kind").get(kind, kind)
    types = labels("household_type")
    type_label = types.get(household_type, household_type)
    if household_type == HouseholdType.POOR:
        return f"未脱贫的建档立卡贫困户不能认定为{kind_label}，该户为{type_label}，应先办理脱贫退出"
    allowed = "或".join(types.get(t, t) for t, kinds in KINDS_FOR_TYPE.items() if kind in kinds)
    return f"{kind_label}须为{allowed}，该户为{type_label}"


@transaction.atomic
def set_monitoring_kind(household: Household, kind: str, *, acting_user, channel, note: str = "") -> Household:
    """监测对象类别: set when a household is identified as a monitored household, cleared ("") when its risk is
    eliminated. Only the field changes (other fields the caller holds unsaved stay as they are in the database)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    ensure_can_write(acting_user, household.village_id)
    if kind and kind not in labels("monitoring_kind"):
        raise ValidationError({"monitoring_kind": f"“{kind}”不是有效的监测对象类别代码"})
    refusal = kind and monitoring_kind_refusal(household, kind)
    if refusal:
        raise ValidationError({"monitoring_kind": refusal})
    before = snapshot(household)
    household.monitoring_kind = kind
    household.save(update_fields=["monitoring_kind", "updated"])
    record_change(household, before=before, acting_user=acting_user, channel=channel, note=note)
    return household


# Checks other apps add to refuse writes of a year's accounts and checks (e.g. a year locked by the yearly
# adjustment); each takes (village code, year) and returns a Chinese refusal or None.
YEAR_GUARDS: list = []


def ensure_year_open(village_code: str, year: int) -> None:
    for guard in YEAR_GUARDS:
        refusal = guard(village_code, year)
        if refusal:
            raise ValidationError({"year": refusal})


@reporting_duplicates
@transaction.atomic
def save_member(member: Member, *, acting_user, channel, note: str = "") -> Member:
    """Add a member to a household or update one; a head change keeps exactly one head."""
    household = Household.objects.select_for_update().get(pk=member.household_id)
    member.household = household
    ensure_can_write(acting_user, household.village_id)
    before = snapshot(Member.objects.get(pk=member.pk)) if member.pk else None
    prepare_member(member, acting_user=acting_user)
    if member.active and member.relation == Relation.HEAD:
        other_head = household.members.filter(active=True, relation=Relation.HEAD).exclude(pk=member.pk).first()
        if other_head is not None:
            raise ValidationError({"relation": f"本户已有户主（{other_head.name}），请先修改原户主的与户主关系"})
    member.save()
    record_change(member, before=before, acting_user=acting_user, channel=channel, note=note)
    refresh_summary(household)
    return member


@transaction.atomic
def remove_member(member: Member, reason: str, *, acting_user, channel, note: str = "") -> Member:
    """减员: the member leaves the register (death, marriage out, move) but the record and its history stay."""
    if not reason:
        raise ValidationError({"removed_reason": "请填写减员原因"})
    ensure_can_write(acting_user, member.household.village_id)
    before = snapshot(member)
    member.active = False
    member.removed_reason = reason
    member.save()
    record_change(member, before=before, acting_user=acting_user, channel=channel, note=note)
    refresh_summary(member.household)
    return member


@transaction.atomic
def save_income_account(account: IncomeAccount, *, acting_user, channel) -> IncomeAccount:
    ensure_can_write(acting_user, account.household.village_id)
    ensure_year_open(account.household.village_id, account.year)
    if not account.household_size:
        account.household_size = account.household.size
    account.compute()
    before = snapshot(IncomeAccount.objects.get(pk=account.pk)) if account.pk else None
    try:
        account.full_clean(exclude=["household"])
    except ValidationError as exc:
        raise ValidationError({k: v for k, v in exc.message_dict.items()}) from exc
    for field in ("wage_income", "business_income", "property_income", "transfer_income", "business_costs"):
        if getattr(account, field) < 0:
            raise ValidationError({field: "金额不能为负数"})
    account.save()
    record_change(account, before=before, acting_user=acting_user, channel=channel)
    return account


@transaction.atomic
def save_security_check(check: SecurityCheck, *, acting_user, channel) -> SecurityCheck:
    ensure_can_write(acting_user, check.household.village_id)
    ensure_year_open(check.household.village_id, check.year)
    errors = check_codes(check, {"house_grade": "house_grade"})
    if check.house_grade in HouseGrade.DANGEROUS and check.housing_secure:
        errors["housing_secure"] = "住房为C级或D级危房时，住房安全不能认定为有保障"
    if errors:
        raise ValidationError(errors)
    before = snapshot(SecurityCheck.objects.get(pk=check.pk)) if check.pk else None
    check.full_clean(exclude=["household"])
    check.save()
    record_change(check, before=before, acting_user=acting_user, channel=channel)
    return check


def reveal_id_number(member: Member, *, acting_user, channel) -> str:
    """The full ID number, for a user in scope; every look is logged (查看敏感信息)."""
    if not in_scope(acting_user, member.household.village_id):
        raise PermissionDenied("该人员不在当前账号的管辖范围内")
    record_event(member, action=Action.VIEW_SENSITIVE, acting_user=acting_user, channel=channel, note="查看完整证件号码")
    return member.id_number


def member_text_query(text: str) -> Q:
    """Members matching a search box: a full ID number (any dirty form), the tail of one, or part of a name."""
    checked = idnumber.check(text)
    if checked.valid:
        return Q(id_number=checked.normalized)
    if text.isdigit() or (text[:-1].isdigit() and text[-1:] in "xX"):
        return Q(id_number__endswith=text.upper())
    return Q(name__contains=text)


def search_households(queryset, text: str):
    """Household number, head's name, or any member's name or ID number (full or its last digits)."""
    text = (text or "").strip()
    if not text:
        return queryset
    matching = Member.objects.filter(member_text_query(text)).values("household_id")
    return queryset.filter(Q(number__startswith=text) | Q(head_name__contains=text) | Q(pk__in=matching))
