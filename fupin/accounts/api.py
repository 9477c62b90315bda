"""Accounts API: obtaining and revoking API tokens, the current account, and user management for administrators."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError

from fupin.core.apitools import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    Page,
    PageParams,
    ValidationErrorOut,
    paginate,
    visible_or_404,
)
from fupin.core.channels import Channel
from fupin.regions.models import Region

from . import services
from .models import ApiToken, Role, User

auth_router = Router()
router = Router()


# --- tokens ---------------------------------------------------------------------------------------------------


class TokenRequest(InputSchema):
    username: str = Field(description="用户名")
    password: str = Field(description="密码")
    otp: str = Field("", max_length=8, description="动态口令（6位数字）：已绑定动态口令的账号必填，管理员账号必须绑定")
    name: str = Field("", max_length=100, description="令牌用途，如“村级数据同步”")


class TokenCreate(InputSchema):
    name: str = Field("", max_length=100, description="令牌用途")


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str = Field(description="令牌前 8 位，用于辨认")
    created: dt.datetime
    expires: dt.datetime = Field(description="到期时间（有效期由服务器设定，默认30天）")
    last_used: dt.datetime | None
    current: bool = Field(False, description="是否为本次请求使用的令牌")

    @staticmethod
    def resolve_key_prefix(obj):
        return obj.prefix


class NewTokenOut(TokenOut):
    key: str = Field(description="完整令牌，只在创建时返回一次，请妥善保存")
    username: str

    @staticmethod
    def resolve_username(obj):
        return obj.user.username


def _new_token(user, name: str) -> ApiToken:
    token, token.key = services.issue_token(user, name, channel=Channel.API)
    return token


@auth_router.post(
    "/token",
    auth=None,
    response={201: NewTokenOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="用用户名、密码（及动态口令）获取令牌",
)
def obtain_token(request, payload: TokenRequest):
    """The login page's rules: each attempt is written to the login log and counts toward the same throttles (per
    account and IP, per IP); an account with a second factor gives its code in ``otp``; an administrator without
    one, or an account whose password must first be changed, gets 403. Past the per-user token limit: 422."""
    try:
        user = services.authenticate_with_lockout(request, payload.username, payload.password)
        if user.totp_enabled:
            services.verify_second_factor(request, user, payload.otp)
    except services.LoginRefused as exc:
        raise AuthenticationError(message=str(exc)) from exc
    if not (user.totp_enabled or services.totp_skippable(user)):
        raise PermissionDenied("管理员账号须先在网页登录并绑定动态口令，才能获取令牌")
    if services.pending_requirement(user):
        raise PermissionDenied(services.requirement_message(user))
    return Status(201, _new_token(user, payload.name))


@auth_router.get("/tokens", response={200: list[TokenOut], **READ_ERRORS}, summary="我的令牌")
def list_tokens(request):
    current = getattr(getattr(request, "api_token", None), "pk", None)
    tokens = list(ApiToken.objects.filter(user=request.auth).order_by("-created"))
    for token in tokens:
        token.current = token.pk == current
    return tokens


@auth_router.post("/tokens", response={201: NewTokenOut, **WRITE_ERRORS}, summary="为自己新建令牌")
def create_token(request, payload: TokenCreate):
    return Status(201, _new_token(request.auth, payload.name))


@auth_router.delete("/tokens/{token_id}", response={204: None, **READ_ERRORS}, summary="作废自己的令牌")
def revoke_token(request, token_id: int):
    if not services.revoke_token(request.auth, token_id, channel=Channel.API):
        raise Http404
    return Status(204, None)


# --- users ----------------------------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    region: str | None = Field(None, description="所属区划代码")
    region_name: str = ""
    phone: str
    department: str
    email: str
    is_active: bool
    is_superuser: bool
    locked: bool = Field(description="是否因连续登录失败被暂时禁止登录（至少从一个IP）")
    totp_enabled: bool = Field(description="是否已绑定动态口令")
    must_change_password: bool = Field(description="下次登录是否须修改密码")
    last_login: dt.datetime | None
    date_joined: dt.datetime
    password_changed_at: dt.datetime | None

    @staticmethod
    def resolve_role_label(obj):
        return obj.get_role_display()

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name if obj.region_id else ""

    @staticmethod
    def resolve_locked(obj):
        # list_users attaches ``locked`` for the whole page in one query; a single user is looked up here.
        if not hasattr(obj, "locked"):
            obj.locked = obj.username in services.locked_usernames([obj.username])
        return obj.locked


class MeOut(UserOut):
    can_write: bool = Field(description="能否修改业务数据（领导、审计等只读角色为否）")
    can_administer: bool = Field(description="系统管理员：能否管理用户、区划和代码表")
    can_manage_security: bool = Field(description="安全管理员：能否解锁账号、重置动态口令、作废他人令牌、查看登录日志")
    can_read_audit: bool = Field(description="审计管理员：能否查看和校验操作日志")
    scope: str = Field(description="数据权限：可见区划代码前缀，空串表示全部")

    @staticmethod
    def resolve_scope(obj):
        return obj.scope_prefix


class UserIn(InputSchema):
    username: str = Field(max_length=150, description="用户名")
    password: str = Field(description="初始密码，须符合密码策略")
    full_name: str = Field("", max_length=50, description="姓名")
    role: Role = Field(description="角色")
    region: str | None = Field(None, description="所属区划代码；村级、乡镇级、县级角色须绑定到相应级别")
    phone: str = Field("", max_length=20)
    department: str = Field("", max_length=50, description="行业部门账号的所属部门")
    email: str = Field("", max_length=254)
    is_active: bool = True
    is_superuser: bool = Field(False, description="只有超级管理员可以设置")


class UserPatch(InputSchema):
    password: str | None = Field(None, description="重置密码，须符合密码策略")
    full_name: str | None = Field(None, max_length=50)
    role: Role | None = None
    region: str | None = None
    phone: str | None = Field(None, max_length=20)
    department: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = None
    is_superuser: bool | None = None


class UserFilters(Schema):
    q: str | None = Field(None, description="用户名或姓名")
    role: Role | None = None
    region: str | None = Field(None, description="区划代码（含下级）")
    is_active: bool | None = None


def _require_admin(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以管理用户")


def _require_user_reader(user):
    if not (user.can_administer or user.can_manage_security):
        raise PermissionDenied("只有系统管理员可以管理用户")


def _resolve_region(data: dict) -> None:
    """Region codes in, Region rows bound; an unknown code is a field error, not a crash."""
    if "region" in data:
        code = data["region"]
        data["region"] = Region.objects.filter(code=code).first() if code else None
        if code and data["region"] is None:
            raise ValidationError({"region": f"区划代码 {code} 不存在"})


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="当前账号")
def me(request):
    return request.auth


@router.get("/users", response={200: Page[UserOut], **WRITE_ERRORS}, summary="用户列表（管理员，本辖区）")
def list_users(request, filters: Query[UserFilters], paging: Query[PageParams]):
    _require_user_reader(request.auth)
    users = User.objects.visible_to(request.auth).select_related("region")
    if filters.q:
        users = users.filter(Q(username__contains=filters.q) | Q(full_name__contains=filters.q))
    if filters.role:
        users = users.filter(role=filters.role)
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        users = users.filter(region__code__in_region=region.prefix if region else filters.region)
    if filters.is_active is not None:
        users = users.filter(is_active=filters.is_active)
    page = paginate(users, paging)
    locked = services.locked_usernames(u.username for u in page["items"])
    for user in page["items"]:
        user.locked = user.username in locked
    return page


@router.get("/users/{user_id}", response={200: UserOut, **WRITE_ERRORS}, summary="用户详情")
def get_user(request, user_id: int):
    _require_user_reader(request.auth)
    return visible_or_404(User.objects.select_related("region"), request.auth, pk=user_id)


@router.post("/users", response={201: UserOut, **WRITE_ERRORS}, summary="新建用户")
def create_user(request, payload: UserIn):
    _require_admin(request.auth)
    data = payload.dict()
    password = data.pop("password")
    _resolve_region(data)
    if User.objects.filter(username=data["username"]).exists():
        raise ValidationError({"username": f"用户名 {data['username']} 已被使用"})
    user = User(**data)
    services.create_user(user, password, acting_user=request.auth, channel=Channel.API)
    return Status(201, user)


@router.patch("/users/{user_id}", response={200: UserOut, **WRITE_ERRORS}, summary="修改用户（只改提交的字段）")
def update_user(request, user_id: int, payload: UserPatch):
    _require_admin(request.auth)
    user = visible_or_404(User.objects.select_related("region"), request.auth, pk=user_id)
    data = payload.dict(exclude_unset=True)
    password = data.pop("password", None)
    _resolve_region(data)
    for name, value in data.items():
        setattr(user, name, value)
    services.update_user(user, acting_user=request.auth, channel=Channel.API, password=password)
    return user


def _security_action(request, user_id: int, service):
    user = visible_or_404(User.objects.select_related("region"), request.auth, pk=user_id)
    service(user, acting_user=request.auth, channel=Channel.API)
    return user


@router.post("/users/{user_id}/unlock", response={200: UserOut, **WRITE_ERRORS}, summary="解除登录锁定（安全管理员）")
def unlock_user(request, user_id: int):
    return _security_action(request, user_id, services.unlock)


@router.post("/users/{user_id}/totp/reset", response={200: UserOut, **WRITE_ERRORS},
             summary="重置动态口令（安全管理员；该账号下次登录重新绑定）")
def reset_totp(request, user_id: int):
    return _security_action(request, user_id, services.disable_totp)


@router.post("/users/{user_id}/tokens/revoke", response={200: UserOut, **WRITE_ERRORS},
             summary="作废该账号的全部令牌（安全管理员）")
def revoke_user_tokens(request, user_id: int):
    return _security_action(request, user_id, services.revoke_user_tokens)
