"""A procedure's e-form (biểu mẫu điện tử) as an HTML form, for the back office and the citizen portal alike.

`eform_class(schema)` builds a Django form class from a version's `FormSchema`. The form has one HTML field
per input, named after the schema so that what the browser sends maps back to the schema without guessing:

    text, textarea, number, date, national_id, phone, email   <key>
    choice                                                     <key> (a select, radios, or checkboxes if multiple)
    address                                                    <key>.province, <key>.commune, <key>.street
    table                                                      <key>.<row>.<column> for a fixed number of rows

(with the form's prefix in front, as Django does: `prefix="form"` gives `form-members.0.name`).

The Django fields only take the input in; the rules are those of `motcua.dossiers.eform.clean_form_data`,
which the form runs in `clean()`, so the page shows exactly the messages the service would give. After
`is_valid()`, `form.form_data()` is the dict that `clean_form_data` (and so `submit_dossier`,
`register_direct_dossier`, `save_draft`) expects, and `form.cleaned_form_data` what it returned. Errors
raised later by a service (`DossierInvalid.errors`, keyed "form.<path>") go back onto the fields with
`form.add_service_errors(errors)`.

Every front end renders `form.layout()` with the one include, templates/forms/_eform.html.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from motcua.catalog.models import AdministrativeUnit, UnitLevel
from motcua.catalog.schemas import FormField, FormSchema
from motcua.dossiers.eform import DEFAULT_MAX_LENGTH, FormDataInvalid, clean_form_data

TABLE_ROWS = 3
# Up to this many options, a single choice is a group of radio buttons (every option visible); more, a select.
RADIO_MAX_CHOICES = 4


@dataclass(frozen=True)
class AddressChoices:
    """The options of address fields: every current province, and the communes of some provinces, by province.

    Without JavaScript the commune select cannot follow the province chosen, so it lists the communes of the
    provinces the page is about (the officer's province, the applicant's), grouped by province.
    """

    provinces: list[tuple[str, str]] = field(default_factory=list)
    communes: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def address_choices(*, province_codes: Iterable[str] | None = None) -> AddressChoices:
    """Current provinces and the current communes of `province_codes` (of every province when None), in 2 queries."""
    units = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    provinces = list(units.filter(level=UnitLevel.PROVINCE).order_by("folded_name").values_list("code", "name"))
    communes = units.filter(level=UnitLevel.COMMUNE, parent__valid_to__isnull=True)
    if province_codes is not None:
        communes = communes.filter(parent__code__in=list(province_codes))
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, name, province in communes.order_by("parent__folded_name", "folded_name").values_list(
        "code", "name", "parent__name"
    ):
        grouped.setdefault(province, []).append((code, name))
    return AddressChoices(provinces=provinces, communes=list(grouped.items()))


# ----- building ---------------------------------------------------------------------------------------------


def _text_attrs(spec: FormField) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if spec.type in ("text", "textarea"):
        attrs["maxlength"] = spec.max_length or DEFAULT_MAX_LENGTH[spec.type]
    return attrs


def _simple_field(spec: FormField, *, label: str, in_table: bool = False) -> forms.Field:
    """The Django field of one input (not an address, not a table)."""
    required_attrs = {"aria-required": "true"} if spec.required and not in_table else {}
    help_text = "" if in_table else spec.help
    common = {"label": label, "required": False, "help_text": help_text}
    if spec.type == "choice":
        options = [(choice.value, choice.label) for choice in spec.choices]
        if spec.multiple:
            return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
        if len(options) <= RADIO_MAX_CHOICES and not in_table:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(
            choices=[("", _("— Chọn —")), *options], widget=forms.Select(attrs=required_attrs), **common
        )
    attrs = {**required_attrs, **_text_attrs(spec)}
    if spec.type == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, **attrs}), strip=False, **common)
    attrs.update(
        {
            "number": {"inputmode": "decimal"},
            "date": {"type": "date"},
            "national_id": {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "maxlength": 12},
            "phone": {"type": "tel", "inputmode": "tel"},
            "email": {"type": "email", "spellcheck": "false"},
        }.get(spec.type, {})
    )
    return forms.CharField(widget=forms.TextInput(attrs=attrs), strip=False, **common)


def row_label(column: FormField, row: int) -> str:
    return _("%(column)s, dòng %(row)s") % {"column": column.label, "row": row + 1}


def eform_class(
    schema: FormSchema | Mapping,
    *,
    table_rows: int | Mapping[str, int] = TABLE_ROWS,
    addresses: AddressChoices | None = None,
    partial: bool = False,
) -> type[EForm]:
    """A Django form class for this e-form.

    `table_rows`: blank rows per table (one number, or per table key). `addresses`: the options of address
    fields (see `address_choices`; loaded for every province when the form has an address and none is given).
    `partial`: missing required fields are not errors (a draft being saved).
    """
    form_schema = schema if isinstance(schema, FormSchema) else FormSchema.model_validate(schema or {})
    if addresses is None and any(spec.type == "address" for spec in form_schema.fields):
        addresses = address_choices()
    fields: dict[str, forms.Field] = {}
    rows: dict[str, int] = {}
    for spec in form_schema.fields:
        if spec.type == "address":
            addresses = addresses or AddressChoices()
            required = {"aria-required": "true"} if spec.required else {}
            fields[f"{spec.key}.province"] = forms.ChoiceField(
                label=_("Tỉnh, thành phố"), required=False,
                choices=[("", _("— Chọn tỉnh, thành phố —")), *addresses.provinces],
                widget=forms.Select(attrs={**required, "autocomplete": "off"}),
            )  # fmt: skip
            fields[f"{spec.key}.commune"] = forms.ChoiceField(
                label=_("Xã, phường, đặc khu"), required=False,
                choices=[("", _("— Chọn xã, phường —")), *addresses.communes],
                widget=forms.Select(attrs=required),
            )  # fmt: skip
            fields[f"{spec.key}.street"] = forms.CharField(
                label=_("Số nhà, đường, thôn, tổ dân phố"), required=False, max_length=300,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )  # fmt: skip
        elif spec.type == "table":
            count = table_rows.get(spec.key, TABLE_ROWS) if isinstance(table_rows, Mapping) else table_rows
            rows[spec.key] = max(count, spec.min_rows, 1)
            if spec.max_rows is not None:
                rows[spec.key] = min(rows[spec.key], spec.max_rows)
            for row in range(rows[spec.key]):
                for column in spec.columns:
                    fields[f"{spec.key}.{row}.{column.key}"] = _simple_field(
                        column, label=row_label(column, row), in_table=True
                    )
        else:
            fields[spec.key] = _simple_field(spec, label=spec.label)
    attrs = {"schema": form_schema, "table_rows": rows, "partial": partial, **fields}
    return type("EFormFor", (EForm,), attrs)


# ----- the form ---------------------------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_filled(item) for item in value)
    return value is not None and str(value).strip() != ""


class EForm(forms.Form):
    """Base class of the forms `eform_class` builds (use that, not this directly)."""

    schema: FormSchema = FormSchema()
    table_rows: dict[str, int] = {}
    partial: bool = False
    required_css_class = "required-field"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cleaned_form_data: dict[str, Any] | None = None
        # Everything typed, valid or not, as `clean()` first saw it (its checks then take invalid values out
        # of cleaned_data): what a draft keeps.
        self.typed_data: dict[str, Any] | None = None
        self.group_errors: dict[str, list[str]] = {}
        # For each table, which of its HTML rows were filled in: the n-th filled row is row n for the rules.
        self._filled_rows: dict[str, list[int]] = {}

    # --- input → data ---

    def form_data(self) -> dict[str, Any]:
        """What was typed, as the dict `clean_form_data` expects (call after `is_valid()` or in `clean()`)."""
        data: dict[str, Any] = {}
        values = getattr(self, "cleaned_data", {})
        for spec in self.schema.fields:
            if spec.type == "address":
                parts = {part: values.get(f"{spec.key}.{part}") or "" for part in ("province", "commune", "street")}
                data[spec.key] = parts if any(_filled(value) for value in parts.values()) else {}
            elif spec.type == "table":
                table = []
                filled = []
                for row in range(self.table_rows.get(spec.key, 0)):
                    cells = {column.key: values.get(f"{spec.key}.{row}.{column.key}") for column in spec.columns}
                    cells = {key: ("" if value is None else value) for key, value in cells.items()}
                    if any(_filled(value) for value in cells.values()):
                        table.append(cells)
                        filled.append(row)
                self._filled_rows[spec.key] = filled
                data[spec.key] = table
            else:
                value = values.get(spec.key)
                data[spec.key] = ([] if spec.multiple and spec.type == "choice" else "") if value is None else value
        return data

    def clean(self):
        cleaned = super().clean()
        self.typed_data = self.form_data()
        try:
            self.cleaned_form_data = clean_form_data(self.schema, self.typed_data, partial=self.partial)
        except FormDataInvalid as invalid:
            self.add_eform_errors(invalid.errors)
        return cleaned

    # --- errors → fields ---

    def add_eform_errors(self, errors: Mapping[str, str]) -> None:
        """Put `clean_form_data`'s errors (keyed by path: "name", "address", "members.1.name") on the fields."""
        specs = {spec.key: spec for spec in self.schema.fields}
        if any(spec.type == "table" for spec in specs.values()) and not self._filled_rows:
            self.form_data()  # which rows were filled, to map row numbers back
        for path, message in errors.items():
            parts = path.split(".")
            spec = specs.get(parts[0])
            if spec is None:
                self._add_once(None, message if not path else f"{path}: {message}")
            elif spec.type == "address":
                province = (getattr(self, "cleaned_data", {}) or {}).get(f"{spec.key}.province")
                self._add_once(f"{spec.key}.commune" if province else f"{spec.key}.province", message)
            elif spec.type == "table" and len(parts) == 3 and parts[1].isdigit():
                filled = self._filled_rows.get(spec.key, [])
                index = int(parts[1])
                row = filled[index] if index < len(filled) else index
                name = f"{spec.key}.{row}.{parts[2]}"
                self._add_once(name if name in self.fields else None, message)
            elif spec.type == "table":
                self.group_errors.setdefault(spec.key, []).append(message)
                self._add_once(None, f"{spec.label}: {message}")
            else:
                self._add_once(spec.key, message)

    def add_service_errors(self, errors: Mapping[str, str], *, prefix: str = "form.") -> dict[str, str]:
        """Put a service's errors for the e-form ("form.<path>") on the fields; return the others."""
        mine = {key[len(prefix) :]: message for key, message in errors.items() if key.startswith(prefix)}
        self.add_eform_errors(mine)
        return {key: message for key, message in errors.items() if not key.startswith(prefix)}

    def _add_once(self, name: str | None, message: str) -> None:
        if name is not None and self.has_error(name):
            return  # the field's own check already said what is wrong
        self.add_error(name, message)

    # --- where pre-filled values came from ---

    def mark_prefilled(self, prefilled: Mapping[str, Any]) -> None:
        """Say beside each pre-filled field where its value came from (wallet.prefill.Prefilled values).

        A verified value (from an agency's signed document) is read-only where the input allows it; the server
        refuses a submission that changed it anyway.
        """
        self.prefill_notes: dict[str, str] = {}
        for key, value in prefilled.items():
            if value.verified:
                note = _("Đã xác thực: lấy từ %(source)s; không sửa được.") % {"source": value.source}
            else:
                note = _("Điền sẵn từ %(source)s; hãy kiểm tra lại.") % {"source": value.source}
            self.prefill_notes[key] = note
            field = self.fields.get(key)
            if field is None:
                continue  # an address or a table: the note goes with its group (layout)
            field.help_text = f"{field.help_text} {note}".strip()
            if value.verified and isinstance(field.widget, forms.TextInput | forms.Textarea):
                field.widget.attrs["readonly"] = True

    # --- what templates show ---

    def layout(self) -> list[dict[str, Any]]:
        """The e-form in schema order, for the front ends' e-form templates: fields, address groups and tables."""
        items: list[dict[str, Any]] = []
        for spec in self.schema.fields:
            note = getattr(self, "prefill_notes", {}).get(spec.key, "") if spec.type in ("address", "table") else ""
            help_text = f"{spec.help} {note}".strip()
            base = {"key": spec.key, "label": spec.label, "required": spec.required, "help": help_text}
            if spec.type == "address":
                parts = [self[f"{spec.key}.{part}"] for part in ("province", "commune", "street")]
                items.append({**base, "kind": "address", "fields": parts})
            elif spec.type == "table":
                rows = [
                    {"number": row + 1, "cells": [self[f"{spec.key}.{row}.{c.key}"] for c in spec.columns]}
                    for row in range(self.table_rows.get(spec.key, 0))
                ]
                items.append(
                    {
                        **base,
                        "kind": "table",
                        "columns": [{"label": c.label, "required": c.required} for c in spec.columns],
                        "rows": rows,
                        "errors": self.group_errors.get(spec.key, []),
                        "first_id": rows[0]["cells"][0].auto_id if rows else "",
                    }
                )
            else:
                items.append({**base, "kind": "field", "field": self[spec.key]})
        return items


# ----- stored data → form and page ------------------------------------------------------------------------------


def initial_from_data(schema: FormSchema | Mapping, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The initial values of an e-form from stored data (a draft, a dossier): the reverse of `form_data()`."""
    form_schema = schema if isinstance(schema, FormSchema) else FormSchema.model_validate(schema or {})
    initial: dict[str, Any] = {}
    for spec in form_schema.fields:
        value = (data or {}).get(spec.key)
        if value is None:
            continue
        if spec.type == "address" and isinstance(value, Mapping):
            for part in ("province", "commune", "street"):
                initial[f"{spec.key}.{part}"] = value.get(part, "")
        elif spec.type == "table" and isinstance(value, list):
            for row, cells in enumerate(value):
                if isinstance(cells, Mapping):
                    for column in spec.columns:
                        if cells.get(column.key) is not None:
                            initial[f"{spec.key}.{row}.{column.key}"] = cells[column.key]
        else:
            initial[spec.key] = value
    return initial


def rows_needed(schema: FormSchema | Mapping, data: Mapping[str, Any] | None, *, blank: int = TABLE_ROWS) -> dict:
    """Rows per table to show stored data and still leave `blank` empty rows (for `eform_class(table_rows=)`)."""
    form_schema = schema if isinstance(schema, FormSchema) else FormSchema.model_validate(schema or {})
    return {
        spec.key: max(blank, len((data or {}).get(spec.key) or []) + 1)
        for spec in form_schema.fields
        if spec.type == "table"
    }


def _display(spec: FormField, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if spec.type == "choice":
        labels = {choice.value: choice.label for choice in spec.choices}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(item), str(item)) for item in values)
    if spec.type == "date":
        parts = str(value).split("-")
        return "/".join(reversed(parts)) if len(parts) == 3 else str(value)
    if spec.type == "number":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = max(0, -number.as_tuple().exponent) if number.is_finite() else 0
        return number_format(number, decimal_pos=places)
    if spec.type == "address" and isinstance(value, Mapping):
        return str(value.get("text") or ", ".join(str(v) for v in value.values() if v))
    return str(value)


def display_rows(schema: FormSchema | Mapping, data: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Stored e-form data with the form's labels, for a dossier page: one item per field, tables as rows."""
    form_schema = schema if isinstance(schema, FormSchema) else FormSchema.model_validate(schema or {})
    data = data or {}
    items: list[dict[str, Any]] = []
    for spec in form_schema.fields:
        value = data.get(spec.key)
        if spec.type == "table":
            rows = [
                [_display(column, cells.get(column.key)) for column in spec.columns]
                for cells in (value or [])
                if isinstance(cells, Mapping)
            ]
            items.append(
                {
                    "key": spec.key,
                    "label": spec.label,
                    "kind": "table",
                    "columns": [c.label for c in spec.columns],
                    "rows": rows,
                }  # fmt: skip
            )
        else:
            items.append({"key": spec.key, "label": spec.label, "kind": "value", "value": _display(spec, value)})
    known = {spec.key for spec in form_schema.fields}
    for key in sorted(set(data) - known):  # data kept from a field the schema no longer has
        items.append({"key": key, "label": key, "kind": "value", "value": str(data[key])})
    return items
