"""Household and member import (批量导入): one spreadsheet row per member, the household columns repeated.

The whole file is checked before anything is written: required columns, ID numbers, codes, the village (exists,
is a village, is inside the importing account's scope), one head per household, household columns that disagree
between the rows of one household, the same person twice in the file, a person already registered in another
household, a household number already in use. Any error and nothing is written; the caller gets the errors
(row, column, Chinese reason) for the error workbook. Without errors everything is written in one transaction
with ``bulk_create``, together with one audit row per household and member.

The checks are the registry's own (``registry.services.clean_household`` / ``clean_member`` / ``check_codes``),
called with code tables read once for the whole file; only the database lookups are batched here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction

from fupin.audit.models import AuditLog
from fupin.audit.services import build_entry, snapshot
from fupin.core import excel, idnumber
from fupin.core.scope import in_scope
from fupin.core.tables import BOOL, Column
from fupin.dictionaries.services import choices, codes_by_label, labels
from fupin.jobs.imports import ImportResult
from fupin.regions.models import Level, Region

from . import services
from .choices import HouseholdType, Relation, type_for_status
from .models import Household, Member
from .tables import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, POPULATION_COLUMNS

# 户类型 is read only to be checked against the 户状态 it follows (an export of the register carries it).
HOUSEHOLD_TYPE = POPULATION_COLUMNS[0]

# 户状态 may be left blank (or the column left out): the household is then a 一般农户, not on the 建档立卡 register.
REQUIRED = ("户编号", "村代码", "姓名", "证件号码", "与户主关系")
# Other names seen on county and national spreadsheets for the same columns.
ALIASES = {
    "身份证号": "证件号码", "身份证号码": "证件号码", "公民身份号码": "证件号码", "证件号": "证件号码",
    "与户主的关系": "与户主关系", "村级代码": "村代码", "村区划代码": "村代码", "行政区划代码": "村代码",
    "户号": "户编号", "贫困户状态": "户状态", "脱贫属性": "户状态", "成员姓名": "姓名",
}
MAX_ERRORS = 10_000
# On every audit row an import writes: the statuses are the register's own (e.g. exported from the national
# system), not set by a procedure here — which is why a village's page may not enter 贫困户 but an import may.
IMPORT_NOTE = "批量导入已有名册，户状态沿用名册登记"
BATCH = 1000
_SPLIT = re.compile(r"[,，、;；/\s]+")


@dataclass
class Draft:
    """One household gathered from its rows: the first non-blank value of each field and the row it came from."""

    number: str
    first_row: int
    values: dict = field(default_factory=dict)
    rows_of: dict = field(default_factory=dict)
    members: list = field(default_factory=list)  # (row number, Member)
    head_rows: list = field(default_factory=list)
    relation_unknown: bool = False  # a row's relation is blank or wrong: "no head" would only repeat that error
    household: Household | None = None
    village_known: bool = False


class CodeTables(dict):
    """kind → {code: label}, each code table read once per import (``check_codes(tables=...)``)."""

    def __missing__(self, kind):
        self[kind] = labels(kind)
        return self[kind]


class Parser:
    """Turns the cell of one column into a model value, or a Chinese reason why it cannot."""

    def __init__(self, col: Column, model: type[models.Model]):
        self.col = col
        self.field = model._meta.get_field(col.field)
        self.mapping = self.by_int = None
        if col.code_table:
            self.mapping = codes_by_label(col.code_table)
            self.by_int = {int(code): code for code in self.mapping.values() if code.isdigit()}

    def __call__(self, row: excel.Row, index: int):
        """(value, error); value None means the cell is blank."""
        text = row[index]
        col, fld = self.col, self.field
        if col.field == "id_number":
            return row.raw(index), None  # clean_member → idnumber.check names a float by what it is
        if not text:
            return None, None
        if row.lost_digits(index):
            return None, f"“{text}”被 Excel 存成了数字，超过15位的数字后几位已丢失，请将该列设为文本后重新录入"
        if self.mapping is not None:
            return self._code(text)
        if col.kind == BOOL:
            value = excel.parse_bool(text)
            return (value, None) if value is not None else (None, f"“{text}”应填写“是”或“否”")
        if isinstance(fld, models.DecimalField):
            try:
                value = Decimal(text.replace(",", ""))
            except InvalidOperation:
                return None, f"“{text}”不是数字"
            return (value, None) if value >= 0 else (None, "不能为负数")
        if isinstance(fld, models.IntegerField):
            try:
                value = Decimal(text)
            except InvalidOperation:
                return None, f"“{text}”不是整数"
            if value != value.to_integral_value() or value < 0:
                return None, f"“{text}”应为非负整数"
            value = int(value)
            if fld.name.endswith("_year") and not 1980 <= value <= 2100:
                return None, f"“{text}”不是有效的年份"
            return value, None
        if fld.max_length and len(text) > fld.max_length:
            return None, f"内容过长（最多 {fld.max_length} 个字）"
        return text, None

    def _code(self, text: str):
        parts = _SPLIT.split(text) if self.col.multi else [text]
        codes, unknown = [], []
        for part in filter(None, parts):
            code = self.mapping.get(part)
            if code is None and part.isdigit():
                code = self.by_int.get(int(part))  # 1 for "01": Excel drops leading zeros of number cells
            (codes if code else unknown).append(code or part)
        if unknown:
            return None, f"“{'、'.join(unknown)}”不是有效的{self.col.header}（可填写名称或代码，见模板“说明”页）"
        return ",".join(dict.fromkeys(codes)), None


def _columns(header: list[str], errors: excel.ErrorList, header_row: int):
    """Column index and declaration of each known column of the file, and the headers it ignores."""
    known = {c.header: c for c in (*HOUSEHOLD_COLUMNS, HOUSEHOLD_TYPE, *MEMBER_COLUMNS)}
    found, ignored = excel.match_columns(header, known, errors, header_row, required=REQUIRED, aliases=ALIASES)
    return {name: (index, known[name]) for name, index in found.items()}, ignored


def import_households(path, *, acting_user, channel, progress: Callable | None = None,
                      filename: str | None = None) -> ImportResult:
    """Check the whole file, then write it all or nothing. ``acting_user`` None means the system (no scope)."""
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList(MAX_ERRORS)
    result = ImportResult("新增 {households} 户、{members} 人", {"households": 0, "members": 0})
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    if acting_user is not None:
        try:
            services.ensure_can_write(acting_user, acting_user.region_id or "")
        except PermissionDenied as exc:
            errors.add(None, "", str(exc))
            return result.refused(errors)
    found, result.ignored_columns = _columns(sheet.header, errors, sheet.header_row)
    if errors.count:
        return result.refused(errors)

    drafts = _read_rows(sheet, found, errors, progress)
    progress(0, len(drafts), "正在核对村代码、户编号和重复人员", force=True)
    _check_households(drafts, errors, acting_user)
    result.duplicates = _check_existing(drafts, errors, acting_user)
    if errors.count:
        return result.refused(errors)
    try:
        result.counts["households"], result.counts["members"] = _write(drafts, acting_user, channel, progress)
    except IntegrityError:
        # Someone registered one of these people or numbers between the check and the write.
        errors.add(None, "", "写入时发现户编号或人员已被他人同时登记，本次未写入任何数据，请重新导入以查看具体冲突")
        return result.refused(errors)
    return result


def _read_rows(sheet: excel.Sheet, found: dict, errors: excel.ErrorList, progress) -> dict[str, Draft]:
    """First pass over the rows: parse every cell, run the member rules, gather households and their heads."""
    tables = CodeTables()
    household_cols = [
        (i, col, Parser(col, Household))
        for i, col in found.values() if col in (*HOUSEHOLD_COLUMNS, HOUSEHOLD_TYPE) and col.field != "number"
    ]
    member_cols = [(i, col, Parser(col, Member)) for i, col in found.values() if col in MEMBER_COLUMNS]
    headers = {col.field: col.header for col in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS)}
    number_index = found["户编号"][0]
    drafts: dict[str, Draft] = {}
    seen_ids: dict[str, tuple[int, str]] = {}
    progress(0, sheet.total, "正在校验", force=True)
    for done, row in enumerate(sheet.rows, 1):
        if done % 500 == 0:
            progress(done, sheet.total, f"正在校验第 {row.number} 行")
        number, error = _text(row, number_index)
        if error or not number or number == EXAMPLE_NUMBER:
            reason = error or ("这是模板中的填写示例，请删除该行后再导入" if number else "户编号不能为空")
            errors.add(row.number, "户编号", reason)
            continue
        draft = drafts.get(number)
        if draft is None:
            draft = drafts[number] = Draft(number, row.number)
        for index, col, parse in household_cols:
            value, error = parse(row, index)
            if error:
                errors.add(row.number, col.header, error)
            elif value is not None:
                previous = draft.values.get(col.field)
                if previous is None:
                    draft.values[col.field] = value
                    draft.rows_of[col.field] = row.number
                elif previous != value:
                    errors.add(
                        row.number, col.header,
                        f"同一户（户编号 {number}）的“{col.header}”与第 {draft.rows_of[col.field]} 行不一致",
                    )
        values = {}
        for index, col, parse in member_cols:
            value, error = parse(row, index)
            if error:
                errors.add(row.number, col.header, error)
            elif value is not None:
                values[col.field] = value
            elif col.field in ("name", "relation"):
                errors.add(row.number, col.header, f"{col.header}不能为空")
            if col.field == "relation" and (error or value is None):
                draft.relation_unknown = True
        member = Member(**values)
        member_errors = services.clean_member(member, tables=tables)
        for fld, message in member_errors.items():
            errors.add(row.number, headers.get(fld, fld), message)
        if member.relation == Relation.HEAD:
            draft.head_rows.append(row.number)  # counted even for a row with errors: no second, derived error
        if "id_number" in member_errors:
            continue  # no duplicate checks on an unusable number
        earlier = seen_ids.get(member.id_number)
        if earlier is not None:
            errors.add(
                row.number, "证件号码",
                f"证件号码与第 {earlier[0]} 行（户编号 {earlier[1]}）重复：同一人不能在文件中出现两次",
            )
            continue
        seen_ids[member.id_number] = (row.number, number)
        draft.members.append((row.number, member))
    return drafts


def _text(row: excel.Row, index: int):
    text = row[index]
    if text and row.lost_digits(index):
        return None, f"“{text}”被 Excel 存成了数字，超过15位的数字后几位已丢失，请将该列设为文本后重新录入"
    return text, None


def _check_households(drafts: dict[str, Draft], errors: excel.ErrorList, acting_user) -> None:
    """Per household: the village, the write scope, one head, the household rules."""
    tables = CodeTables()
    headers = {col.field: col.header for col in HOUSEHOLD_COLUMNS}
    codes = {d.values.get("village_id") for d in drafts.values()} - {None}
    villages = Region.objects.in_bulk([c for c in codes if len(c) == 12 and c.isdigit()])
    village_errors: dict[str, str | None] = {}
    for code in codes:
        village = villages.get(code)
        if not (len(code) == 12 and code.isdigit()):
            village_errors[code] = f"村代码“{code}”应为12位数字"
        elif village is None:
            village_errors[code] = f"村代码 {code} 不存在，请先在行政区划中建立该村"
        elif village.level != Level.VILLAGE:
            village_errors[code] = f"{code}（{village.name}）不是村级区划，户必须登记在村"
        elif acting_user is not None:
            try:
                services.ensure_can_write(acting_user, code)
            except PermissionDenied:
                village_errors[code] = f"{village.name}（{code}）不在当前账号的管辖范围内，不能导入"
    for draft in drafts.values():
        values = draft.values
        code = values.get("village_id")
        if code is None:
            errors.add(draft.first_row, "村代码", "村代码不能为空")
        elif village_errors.get(code):
            errors.add(draft.rows_of["village_id"], "村代码", village_errors[code])
        given_type = values.get("household_type")
        if given_type and given_type != type_for_status(values.get("status") or "", given_type):
            errors.add(draft.rows_of["household_type"], HOUSEHOLD_TYPE.header, _type_mismatch(values, tables))
        if not draft.head_rows and not draft.relation_unknown:
            errors.add(draft.first_row, "与户主关系", f"户编号 {draft.number} 没有户主：每户须有且只有一名户主")
        for extra in draft.head_rows[1:]:
            errors.add(
                extra, "与户主关系",
                f"户编号 {draft.number} 有多名户主（第 {'、'.join(map(str, draft.head_rows))} 行），每户只能有一名户主",
            )
        household = Household(number=draft.number, **values)
        if code in villages:
            household.village = villages[code]
            draft.village_known = True
        for fld, message in services.clean_household(household, tables=tables, new=True).items():
            if fld == "village" or (fld == "status" and not values.get("status")):
                continue
            errors.add(draft.rows_of.get(fld, draft.first_row), headers.get(fld, fld), message)
        _set_summary(household, draft)
        draft.household = household


def _type_mismatch(values: dict, tables: CodeTables) -> str:
    types = tables["household_type"]
    given = types.get(values["household_type"], values["household_type"])
    if not values.get("status"):
        return f"户类型为“{given}”但户状态为空：户状态为空的户是一般农户，建档立卡户请填写户状态"
    status = tables["household_status"].get(values["status"], values["status"])
    expected = types.get(type_for_status(values["status"]), "")
    return (f"户类型“{given}”与户状态“{status}”不一致：户类型随户状态确定（应为“{expected}”），"
            f"一般农户户状态留空（户类型“{types.get(HouseholdType.ORDINARY, '')}”）")


def _set_summary(household: Household, draft: Draft) -> None:
    """Head and size, as ``services.refresh_summary`` keeps them for households written one by one."""
    head = next((m for _, m in draft.members if m.relation == Relation.HEAD), None)
    household.head_name = head.name if head else ""
    household.head_id_number = head.id_number if head else ""
    household.size = len(draft.members)


def _chunks(items, size=500):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _check_existing(drafts: dict[str, Draft], errors: excel.ErrorList, acting_user) -> list[services.Duplicate]:
    """Household numbers already in use, and people already registered (active) in another household; returns
    those registered outside the account's scope, to be reported to the level above."""
    for chunk in _chunks(drafts):
        for number in Household.objects.filter(number__in=chunk).values_list("number", flat=True):
            errors.add(drafts[number].first_row, "户编号",
                       f"户编号 {number} 已存在，导入只能新增户；修改已有户请在户档案中进行")
    by_id = {m.id_number: (row, draft, m) for draft in drafts.values() for row, m in draft.members}
    labels_of: dict[str, str] = {}
    duplicates = []
    for chunk in _chunks(by_id):
        existing = Member.objects.filter(id_number__in=chunk, active=True).select_related("household__village")
        for member in existing:
            row, draft, entered = by_id[member.id_number]
            if draft.number not in labels_of:
                household = draft.household
                labels_of[draft.number] = (
                    services.household_label(household) if draft.village_known
                    else f"户编号{household.number}（户主：{household.head_name or '未登记'}）"
                )
            named = services.may_name(acting_user, member)
            errors.add(row, "证件号码", services.duplicate_error(member.id_number, member, labels_of[draft.number],
                                                               named=named))
            if not named and draft.village_known and in_scope(acting_user, draft.household.village_id):
                duplicates.append(services.Duplicate(member.id_number, member, draft.household.village_id,
                                                     entered.name or "", draft.number))
    return duplicates


def _write(drafts: dict[str, Draft], acting_user, channel, progress) -> tuple[int, int]:
    return bulk_create_households(
        [(d.household, [m for _, m in d.members]) for d in drafts.values()],
        acting_user=acting_user, channel=channel, note=IMPORT_NOTE, progress=progress,
    )


def bulk_create_households(families: list[tuple[Household, list[Member]]], *, acting_user, channel, note: str,
                           progress: Callable | None = None) -> tuple[int, int]:
    """Write households already checked (head and size set) with their members, and one audit row each with
    ``note``, in one transaction, in batches of ``BATCH``: the bulk path of this import and of other apps' bulk
    creation (the 户籍 data set). Returns (households, members) written."""
    progress = progress or (lambda *a, **k: None)
    total_members = sum(len(members) for _, members in families)
    households = [household for household, _ in families]
    written = 0
    with transaction.atomic():
        progress(0, total_members, "正在写入", force=True)
        for chunk in _chunks(households, BATCH):
            Household.objects.bulk_create(chunk)
            AuditLog.objects.bulk_create(_entries(chunk, acting_user, channel, note))
        for chunk in _chunks(((h, m) for h, members in families for m in members), BATCH):
            members = []
            for household, member in chunk:
                member.household = household
                members.append(member)
            Member.objects.bulk_create(members)
            AuditLog.objects.bulk_create(_entries(members, acting_user, channel, note))
            written += len(members)
            progress(written, total_members, f"正在写入：已写入 {written} 人")
    return len(households), written


def _entries(instances, acting_user, channel, note: str) -> list[AuditLog]:
    return [
        build_entry(instance, before=None, after=snapshot(instance), acting_user=acting_user, channel=channel,
                    note=note)
        for instance in instances
    ]


EXAMPLE_NUMBER = "示例"
EXAMPLE_VILLAGE = "410481100201"


def template_rows(village_code: str = EXAMPLE_VILLAGE) -> list[list[str]]:
    """Two example rows (a head and a spouse) whose 户编号 “示例” the import refuses, so they cannot slip in."""
    household = {
        "number": EXAMPLE_NUMBER, "village_id": village_code, "group_name": "一组", "address": "张庄村一组12号",
        "phone": "13800000000", "category": "一般贫困户", "status": "未脱贫", "identification_standard": "国家标准",
        "identification_year": "2016", "main_cause": "因病", "other_causes": "缺技术、缺资金",
        "enjoys_policy": "是", "cultivated_area": "3.5", "house_area": "90", "road_type": "水泥路",
        "fuel_type": "柴草", "has_production_power": "是", "has_living_power": "是", "has_sanitary_toilet": "否",
        "in_cooperative": "否",
    }
    people = [
        {"name": "张三", "id_number": idnumber.make("410481", dt.date(1970, 3, 8), 11), "relation": "户主",
         "ethnicity": "汉族", "political_status": "群众", "education": "初中", "health": "长期慢性病",
         "labour_skill": "普通劳动力", "work_location": "县外省内", "work_months": "6"},
        {"name": "李四", "id_number": idnumber.make("410481", dt.date(1972, 11, 2), 22), "relation": "配偶",
         "ethnicity": "汉族", "political_status": "群众", "education": "小学", "health": "健康",
         "labour_skill": "普通劳动力", "work_location": "未务工", "work_months": "0"},
    ]
    yes_no = {"basic_medical_insurance": "是", "serious_illness_insurance": "是", "pension_insurance": "是",
              "on_dibao": "否", "on_tekun": "否"}
    return [
        [household.get(c.field, "") for c in HOUSEHOLD_COLUMNS]
        + [{**yes_no, **person}.get(c.field, "") for c in MEMBER_COLUMNS]
        for person in people
    ]


def explanation_rows() -> list[list[str]]:
    """The 说明 sheet: every column, whether it is required, what it means, and the values it accepts."""
    rows = []
    for col, model in (*((c, Household) for c in HOUSEHOLD_COLUMNS), *((c, Member) for c in MEMBER_COLUMNS)):
        if col.code_table:
            values = "、".join(f"{code} {label}" for code, label in choices(col.code_table, include_blank=False))
            accepted = f"填写名称或代码{'，可多项（用顿号或逗号分隔）' if col.multi else ''}：{values}"
        elif col.kind == BOOL:
            default = "是" if model._meta.get_field(col.field).default else "否"
            accepted = f"是 / 否（也可填 √ ×、Y N、1 0），留空按“{default}”"
        elif col.kind == "number":
            accepted = "数字"
        else:
            accepted = "文本"
        rows.append([col.header, "必填" if col.header in REQUIRED else "", col.help, accepted])
    return rows


NOTES = (
    "一行一名成员；同一户的各行“户编号”相同，户信息各列只需在其中一行填写，多行填写时必须一致。",
    "整个文件先全部校验：任何一处错误都不会写入数据，并生成错误清单（行号、列、错误原因）。",
    "证件号码、户编号、村代码、联系电话、银行账号请保持“文本”格式（本模板已设好），"
    "否则 Excel 会把长数字改成科学计数法并丢失后几位。",
    "性别和出生日期由证件号码自动得出，无需填写。",
    "户编号为“示例”的两行是填写示例，导入前请删除。",
)


def write_template(target, village_code: str = EXAMPLE_VILLAGE) -> None:
    """The downloadable template: the data sheet with the example rows, then the 说明 sheet."""
    columns = [excel.Col(c.header, c.writer_kind, c.width) for c in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS)]
    with excel.XlsxStream(target) as out:
        out.add_sheet("成员信息", columns)
        out.write_rows(template_rows(village_code))
        out.write_note_sheet(
            "说明", ["列名", "必填", "说明", "可填写的值"],
            [*explanation_rows(), ["", "", "", ""], *(["注意", "", note, ""] for note in NOTES)],
            [22, 6, 50, 80],
        )
