"""Format checks of the register's numbers other than ID numbers (those are ``core.idnumber``): the 户编号, a
联系电话 and a 银行账号. Pure functions: each returns the Chinese reason a value is wrong, naming the field, or None;
the registry's services call them for pages, the API and imports alike.
"""

from __future__ import annotations

import re

VILLAGE_CODE_LENGTH = 12
# 户编号: the village's 12-digit 统计用区划代码 followed by a sequence within the village (the demo county and the
# national exports number 4104811012010001 = 村 410481101201 + 0001); the field holds at most 20 characters.
SEQUENCE_LENGTHS = (4, 8)

_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 区号 0 + 2 or 3 digits, then a 7- or 8-digit local number (010-12345678, 0375-1234567).
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[2-9][0-9]{6,7}")
BANK_ACCOUNT_LENGTHS = (16, 19)


def household_number(number: str, village_code: str | None = None) -> str | None:
    """户编号: digits only, the 12-digit village code then a 4- to 8-digit sequence (not all zeros); when the
    household's village is known, the number must start with that village's code."""
    low, high = SEQUENCE_LENGTHS
    shape = f"所属村12位区划代码加{low}至{high}位顺序号（共{VILLAGE_CODE_LENGTH + low}至{VILLAGE_CODE_LENGTH + high}位数字）"
    if not number.isascii() or not number.isdigit():
        return f"户编号“{number}”应全部为数字：{shape}"
    if not VILLAGE_CODE_LENGTH + low <= len(number) <= VILLAGE_CODE_LENGTH + high:
        return f"户编号“{number}”为{len(number)}位，应为{shape}"
    if village_code and not number.startswith(village_code):
        return f"户编号“{number}”应以所属村的区划代码 {village_code} 开头"
    if not number[VILLAGE_CODE_LENGTH:].strip("0"):
        return f"户编号“{number}”的顺序号不能全为0"
    return None


def phone(value: str) -> str | None:
    """联系电话: a mobile number (11 digits, 1[3-9]…) or a landline with its area code (0375-1234567). The field is a
    household's general contact number, so a landline is allowed, but only with the area code (the number is
    dialled from the township and the county); spaces, hyphens and brackets are ignored."""
    digits = _SEPARATORS.sub("", value)
    if not digits.isascii() or not digits.isdigit():
        return f"联系电话“{value}”应为数字：11位手机号码，或带区号的固定电话（如 0375-1234567）"
    if digits.startswith("1"):
        if len(digits) != 11:
            return f"联系电话“{value}”为{len(digits)}位：手机号码应为11位"
        if not _MOBILE.fullmatch(digits):
            return f"联系电话“{value}”不是有效的手机号码：第二位应为3至9"
        return None
    if digits.startswith("0"):
        return None if _LANDLINE.fullmatch(digits) else (
            f"联系电话“{value}”不是有效的固定电话：应为区号（3至4位，以0开头）加7至8位号码")
    return f"联系电话“{value}”应为11位手机号码，或带区号的固定电话（如 0375-1234567）"


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check digit bank card numbers carry (ISO/IEC 7812)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def bank_account_digits(value: str) -> str:
    """The account number without the spaces and hyphens people type between its groups."""
    return _SEPARATORS.sub("", value)


def bank_account(value: str) -> str | None:
    """银行账号 (银行卡号/账号): 16 to 19 digits. This is the format check only: a 银行卡 number also carries a Luhn
    check digit (``bank_card_warning``), but an account number of a 存折 or an 对公 account may carry none, so a
    field that can hold either does not refuse a number for its check digit."""
    digits = bank_account_digits(value)
    low, high = BANK_ACCOUNT_LENGTHS
    if not digits.isascii() or not digits.isdigit():
        return f"银行账号“{value}”应全部为数字（{low}至{high}位）"
    if not low <= len(digits) <= high:
        return f"银行账号为{len(digits)}位，应为{low}至{high}位数字"
    return None


def bank_card_warning(value: str) -> str | None:
    """For a well-formed 银行账号: a note when it fails the Luhn check a 银行卡号 carries — a mistyped card number,
    or a 存折/对公 account, which may carry no check digit; so a warning to look again, not a refusal."""
    digits = bank_account_digits(value)
    if bank_account(value) is None and not luhn_valid(digits):
        return f"银行账号 {digits[:4]}…{digits[-4:]} 未通过银行卡号校验位检查：如为银行卡请核对是否录错；存折或对公账号可忽略"
    return None

