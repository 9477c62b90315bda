"""政策模拟 API: scenarios and their changes (CRUD), the run (a background job; poll the scenario), the result per
township with the cost, the household change list (the page's filters, paginated, ID numbers masked) and
adoption. County accounts only (``access.whatif_work`` guards the router); every lookup goes through
``visible_to()``; thin callers of ``services`` (channel 接口)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from fupin.core import idnumber
from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Page,
    PageParams,
    choice_label,
    form_errors,
    paginate,
    query_schema,
    related,
    visible_or_404,
)
from fupin.core.channels import Channel

from . import changes, filters, services
from .models import Scenario, ScenarioChange, ScenarioChangeKind, ScenarioHousehold

router = Router()
API = Channel.API

WhatifHouseholdFilters = query_schema(filters.HouseholdFilterForm, "WhatifHouseholdFilters")


class WhatifChangeOut(Schema):
    id: int
    kind: str
    kind_label: str
    target: str
    label: str
    value: Decimal | None
    condition: str
    live_value: str | None = Field(description="现行值（运行时读取的现行配置）")
    live_condition: str
    live_source: str

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_label(obj):
        return changes.label(obj)

    @staticmethod
    def resolve_live_value(obj):
        return obj.live.as_json()["value"]

    @staticmethod
    def resolve_live_condition(obj):
        return obj.live.condition

    @staticmethod
    def resolve_live_source(obj):
        return obj.live.source


class WhatifScenarioOut(Schema):
    id: int
    county: str = Field(alias="county_id")
    county_name: str
    year: int
    name: str
    description: str
    status: str
    status_label: str
    changed_since_run: bool
    ran_at: dt.datetime | None
    adopted_at: dt.datetime | None
    job: int | None = Field(alias="job_id")
    summary: str
    changes: list[WhatifChangeOut]

    resolve_status_label = choice_label("status")
    resolve_county_name = related("county.name")

    @staticmethod
    def resolve_summary(obj):
        return services.summary_text(obj) if obj.ran_at else ""

    @staticmethod
    def resolve_changes(obj):
        return _with_live(obj)


class WhatifScenarioIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=2000, le=2100)
    description: str = Field("", max_length=2000)


class WhatifScenarioPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    year: int | None = Field(None, ge=2000, le=2100)
    description: str | None = Field(None, max_length=2000)


class WhatifChangeIn(InputSchema):
    kind: ScenarioChangeKind
    target: str = Field("", max_length=40, description="监测参数代码、监测规则代码或政策标准代码；扶贫标准、监测范围留空")
    value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    condition: str = Field("", max_length=2000, description="仅监测规则条件：模拟的触发条件")


class WhatifTownshipOut(Schema):
    township_code: str
    name: str
    households: int
    monitor_before: int
    monitor_after: int
    enter: int
    leave: int
    exit_before: int
    exit_after: int
    exit_pass: int
    exit_fail: int
    dibao_households: int
    dibao_people: int
    dibao_cost: Decimal


class WhatifCostOut(Schema):
    label: str
    formula: str
    amount: Decimal


class WhatifLineOut(Schema):
    label: str
    before: Decimal | None
    after: Decimal | None


class WhatifResultOut(Schema):
    scenario: int
    ran_at: dt.datetime | None
    summary: str
    townships: list[WhatifTownshipOut]
    costs: list[WhatifCostOut]
    cost_total: Decimal
    lines: list[WhatifLineOut]
    warnings: list[str]


class WhatifHouseholdOut(Schema):
    household: int = Field(alias="household_id")
    number: str
    head_name: str
    head_id_number: str = Field(description="脱敏")
    village: str = Field(alias="village_id")
    village_name: str
    township_name: str
    outcome: str
    outcome_label: str
    size: int
    per_capita_income: Decimal | None
    before: Decimal | None
    after: Decimal | None
    rules_before: str
    rules_after: str

    resolve_outcome_label = choice_label("outcome")
    resolve_number = related("household.number")
    resolve_head_name = related("household.head_name")
    resolve_village_name = related("village.name")
    resolve_township_name = related("village.parent.name", "")

    @staticmethod
    def resolve_head_id_number(obj):
        return idnumber.mask(obj.household.head_id_number)


def _with_live(scenario):
    rows = []
    for row in services.change_rows(scenario):
        row["change"].live = row["live"]
        rows.append(row["change"])
    return rows


def _scenario(request, scenario_id) -> Scenario:
    return visible_or_404(Scenario.objects.select_related("county"), request.auth, pk=scenario_id)


@router.get("/scenarios", response={200: Page[WhatifScenarioOut], **READ_ERRORS}, summary="模拟方案列表")
def list_scenarios(request, paging: Query[PageParams]):
    queryset = Scenario.objects.visible_to(request.auth).select_related("county").order_by("-year", "-id")
    return paginate(queryset, paging)


@router.post("/scenarios", response={201: WhatifScenarioOut, **WRITE_ERRORS}, summary="新建模拟方案（本县）")
def create_scenario(request, payload: WhatifScenarioIn):
    return Status(201, services.save_scenario(Scenario(**payload.dict()), acting_user=request.auth, channel=API))


@router.get("/scenarios/{scenario_id}", response={200: WhatifScenarioOut, **READ_ERRORS},
            summary="模拟方案详情（含各调整项的现行值与来源）")
def get_scenario(request, scenario_id: Id):
    return _scenario(request, scenario_id)


@router.patch("/scenarios/{scenario_id}", response={200: WhatifScenarioOut, **WRITE_ERRORS},
              summary="修改模拟方案（只改提交的字段）")
def update_scenario(request, scenario_id: Id, payload: WhatifScenarioPatch):
    scenario = _scenario(request, scenario_id)
    for name, value in payload.dict(exclude_unset=True).items():
        if value is not None:
            setattr(scenario, name, value)
    return services.save_scenario(scenario, acting_user=request.auth, channel=API)


@router.delete("/scenarios/{scenario_id}", response={204: None, **WRITE_ERRORS}, summary="删除模拟方案（已采纳的不能删除）")
def delete_scenario(request, scenario_id: Id):
    services.delete_scenario(_scenario(request, scenario_id), acting_user=request.auth, channel=API)
    return Status(204, None)


@router.post("/scenarios/{scenario_id}/changes", response={201: WhatifChangeOut, **WRITE_ERRORS},
             summary="添加调整项")
def add_change(request, scenario_id: Id, payload: WhatifChangeIn):
    scenario = _scenario(request, scenario_id)
    change = services.save_change(ScenarioChange(scenario=scenario, **payload.dict()), acting_user=request.auth,
                                  channel=API)
    change.live = changes.live(change, scenario.county_id, scenario.year)
    return Status(201, change)


@router.put("/changes/{change_id}", response={200: WhatifChangeOut, **WRITE_ERRORS}, summary="修改调整项")
def update_change(request, change_id: Id, payload: WhatifChangeIn):
    change = visible_or_404(ScenarioChange.objects.select_related("scenario"), request.auth, pk=change_id)
    for name, value in payload.dict().items():
        setattr(change, name, value)
    change = services.save_change(change, acting_user=request.auth, channel=API)
    change.live = changes.live(change, change.scenario.county_id, change.scenario.year)
    return change


@router.delete("/changes/{change_id}", response={204: None, **WRITE_ERRORS}, summary="删除调整项")
def delete_change(request, change_id: Id):
    change = visible_or_404(ScenarioChange.objects.select_related("scenario"), request.auth, pk=change_id)
    services.delete_change(change, acting_user=request.auth, channel=API)
    return Status(204, None)


@router.post("/scenarios/{scenario_id}/run", response={202: WhatifScenarioOut, **WRITE_ERRORS},
             summary="运行模拟（后台任务；轮询方案状态或 /api/jobs/{job}）")
def run_scenario(request, scenario_id: Id):
    return Status(202, services.start_run(_scenario(request, scenario_id), acting_user=request.auth, channel=API))


@router.get("/scenarios/{scenario_id}/result", response={200: WhatifResultOut, **READ_ERRORS},
            summary="测算结果：各乡镇纳入、移出监测，符合、不再符合脱贫条件，新增低保及支出")
def scenario_result(request, scenario_id: Id):
    scenario = _scenario(request, scenario_id)
    result = scenario.result
    return {"scenario": scenario.pk, "ran_at": scenario.ran_at,
            "summary": services.summary_text(scenario) if scenario.ran_at else "",
            "townships": result.get("townships", []), "costs": result.get("costs", []),
            "cost_total": result.get("cost_total", "0"), "lines": list(result.get("lines", {}).values()),
            "warnings": result.get("warnings", [])}


@router.get("/scenarios/{scenario_id}/households", response={200: Page[WhatifHouseholdOut], **READ_ERRORS},
            summary="影响户清单（证件号码脱敏）")
def scenario_households(request, scenario_id: Id, params: Query[WhatifHouseholdFilters], paging: Query[PageParams]):
    scenario = _scenario(request, scenario_id)
    queryset = ScenarioHousehold.objects.visible_to(request.auth).filter(scenario=scenario)
    queryset, form = filters.filter_households(queryset, {k: str(v) for k, v in params.dict().items()
                                                           if v is not None})
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return paginate(queryset.select_related("household", "village__parent")
                    .order_by("village_id", "outcome", "household_id"), paging)


@router.post("/scenarios/{scenario_id}/adopt", response={200: WhatifScenarioOut, **WRITE_ERRORS},
             summary="采纳方案：写入现行配置（现行值自运行后已变化时拒绝）")
def adopt_scenario(request, scenario_id: Id):
    return services.adopt(_scenario(request, scenario_id), acting_user=request.auth, channel=API)
