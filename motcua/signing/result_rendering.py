"""The unsigned PDF of a result, laid out by a template chosen by procedure code.

`signing/results/<code>.html` (e.g. `signing/results/1.001193.html`, the birth certificate) when the template
loader finds one, else the generic `signing/result.html`. A province adds or replaces a procedure's layout by
adding that file to any template directory (the project's `motcua/templates/` comes first), with no change to
the code. A per-procedure template usually extends `signing/result_base.html` (masthead, QR code, verification
note, and the space kept free for the signature stamp) and receives the context of `result_context`.
"""

from __future__ import annotations

import datetime as dt

import segno

from motcua.catalog.schemas import FormSchema
from motcua.dossiers.models import Dossier

RESULT_TEMPLATE_DIR = "signing/results"
GENERIC_RESULT_TEMPLATE = "signing/result.html"
_CODE_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-")


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no data URI: WeasyPrint's fetcher loads nothing but fonts)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=False)


def result_template(procedure_code: str) -> str:
    """The name of the template laying out the results of `procedure_code` (its own, else the generic one)."""
    from django.template.loader import select_template

    names = [GENERIC_RESULT_TEMPLATE]
    code = procedure_code or ""
    if 0 < len(code) <= 64 and code[0].isalnum() and set(code) <= _CODE_CHARACTERS and ".." not in code:
        names.insert(0, f"{RESULT_TEMPLATE_DIR}/{code}.html")
    return select_template(names).origin.template_name


def render_result(*, dossier: Dossier, data: dict, issued_at: dt.datetime) -> bytes:
    """The unsigned result PDF, laid out by the procedure's own template or the generic one (see above)."""
    from motcua.signing.rendering import _pdf

    context = result_context(dossier=dossier, data=data, issued_at=issued_at)
    return _pdf(result_template(data.get("procedure_code") or ""), context)


def result_context(*, dossier: Dossier, data: dict, issued_at: dt.datetime) -> dict:
    """What a result template is given.

    - ``data``: the result's machine-readable copy (`result_data`): ``data.dossier_code``, ``data.id``,
      ``data.result_name``, ``data.procedure_name``, ``data.verification_url``…;
    - ``procedure_code``; ``agency`` (the issuing agency), ``parent_name`` (the agency above it),
      ``province_name`` (the province of the agency's unit, when the unit is below a province);
    - ``form``: the e-form data as stored (raw values: ISO dates, choice values, addresses as dicts);
    - ``values``: each e-form value as text (choice labels, dates as dd/mm/yyyy, addresses as one line,
      tables as rows joined by "; "), "" when empty; ``labels``: each field's label;
    - ``dates``: for each date of the e-form, ``figures`` ("20/11/2026"), ``words`` ("Ngày hai mươi,
      tháng mười một, năm hai nghìn không trăm hai mươi sáu") and ``long`` ("ngày 20 tháng 11 năm 2026");
    - ``applicant``: ``name``, ``identifier`` and ``identifier_label`` of the dossier's applicant;
    - ``rows``: the e-form as (label, value) rows, for the generic template;
    - ``place_date`` ("Hải Châu, ngày 25 tháng 11 năm 2026"), ``issued_on`` ("ngày 25 tháng 11 năm 2026"),
      ``issued_date`` ("25/11/2026"), ``issued_at`` ("09:05 ngày 25/11/2026"), of the moment of issue;
    - ``qr``: the QR code of the verification URL, an inline SVG; ``verification_lines``: the URL cut in two
      lines (the site's address, the result's id), for printing in a narrow column.

    A template shows only what these hold: a field the e-form does not have is left as a dotted line.
    """
    from motcua.accounts.models import UserKind
    from motcua.signing.rendering import _local, _long_date, _place_date

    try:
        specs = {f.key: f for f in FormSchema.model_validate(dossier.procedure_version.form_schema or {}).fields}
    except ValueError:
        specs = {}
    form = dict(data.get("form_data") or {})
    values = {key: _field_text(specs.get(key), value) for key, value in form.items()}
    dates = {}
    for key, value in form.items():
        day = _iso_date(value) if key not in specs or specs[key].type == "date" else None
        if day is not None:
            dates[key] = {"figures": f"{day:%d/%m/%Y}", "words": _date_in_words(day), "long": _long_date(day)}
    keys = [k for k in specs if k in form] + [k for k in form if k not in specs]
    rows = [{"label": specs[k].label if k in specs else k, "value": values[k]} for k in keys]
    agency = dossier.agency
    unit = agency.unit
    province = unit.parent if unit is not None and unit.parent_id else None
    while province is not None and province.parent_id:
        province = province.parent
    identifier_label = (
        "Mã số thuế" if getattr(dossier.applicant, "kind", None) == UserKind.ORGANISATION else "Số định danh cá nhân"
    )
    local = _local(issued_at)
    return {
        "agency": agency,
        "parent_name": agency.parent.name if agency.parent_id and agency.parent else "",
        "province_name": province.name if province is not None else "",
        "place_date": _place_date(agency, issued_at),
        "data": data,
        "procedure_code": data.get("procedure_code", ""),
        "form": form,
        "values": values,
        "labels": {key: spec.label for key, spec in specs.items()},
        "dates": dates,
        "applicant": {
            "name": dossier.applicant_name,
            "identifier": dossier.applicant_identifier,
            "identifier_label": identifier_label,
        },
        "rows": rows,
        "issued_on": _long_date(local),
        "issued_date": f"{local:%d/%m/%Y}",
        "issued_at": local.strftime("%H:%M ngày %d/%m/%Y"),
        "qr": qr_svg(data["verification_url"]),
        "verification_lines": _url_lines(data["verification_url"], str(data.get("id", ""))),
    }


def _field_text(spec, value) -> str:
    """An e-form value as text, by its field's type when the schema still has the field."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    kind = spec.type if spec is not None else ""
    if kind == "choice":
        labels = {choice.value: choice.label for choice in spec.choices}
        return ", ".join(labels.get(str(item), str(item)) for item in (value if isinstance(value, list) else [value]))
    if kind == "date" and _iso_date(value) is not None:
        return f"{_iso_date(value):%d/%m/%Y}"
    if kind == "number":
        return str(value).replace(".", ",")
    if isinstance(value, dict) and value.get("text"):  # an address: street, commune, province
        return str(value["text"])
    if kind == "table" and isinstance(value, list):
        columns = {column.key: column for column in spec.columns}
        return "; ".join(
            ", ".join(
                f"{columns[k].label if k in columns else k}: {_field_text(columns.get(k), v)}"
                for k, v in row.items()
                if _field_text(columns.get(k), v)
            )
            if isinstance(row, dict)
            else _display(row)
            for row in value
        )
    return _display(value)


def _url_lines(url: str, result_id: str) -> list[str]:
    """The verification URL in two lines, the site's address and the result's id, so that it breaks only there."""
    if result_id and url.endswith(f"/{result_id}/"):
        return [url[: -len(result_id) - 1], f"{result_id}/"]
    return [url]


def _iso_date(value) -> dt.date | None:
    """The date of an e-form value stored as "YYYY-MM-DD", else None."""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _display(value) -> str:
    if isinstance(value, list):
        return "; ".join(_display(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_display(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return "" if value is None else str(value)


# Numbers in words, for dates "ghi bằng chữ" on civil status papers.
_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_MONTHS = ("", "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai")


def _number_in_words(number: int) -> str:
    """0–999999 in Vietnamese words: 21 "hai mươi mốt", 105 "một trăm linh năm", 2026 "hai nghìn không trăm
    hai mươi sáu"."""
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, unit = divmod(number, 10)
        head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
        if unit == 0:
            return head
        tail = "mốt" if unit == 1 and tens > 1 else "lăm" if unit == 5 else _DIGITS[unit]
        return f"{head} {tail}"
    thousands, rest = divmod(number, 1000)
    parts = [f"{_number_in_words(thousands)} nghìn"] if thousands else []
    if rest:
        hundreds, tail = divmod(rest, 100)
        parts.append(f"{_DIGITS[hundreds]} trăm")
        if tail:
            parts.append(f"linh {_DIGITS[tail]}" if tail < 10 else _number_in_words(tail))
    return " ".join(parts)


def _date_in_words(day: dt.date) -> str:
    """A date written in words: "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"; the
    first ten days of a month take "mồng" ("Ngày mồng năm, tháng ba, …")."""
    days = ("mồng " if day.day <= 10 else "") + _number_in_words(day.day)
    return f"Ngày {days}, tháng {_MONTHS[day.month]}, năm {_number_in_words(day.year)}"
