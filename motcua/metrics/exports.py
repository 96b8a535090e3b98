"""Report II.06a as an Excel workbook (Biểu II.06a/VPCP/KSTT), in Vietnamese, with its identities written out."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.xlsx import COUNT, MOMENT, write_table
from motcua.metrics.queries import ReportII06a


def ii06a_filename(*, scope: str, start: dt.date, end: dt.date) -> str:
    return f"bieu-II06a-{scope}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


def ii06a_workbook(report: ReportII06a, *, scope_name: str, start: dt.date, end: dt.date, now=None) -> bytes:
    """One sheet: who and when, then the report's columns (received, resolved, in progress) as one row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "II.06a"
    sheet["A1"] = _("Biểu II.06a/VPCP/KSTT — Tình hình, kết quả giải quyết thủ tục hành chính")
    sheet["A1"].font = Font(bold=True, size=13)
    facts = [
        (_("Cơ quan, địa phương"), scope_name),
        (_("Kỳ báo cáo"), f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"),
        (_("Lập lúc"), timezone.localtime(now or timezone.now()).replace(tzinfo=None)),
    ]
    for row, (label, value) in enumerate(facts, start=2):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=row, column=2, value=value)
        if isinstance(value, dt.datetime):
            cell.number_format = MOMENT
    headers = [
        _("Tổng số hồ sơ tiếp nhận"), _("Kỳ trước chuyển qua"), _("Tiếp nhận trực tuyến trong kỳ"),
        _("Tiếp nhận trực tiếp, bưu chính trong kỳ"), _("Đã giải quyết"), _("Trước hạn"), _("Đúng hạn"),
        _("Quá hạn"), _("Đang giải quyết"), _("Trong hạn (kể cả chờ bổ sung)"), _("Quá hạn"),
    ]  # fmt: skip
    values = [
        report.received, report.carried_over, report.received_online, report.received_direct, report.resolved,
        report.resolved_early, report.resolved_on_time, report.resolved_late, report.in_progress,
        report.in_progress_in_time, report.in_progress_overdue,
    ]  # fmt: skip
    write_table(sheet, len(facts) + 3, headers, [values], {column: COUNT for column in range(1, 12)})
    sheet.cell(row=len(facts) + 6, column=1, value=_(
        "Tổng số tiếp nhận = kỳ trước chuyển qua + trực tuyến + trực tiếp, bưu chính = đã giải quyết + đang giải quyết."
    ))  # fmt: skip
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
