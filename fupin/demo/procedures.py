"""The demo province's poverty and monitoring lines for the transition period."""

import numpy as np
from django.db import DEFAULT_DB_ALIAS

from fupin.procedures.models import PovertyLine

from .regions import County

# The demo province's own lines for the transition period (2021–2025). The national tables stop at 2020 (poverty)
# and 2021 (monitoring); from 2022 each province sets its own figures, so these are plausible demo values, marked so.
DEMO_LINES = {
    "poverty": {2021: 4200, 2022: 4400, 2023: 4600, 2024: 4800, 2025: 5000},
    "monitoring": {2021: 6000, 2022: 6300, 2023: 6900, 2024: 7200, 2025: 7500},
}


def income_lines(years) -> np.ndarray:
    """The demo province's monitoring line of each year (DEMO_LINES), extended by 5 % a year before and after."""
    known = DEMO_LINES["monitoring"]
    first, last = min(known), max(known)
    distinct, inverse = np.unique(np.asarray(years), return_inverse=True)
    values = np.array([
        known[y] if y in known else known[first] / 1.05 ** (first - y) if y < first else known[last] * 1.05 ** (y - last)
        for y in distinct.tolist()
    ])
    return values[inverse].reshape(np.shape(years))


def create_lines(county: County, using: str = DEFAULT_DB_ALIAS) -> None:
    province = county.code[:2] + "0" * 10
    PovertyLine.objects.using(using).bulk_create(
        PovertyLine(kind=kind, year=year, region_id=province, amount=amount, note="演示数据，非正式标准")
        for kind, years in DEMO_LINES.items()
        for year, amount in years.items()
    )
