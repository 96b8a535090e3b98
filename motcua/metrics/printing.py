"""Report II.06a as a printable PDF (A4 landscape): the form's heading, one row per field, the total row, the date.

Rendered by WeasyPrint through the one-stop forms' renderer (motcua.signing.rendering): the same font with every
Vietnamese glyph (DejaVu Sans), the same print stylesheet and masthead, and its fetcher that loads nothing but
local font files. The form is an official document, so it is always in Vietnamese.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from motcua.catalog.models import Agency
from motcua.metrics import exports, report_rows
from motcua.metrics.report_rows import ReportTable, period_label

# One renderer for every printed document: the font faces, the stylesheet and the local-only fetcher live there.
from motcua.signing.rendering import _capital, _long_date, _pdf, _place_date

TEMPLATE = "metrics/ii06a_print.html"


def render_ii06a(
    table: ReportTable, *, agency: Agency | None, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> bytes:
    """The PDF of report II.06a for `agency` (None: the nation) over [start, end], dated `now` (default: now)."""
    now = now or timezone.now()
    with translation.override("vi"):
        scope_name = agency.name if agency is not None else "Toàn quốc"
        context = {
            "scope_name": scope_name,
            "masthead_agency": {"name": scope_name},
            "parent_name": agency.parent.name if agency is not None and agency.parent_id else "",
            "period": period_label(start, end),
            "start": start,
            "end": end,
            "place_date": _place_date(agency, now) if agency is not None else _capital(_long_date(now)),
            "groups": exports.group_headings(),
            "headings": exports.column_headings(),
            "numbers": exports.column_numbers(),
            "rows": [(row.number, row.name, report_rows.figures(row.report)) for row in table.rows],
            "total": report_rows.figures(table.total),
        }
    return _pdf(TEMPLATE, context)
