"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation, normalisation and masking.

Inputs arrive from forms, Excel and department files with spaces, full-width digits, a lower-case x and
Excel's leading apostrophe; those are cleaned. A 15-digit number (GB 11643-1989) is upgraded to 18 digits.
A number that Excel stored as a float (``4.10481E+17``) has lost digits: it is rejected by name, never repaired.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＥｅ＋－．",
    "0123456789XxEe+-.",
)
_STRIP = re.compile(r"[\s\u3000'‘’\"“”`\-]")
_FLOAT_LIKE = re.compile(r"^[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$|^[0-9]{15,}\.[0-9]*$")
# ASCII only: str.isdigit() would also pass superscripts and other scripts' digits.
_DIGITS15 = re.compile(r"[0-9]{15}")
_BODY18 = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class IdCheck:
    input: str
    valid: bool
    normalized: str | None
    error: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def _birth_date(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def check(raw: object, today: dt.date | None = None) -> IdCheck:
    """Validate and normalise one ID number; the error is a Chinese reason a user can act on."""
    text = "" if raw is None else str(raw)
    if isinstance(raw, float):
        return IdCheck(text, False, None, "证件号码被 Excel 存成了数字，后几位已丢失，请将该列设为文本后重新录入")
    cleaned = _STRIP.sub("", text.translate(_FULLWIDTH)).upper()
    if not cleaned:
        return IdCheck(text, False, None, "证件号码为空")
    if _FLOAT_LIKE.match(cleaned):
        return IdCheck(text, False, None, "证件号码被 Excel 存成了数字（科学计数法），后几位已丢失，请将该列设为文本后重新录入")
    if _DIGITS15.fullmatch(cleaned):
        body = cleaned[:6] + "19" + cleaned[6:]
        cleaned = body + check_char(body)
        upgraded = True
    else:
        upgraded = False
    if len(cleaned) != 18:
        return IdCheck(text, False, None, f"证件号码应为18位（或15位旧号码），实际为{len(cleaned)}位")
    if not _BODY18.fullmatch(cleaned):
        return IdCheck(text, False, None, "证件号码含有非法字符（前17位须为数字，末位为数字或X）")
    born = _birth_date(cleaned[6:14])
    today = today or dt.date.today()
    if born is None:
        return IdCheck(text, False, None, f"证件号码中的出生日期 {cleaned[6:14]} 不是有效日期")
    if born.year < 1850 or born > today:
        return IdCheck(text, False, None, f"证件号码中的出生日期 {born:%Y-%m-%d} 不在合理范围内")
    if not upgraded and check_char(cleaned[:17]) != cleaned[17]:
        return IdCheck(text, False, None, f"证件号码校验位错误（末位应为 {check_char(cleaned[:17])}）")
    return IdCheck(text, True, cleaned, None)


def normalize(raw: object) -> str:
    """The normalised 18-character number, or ValueError with the Chinese reason."""
    result = check(raw)
    if not result.valid:
        raise ValueError(result.error)
    return result.normalized


def birth_date(number: str) -> dt.date:
    return _birth_date(number[6:14])


def sex(number: str) -> str:
    """'1' male, '2' female (GB/T 2261.1), from the parity of the 17th digit."""
    return "1" if int(number[16]) % 2 else "2"


def mask(number: str | None) -> str:
    """First 6 and last 4 characters kept: 410481********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(area6: str, born: dt.date, sequence: int) -> str:
    """Build a valid 18-digit number (used by the demo generator and tests)."""
    body = f"{area6}{born:%Y%m%d}{sequence:03d}"
    return body + check_char(body)
