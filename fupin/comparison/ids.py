"""ID numbers normalised column-wise: the rules of ``fupin.core.idnumber.check`` as one Polars expression chain.

A department file of millions of rows is normalised without a Python call per row. The result must agree with
``idnumber.check`` row for row (same normalised number, same Chinese reason); ``tests/test_ids.py`` holds the two
side by side on generated dirty inputs. Digits are ASCII here: ``check`` also takes other Unicode digits, which no
department file contains.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from fupin.core.idnumber import CHECK_CHARS, WEIGHTS

_FULLWIDTH_FROM = list("０１２３４５６７８９ＸｘＥｅ＋－．")
_FULLWIDTH_TO = list("0123456789XxEe+-.")
# Python's \s also matches the separators \x1c-\x1f; Rust's does not, so they are listed.
_STRIP = r"[\s\x1c-\x1f\u3000'‘’\"“”`\-]"
_FLOAT_LIKE = r"^\d+(\.\d+)?[eE][+-]?\d+$|^\d{15,}\.\d*$"

FLOAT_CELL = "证件号码被 Excel 存成了数字，后几位已丢失，请将该列设为文本后重新录入"
FLOAT_TEXT = "证件号码被 Excel 存成了数字（科学计数法），后几位已丢失，请将该列设为文本后重新录入"
EMPTY = "证件号码为空"
BAD_CHARS = "证件号码含有非法字符（前17位须为数字，末位为数字或X）"


def _check_char(hi: pl.Expr, lo: pl.Expr) -> pl.Expr:
    """MOD 11-2 check character from the first 17 digits split as 9 + 8 digits into two unsigned 32-bit columns.

    Dividing the two small integers is an order of magnitude faster than 17 string slices. The halves must be
    plain columns: Polars would recompute a sub-expression each time it is referenced.
    """
    total = pl.lit(0, pl.UInt32)
    for number, width, weights in ((hi, 9, WEIGHTS[:9]), (lo, 8, WEIGHTS[9:])):
        for i, weight in enumerate(weights):
            total = total + (number // 10 ** (width - 1 - i)) % 10 * weight
    return (total % 11).replace_strict(list(range(11)), list(CHECK_CHARS), return_dtype=pl.String)


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def normalize(frame: pl.DataFrame | pl.LazyFrame, column: str, *, number_cell: str | None = None,
              today: dt.date | None = None, prefix: str = "id") -> pl.DataFrame | pl.LazyFrame:
    """Add ``{prefix}_number`` (normalised, or null) and ``{prefix}_error`` (Chinese reason, or null).

    ``column`` holds the raw text; ``number_cell`` optionally names a boolean column that is true where the
    spreadsheet stored the cell as a number (rejected outright, like ``check`` rejects a float).
    """
    today = today or dt.date.today()
    number, error = f"{prefix}_number", f"{prefix}_error"
    tmp = {name: f"_{prefix}_{name}" for name in ("c", "old", "body", "hi", "lo", "chk", "n", "y", "m", "d")}
    col = {name: pl.col(alias) for name, alias in tmp.items()}
    c, n = col["c"], col["n"]

    # The steps of idnumber.check, in its order: clean, upgrade a 15-digit number, then test.
    frame = frame.with_columns(
        pl.col(column).cast(pl.String).fill_null("")
        .str.replace_many(_FULLWIDTH_FROM, _FULLWIDTH_TO)
        .str.replace_all(_STRIP, "")
        .str.to_uppercase()
        .alias(tmp["c"])
    )
    frame = frame.with_columns(c.str.contains(r"^[0-9]{15}$").alias(tmp["old"]))
    frame = frame.with_columns(
        pl.when(col["old"]).then(c.str.slice(0, 6) + pl.lit("19") + c.str.slice(6, 9))
        .otherwise(c.str.slice(0, 17)).alias(tmp["body"])
    )
    frame = frame.with_columns(
        col["body"].str.slice(0, 9).cast(pl.UInt32, strict=False).alias(tmp["hi"]),
        col["body"].str.slice(9, 8).cast(pl.UInt32, strict=False).alias(tmp["lo"]),
    )
    frame = frame.with_columns(_check_char(col["hi"], col["lo"]).alias(tmp["chk"]))
    frame = frame.with_columns(pl.when(col["old"]).then(col["body"] + col["chk"]).otherwise(c).alias(tmp["n"]))
    frame = frame.with_columns(
        n.str.slice(6, 4).cast(pl.Int32, strict=False).alias(tmp["y"]),
        n.str.slice(10, 2).cast(pl.Int32, strict=False).alias(tmp["m"]),
        n.str.slice(12, 2).cast(pl.Int32, strict=False).alias(tmp["d"]),
    )
    year, month, day = col["y"], col["m"], col["d"]
    length = n.str.len_chars()
    real_date = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _days_in_month(year, month))
    in_range = (year >= 1850) & (year * 10000 + month * 100 + day <= int(today.strftime("%Y%m%d")))
    reason = (
        pl.when(pl.lit(False) if number_cell is None else pl.col(number_cell).fill_null(False))
        .then(pl.lit(FLOAT_CELL))
        .when(c == "")
        .then(pl.lit(EMPTY))
        .when(c.str.contains(_FLOAT_LIKE))
        .then(pl.lit(FLOAT_TEXT))
        .when(length != 18)
        .then(pl.format("证件号码应为18位（或15位旧号码），实际为{}位", length))
        .when(~n.str.contains(r"^[0-9]{17}[0-9X]$"))
        .then(pl.lit(BAD_CHARS))
        .when(~real_date)
        .then(pl.format("证件号码中的出生日期 {} 不是有效日期", n.str.slice(6, 8)))
        .when(~in_range)
        .then(pl.format("证件号码中的出生日期 {}-{}-{} 不在合理范围内", year, n.str.slice(10, 2), n.str.slice(12, 2)))
        .when(~col["old"] & (n.str.slice(17, 1) != col["chk"]))
        .then(pl.format("证件号码校验位错误（末位应为 {}）", col["chk"]))
    )
    frame = frame.with_columns(reason.alias(error))
    return frame.with_columns(pl.when(pl.col(error).is_null()).then(n).alias(number)).drop(*tmp.values())
