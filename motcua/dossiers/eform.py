"""Server-side validation of e-form data (biểu mẫu điện tử) against a procedure version's schema.

Every problem is reported per field, in the user's language; valid data comes back normalised
(trimmed text, ISO dates, numbers as strings), so what is stored is exactly what was checked.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from motcua.accounts.identifiers import parse_citizen_id
from motcua.catalog.models import AdministrativeUnit, UnitLevel
from motcua.catalog.schemas import FormField, FormSchema

PHONE_PATTERN = re.compile(r"^(?:0|\+84)(?:3|5|7|8|9)[0-9]{8}$")
DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 5000}


class FormDataInvalid(Exception):
    """The data does not fit the form; `errors` maps a field path (e.g. "members.2.name") to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


def _text(field: FormField, value: Any) -> str:
    if not isinstance(value, str | int | float):
        raise ValidationError(_("Giá trị không hợp lệ."))
    text = str(value).strip()
    limit = field.max_length or DEFAULT_MAX_LENGTH.get(field.type, 500)
    if len(text) > limit:
        raise ValidationError(_("Tối đa %(limit)s ký tự (đang có %(count)s).") % {"limit": limit, "count": len(text)})
    return text


def _number(field: FormField, value: Any) -> str:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Hãy nhập một số.")) from None
    if not number.is_finite():
        raise ValidationError(_("Hãy nhập một số."))
    if field.min_value is not None and number < field.min_value:
        raise ValidationError(_("Không nhỏ hơn %(min)s.") % {"min": field.min_value})
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(_("Không lớn hơn %(max)s.") % {"max": field.max_value})
    return format(number.normalize(), "f")


def _date(field: FormField, value: Any) -> str:
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(_("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/11/2026."))


def _choice(field: FormField, value: Any) -> str | list[str]:
    allowed = {choice.value for choice in field.choices}
    values = value if isinstance(value, list) else [value]
    values = [str(item).strip() for item in values if str(item).strip()]
    if not field.multiple and len(values) > 1:
        raise ValidationError(_("Chỉ chọn một giá trị."))
    unknown = [item for item in values if item not in allowed]
    if unknown:
        raise ValidationError(_("Lựa chọn không có trong danh sách."))
    return values if field.multiple else values[0]


def _national_id(field: FormField, value: Any) -> str:
    return parse_citizen_id(str(value)).number


def _phone(field: FormField, value: Any) -> str:
    phone = re.sub(r"[\s.-]", "", str(value))
    if not PHONE_PATTERN.match(phone):
        raise ValidationError(_("Số điện thoại di động Việt Nam gồm 10 chữ số, ví dụ 0905123456."))
    return phone


def _email(field: FormField, value: Any) -> str:
    email = str(value).strip()
    validate_email(email)
    return email


def _address(field: FormField, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError(_("Hãy chọn tỉnh, xã và nhập địa chỉ chi tiết."))
    province_code = str(value.get("province", "")).strip()
    commune_code = str(value.get("commune", "")).strip()
    street = str(value.get("street", "")).strip()[:300]
    if not province_code or not commune_code:
        raise ValidationError(_("Hãy chọn tỉnh và xã, phường."))
    commune = (
        AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, code=commune_code, valid_to__isnull=True, parent__code=province_code
        )
        .select_related("parent")
        .first()
    )
    if commune is None:
        raise ValidationError(_("Xã, phường không thuộc tỉnh đã chọn."))
    return {
        "province": province_code,
        "commune": commune_code,
        "street": street,
        "text": ", ".join(part for part in (street, commune.name, commune.parent.name) if part),
    }


CLEANERS = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "national_id": _national_id,
    "phone": _phone,
    "email": _email,
    "address": _address,
}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or (isinstance(value, str) and not value.strip())


def _clean_field(field: FormField, value: Any, path: str, errors: dict[str, str]) -> Any:
    if _is_empty(value):
        if field.required:
            errors[path] = _("Trường này là bắt buộc.")
        return None
    if field.type == "table":
        return _clean_table(field, value, path, errors)
    try:
        return CLEANERS[field.type](field, value)
    except ValidationError as exc:
        errors[path] = " ".join(exc.messages)
        return None


def _clean_table(field: FormField, value: Any, path: str, errors: dict[str, str]) -> list[dict[str, Any]] | None:
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        errors[path] = _("Bảng không hợp lệ.")
        return None
    rows = [row for row in value if not all(_is_empty(cell) for cell in row.values())]
    if len(rows) < max(field.min_rows, 1 if field.required else 0):
        errors[path] = _("Cần ít nhất %(count)s dòng.") % {"count": max(field.min_rows, 1)}
        return None
    if field.max_rows is not None and len(rows) > field.max_rows:
        errors[path] = _("Tối đa %(count)s dòng.") % {"count": field.max_rows}
        return None
    cleaned_rows = []
    for index, row in enumerate(rows):
        cleaned_rows.append(
            {
                column.key: _clean_field(column, row.get(column.key), f"{path}.{index}.{column.key}", errors)
                for column in field.columns
            }
        )
    return cleaned_rows


def clean_form_data(schema: FormSchema | dict, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Validate `data` against the form; return the normalised data or raise FormDataInvalid.

    With `partial` (a draft being saved), missing required fields are not errors but bad values still are.
    """
    form = schema if isinstance(schema, FormSchema) else FormSchema.model_validate(schema or {})
    if not isinstance(data, dict):
        raise FormDataInvalid({"": _("Dữ liệu biểu mẫu không hợp lệ.")})
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in form.fields:
        value = data.get(field.key)
        if partial and _is_empty(value):
            continue
        cleaned[field.key] = _clean_field(field, value, field.key, errors)
    unknown = sorted(set(data) - {field.key for field in form.fields})
    for key in unknown:
        errors[key] = _("Trường này không có trong biểu mẫu.")
    if errors:
        raise FormDataInvalid(errors)
    return cleaned
