"""Vietnamese personal and business identifiers, validated by their structure.

Số định danh cá nhân (12 digits, Thông tư 59/2021/TT-BCA): 3 digits for the province where the birth was
registered, 1 digit for century and sex, 2 digits for the year of birth, 6 random digits.
Mã số thuế: 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes of the 63 provinces in force when the numbering was set (Thông tư 07/2016/TT-BCA);
# numbers keep them after the 2025 mergers.
BIRTH_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)
# Century/sex digit → (first year of the century, sex).
CENTURY_SEX = {
    "0": (1900, "male"), "1": (1900, "female"), "2": (2000, "male"), "3": (2000, "female"),
    "4": (2100, "male"), "5": (2100, "female"), "6": (2200, "male"), "7": (2200, "female"),
    "8": (2300, "male"), "9": (2300, "female"),
}  # fmt: skip


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_province_code: str
    sex: str
    birth_year: int

    @property
    def last4(self) -> str:
        return self.number[-4:]


def parse_citizen_id(value: str, *, today: dt.date | None = None) -> CitizenId:
    """Check a 12-digit personal identification number and read what it encodes, or raise ValidationError."""
    number = (value or "").strip()
    if not re.fullmatch(r"[0-9]{12}", number):
        raise ValidationError(_("Số định danh cá nhân gồm đúng 12 chữ số."), code="format")
    if number[:3] not in BIRTH_PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu (%(code)s) không phải mã tỉnh nơi đăng ký khai sinh.") % {"code": number[:3]},
            code="province",
        )
    century, sex = CENTURY_SEX[number[3]]
    birth_year = century + int(number[4:6])
    current_year = (today or dt.date.today()).year
    if birth_year > current_year:
        raise ValidationError(
            _("Chữ số thứ 4–6 cho năm sinh %(year)s, chưa đến.") % {"year": birth_year}, code="birth_year"
        )
    return CitizenId(number=number, birth_province_code=number[:3], sex=sex, birth_year=birth_year)


def validate_citizen_id(value: str) -> None:
    parse_citizen_id(value)


def validate_tax_code(value: str) -> None:
    """Mã số thuế: 10 digits (with a check digit), optionally -NNN for a dependent unit."""
    match = re.fullmatch(r"([0-9]{10})(-[0-9]{3})?", (value or "").strip())
    if not match:
        raise ValidationError(_("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số."), code="format")
    digits = [int(ch) for ch in match.group(1)]
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    check = 10 - sum(d * w for d, w in zip(digits[:9], weights, strict=True)) % 11
    if check != digits[9]:
        raise ValidationError(_("Mã số thuế không đúng (sai chữ số kiểm tra)."), code="checksum")
