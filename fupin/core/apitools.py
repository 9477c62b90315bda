"""Pieces every API router shares: error bodies, pagination, scoped lookups, code labels, form-driven query params.

The routers themselves live in each app's ``api.py``; the NinjaAPI instance, its authentication and its error
handlers are in ``fupin/api.py``.
"""

import math
from decimal import Decimal
from typing import Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from ninja import Field, Schema
from pydantic import ConfigDict, create_model

from fupin.dictionaries.models import Entry

T = TypeVar("T")

MAX_PAGE_SIZE = 500


# Request bodies reject unknown keys: a misspelt field on a PATCH must not "succeed" while changing nothing.
STRICT = ConfigDict(extra="forbid")


class InputSchema(Schema):
    model_config = STRICT


class ErrorOut(Schema):
    detail: str = Field(description="错误说明")


class ValidationErrorOut(Schema):
    detail: str = Field(description="错误摘要")
    errors: dict[str, str] = Field(description="字段 → 错误原因")


# Error responses to declare on operations so the OpenAPI document lists them.
READ_ERRORS = {frozenset({401, 404}): ErrorOut}
WRITE_ERRORS = {frozenset({401, 403, 404}): ErrorOut, 422: ValidationErrorOut}


class PageParams(Schema):
    page: int = Field(1, ge=1, description="页码，从 1 开始")
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
        "items": list(queryset[start : start + params.page_size]),
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


_FORM_TYPES = {forms.IntegerField: int, forms.DecimalField: Decimal, forms.BooleanField: bool}


def query_schema(form_class: type[forms.Form], name: str, defaults: dict | None = None) -> type[Schema]:
    """Query parameters mirroring a filter form, so the API filters exactly as the pages do and documents it."""
    defaults = defaults or {}
    fields = {}
    for field_name, field in form_class.base_fields.items():
        python_type = next((t for cls, t in _FORM_TYPES.items() if isinstance(field, cls)), str)
        fields[field_name] = (
            python_type | None,
            Field(defaults.get(field_name), description=str(field.label or field_name)),
        )
    return create_model(name, __base__=Schema, **fields)


def code_tables(kinds) -> dict[str, dict[str, str]]:
    """kind → {code: label} for several code tables in one query (retired codes included, so old rows read)."""
    tables = {kind: {} for kind in kinds}
    for kind, code, label in Entry.objects.filter(kind__in=tables).values_list("kind", "code", "label"):
        tables[kind][code] = label
    return tables


def attach_labels(objects, coded: dict[str, str], multi: dict[str, str] | None = None) -> None:
    """Set ``<field>_label`` on each object from its code table; multi-valued codes join with 、."""
    multi = multi or {}
    tables = code_tables(set(coded.values()) | set(multi.values()))
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
    """Copy validated input onto an instance; None on a non-nullable text field means empty."""
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if value is None and not field.null:
            value = "" if isinstance(field, (models.CharField, models.TextField)) else field.get_default()
        setattr(instance, field.attname, value)
    return instance
