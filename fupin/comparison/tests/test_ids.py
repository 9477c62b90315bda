"""The column-wise ID normaliser agrees with fupin.core.idnumber.check on dirty inputs, row for row."""

import datetime as dt
import random

import polars as pl

from fupin.comparison import ids
from fupin.core import idnumber

TODAY = dt.date(2026, 11, 20)


def _valid(rng: random.Random) -> str:
    born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 45000))
    return idnumber.make(rng.choice(["410481", "110105", "440524"]), born, rng.randrange(1000))


def _dirty(rng: random.Random) -> str | float | None:
    """One messy cell, the way department spreadsheets deliver them."""
    number = _valid(rng)
    if number[-1] == "X" and rng.random() < 0.5:
        number = number[:-1] + "x"
    choice = rng.randrange(22)
    if choice == 0:
        return number
    if choice == 1:  # spaces, tabs, ideographic spaces anywhere
        cut = rng.randrange(19)
        return rng.choice([" ", "\t", "\u3000", "\xa0", "\x1c", "  "]).join([number[:cut], number[cut:]])
    if choice == 2:  # full-width digits
        return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() and rng.random() < 0.6 else ch for ch in number)
    if choice == 3:
        return "'" + number
    if choice == 4:  # 15-digit number of 1989
        return number[:6] + number[8:17]
    if choice == 5:  # wrong check character
        return number[:17] + rng.choice([c for c in "0123456789X" if c != number[17].upper()])
    if choice == 6:  # impossible dates
        return number[:10] + rng.choice(["0230", "1301", "0000", "0431", "0229"]) + number[14:]
    if choice == 7:  # out of range years
        return number[:6] + rng.choice(["1849", "2031", "0000", "0005", "9999"]) + number[10:]
    if choice == 8:
        return f"{int(number[:17]) * 10:.5E}".replace("E+", rng.choice(["E+", "e+", "E"]))
    if choice == 9:
        return number[:17] + rng.choice(["0", "1"]) + ".0"
    if choice == 10:
        return float(number[:17])
    if choice == 11:
        return number[: rng.randrange(0, 18)]
    if choice == 12:
        return number + rng.choice(["1", "12", "X"])
    if choice == 13:
        pos = rng.randrange(17)
        return number[:pos] + rng.choice("ABO-/.,，") + number[pos + 1 :]
    if choice == 14:
        return rng.choice(["", " ", None, "\u3000", "无", "NULL", "-", "''"])
    if choice == 15:
        return "“" + number + "”"
    if choice == 16:
        return number[:6] + "-" + number[6:14] + "-" + number[14:]
    if choice == 17:  # full-width X and scientific parts
        return number[:17] + rng.choice(["Ｘ", "ｘ"])
    if choice == 18:  # old number with a bad date or letters
        return number[:6] + rng.choice(["991332", "000229", "870229", "8a0101"]) + number[12:15]
    if choice == 19:
        return "４.１０４８１Ｅ＋１７"
    if choice == 20:  # 20-digit disability certificate
        return number + "41"
    return number.lower() + "\n"


def test_agrees_with_python_check_on_generated_dirty_inputs():
    rng = random.Random(20261120)
    values = [_dirty(rng) for _ in range(30000)]
    frame = pl.DataFrame(
        {
            "raw": [None if v is None else (repr(v) if isinstance(v, float) else v) for v in values],
            "is_number": [isinstance(v, float) for v in values],
        }
    )
    result = ids.normalize(frame, "raw", number_cell="is_number", today=TODAY)
    mismatches = []
    for value, number, error in zip(values, result["id_number"], result["id_error"]):
        expected = idnumber.check(value, today=TODAY)
        if (expected.normalized, expected.error) != (number, error):
            mismatches.append((value, expected.normalized, expected.error, number, error))
    assert not mismatches, mismatches[:10]
    # The generator reaches every outcome: valid, upgraded, and each class of rejection.
    reasons = "\n".join(result["id_error"].drop_nulls().unique())
    for fragment in ("存成了数字，", "科学计数法", "为空", "应为18位", "非法字符", "不是有效日期", "不在合理范围内", "校验位错误"):
        assert fragment in reasons
    assert result["id_number"].null_count() < len(values) * 0.8


def test_clean_and_dirty_examples():
    frame = pl.DataFrame({"raw": ["11010519491231002x", " 410481 800101 123", "4.10481E+17", "", "110105194912310021"]})
    out = ids.normalize(frame, "raw", today=TODAY)
    assert out["id_number"].to_list() == [
        "11010519491231002X", idnumber.normalize("410481800101123"), None, None, None,
    ]
    assert out["id_error"][2].startswith("证件号码被 Excel 存成了数字")
    assert out["id_error"][3] == "证件号码为空"
    assert out["id_error"][4] == "证件号码校验位错误（末位应为 X）"
