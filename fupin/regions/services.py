"""Region tree actions: create and edit nodes within the administrator's subtree, audited."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope

from .models import PREFIX_LENGTH, Level, Region, parent_code


@dataclass(frozen=True)
class RegionFigure:
    """A figure shown per region on the tree page (户数 …), given by the app that owns the data: regions sits below
    those apps and cannot ask them (docs/architecture.md, "Layers"); they register here from AppConfig.ready."""

    label: str
    count: Callable[[list[str]], dict[str, int]]  # region prefixes → {prefix: figure}, in a few grouped queries
    list_url: str  # the URL name of the list the figure links to, filtered by ?region=


REGION_FIGURES: list[RegionFigure] = []


def register_region_figure(figure: RegionFigure) -> None:
    REGION_FIGURES.append(figure)


def region_figures(regions) -> list[tuple[RegionFigure, dict[str, int]]]:
    prefixes = [region.prefix for region in regions]
    return [(figure, figure.count(prefixes)) for figure in REGION_FIGURES]


def region_namer():
    """(code, level) → the name of the code's ancestor at that level; the names are loaded once, on first use (a
    county has hundreds of regions, a province tens of thousands: small next to the rows of an export)."""
    names = None

    def name(code: str | None, level: int) -> str:
        nonlocal names
        if not code:
            return ""
        if names is None:
            names = dict(Region.objects.values_list("code", "name"))
        keep = PREFIX_LENGTH[level]
        return names.get(code[:keep] + "0" * (12 - keep), "")

    return name


def region_errors(region: Region, known_codes=None) -> dict[str, str]:
    """A code is 12 digits, its level matches its significant digits, and its parent exists one level up.

    ``known_codes`` (a set) answers "does the parent exist" for a batch import, whose parents may be in the same
    file; without it the database is asked. Returns field → error.
    """
    errors = {}
    code = region.code or ""
    if not (len(code) == 12 and code.isdigit()):
        errors["code"] = "区划代码必须是12位数字"
    elif region.level not in Level.values:
        errors["level"] = "级别应为省、市、县、乡镇或村"
    else:
        keep = PREFIX_LENGTH[region.level]
        if code[keep:].strip("0") or (region.level > Level.PROVINCE and not code[PREFIX_LENGTH[region.level - 1]:keep].strip("0")):
            errors["level"] = f"区划代码 {code} 与级别“{Level(region.level).label}”不符"
        elif region.level > Level.PROVINCE:
            expected = parent_code(code, region.level)
            # Checked even when save_region filled the parent in itself: a missing one would fail at commit.
            exists = expected in known_codes if known_codes is not None else Region.objects.filter(code=expected).exists()
            if not exists:
                errors["parent"] = f"上级区划 {expected} 不存在，请先建立上级"
            elif region.parent_id != expected:
                errors["parent"] = f"上级区划应为 {expected}"
    if region.is_poor_village and region.level != Level.VILLAGE:
        errors["is_poor_village"] = "只有村级区划可以标记为贫困村"
    return errors


def validate_region(region: Region) -> None:
    errors = region_errors(region)
    if errors:
        raise ValidationError(errors)


def ensure_can_edit(user, code: str) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护行政区划")
    if not in_scope(user, code):
        raise PermissionDenied("只能维护本辖区内的行政区划")


@transaction.atomic
def save_region(region: Region, *, acting_user, channel, creating: bool) -> Region:
    ensure_can_edit(acting_user, region.code or "")
    if creating and Region.objects.filter(code=region.code).exists():
        raise ValidationError({"code": f"区划代码 {region.code} 已存在"})
    if region.level and region.code and region.level > Level.PROVINCE and not region.parent_id:
        region.parent_id = parent_code(region.code, region.level)
    validate_region(region)
    before = None if creating else snapshot(Region.objects.get(pk=region.pk))
    region.save(force_insert=creating)
    record_change(region, before=before, acting_user=acting_user, channel=channel, region_code=region.code)
    return region


@transaction.atomic
def set_village_exit(village: Region, exit_year: int | None, *, acting_user, channel, note: str) -> Region:
    """贫困村出列: a poor village's exit year, set by the approved exit procedure (villages), which checked the
    acting account itself; audited like any region change."""
    village = Region.objects.select_for_update().get(pk=village.pk)
    if village.level != Level.VILLAGE or not village.is_poor_village:
        raise ValidationError({"village": f"{village.name}不是贫困村"})
    before = snapshot(village)
    village.exit_year = exit_year
    village.save(update_fields=["exit_year"])
    record_change(village, before=before, acting_user=acting_user, channel=channel, region_code=village.code,
                  note=note[:200])
    return village
