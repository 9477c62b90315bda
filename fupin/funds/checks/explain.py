"""An anomaly's figures in Chinese, e.g. “已拨付 12,000.00 元，分配 10,000.00 元，超出 2,000.00 元”.

``figures`` maps fact names (``facts.FACTS``) and parameter codes to values; the text follows the facts' order
in the table (so it does not depend on how a JSON column orders its keys), parameters last, with the parameter's
name: “闲置 120 天，资金闲置天数 90 天”.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..models import ParameterCode
from .facts import DAYS, FACT_NAMES, FACTS, FLAG, MONEY, PCT, UNITS

PARAMETER_UNITS = {ParameterCode.DISCLOSURE_DAYS: UNITS[DAYS], ParameterCode.IDLE_DAYS: UNITS[DAYS]}
ORDER = {fact.name: index for index, fact in enumerate(FACTS)}


def money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _value(kind: str, value) -> str:
    if kind == FLAG:
        return "是" if value in (1, True, "1") else "否"
    if kind in (MONEY, PCT):
        text = money(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    unit = UNITS.get(kind, "")
    return f"{text}{unit}" if kind == PCT else f"{text} {unit}".rstrip()


def parts(figures: dict) -> list[tuple[str, str]]:
    """(label, value with unit) pairs, facts in table order then parameters; empty values left out."""
    labels = dict(ParameterCode.choices)
    result = []
    for name in sorted((n for n in figures if n in FACT_NAMES), key=ORDER.get):
        value = figures[name]
        if value not in (None, ""):
            result.append((FACT_NAMES[name].label, _value(FACT_NAMES[name].kind, value)))
    for code in (c for c in figures if c not in FACT_NAMES and c in labels):
        value = figures[code]
        if value is None:
            result.append((str(labels[code]), "未设置"))
            continue
        unit = PARAMETER_UNITS.get(code, "%")
        result.append((str(labels[code]), f"{money(value)}{unit}" if unit == "%" else f"{int(Decimal(str(value)))} {unit}"))
    return result


def text(figures: dict) -> str:
    return "，".join(f"{label} {value}" for label, value in parts(figures or {}))
