"""Format checks of 户编号, 联系电话 and 银行账号 (core.validators): each reason names the field."""

import pytest

from fupin.core import validators

VILLAGE = "410481100201"


@pytest.mark.parametrize("number", [f"{VILLAGE}0001", f"{VILLAGE}00000123"])
def test_household_number_is_the_village_code_and_a_sequence(number):
    assert validators.household_number(number, VILLAGE) is None


@pytest.mark.parametrize(("number", "reason"), [
    ("H001", "应全部为数字"),
    ("４１０４８１１００２０１０００１", "应全部为数字"),  # full-width digits are not digits of a number
    (f"{VILLAGE}01", "为14位"),
    (f"{VILLAGE}000000001", "为21位"),
    ("4104811012010001", f"应以所属村的区划代码 {VILLAGE} 开头"),
    (f"{VILLAGE}0000", "顺序号不能全为0"),
])
def test_household_number_refusals_name_the_field(number, reason):
    error = validators.household_number(number, VILLAGE)
    assert error.startswith("户编号") and reason in error


def test_household_number_without_a_known_village_checks_the_shape_only():
    assert validators.household_number("4104811012010001") is None


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "0375-1234567", "010-12345678", "(0375)6123456"])
def test_phone_accepts_mobiles_and_landlines_with_area_code(phone):
    assert validators.phone(phone) is None


@pytest.mark.parametrize(("phone", "reason"), [
    ("1381234567", "手机号码应为11位"),
    ("12812345678", "第二位应为3至9"),
    ("6123456", "带区号的固定电话"),
    ("0375-123", "不是有效的固定电话"),
    ("138-abcd-5678", "应为数字"),
])
def test_phone_refusals_name_the_field(phone, reason):
    error = validators.phone(phone)
    assert error.startswith("联系电话") and reason in error


CARD = "6228480402564890018"  # 19 digits with a valid Luhn check digit


def test_luhn():
    assert validators.luhn_valid(CARD) and not validators.luhn_valid(CARD[:-1] + "9")


@pytest.mark.parametrize(("account", "reason"), [
    ("622848040256489", "为15位"),
    ("62284804025648900181", "为20位"),
    ("6228-4804-ABCD-0018", "应全部为数字"),
])
def test_bank_account_refusals_name_the_field(account, reason):
    error = validators.bank_account(account)
    assert error.startswith("银行账号") and reason in error


def test_a_failed_check_digit_is_a_warning_not_a_refusal():
    # The field may hold a 存折 or 对公 account number, which carries no Luhn digit.
    wrong = CARD[:-1] + "9"
    assert validators.bank_account(wrong) is None
    assert "校验位" in validators.bank_card_warning(wrong)
    assert validators.bank_card_warning("6228 4804 0256 4890 018") is None
