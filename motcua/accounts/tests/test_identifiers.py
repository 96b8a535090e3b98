import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.identifiers import parse_citizen_id, validate_tax_code


def test_a_citizen_id_reveals_province_sex_and_birth_year():
    parsed = parse_citizen_id("048095001234")
    assert (parsed.birth_province_code, parsed.sex, parsed.birth_year, parsed.last4) == ("048", "male", 1995, "1234")
    assert parse_citizen_id("001305000001").sex == "female" and parse_citizen_id("001305000001").birth_year == 2005


@pytest.mark.parametrize(
    "number, code",
    [
        ("04819500123", "format"),
        ("0481950012345", "format"),
        ("04819500123a", "format"),
        ("003095001234", "province"),  # 003 was never a province code
        ("099095001234", "province"),
        ("048299001234", "birth_year"),  # 2099
    ],
)
def test_a_malformed_citizen_id_is_refused_with_its_reason(number, code):
    with pytest.raises(ValidationError) as error:
        parse_citizen_id(number, today=dt.date(2026, 11, 25))
    assert error.value.code == code


@pytest.mark.parametrize("code", ["0100112437", "0100109106", "0100109106-001"])
def test_real_tax_codes_pass(code):
    validate_tax_code(code)


@pytest.mark.parametrize("code", ["0100112438", "010011243", "0100112437-1", "abcdefghij"])
def test_wrong_tax_codes_fail(code):
    with pytest.raises(ValidationError):
        validate_tax_code(code)
