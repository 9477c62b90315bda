"""Assistance API: helpers, pairing, measures and visits, and a helper's own households. Thin callers of
assistance.services (channel 接口); lookups go through ``visible_to()``."""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Page,
    PageParams,
    choice_label,
    paginate,
    related,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.regions.models import Region
from fupin.registry.models import Household

from . import manual, plans, services
from .api_teams import router as teams_router
from .manual_views import pdf_response
from .models import (
    Helper,
    Measure,
    MeasureKind,
    MeasureStatus,
    Pairing,
    UnitLevel,
    Visit,
)

router = Router()
router.add_router("", teams_router)


class HelperOut(Schema):
    id: int
    name: str
    sex: str
    phone: str
    political_status: str
    unit: str
    unit_level: str
    position: str
    region: str = Field(alias="region_id")
    user: int | None = Field(None, alias="user_id")
    active: bool


class HelperIn(InputSchema):
    name: str = Field(min_length=1)
    sex: str = ""
    phone: str = ""
    political_status: str = ""
    unit: str = Field(min_length=1)
    unit_level: UnitLevel = UnitLevel.COUNTY
    position: str = ""
    region: str = Field(min_length=12, max_length=12, description="帮扶地区区划代码（县、乡镇或村）")
    active: bool = True


class PairingIn(InputSchema):
    helper: int
    household: int
    start: dt.date


class PairingOut(Schema):
    id: int
    helper: int = Field(alias="helper_id")
    helper_name: str
    household: int = Field(alias="household_id")
    start: dt.date
    end: dt.date | None
    end_reason: str

    resolve_helper_name = related("helper.name")


class MeasureIn(InputSchema):
    kind: MeasureKind
    content: str = Field(min_length=1)
    amount: Decimal | None = None
    date: dt.date
    status: MeasureStatus = MeasureStatus.ONGOING
    helper: int | None = None


class MeasureOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    monitored: int | None = Field(None, alias="monitored_id")
    kind: str
    kind_label: str
    content: str
    amount: Decimal | None
    date: dt.date
    status: str
    helper: int | None = Field(None, alias="helper_id")

    resolve_kind_label = choice_label("kind")


class VisitIn(InputSchema):
    client_uuid: uuid.UUID | None = Field(None, description="客户端生成的走访编号：重发同一编号得到已登记的走访（200）")
    helper: int
    date: dt.date
    content: str = Field(min_length=1)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


class VisitOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    helper: int = Field(alias="helper_id")
    helper_name: str
    date: dt.date
    content: str
    latitude: Decimal | None
    longitude: Decimal | None
    photos: int

    resolve_helper_name = related("helper.name")

    @staticmethod
    def resolve_photos(obj):
        return obj.photos.count()


class MyHouseholdOut(Schema):
    household: int
    household_number: str
    head_name: str
    village: str
    phone: str
    last_visit: dt.date | None
    next_due: dt.date | None = None


@router.get("/helpers", response={200: Page[HelperOut], **READ_ERRORS}, summary="帮扶责任人")
def list_helpers(request, paging: Query[PageParams]):
    return paginate(Helper.objects.visible_to(request.auth).order_by("region", "name"), paging)


@router.post("/helpers", response={201: HelperOut, **WRITE_ERRORS}, summary="新增帮扶责任人")
def create_helper(request, payload: HelperIn):
    data = payload.dict()
    region = visible_or_404(Region.objects, request.auth, code=data.pop("region"))
    helper = services.save_helper(Helper(region=region, **data), acting_user=request.auth, channel=Channel.API)
    return Status(201, helper)


@router.post("/pairings", response={201: PairingOut, **WRITE_ERRORS}, summary="结对帮扶")
def create_pairing(request, payload: PairingIn):
    helper = visible_or_404(Helper.objects.select_related("region"), request.auth, pk=payload.helper)
    household = visible_or_404(Household.objects, request.auth, pk=payload.household)
    return Status(201, services.pair(helper, household, start=payload.start, acting_user=request.auth,
                                     channel=Channel.API))


@router.get("/households/{household_id}/pairings", response={200: list[PairingOut], **READ_ERRORS},
            summary="户的结对帮扶责任人")
def household_pairings(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return Pairing.objects.filter(household=household).select_related("helper")


def _helper(helper_id: int) -> Helper:
    """The helper a measure or visit names: an unknown id is a field error (the pairing check follows in the
    service), not a broken foreign key."""
    helper = Helper.objects.filter(pk=helper_id).first()
    if helper is None:
        raise ValidationError({"helper": "没有这个帮扶责任人"})
    return helper


@router.get("/households/{household_id}/measures", response={200: list[MeasureOut], **READ_ERRORS},
            summary="户的帮扶措施")
def household_measures(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return Measure.objects.filter(household=household)


@router.post("/households/{household_id}/measures", response={201: MeasureOut, **WRITE_ERRORS},
             summary="新增帮扶措施")
def create_measure(request, household_id: int, payload: MeasureIn):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    data = payload.dict()
    helper_id = data.pop("helper")
    measure = Measure(household=household, helper=_helper(helper_id) if helper_id else None, **data)
    return Status(201, services.save_measure(measure, acting_user=request.auth, channel=Channel.API))


@router.get("/households/{household_id}/visits", response={200: list[VisitOut], **READ_ERRORS}, summary="户的走访记录")
def household_visits(request, household_id: int):
    household = visible_or_404(Household.objects, request.auth, pk=household_id)
    return Visit.objects.filter(household=household).select_related("helper")


@router.post("/households/{household_id}/visits", response={201: VisitOut, 200: VisitOut, **WRITE_ERRORS},
             summary="记录走访（照片请在页面上传）")
def create_visit(request, household_id: int, payload: VisitIn):
    household = Household.objects.filter(pk=household_id).first()
    if household is None or not (Household.objects.visible_to(request.auth).filter(pk=household_id).exists()
                                 or services.is_paired_helper(request.auth, household)):
        household = visible_or_404(Household.objects, request.auth, pk=household_id)
    data = payload.dict()
    visit = Visit(household=household, helper=_helper(data.pop("helper")), **data)
    visit, created = services.record_visit_once(visit, acting_user=request.auth, channel=Channel.API)
    return Status(201 if created else 200, visit)


@router.get("/mine", response={200: list[MyHouseholdOut], **READ_ERRORS}, summary="我的帮扶户（帮扶责任人本人）")
def my_households(request):
    return [
        {"household": p.household_id, "household_number": p.household.number, "head_name": p.household.head_name,
         "village": p.household.village_id, "phone": p.household.phone, "last_visit": p.last_visit,
         "next_due": plans.next_due(p)}
        for p in plans.mine(request.auth)
    ]


@router.get("/households/{household_id}/manual", response={200: None, **WRITE_ERRORS},
            summary="扶贫手册（A4 PDF；full=true 含完整证件号码，须有权限）")
def household_manual(request, household_id: int, full: bool = False, year: int | None = Query(None, ge=1990, le=2100)):
    household = visible_or_404(Household.objects.select_related("village"), request.auth, pk=household_id)
    return pdf_response(household, manual.household_pdf(household, request.auth, full=full, year=year,
                                                         channel=Channel.API))
