"""Report II.06a by field (lĩnh vực), as the official form lays it out: one row per field, then the total row.

A procedure counts under the field of its current version (the catalogue's classification today, as the form is
filled in today); a procedure with no current version (withdrawn everywhere) counts under "other". The rows come
from `queries.procedure_measures`, the total from `queries.measures_for`: two roll-ups, so the test that the rows
add up to the total checks both.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureVersion
from motcua.metrics import queries
from motcua.metrics.queries import ReportII06a


@dataclass(frozen=True)
class FieldRow:
    number: int  # STT on the form
    code: str  # the field's code; "" for procedures without a current version
    name: str
    report: ReportII06a


@dataclass(frozen=True)
class ReportTable:
    rows: list[FieldRow]
    total: ReportII06a


def ii06a_table(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> ReportTable:
    """The rows per field (those with any figure, in the catalogue's field order) and the total row."""
    agency_ids = list(agency_ids)
    per_procedure = queries.procedure_measures(agency_ids, start, end)
    fields = {
        procedure_id: (code, name, folded)
        for procedure_id, code, name, folded in ProcedureVersion.objects.filter(
            is_current=True, procedure_id__in=list(per_procedure)
        ).values_list("procedure_id", "field__code", "field__name", "field__folded_name")
    }
    other = ("", _("Lĩnh vực khác (thủ tục không còn áp dụng)"), "\uffff")  # sorts last
    sums: dict[tuple[str, str, str], dict[str, int]] = {}
    for procedure_id, values in per_procedure.items():
        bucket = sums.setdefault(fields.get(procedure_id, other), {})
        for measure in queries.II06A_COLUMNS:
            bucket[measure] = bucket.get(measure, 0) + int(values.get(measure, 0))
    rows: list[FieldRow] = []
    for (code, name, _folded), values in sorted(sums.items(), key=lambda item: (item[0][2], item[0][0])):
        report = ReportII06a.from_measures(values)
        if not report.is_empty:
            rows.append(FieldRow(number=len(rows) + 1, code=code, name=name, report=report))
    return ReportTable(rows=rows, total=ReportII06a.from_measures(queries.measures_for(agency_ids, start, end)))


# ----- periods --------------------------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = 3 * (quarter - 1) + 1
    return dt.date(year, first, 1), month_bounds(year, first + 2)[1]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def period_label(start: dt.date, end: dt.date) -> str:
    """The period as the form's heading says it: a whole month, quarter or year by name, else the two days."""
    if (start, end) == month_bounds(start.year, start.month):
        return _("Tháng %(month)s năm %(year)s") % {"month": f"{start.month:02d}", "year": start.year}
    if start.month % 3 == 1 and (start, end) == quarter_bounds(start.year, start.month // 3 + 1):
        return _("Quý %(quarter)s năm %(year)s") % {"quarter": start.month // 3 + 1, "year": start.year}
    if (start, end) == year_bounds(start.year):
        return _("Năm %(year)s") % {"year": start.year}
    return _("Từ ngày %(start)s đến ngày %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}


def figures(report: ReportII06a) -> list[int]:
    """The 11 figures of columns (3)..(13), in the form's order (the identity columns computed)."""
    return [
        report.received, report.carried_over, report.received_online, report.received_direct, report.resolved,
        report.resolved_early, report.resolved_on_time, report.resolved_late, report.in_progress,
        report.in_progress_in_time, report.in_progress_overdue,
    ]  # fmt: skip
