"""Column helpers of the generator: weighted draws, NumPy → Polars conversion, days, times and money."""

import numpy as np
import polars as pl


def weighted(rng, pairs, n):
    values, weights = zip(*pairs)
    weights = np.asarray(weights, dtype=float)
    return np.asarray(values)[rng.choice(len(values), n, p=weights / weights.sum())]


def frame(columns: dict) -> pl.DataFrame:
    """A DataFrame from NumPy and Polars columns; NumPy string arrays go through their few distinct values,
    which is many times faster than converting every string."""
    converted = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind == "U":
            distinct, inverse = np.unique(values, return_inverse=True)
            values = pl.Series(distinct.tolist(), dtype=pl.String).gather(inverse.ravel())
        converted[name] = values
    return pl.DataFrame(converted)


def pick(chars, idx) -> pl.Series:
    return pl.Series(list(chars), dtype=pl.String).gather(idx)


def ints(rng, low, high, n):
    """Uniform integers in [low, high] (inclusive)."""
    return rng.integers(low, high + 1, n)


def divide_half_even(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num ÷ den rounded half to even, as Decimal.quantize() rounds (the per-capita income rule)."""
    sign = np.sign(num)
    q, r = np.divmod(np.abs(num), den)
    up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    return sign * (q + up)


def money(cents) -> pl.Series:
    return pl.Series(np.asarray(cents, dtype=np.int64)).cast(pl.Decimal(18, 2)) / 100


def timestamps(local_days: np.ndarray, seconds: np.ndarray) -> pl.Series:
    """Beijing-time day numbers (days since 1970-01-01) and seconds of day → UTC datetimes."""
    epoch = local_days.astype(np.int64) * 86400 + seconds.astype(np.int64) - 8 * 3600
    return pl.from_epoch(pl.Series(epoch), time_unit="s").dt.replace_time_zone("UTC")


def office_seconds(rng, n):
    return ints(rng, 8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60, n)


def day_number(year, month=1, day=1):
    """Days since 1970-01-01 of a date; ``year`` may be an array."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + (day - 1)
