"""The REST API: one NinjaAPI with token or session auth; each app contributes a router from its ``api`` module.

Errors always answer ``{"detail": "中文说明"}``; validation errors (422) add ``"errors": {字段: 原因}``.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer, django_auth

from fupin.accounts import api as accounts_api
from fupin.accounts.models import ApiToken
from fupin.accounts.services import pending_requirement, requirement_message, token_owner
from fupin.assessment import api as assessment_api
from fupin.assessment.access import assessment_work
from fupin.assets import api as assets_api
from fupin.assets.access import assets_work
from fupin.assistance import api as assistance_api
from fupin.assistance.access import assistance_work
from fupin.comparison import api as comparison_api
from fupin.comparison.access import comparison_work
from fupin.core.apitools import ErrorOut, ValidationErrorOut
from fupin.credit import api as credit_api
from fupin.credit.access import credit_work
from fupin.funds import api as funds_api
from fupin.funds.access import funds_work
from fupin.monitoring import api as monitoring_api
from fupin.oversight import api as oversight_api
from fupin.oversight.access import oversight_work
from fupin.procedures import api as procedures_api
from fupin.projects import api as projects_api
from fupin.projects.access import projects_work
from fupin.regions import api as regions_api
from fupin.registry import api as registry_api
from fupin.registry.access import register_work
from fupin.sectors import api as sectors_api
from fupin.sectors.access import sectors_work
from fupin.stats import api as stats_api
from fupin.stats.access import stats_work
from fupin.villages import api as villages_api
from fupin.whatif import api as whatif_api
from fupin.whatif.access import whatif_work

# Writing last_used on every request would turn each read into a write; a minute's precision is enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <令牌>`` against accounts.ApiToken; an expired token or one of a disabled account
    fails (401), one whose owner must first change his password is refused (403). Failed logins of others never
    disable a token: the login throttles bind only the IP they come from."""

    def authenticate(self, request, token):
        api_token = token_owner(token)
        if api_token is None:
            raise AuthenticationError(message="令牌无效或已撤销")
        if api_token.is_expired():
            raise AuthenticationError(message="令牌已过期，请重新获取")
        user = api_token.user
        if not user.is_active:
            raise AuthenticationError(message="账号已停用")
        if pending_requirement(user):
            raise PermissionDenied(requirement_message(user))
        now = timezone.now()
        if api_token.last_used is None or now - api_token.last_used > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used=now)
        request.user = user
        request.api_token = api_token
        return user


class LocalSwagger(Swagger):
    """Swagger UI from the vendored swagger-ui-dist: government intranets cannot reach a CDN."""

    template = "api/swagger.html"
    # Used when "ninja" is not an installed app (it is not): point that path at the same local template.
    template_cdn = str(settings.BASE_DIR / "templates" / "api" / "swagger.html")


AUTH = [TokenAuth(), django_auth]
# Answers any operation can give besides its own: malformed JSON (400), no or a bad token (401, where the operation
# needs one), a role or CSRF refusal (403), an id not found or out of scope (404), a bad parameter or body (422).
COMMON_ERRORS = {
    400: ("请求体无法解析", "ErrorOut"),
    401: ("未认证或令牌无效", "ErrorOut"),
    403: ("没有权限", "ErrorOut"),
    404: ("记录不存在或不在管辖范围内", "ErrorOut"),
    422: ("参数或提交的数据有误", "ValidationErrorOut"),
}


class FupinAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists COMMON_ERRORS on every operation, so that clients (and the fuzz
    run in the tests) know every status the API may answer."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
        schemas.setdefault("ValidationErrorOut", ValidationErrorOut.model_json_schema())
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, (description, model) in COMMON_ERRORS.items():
                    if code == 401 and not operation.get("security"):
                        continue
                    responses.setdefault(code, {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
                    })
        return schema


api = FupinAPI(
    title="扶贫管理平台接口",
    version="1",
    description=(
        "扶贫管理平台 REST 接口。\n\n"
        "认证：请求头 `Authorization: Bearer <令牌>`（令牌用 `POST /api/auth/token` 以用户名和密码获取），"
        "或已登录浏览器的会话（写操作需带 `X-CSRFToken`）。\n\n"
        "数据权限：每个账号只能看到和修改其所属区划及下级区划的数据；辖区外的记录按不存在处理（404）。\n\n"
        "证件号码、银行账号默认脱敏；查看完整证件号码会记入操作日志。"
        "代码字段同时返回代码和名称（如 `status` 与 `status_label`）。"
    ),
    urls_namespace="api",
    auth=AUTH,
    # validatorUrl None: Swagger UI would otherwise call the public online validator. No persistAuthorization:
    # it would keep a pasted token in localStorage, and village offices share computers.
    docs=LocalSwagger(settings={"validatorUrl": None, "docExpansion": "list"}),
)


def _flatten(messages) -> str:
    if isinstance(messages, (list, tuple)):
        return "；".join(str(m) for m in messages)
    return str(messages)


@api.exception_handler(ValidationError)
def django_validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: _flatten(messages) for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": _flatten(exc.messages)}
    return api.create_response(request, {"detail": "；".join(errors.values()), "errors": errors}, status=422)


# Pydantic error types → what a county clerk can act on.
SCHEMA_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "请求体不是有效的 JSON",
    "extra_forbidden": "不支持的字段（或该字段不可修改）",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
}
LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


# Every view names its request body "payload"; clients never see that level of an error's location.
BODY_PARAMETER = "payload"


def _schema_error_field(loc) -> str:
    parts = list(loc)
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == BODY_PARAMETER:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "__all__"


@api.exception_handler(SchemaValidationError)
def schema_validation_error(request, exc):
    errors = {}
    for error in exc.errors:
        template = SCHEMA_MESSAGES.get(error.get("type"), "格式不正确")
        try:
            message = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            message = template
        errors.setdefault(_schema_error_field(error.get("loc", ())), message)
    detail = "；".join(f"{field}：{message}" for field, message in errors.items())
    return api.create_response(request, {"detail": f"提交的数据有误：{detail}", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限执行此操作"}, status=403)


# DoesNotExist: a record a service reads again was deleted meanwhile (a PATCH racing a DELETE) — not found, too.
@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return api.create_response(request, {"detail": "记录不存在或不在当前账号的管辖范围内"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    message = str(exc)
    if message == "Unauthorized":
        message = "未认证：请在请求头提供 Authorization: Bearer <令牌>，或先登录"
    return api.create_response(request, {"detail": message}, status=401)


# psycopg refuses text with a NUL character before sending it (PostgreSQL cannot hold one); Django's forms refuse it
# with a validator of their own, and the API's plain text parameters answer the same 422.
@api.exception_handler(ValueError)
@api.exception_handler(DataError)
def nul_character(request, exc):
    if "NUL (0x00)" not in str(exc):
        raise exc
    message = "不能包含空字符（\\0）"
    return api.create_response(request, {"detail": f"提交的数据有误：{message}", "errors": {"__all__": message}},
                               status=422)


# ninja's own English messages that reach clients.
HTTP_ERROR_MESSAGES = {
    "CSRF check Failed": "CSRF 校验失败：浏览器会话调用写接口须带 X-CSRFToken 请求头",
    "Cannot parse request body": "无法解析请求体：请发送 JSON（Content-Type: application/json）",
}


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = HTTP_ERROR_MESSAGES.get(str(exc), str(exc))
    return api.create_response(request, {"detail": message}, status=exc.status_code)


api.add_router("/auth", accounts_api.auth_router, tags=["认证"])
api.add_router("/accounts", accounts_api.router, tags=["账号"])
api.add_router("/regions", regions_api.router, tags=["行政区划"])
api.add_router("/households", registry_api.households_router, tags=["贫困户"])
api.add_router("/members", registry_api.members_router, tags=["家庭成员"])
api.add_router("/duplicate-reports", registry_api.duplicate_reports_router, tags=["重复登记报告"])
# Departments and the security and audit administrators are refused these (registry/access.py).
api.add_router("", procedures_api.router, auth=register_work.guard_auth(AUTH))
api.add_router("/monitoring", monitoring_api.router, tags=["防返贫监测"], auth=register_work.guard_auth(AUTH))
api.add_router("/assistance", assistance_api.router, tags=["帮扶"], auth=assistance_work.guard_auth(AUTH))
api.add_router("/comparison", comparison_api.router, tags=["数据比对"], auth=comparison_work.guard_auth(AUTH))
api.add_router("/projects", projects_api.router, tags=["扶贫项目"], auth=projects_work.guard_auth(AUTH))
api.add_router("/funds", funds_api.router, tags=["扶贫资金"], auth=funds_work.guard_auth(AUTH))
api.add_router("/assets", assets_api.router, tags=["扶贫项目资产"], auth=assets_work.guard_auth(AUTH))
api.add_router("/credit", credit_api.router, tags=["扶贫小额信贷"], auth=credit_work.guard_auth(AUTH))
api.add_router("/sectors", sectors_api.router, tags=["行业政策"], auth=sectors_work.guard_auth(AUTH))
api.add_router("/oversight", oversight_api.router, tags=["问题台账"], auth=oversight_work.guard_auth(AUTH))
api.add_router("/stats", stats_api.router, tags=["统计"], auth=stats_work.guard_auth(AUTH))
api.add_router("/whatif", whatif_api.router, tags=["政策模拟"], auth=whatif_work.guard_auth(AUTH))
api.add_router("/villages", villages_api.router, tags=["贫困村出列"], auth=register_work.guard_auth(AUTH))
api.add_router("/assessment", assessment_api.router, tags=["考核评估"], auth=assessment_work.guard_auth(AUTH))
