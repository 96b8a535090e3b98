"""Excel (.xlsx) helpers shared by every export (openpyxl): number formats and one way to write a table."""

from __future__ import annotations

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0"
COUNT = "#,##0"
MOMENT = "dd/mm/yyyy hh:mm:ss"
DATE = "dd/mm/yyyy"


def write_table(sheet, header_row: int, headers: list[str], rows: list[list], formats: dict[int, str]) -> None:
    """Bold headers on `header_row`, the rows under them with their columns' number formats, and widths that fit."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for column, title in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font = bold
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=column, value=value)
            if column in formats and value is not None:
                cell.number_format = formats[column]
    for column, title in enumerate(headers, start=1):
        widest = max([len(str(title))] + [len(str(values[column - 1] or "")) for values in rows])
        sheet.column_dimensions[sheet.cell(row=header_row, column=column).column_letter].width = min(
            max(widest + 2, 10), 60
        )
