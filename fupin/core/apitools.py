"""Pieces every API router shares: error bodies, pagination, scoped lookups, code labels, form-driven query params.

The routers themselves live in each app's ``api.py``; the NinjaAPI instance, its authentication and its error
handlers are in ``fupin/api.py``.
"""

import datetime as dt
import math
import types
import typing
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from ninja import Field, Schema
from pydantic import ConfigDict, create_model, field_validator
from pydantic_core import PydanticCustomError

from fupin.core import hooks

T = TypeVar("T")

MAX_PAGE_SIZE = 500
# Integer columns (ids, years, counts) are 64-bit on SQLite and PostgreSQL: a larger value makes the database raise
# an overflow instead of matching nothing, so the API refuses it with a 422 first.
MAX_INT = 2**63 - 1
# Far beyond any real list, and (MAX_PAGE − 1) × MAX_PAGE_SIZE stays a valid 64-bit OFFSET.
MAX_PAGE = 10**9

# A record id in a query parameter or a request body (lists of ids included).
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
# Any other integer that reaches a database filter.
BoundedInt = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]


# Request bodies reject unknown keys: a misspelt field on a PATCH must not "succeed" while changing nothing.
STRICT = ConfigDict(extra="forbid")


def _plain_types(annotation) -> set:
    """The classes an annotation accepts: ``int | None`` → {int, NoneType}; ``Annotated[X, …]`` → X's."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_plain_types(arg) for arg in typing.get_args(annotation)))
    if origin is Annotated:
        return _plain_types(typing.get_args(annotation)[0])
    return {origin or annotation}


# Error type (mapped to Chinese in fupin/api.py) for a value of the wrong JSON type, by the field's type.
_STRICT_ERRORS = [(dt.date, "date_type"), (Decimal, "decimal_type"), (float, "float_type"), (int, "int_type")]


class InputSchema(Schema):
    """Request bodies: unknown keys refused, integers (and lists of them) within MAX_INT, and no silent coercion
    of ``false``/``0`` into a number or a date (pydantic's lax mode reads ``false`` as 0 and ``0`` as 1970-01-01).

    ModelSchema inputs take it as a second base: ``class MemberIn(ModelSchema, InputSchema)``.
    """

    model_config = STRICT

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_coercion(cls, value, info):
        for number in value if isinstance(value, list) else [value]:
            if isinstance(number, int) and not isinstance(number, bool) and abs(number) > MAX_INT:
                raise PydanticCustomError("less_than_equal", "too large", {"le": MAX_INT})
        if not isinstance(value, (bool, int, float)):
            return value
        accepted = _plain_types(cls.model_fields[info.field_name].annotation)
        if isinstance(value, bool):
            wrong = bool not in accepted
        else:
            # A number for a date field (a Unix timestamp to pydantic) — dates are sent as "YYYY-MM-DD".
            wrong = not accepted & {int, float, Decimal} and any(issubclass(t, dt.date) for t in accepted
                                                                    if isinstance(t, type))
        if wrong:
            for kind, error in _STRICT_ERRORS:
                if any(isinstance(t, type) and issubclass(t, kind) for t in accepted):
                    raise PydanticCustomError(error, "wrong type")
        return value


class ErrorOut(Schema):
    detail: str = Field(description="错误说明")


class ValidationErrorOut(Schema):
    detail: str = Field(description="错误摘要")
    errors: dict[str, str] = Field(description="字段 → 错误原因")


# Error responses to declare on operations so the OpenAPI document lists them.
READ_ERRORS = {frozenset({401, 404}): ErrorOut}
WRITE_ERRORS = {frozenset({401, 403, 404}): ErrorOut, 422: ValidationErrorOut}


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始；超过总页数时返回空列表")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多 {MAX_PAGE_SIZE}")


class Page(Schema, Generic[T]):
    count: int = Field(description="符合条件的总条数")
    page: int
    page_size: int
    pages: int = Field(description="总页数")
    items: list[T]


def paginate(queryset, params: PageParams) -> dict:
    """One page of a queryset as a plain dict (items are model instances, ready for label attachment)."""
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "pages": math.ceil(count / params.page_size) if count else 0,
        "items": list(queryset[start : start + params.page_size]) if start < count else [],
    }


def visible_or_404(queryset, user, **lookup):
    """A row the user may see, or 404 — also when it exists outside their scope, so existence does not leak."""
    obj = queryset.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    return obj


def form_errors(form) -> ValidationError:
    """A bound form's errors as the {field: message} ValidationError the API answers with 422."""
    return ValidationError({field: "；".join(messages) for field, messages in form.errors.items()})


_FORM_TYPES = {forms.IntegerField: BoundedInt, forms.DecimalField: Decimal, forms.BooleanField: bool}


def query_schema(form_class: type[forms.Form], name: str, defaults: dict | None = None) -> type[Schema]:
    """Query parameters mirroring a filter form, so the API filters exactly as the pages do and documents it."""
    defaults = defaults or {}
    fields = {}
    for field_name, field in form_class.base_fields.items():
        python_type = next((t for cls, t in _FORM_TYPES.items() if isinstance(field, cls)), str)
        if python_type is BoundedInt and (field.min_value is not None or field.max_value is not None):
            low = -MAX_INT if field.min_value is None else field.min_value
            high = MAX_INT if field.max_value is None else field.max_value
            python_type = Annotated[int, Field(ge=low, le=high)]
        fields[field_name] = (
            python_type | None,
            Field(defaults.get(field_name), description=str(field.label or field_name)),
        )
    return create_model(name, __base__=Schema, **fields)


def attach_labels(objects, coded: dict[str, str], multi: dict[str, str] | None = None) -> None:
    """Set ``<field>_label`` on each object from its code table; multi-valued codes join with 、."""
    multi = multi or {}
    tables = hooks.code_labels(set(coded.values()) | set(multi.values()))
    for obj in objects:
        for field, kind in coded.items():
            code = getattr(obj, field)
            setattr(obj, f"{field}_label", tables[kind].get(code, code) if code else "")
        for field, kind in multi.items():
            codes = [c for c in (getattr(obj, field) or "").split(",") if c]
            setattr(obj, f"{field}_label", "、".join(tables[kind].get(c, c) for c in codes))


def with_labels(name: str, base: type[Schema], model, coded: dict, multi: dict | None = None) -> type[Schema]:
    """``base`` plus a ``<field>_label`` string for every coded field, filled by attach_labels()."""
    fields = {
        f"{field}_label": (str, Field("", description=f"{model._meta.get_field(field).verbose_name}（名称）"))
        for field in [*coded, *(multi or {})]
    }
    return create_model(name, __base__=base, **fields)


def apply_changes(instance: models.Model, data: dict) -> models.Model:
    """Copy validated input onto an instance; None on a non-nullable field means empty text or the field's
    default (which a service may fill in), except on a required relation: a household without a village is a 422."""
    errors = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if value is None and not field.null:
            if field.is_relation:
                errors[name] = "不能为空"
                continue
            value = "" if isinstance(field, (models.CharField, models.TextField)) else field.get_default()
        setattr(instance, field.attname, value)
    if errors:
        raise ValidationError(errors)
    return instance


# Resolvers output schemas share, assigned in the schema's body: ``resolve_status_label = choice_label("status")``.

def choice_label(field: str) -> staticmethod:
    """The resolver of ``<field>_label``: the display text of the model's choices field ``field``."""

    def resolve(obj):
        return getattr(obj, f"get_{field}_display")()

    return staticmethod(resolve)


def related(path: str, default=None) -> staticmethod:
    """The resolver of a value read through foreign keys (``"kind.name"``); ``default`` when a link is empty."""
    names = path.split(".")

    def resolve(obj):
        for name in names:
            obj = getattr(obj, name)
            if obj is None:
                return default
        return obj

    return staticmethod(resolve)
