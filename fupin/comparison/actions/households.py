"""一般农户 from the 户籍 data set: a village's rural households that are not yet on the register, created in bulk from
the public-security household register (kind ``household_registration``) so that monitoring sees the whole rural
population (docs/domain-facts.md §0).

The rows of a village are those whose 户籍地址 names it (all rows when the data set was uploaded for the village
itself); they are grouped by 户号, one household per 户号, headed by its 户主. People already registered
(active in any household), gone from the 户籍 (死亡, 迁出, 注销) or listed twice are skipped and reported; a 户号
whose 户主 is skipped or missing is not created. Everything is checked first by the registry's own rules
(``registry.services.clean_household`` / ``clean_member``) and written in one transaction through the registry
import's bulk path, with one audit row per household and member; or nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fupin.core import idnumber
from fupin.core.channels import Channel
from fupin.core.scope import user_scope_prefix
from fupin.dictionaries.services import codes_by_label
from fupin.regions.models import Level, Region
from fupin.registry import imports as registry_imports
from fupin.registry import services as registry
from fupin.registry.choices import HouseholdType, Relation
from fupin.registry.models import Household, Member

from ..access import datasets_visible_to
from ..models import Dataset

KIND = "household_registration"
# 人口状态 values of a person no longer in the 户籍 (the rest, e.g. 正常, 在册 or blank, are living residents).
GONE = ("死亡", "迁出", "注销", "销户", "失踪")
# The 户籍 wording of relations, to the labels of the 与户主关系 code table (docs/domain-facts.md §8).
RELATION_WORDS = {
    "本人": "户主", "妻": "配偶", "夫": "配偶", "妻子": "配偶", "丈夫": "配偶",
    "子": "之子", "女": "之女", "儿子": "之子", "女儿": "之女", "儿媳": "之儿媳", "女婿": "之女婿", "孙子": "之孙子", "孙女": "之孙女",
    "外孙子": "之外孙子", "外孙女": "之外孙女", "父亲": "之父", "母亲": "之母", "父": "之父", "母": "之母",
    "岳父": "之岳父", "岳母": "之岳母", "公公": "之公公", "婆婆": "之婆婆", "祖父": "之祖父", "祖母": "之祖母",
    "兄": "之兄弟姐妹", "弟": "之兄弟姐妹", "姐": "之兄弟姐妹", "妹": "之兄弟姐妹",
}
_ORDINAL = re.compile(r"^(?:长|次|三|四|五|六|七|八|九|十|小)(?=[子女])")
OTHER_RELATION = "其他"
SAMPLE = 200


@dataclass
class Plan:
    """What creating the village's households would do: the families to write and the people skipped."""

    dataset: Dataset
    village: Region
    families: list[tuple[str, Household, list[Member]]] = field(default_factory=list)  # (户号, household, members)
    skipped: list[dict] = field(default_factory=list)
    outside: int = 0  # rows of the data set whose 户籍地址 is not this village
    relation_other: int = 0  # relations the code table does not know, entered as 其他

    @property
    def members(self) -> int:
        return sum(len(members) for _, _, members in self.families)

    def summary(self, *, written: bool) -> dict:
        verb = "已新建" if written else "将新建"
        return {
            "dataset_id": self.dataset.pk, "village": self.village.code, "village_name": self.village.full_name(),
            "households": len(self.families), "members": self.members, "skipped_count": len(self.skipped),
            "outside_village": self.outside, "relation_other": self.relation_other, "written": written,
            "created": [{"number": h.number, "hukou_no": no, "head_name": h.head_name, "size": h.size}
                        for no, h, _ in self.families[:SAMPLE]],
            "skipped": self.skipped[:SAMPLE],
            "summary": f"{self.village.full_name()}：{verb}一般农户 {len(self.families)} 户、{self.members} 人；"
                       f"跳过 {len(self.skipped)} 人" + (f"；户籍地址不在本村的 {self.outside} 行未处理" if self.outside else ""),
        }


def can_create_households(user, dataset: Dataset) -> bool:
    """Whoever may write the register and read the data set (county staff; township and village accounts do not
    see departments' data, docs/access.md), for a 户籍 data set."""
    if dataset.kind.code != KIND:
        return False
    if user is None:
        return True
    return registry.is_registry_writer(user) and datasets_visible_to(user).filter(pk=dataset.pk).exists()


def villages_for(user):
    """The villages an account may create households in (its own region's)."""
    villages = Region.objects.filter(level=Level.VILLAGE).order_by("code")
    if user is None:
        return villages
    prefix = user_scope_prefix(user)
    return villages.none() if prefix is None else villages.filter(code__in_region=prefix)


def _village(code: str, acting_user) -> Region:
    village = Region.objects.filter(code=(code or "").strip()).select_related("parent").first()
    if village is None or village.level != Level.VILLAGE:
        raise ValidationError({"village": f"“{code}”不是村级行政区划代码：请指定要建档的村"})
    if acting_user is not None:
        try:
            registry.ensure_can_write(acting_user, village.code)
        except PermissionDenied as exc:
            raise PermissionDenied(f"{village.full_name()}不在当前账号的管辖范围内，不能建档") from exc
    return village


def _in_village(address: str, village: Region, dataset: Dataset) -> bool:
    if dataset.region_code == village.code:
        return True
    before, found, _ = (address or "").partition(village.name)
    if not found:
        return False
    # An address naming a township before the village must name the village's own (two townships may each have
    # a 张庄村).
    township = village.parent.name if village.parent_id else ""
    return not re.search(r"[乡镇]", before) or bool(township and township in before)


def _relation(text: str, codes: dict[str, str]) -> str | None:
    text = (text or "").strip()
    for candidate in (text, RELATION_WORDS.get(text), RELATION_WORDS.get(_ORDINAL.sub("", text)), f"之{text}"):
        if candidate and candidate in codes:
            return codes[candidate]
    return None


def plan_households(dataset: Dataset, village_code: str | None, *, acting_user,
                    progress: Callable | None = None) -> Plan:
    """Check everything and return the plan, writing nothing (the page's confirmation shows its counts)."""
    progress = progress or (lambda *a, **k: None)
    if not can_create_households(acting_user, dataset):
        raise PermissionDenied("当前账号不能用该数据集建档：须为户籍人口数据集，且账号可修改建档立卡数据")
    # Without a village: the data set's own, when it was uploaded for one.
    village = _village(village_code or dataset.region_code, acting_user)
    plan = Plan(dataset, village)
    rows = list(dataset.rows.order_by("row_no").values_list("row_no", "id_number", "name", "data"))
    if rows and not any((data or {}).get("hukou_no") for _, _, _, data in rows):
        raise ValidationError({"dataset": "该数据集没有“户号”列（或户号全为空），无法按户建档"})
    progress(0, len(rows), "正在核对户籍人员")
    mine = [row for row in rows if _in_village(str((row[3] or {}).get("hukou_address") or "").strip(), village,
                                               dataset)]
    plan.outside = len(rows) - len(mine)
    codes = codes_by_label("relation")
    tables = registry_imports.CodeTables()
    registered = _registered([row[1] for row in mine])

    def skip(row_no, id_number, name, hukou_no, reason):
        plan.skipped.append({"row": row_no, "name": name, "id_number": idnumber.mask(id_number),
                             "hukou_no": hukou_no, "reason": reason})

    families: dict[str, Family] = {}
    seen: dict[str, int] = {}
    for done, (row_no, id_number, name, data) in enumerate(mine, 1):
        if done % 1000 == 0:
            progress(done, len(mine), f"正在核对第 {done} 人")
        data = data or {}
        hukou_no = str(data.get("hukou_no") or "").strip()
        address = str(data.get("hukou_address") or "").strip()
        if not hukou_no:
            skip(row_no, id_number, name, hukou_no, "户号为空，无法确定所属户")
            continue
        family = families.setdefault(hukou_no, Family(address))
        relation = _relation(str(data.get("relation") or ""), codes)
        reason = _skip_reason(id_number, str(data.get("hukou_status") or ""), seen, registered, acting_user)
        member = Member(name=(name or "").strip()[:50], id_number=id_number, relation=relation or "")
        if reason is None:
            errors = registry.clean_member(member, tables=tables)
            if not member.name:
                errors.setdefault("name", "姓名为空")
            reason = "；".join(errors.values()) or None
        if reason is not None:
            skip(row_no, id_number, name, hukou_no, reason)
            family.head_skipped |= relation == Relation.HEAD
            continue
        seen[id_number] = row_no
        if relation is None:
            member.relation = codes[OTHER_RELATION]
            plan.relation_other += 1
        family.people.append((row_no, member))
    _build(plan, families, tables, skip)
    return plan


@dataclass
class Family:
    """The people of one 户号 who may be registered, and whether its 户主 was skipped."""

    address: str
    people: list[tuple[int, Member]] = field(default_factory=list)
    head_skipped: bool = False


def _skip_reason(id_number, status, seen, registered, acting_user) -> str | None:
    if any(word in status for word in GONE):
        return f"人口状态为“{status}”，不登记"
    if id_number in seen:
        return f"证件号码与第 {seen[id_number]} 行重复"
    existing = registered.get(id_number)
    if existing is not None:
        where = registry.household_label(existing.household) if registry.may_name(acting_user, existing) else "其他地区"
        return f"已在{where}登记（在册），不重复建档"
    return None


def _registered(id_numbers: list[str]) -> dict[str, Member]:
    found = {}
    for start in range(0, len(id_numbers), 1000):
        chunk = id_numbers[start:start + 1000]
        for member in Member.objects.filter(id_number__in=chunk, active=True).select_related("household__village"):
            found[member.id_number] = member
    return found


def _build(plan: Plan, families: dict[str, Family], tables, skip) -> None:
    """One household per 户号 with exactly one 户主; its number the village's next."""
    ready = []
    for hukou_no, family in families.items():
        heads = [m for _, m in family.people if m.relation == Relation.HEAD]
        if len(heads) == 1:
            ready.append((hukou_no, family))
            continue
        if heads:
            reason = f"户号 {hukou_no} 有 {len(heads)} 名户主，请核对户籍后在户档案中登记"
        elif family.head_skipped:
            reason = "户主未建档（见其所在行），同户人员未建：请在户档案中添加"
        else:
            reason = f"户号 {hukou_no} 在户籍中没有户主，同户人员未建：请核对户籍"
        for row_no, member in family.people:
            skip(row_no, member.id_number, member.name, hukou_no, reason)
    numbers = registry.next_household_numbers(plan.village.code, len(ready))
    for number, (hukou_no, family) in zip(numbers, ready):
        people = family.people
        members = sorted((m for _, m in people), key=lambda m: (m.relation != Relation.HEAD, m.relation, m.birth_date))
        head = members[0]
        household = Household(number=number, village=plan.village, household_type=HouseholdType.ORDINARY,
                              address=family.address[:200], head_name=head.name,
                              head_id_number=head.id_number, size=len(members))
        errors = registry.clean_household(household, tables=tables, new=True)
        if errors:
            for row_no, member in people:
                skip(row_no, member.id_number, member.name, hukou_no, "；".join(errors.values()))
            continue
        plan.families.append((hukou_no, household, members))
    plan.skipped.sort(key=lambda item: item["row"])


def create_households(dataset: Dataset, village_code: str | None, *, acting_user, channel: str,
                      progress: Callable | None = None) -> dict:
    """Create the village's 一般农户 from the data set, all or nothing; returns the summary (counts, the households
    created and the people skipped with their reasons)."""
    progress = progress or (lambda *a, **k: None)
    with transaction.atomic():
        plan = plan_households(dataset, village_code, acting_user=acting_user, progress=progress)
        note = f"由户籍数据集“{dataset.title}”（#{dataset.pk}）批量建档为一般农户"
        try:
            registry_imports.bulk_create_households(
                [(household, members) for _, household, members in plan.families],
                acting_user=acting_user, channel=channel or Channel.PAGE, note=note, progress=progress,
            )
        except IntegrityError as exc:
            raise ValidationError(
                {"__all__": "写入时发现户编号或人员已被他人同时登记，本次未写入任何数据，请重新执行"}) from exc
    return plan.summary(written=True)
