import datetime as dt

import pytest

from fupin.core import idnumber


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002X", "440524188001010014", "34052419800101001X", "370101190102039973", "513101198201130014"],
)
def test_known_valid_numbers(raw):
    assert idnumber.check(raw).valid


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" 110105 19491231 002x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("'11010519491231002X", "11010519491231002X"),
        ("130503670401001", "130503196704010016"),
    ],
)
def test_dirty_inputs_are_normalised(raw, expected):
    result = idnumber.check(raw)
    assert result.valid and result.normalized == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("4.10481E+17", "科学计数法"),
        (410481198005170011.0, "数字"),
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "不是有效日期"),
        ("1101051949123100", "18位"),
        ("11010519491231002A", "非法字符"),
        ("1101051949123100²X", "非法字符"),
        ("١١٠١٠٥٤٩١٢٣١٠٠٢", "位"),
        ("", "为空"),
        ("410481203001010015", "合理范围"),
    ],
)
def test_invalid_numbers_are_named(raw, fragment):
    result = idnumber.check(raw, today=dt.date(2026, 11, 23))
    assert not result.valid and result.normalized is None
    assert fragment in result.error


def test_sex_birth_and_mask():
    number = idnumber.make("410481", dt.date(1980, 5, 17), 13)
    assert idnumber.check(number).valid
    assert idnumber.sex(number) == "1"
    assert idnumber.sex(idnumber.make("410481", dt.date(1980, 5, 17), 14)) == "2"
    assert idnumber.birth_date(number) == dt.date(1980, 5, 17)
    assert idnumber.mask(number) == number[:6] + "********" + number[-4:]


def test_idcheck_cli_prints_json(capsys):
    import json

    from django.core.management import call_command

    call_command("idcheck", "11010519491231002x", "4.10481E+17", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out[0] == {"input": "11010519491231002x", "valid": True, "normalized": "11010519491231002X", "error": None}
    assert out[1]["valid"] is False and out[1]["normalized"] is None and "Excel" in out[1]["error"]
    call_command("idcheck", "130503670401001")
    line = json.loads(capsys.readouterr().out.strip())
    assert line["normalized"] == "130503196704010016"
