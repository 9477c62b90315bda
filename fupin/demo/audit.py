"""The demo's history in the audit log: registration (import), members added and removed, 脱贫 marking and 返贫
(system), as audit rows in the ``{field: [before, after]}`` shape."""

import numpy as np
import polars as pl

from fupin.audit.models import Action, Channel
from fupin.registry.choices import HouseholdStatus, HouseholdType

from .columns import office_seconds, timestamps


def history_frame(rng, households, members, *, initial_status, status_day, return_day, return_year, added_day,
                  member_seconds, later, removed, removed_day) -> pl.DataFrame:
    """The county's audit rows; ``object_idx`` / ``parent_idx`` refer to the household and member frames, and
    ``initial_status`` is the 户状态 each was registered with (未脱贫, 新识别, or blank for a 一般农户).

    ``changes`` hold the main fields of a created record, not every column, to keep the table lean at
    province scale; ID numbers are masked as audit.services masks them.
    """
    registered = np.bincount(members["household_idx"].to_numpy(), weights=~later, minlength=households.height)
    h = households.with_columns(
        initial_status=pl.Series(initial_status, dtype=pl.String),
        initial_size=pl.Series(registered.astype(np.int64)),  # members born later were added later
    )
    m = members.with_columns(region_code=households.get_column("village_id").gather(members["household_idx"]))
    null = pl.lit("null")

    def household_entries(frame, action, channel, time, note, changes):
        return frame.select(
            object_type=pl.lit("household"), object_idx=pl.col("idx"),
            object_repr=pl.col("number") + " " + pl.col("head_name"),
            parent_idx=pl.lit(None, dtype=pl.Int64), region_code=pl.col("village_id"),
            action=pl.lit(action.value), channel=channel, time=time, note=note, changes=changes,
        )

    def member_entries(frame, action, channel, time, note, changes):
        return frame.select(
            object_type=pl.lit("member"), object_idx=pl.col("idx"), object_repr=pl.col("name"),
            parent_idx=pl.col("household_idx"), region_code=pl.col("region_code"),
            action=pl.lit(action.value), channel=channel, time=time, note=note, changes=changes,
        )

    import_channel = pl.lit(Channel.IMPORT.value)
    system_channel = pl.lit(Channel.SYSTEM.value)
    exited_idx, returned_idx = np.flatnonzero(status_day), np.flatnonzero(return_day)
    removed_idx = np.flatnonzero(removed)
    frames = [
        household_entries(
            h, Action.CREATE, import_channel, pl.col("created"),
            pl.when(pl.col("initial_status") == "").then(pl.lit("农户信息采集导入")).otherwise(pl.lit("建档立卡信息采集导入")),
            _changes(
                category=(null, _json_str(pl.col("category"))),
                head_id_number=(null, _json_str(_masked(pl.col("head_id_number")))),
                head_name=(null, _json_str(pl.col("head_name"))),
                household_type=(null, pl.when(pl.col("initial_status") == "").then(_json_code(HouseholdType.ORDINARY))
                                .otherwise(_json_code(HouseholdType.POOR))),
                identification_year=(null, _json_num(pl.col("identification_year"))),
                main_cause=(null, _json_str(pl.col("main_cause"))),
                number=(null, _json_str(pl.col("number"))),
                size=(null, _json_num(pl.col("initial_size"))),
                status=(null, _json_str(pl.col("initial_status"))),
                village=(null, _json_str(pl.col("village_id"))),
            ),
        ),
        # Members' "household": [null, id] is prepended once ids are known (CountyData.with_ids).
        member_entries(
            m, Action.CREATE,
            pl.Series(np.where(later, 1, 0)).replace_strict([0, 1], [Channel.IMPORT.value, Channel.SYSTEM.value]),
            timestamps(added_day, member_seconds),
            pl.Series(np.where(later, 1, 0)).replace_strict([0, 1], ["建档立卡信息采集导入", "动态调整：新增人口"]),
            _changes(
                birth_date=(null, _json_str(pl.col("birth_date").cast(pl.String))),
                id_number=(null, _json_str(_masked(pl.col("id_number")))),
                name=(null, _json_str(pl.col("name"))),
                relation=(null, _json_str(pl.col("relation"))),
                sex=(null, _json_str(pl.col("sex"))),
            ),
        ).with_columns(links_household=pl.lit(True)),
        member_entries(
            m[removed_idx], Action.UPDATE, system_channel,
            timestamps(removed_day[removed_idx], office_seconds(rng, len(removed_idx))), pl.lit("动态调整：自然减少"),
            _changes(
                active=(pl.lit("true"), pl.lit("false")),
                removed_reason=(pl.lit('""'), _json_str(pl.col("removed_reason"))),
            ),
        ),
        household_entries(
            h[exited_idx], Action.UPDATE, system_channel,
            timestamps(status_day[exited_idx], office_seconds(rng, len(exited_idx))),
            pl.col("exit_year").cast(pl.String) + "年度脱贫退出标识",
            _changes(exit_year=(null, _json_num(pl.col("exit_year"))),
                     household_type=(_json_code(HouseholdType.POOR), _json_code(HouseholdType.EXITED)),
                     status=(_json_code(HouseholdStatus.POOR), _json_code(HouseholdStatus.EXITED))),
        ),
        household_entries(
            h[returned_idx], Action.UPDATE, system_channel,
            timestamps(return_day[returned_idx], office_seconds(rng, len(returned_idx))),
            pl.Series(return_year[returned_idx]).cast(pl.String) + "年度返贫纳入",
            _changes(household_type=(_json_code(HouseholdType.EXITED), _json_code(HouseholdType.POOR)),
                     status=(_json_code(HouseholdStatus.EXITED), _json_code(HouseholdStatus.RETURNED))),
        ),
    ]
    return pl.concat(frames, how="diagonal").with_columns(pl.col("links_household").fill_null(False))


def _json_str(expr: pl.Expr) -> pl.Expr:
    return '"' + expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True) + '"'


def _json_code(code: str) -> pl.Expr:
    return pl.lit(f'"{code}"')


def _json_num(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("null")


def _changes(**fields: tuple[pl.Expr, pl.Expr]) -> pl.Expr:
    """The audit ``changes`` JSON, {field: [before, after]} with keys sorted as audit.services.diff sorts them,
    built by string concatenation (values given as JSON text): far faster than encoding structs."""
    parts = []
    for position, (name, (before, after)) in enumerate(sorted(fields.items())):
        parts += [pl.lit(("{" if position == 0 else ",") + f'"{name}":['), before, pl.lit(","), after, pl.lit("]")]
    return pl.concat_str([*parts, pl.lit("}")])


def _masked(col: pl.Expr) -> pl.Expr:
    """410481********1234, as fupin.core.idnumber.mask writes it."""
    return col.str.slice(0, 6) + pl.lit("*" * 8) + col.str.slice(14, 4)


