"""Regions API: browse the 省/市/县/乡镇/村 tree within the account's scope; administrators create and edit nodes."""

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Page,
    PageParams,
    apply_changes,
    paginate,
    visible_or_404,
)
from fupin.core.channels import Channel

from . import services
from .models import Level, Region

router = Router()


class RegionOut(Schema):
    code: str = Field(description="12 位统计用区划代码")
    name: str
    level: int
    level_label: str
    parent: str | None = Field(None, description="上级区划代码")
    is_poor_village: bool
    exit_year: int | None
    urban_rural_code: str
    active: bool

    @staticmethod
    def resolve_level_label(obj):
        return str(Level(obj.level).label)

    @staticmethod
    def resolve_parent(obj):
        return obj.parent_id


class RegionRef(Schema):
    code: str
    name: str
    level: int


class RegionDetail(RegionOut):
    full_name: str = Field(description="县级以下全称，如“舞钢市尹集镇张庄村”")
    path: list[RegionRef] = Field(description="从省到本级的各级区划")
    children_count: int

    @staticmethod
    def resolve_full_name(obj):
        return "".join(r.name for r in obj.path_cache if r.level >= Level.COUNTY)

    @staticmethod
    def resolve_path(obj):
        return obj.path_cache

    @staticmethod
    def resolve_children_count(obj):
        return obj.children.count()


class RegionNode(RegionOut):
    children: list["RegionNode"] = []

    @staticmethod
    def resolve_children(obj):
        return obj.children_list


class RegionFilters(Schema):
    parent: str | None = Field(None, description="上级区划代码：只列其直接下级")
    level: Level | None = Field(None, description="级别：1省 2市 3县 4乡镇 5村")
    q: str | None = Field(None, description="名称包含或代码开头")
    is_poor_village: bool | None = None
    active: bool | None = None


class RegionIn(InputSchema):
    code: str = Field(min_length=12, max_length=12, description="12 位区划代码")
    name: str = Field(max_length=100)
    level: Level = Field(description="级别：1省 2市 3县 4乡镇 5村")
    parent: str | None = Field(None, description="上级区划代码；不填时按代码推算")
    is_poor_village: bool = False
    exit_year: int | None = Field(None, ge=1980, le=2100, description="贫困村出列年度")
    urban_rural_code: str = Field("", max_length=3)
    active: bool = True


class RegionPatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    is_poor_village: bool | None = None
    exit_year: int | None = Field(None, ge=1980, le=2100)
    urban_rural_code: str | None = Field(None, max_length=3)
    active: bool | None = None


@router.get("", response={200: Page[RegionOut], **READ_ERRORS}, summary="区划列表")
def list_regions(request, filters: Query[RegionFilters], paging: Query[PageParams]):
    regions = Region.objects.visible_to(request.auth)
    if filters.parent:
        regions = regions.filter(parent_id=filters.parent)
    if filters.level:
        regions = regions.filter(level=filters.level)
    if filters.q:
        regions = regions.filter(Q(name__contains=filters.q) | Q(code__startswith=filters.q))
    if filters.is_poor_village is not None:
        regions = regions.filter(is_poor_village=filters.is_poor_village)
    if filters.active is not None:
        regions = regions.filter(active=filters.active)
    return paginate(regions, paging)


def _detail(region: Region) -> Region:
    region.path_cache = region.path()
    return region


@router.get("/{code}", response={200: RegionDetail, **READ_ERRORS}, summary="区划详情")
def get_region(request, code: str):
    return _detail(visible_or_404(Region.objects, request.auth, code=code))


@router.get("/{code}/tree", response={200: RegionNode, **READ_ERRORS}, summary="下级区划树")
def region_tree(request, code: str, depth: int = Query(4, ge=1, le=4, description="向下展开的层数")):
    """The node and its descendants down to ``depth`` levels, from one prefix query."""
    root = visible_or_404(Region.objects, request.auth, code=code)
    nodes = {root.code: root}
    root.children_list = []
    descendants = Region.objects.filter(
        code__startswith=root.prefix, level__gt=root.level, level__lte=root.level + depth
    ).order_by("level", "code")
    for region in descendants:
        region.children_list = []
        parent = nodes.get(region.parent_id)
        if parent is not None:
            parent.children_list.append(region)
            nodes[region.code] = region
    return root


@router.post("", response={201: RegionDetail, **WRITE_ERRORS}, summary="新建区划（管理员，本辖区）")
def create_region(request, payload: RegionIn):
    region = apply_changes(Region(), payload.dict())
    services.save_region(region, acting_user=request.auth, channel=Channel.API, creating=True)
    return Status(201, _detail(region))


@router.patch("/{code}", response={200: RegionDetail, **WRITE_ERRORS}, summary="修改区划（只改提交的字段）")
def update_region(request, code: str, payload: RegionPatch):
    region = visible_or_404(Region.objects, request.auth, code=code)
    apply_changes(region, payload.dict(exclude_unset=True))
    services.save_region(region, acting_user=request.auth, channel=Channel.API, creating=False)
    return _detail(region)
