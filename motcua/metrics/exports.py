"""Report II.06a as an Excel workbook (Biểu II.06a/VPCP/KSTT), in Vietnamese: one row per field and the total.

The columns the form computes are Excel formulas (received = carried over + online + direct; resolved = early +
on time + late; in progress = in time + overdue), so a spreadsheet recalculates them; the workbook asks for a
full calculation on load, as it carries no cached results. The total row's own figures are the agency's totals
(not sums of the rows above), so a reader can check that the fields add up.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.xlsx import COUNT, MOMENT
from motcua.metrics.queries import ReportII06a
from motcua.metrics.report_rows import ReportTable, period_label

HEADER_ROW = 6  # the group headings; the column headings under them, then the column numbers
FIRST_DATA_ROW = HEADER_ROW + 3
# The ReportII06a attribute of each column C..M; None: a formula (FORMULAS).
COLUMNS = (
    None, "carried_over", "received_online", "received_direct", None, "resolved_early", "resolved_on_time",
    "resolved_late", None, "in_progress_in_time", "in_progress_overdue",
)  # fmt: skip
FORMULAS = {"C": "=D{row}+E{row}+F{row}", "G": "=H{row}+I{row}+J{row}", "K": "=L{row}+M{row}"}


def ii06a_filename(*, scope: str, start: dt.date, end: dt.date, extension: str = "xlsx") -> str:
    return f"bieu-II06a-{scope}-{start:%Y%m%d}-{end:%Y%m%d}.{extension}"


def column_headings() -> list[str]:
    """The headings of columns C..M, in the form's order (shared with the printed form and the page)."""
    return [
        _("Tổng số"), _("Kỳ trước chuyển qua"), _("Tiếp nhận trực tuyến trong kỳ"),
        _("Tiếp nhận trực tiếp, bưu chính trong kỳ"), _("Tổng số"), _("Trước hạn"), _("Đúng hạn"), _("Quá hạn"),
        _("Tổng số"), _("Trong hạn (kể cả chờ bổ sung)"), _("Quá hạn"),
    ]  # fmt: skip


def group_headings() -> list[tuple[str, int]]:
    """The three groups over columns C..M: (heading, number of columns)."""
    return [(_("Số hồ sơ nhận giải quyết"), 4), (_("Số hồ sơ đã giải quyết"), 4), (_("Số hồ sơ đang giải quyết"), 3)]


def column_numbers() -> list[str]:
    """The form's numbering row, with the identities: (3) = (4) + (5) + (6), ..."""
    return ["(1)", "(2)", "(3)=(4)+(5)+(6)", "(4)", "(5)", "(6)", "(7)=(8)+(9)+(10)", "(8)", "(9)", "(10)",
            "(11)=(12)+(13)", "(12)", "(13)"]  # fmt: skip


def ii06a_workbook(table: ReportTable, *, scope_name: str, start: dt.date, end: dt.date, now=None) -> bytes:
    """One sheet: who and when, the form's two-level headings, one row per field, the total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.calculation.fullCalcOnLoad = True  # formulas carry no cached values
    sheet = book.active
    sheet.title = "II.06a"
    sheet["A1"] = _("Biểu II.06a/VPCP/KSTT — Tình hình, kết quả giải quyết thủ tục hành chính")
    sheet["A1"].font = Font(bold=True, size=13)
    facts = [
        (_("Cơ quan, địa phương"), scope_name),
        (_("Kỳ báo cáo"), f"{period_label(start, end)} ({start:%d/%m/%Y} – {end:%d/%m/%Y})"),
        (_("Lập lúc"), timezone.localtime(now or timezone.now()).replace(tzinfo=None)),
    ]
    for row, (label, value) in enumerate(facts, start=2):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=row, column=3, value=value)
        if isinstance(value, dt.datetime):
            cell.number_format = MOMENT
            cell.alignment = Alignment(horizontal="left")

    bold, thin = Font(bold=True), Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top, sub, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    for column, title in ((1, _("STT")), (2, _("Lĩnh vực"))):
        sheet.cell(row=top, column=column, value=title)
        sheet.merge_cells(start_row=top, end_row=sub, start_column=column, end_column=column)
    column = 3
    for title, span in group_headings():
        sheet.cell(row=top, column=column, value=title)
        sheet.merge_cells(start_row=top, end_row=top, start_column=column, end_column=column + span - 1)
        column += span
    for column, title in enumerate(column_headings(), start=3):
        sheet.cell(row=sub, column=column, value=title)
    for column, title in enumerate(column_numbers(), start=1):
        sheet.cell(row=numbers, column=column, value=title)
    for row in (top, sub, numbers):
        for column in range(1, 14):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.alignment, cell.border = bold, wrap, box

    lines = [(str(item.number), item.name, item.report) for item in table.rows]
    lines.append(("", _("Tổng cộng"), table.total))
    for row, (number, name, report) in enumerate(lines, start=FIRST_DATA_ROW):
        _write_line(sheet, row, number, name, report, box)
        if not number:
            for column in range(1, 14):
                sheet.cell(row=row, column=column).font = bold

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 42
    for column in range(3, 14):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.row_dimensions[sub].height = 45
    note_row = FIRST_DATA_ROW + len(lines) + 1
    sheet.cell(row=note_row, column=1, value=_(
        "Tổng số tiếp nhận = kỳ trước chuyển qua + trực tuyến + trực tiếp, bưu chính = đã giải quyết + đang giải quyết."
    ))  # fmt: skip
    sheet.cell(row=note_row + 1, column=1, value=_(
        "Mỗi thủ tục được tính vào lĩnh vực của phiên bản đang áp dụng; dòng tổng cộng là số liệu của cả cơ quan."
    ))  # fmt: skip
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _write_line(sheet, row: int, number: str, name: str, report: ReportII06a, box) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet.cell(row=row, column=1, value=int(number) if number else None).alignment = Alignment(horizontal="center")
    sheet.cell(row=row, column=2, value=name).alignment = Alignment(wrap_text=True, vertical="top")
    for column, attribute in enumerate(COLUMNS, start=3):
        letter = get_column_letter(column)
        value = FORMULAS[letter].format(row=row) if attribute is None else getattr(report, attribute)
        cell = sheet.cell(row=row, column=column, value=value)
        cell.number_format = COUNT
    for column in range(1, 14):
        sheet.cell(row=row, column=column).border = box
