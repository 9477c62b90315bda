"""The demo's 监测对象: the monitored households of a county and their income checks, generated column-wise beside
the registry (``monitored_frame``), and after the bulk load a few risk events, a data-quality run and a monitoring
run over the first county through the monitoring services (``run_monitoring``), so the alert list and the findings
hold what the rules find in the demo data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from django.utils import timezone

from fupin.audit.models import Channel
from fupin.monitoring import services
from fupin.monitoring.models import EliminationMethod, EventKind, Family, MonitoredStatus, RiskEvent, Run
from fupin.regions.models import Region
from fupin.registry.choices import MonitoringKind
from fupin.registry.models import Household

from .columns import day_number, frame, ints, money, office_seconds, timestamps, weighted
from .procedures import income_lines

# 风险类型 of the kinds (RiskType codes): low-income kinds mostly illness, labour and unstable work; 突发严重困难户
# illness, accidents and disasters.
LOW_INCOME_RISKS = [("01", .35), ("04", .2), ("07", .2), ("03", .1), ("09", .05), ("02", .05), ("06", .05)]
SUDDEN_RISKS = [("01", .5), ("05", .25), ("02", .25)]
CHECK_EVERY_DAYS = 91  # 收入核查 of monitored households, quarterly
# A few risk events the villages recorded this year (kind, amount in yuan or None, description).
EVENTS = [
    (EventKind.SERIOUS_ILLNESS, 36000, "户主突发脑梗住院，自付医疗费用较大"),
    (EventKind.DISASTER, 12000, "暴雨致房屋漏雨、农作物受灾"),
    (EventKind.UNEMPLOYMENT, None, "主要劳动力务工企业停产，返乡待业"),
    (EventKind.ACCIDENT, 15000, "家庭成员务工时意外受伤"),
    (EventKind.LARGE_EXPENSE, 20000, "子女上大学，学费生活费支出较大"),
]


def monitored_frame(rng, households: pl.DataFrame, *, monitored: np.ndarray, kind: np.ndarray, year: np.ndarray,
                    eliminated: np.ndarray, eliminated_year: np.ndarray, per_capita: np.ndarray, line: np.ndarray,
                    no_work_capacity: np.ndarray, recovered_year: np.ndarray,
                    today_day: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The monitored households and their income checks (收入核查).

    One monitored row per household ever monitored: ``kind`` its 监测对象类别, ``year`` the year it was identified
    in, ``per_capita`` and ``line`` its income and the monitoring line of that year (arrays over all households).
    The village checks a monitored household's income every quarter while it is monitored: below the line until
    ``recovered_year`` (above it from then on; always above for 突发严重困难户, whose trouble was a shock).
    """
    idx = np.flatnonzero(monitored)
    n = len(idx)
    sudden = kind[idx] == MonitoringKind.SUDDEN
    risks = np.where(sudden, weighted(rng, SUDDEN_RISKS, n), weighted(rng, LOW_INCOME_RISKS, n))
    identified = np.minimum(day_number(year[idx], 3, 1) + ints(rng, 0, 270, n), today_day - 30)
    done = eliminated[idx]
    eliminated_on = np.minimum(day_number(eliminated_year[idx], 11, 1) + ints(rng, 0, 50, n), today_day - 1)
    seconds = office_seconds(rng, n)
    monitored = frame({
        "household_idx": idx,
        "village_id": households.get_column("village_id").gather(idx),
        "kind": kind[idx],
        "year": year[idx].astype(np.int16),
        "identified_on": pl.Series(identified.astype(np.int32)).cast(pl.Date),
        "risks": risks,
        "per_capita_income": money(per_capita[idx]),
        "monitoring_line": money(np.round(line[idx] * 100)),
        "status": np.where(done, MonitoredStatus.ELIMINATED, MonitoredStatus.MONITORING),
        "no_work_capacity": no_work_capacity[idx] & ~done,
        "elimination_method": np.where(
            done, np.where(rng.random(n) < .7, EliminationMethod.ASSISTED, EliminationMethod.NATURAL), ""),
        "eliminated_on": pl.Series(np.where(done, eliminated_on, 0).astype(np.int32)).cast(pl.Date)
        .replace(dt.date(1970, 1, 1), None),
        "note": "",
        "created": timestamps(identified, seconds),
        "updated": timestamps(np.where(done, eliminated_on, identified), seconds),
    })
    return monitored, _income_checks(rng, households, idx, identified, np.where(done, eliminated_on, today_day - 1),
                                     recovered_year[idx], sudden)


def _income_checks(rng, households, idx, identified, until, recovered_year, sudden) -> pl.DataFrame:
    first = identified + CHECK_EVERY_DAYS
    count = np.maximum((until - first) // CHECK_EVERY_DAYS + 1, 0)
    row = np.repeat(np.arange(len(idx)), count)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    day = np.minimum(first[row] + nth * CHECK_EVERY_DAYS + ints(rng, -10, 10, len(row)), until[row])
    year = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    above = sudden[row] | (year >= recovered_year[row])
    ratio = np.where(above, rng.uniform(1.15, 1.5, len(row)), rng.uniform(.6, .95, len(row)))
    return frame({
        "household_idx": idx[row],
        "village_id": households.get_column("village_id").gather(idx[row]),
        "checked_on": pl.Series(day.astype(np.int32)).cast(pl.Date),
        "per_capita_income": money(np.round(income_lines(year) * ratio * 100)),
        "note": np.where(above, "收入稳定，高于监测范围", "收入仍在监测范围内，继续落实帮扶"),
        "created": timestamps(day, office_seconds(rng, len(row))),
    })


def run_monitoring(county: Region, village_users: list, county_user, *, year: int) -> Run:
    """Record a few of this year's risk events in the demo villages, then run the data-quality checks and the
    monitoring rules over the first county (bounded: one county, whatever the size of the demo)."""
    today = timezone.localdate()
    for position, user in enumerate(village_users):
        # Past the village's sample households (registry.SAMPLE_PROFILES), which the procedures start from.
        households = list(Household.objects.filter(village=user.region, monitoring_kind="").order_by("number")[40:50])
        for household, (kind, amount, description) in zip(households, EVENTS[position::len(village_users)]):
            offset = households.index(household)
            services.record_event(
                RiskEvent(household=household, kind=kind, date=today - dt.timedelta(days=20 + 9 * offset),
                          amount=amount, member_name=household.head_name, description=description),
                acting_user=user, channel=Channel.PAGE,
            )
    services.run(Family.QUALITY, county, year, acting_user=county_user, channel=Channel.SYSTEM)
    return services.run(Family.MONITORING, county, year, acting_user=county_user, channel=Channel.SYSTEM)
