"""An alert's figures in Chinese: which rule fired, which figure, which parameter by its name and value.

``Alert.figures`` keeps, per rule code, the facts and parameters (``p_<code>``) the rule read; scripts read those raw
keys through the API. Users see them through these functions only: on the alert pages, in the exports, and in the
API's and CLI's label fields.
"""

from __future__ import annotations

import re
import time

from django.db.models.signals import post_delete, post_save

from . import engine
from .defaults import GRADING_PARAMETERS, PARAMETERS
from .models import Parameter, Rule

UNIT = re.compile(r"（(元/人|元|%|㎡)）$")
CACHE_SECONDS = 60
_cache: dict[str, tuple[float, dict]] = {}


def forget(**_kwargs) -> None:
    _cache.clear()


for _model in (Rule, Parameter):
    post_save.connect(forget, sender=_model, dispatch_uid=f"explain-{_model.__name__}-save")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"explain-{_model.__name__}-delete")


def _cached(key: str, load) -> dict:
    """Rule and parameter names, reloaded once a minute or when one is saved: an export of many alerts asks for
    them on every row."""
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is None or now - hit[0] > CACHE_SECONDS:
        hit = _cache[key] = (now, load())
    return hit[1]


def _national_first(rows) -> dict:
    """code → value, a national row's (no region) winning over a regional one's."""
    chosen = {}
    for code, value, _region in sorted(rows, key=lambda row: row[2] is None):
        chosen[code] = value
    return chosen


def rule_names() -> dict[str, str]:
    return _cached("rules", lambda: _national_first(Rule.objects.values_list("code", "name", "region")))


def parameter_labels() -> dict[str, tuple[str, str]]:
    """code → (Chinese name, unit): the national row's, else a regional row's, else the installed default's."""
    def load():
        defaults = {code: (name, unit) for code, name, _value, unit, _note in PARAMETERS + GRADING_PARAMETERS}
        rows = [(code, (name, unit), region)
                for code, name, unit, region in Parameter.objects.values_list("code", "name", "unit", "region")]
        return defaults | _national_first(rows)

    return _cached("parameters", load)


def number(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}"
    return str(value)


def item(column: str, value) -> tuple[str, str]:
    """(label, value with unit) of one figure, e.g. ("本年人均纯收入", "4,812 元") or ("监测范围", "7,200 元")."""
    if column.startswith("p_"):
        label, unit = parameter_labels().get(column[2:], ("参数", ""))
    else:
        fact = engine.FACT_NAMES.get(column)
        label = fact.label if fact else "其他数据"
        match = UNIT.search(label)
        unit = match.group(1) if match else ""
        label = UNIT.sub("", label)
    if value is None or value == "":
        return label, "（空）"
    shown = number(value)
    return label, f"{shown}%" if unit == "%" else f"{shown} {unit}".strip()


def explain(figures: dict) -> list[dict]:
    """Per fired rule: code, Chinese name, and each figure as (label, value with unit)."""
    names = rule_names()
    return [
        {"code": code, "name": names.get(code, code), "items": [item(c, v) for c, v in (values or {}).items()]}
        for code, values in (figures or {}).items()
    ]


def values_text(values: dict) -> str:
    return "，".join(f"{label} {value}" for label, value in (item(c, v) for c, v in (values or {}).items()))


def text(figures: dict) -> str:
    """One line per alert: “人均纯收入低于监测范围（本年人均纯收入 4,812 元，本年监测范围 7,200 元/人）；…”."""
    return "；".join(
        f"{row['name']}（{'，'.join(f'{label} {value}' for label, value in row['items'])}）" if row["items"]
        else row["name"]
        for row in explain(figures)
    )
