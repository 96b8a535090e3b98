"""Report II.06a per field: the rows add up to the total row, through the roll-ups, the workbook and the PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

from django.test import Client

from motcua.metrics import report_rows
from motcua.metrics.report_rows import figures
from motcua.metrics.tests.ii06a_world import CERTIFICATION, CIVIL_STATUS, TOTAL, add_certification

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_one_row_per_field_and_the_rows_add_up_to_the_total(world, november, counted):
    add_certification(world, counted)
    table = report_rows.ii06a_table([world.agency.pk], *NOVEMBER)
    assert [(row.number, row.name) for row in table.rows] == [(1, "Chứng thực"), (2, "Hộ tịch")]
    assert [figures(row.report) for row in table.rows] == [CERTIFICATION, CIVIL_STATUS]
    assert figures(table.total) == TOTAL
    assert [sum(column) for column in zip(*(figures(row.report) for row in table.rows), strict=True)] == TOTAL


def test_a_procedure_counts_under_its_current_versions_field(world, november):
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.services import publish_draft, save_draft
    from motcua.catalog.tests.factories import FieldFactory, procedure_doc

    FieldFactory(code="dan-su", name="Dân sự")
    save_draft(doc=procedure_doc(code=world.version.procedure.code, field="dan-su"))
    publish_draft(procedure_code=world.version.procedure.code)  # a new current version, in another field
    assert ProcedureVersion.objects.get(procedure=world.version.procedure, is_current=True).field.code == "dan-su"
    table = report_rows.ii06a_table([world.agency.pk], *NOVEMBER)
    assert [(row.name, figures(row.report)) for row in table.rows] == [("Dân sự", CIVIL_STATUS)]


def test_an_agency_without_dossiers_has_only_the_total_row(world, november):
    table = report_rows.ii06a_table([world.other_agency.pk], *NOVEMBER)
    assert table.rows == [] and figures(table.total) == [0] * 11


def test_the_report_reads_a_bounded_number_of_queries(world, november, counted, django_assert_max_num_queries):
    add_certification(world, counted)
    with django_assert_max_num_queries(7):
        report_rows.ii06a_table([world.agency.pk], *NOVEMBER)


def test_period_labels():
    label = report_rows.period_label
    assert label(*NOVEMBER) == "Tháng 11 năm 2026"
    assert label(*report_rows.quarter_bounds(2026, 4)) == "Quý 4 năm 2026"
    assert label(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == "Năm 2026"
    assert label(dt.date(2026, 11, 2), dt.date(2026, 11, 30)) == "Từ ngày 02/11/2026 đến ngày 30/11/2026"


def test_the_workbook_writes_the_field_rows_and_the_total(world, november, counted):
    from openpyxl import load_workbook

    add_certification(world, counted)
    response = Client().get("/api/v1/reports/ii06a?agency=H17.20.194&from=2026-11-01&to=2026-11-30&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert book.calculation.fullCalcOnLoad
    assert [sheet.cell(row=row, column=2).value for row in (9, 10, 11)] == ["Chứng thực", "Hộ tịch", "Tổng cộng"]
    assert [sheet.cell(row=row, column=1).value for row in (9, 10, 11)] == [1, 2, None]
    base = [column for column in range(3, 14) if column not in (3, 7, 11)]
    for row, expected in ((9, CERTIFICATION), (10, CIVIL_STATUS), (11, TOTAL)):
        assert [sheet.cell(row=row, column=c).value for c in base] == [expected[c - 3] for c in base]
        assert sheet.cell(row=row, column=7).value == f"=H{row}+I{row}+J{row}"
    assert sheet["C8"].value == "(3)=(4)+(5)+(6)" and sheet["A2"].value == "Cơ quan, địa phương"
    assert sheet["C3"].value == "Tháng 11 năm 2026 (01/11/2026 – 30/11/2026)"


def test_the_printed_report_holds_the_figures_and_the_vietnamese_headings(world, november, counted, tmp_path):
    add_certification(world, counted)
    response = Client().get("/api/v1/reports/ii06a?agency=H17.20.194&from=2026-11-01&to=2026-11-30&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="bieu-II06a-H17.20.194-20261101-20261130.pdf"' in response["Content-Disposition"]
    path = tmp_path / "ii06a.pdf"
    path.write_bytes(response.content)

    def text(*options: str) -> str:
        return subprocess.run(
            ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
        ).stdout

    words = " ".join(text().split())  # reading order: a heading wrapped in its cell reads as one
    lines = [" ".join(line.split()) for line in text("-layout").splitlines()]  # a table row stays on one line
    for heading in ("Biểu II.06a/VPCP/KSTT", "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
                    "Kỳ báo cáo: Tháng 11 năm 2026 (từ ngày 01/11/2026 đến ngày 30/11/2026)",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU", "Số hồ sơ đã giải quyết",
                    "Kỳ trước chuyển qua", "Trong hạn (kể cả chờ bổ sung)"):  # fmt: skip
        assert heading in words, heading
    assert "1 Chứng thực " + " ".join(map(str, CERTIFICATION)) in lines
    assert "2 Hộ tịch " + " ".join(map(str, CIVIL_STATUS)) in lines
    assert "Tổng cộng " + " ".join(map(str, TOTAL)) in lines


def test_the_printed_report_is_dated_and_the_nation_has_its_own_heading(world, november, tmp_path):
    from motcua.dossiers.tests.factories import at
    from motcua.metrics.printing import render_ii06a

    table = report_rows.ii06a_table([world.agency.pk], *NOVEMBER)
    for agency, expected in (
        (world.agency, "Hải Châu, ngày 01 tháng 12 năm 2026"),
        (None, "Ngày 01 tháng 12 năm 2026"),
    ):
        path = tmp_path / "ii06a.pdf"
        path.write_bytes(render_ii06a(table, agency=agency, start=NOVEMBER[0], end=NOVEMBER[1], now=at(2026, 12, 1, 9)))
        words = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
        assert expected in words
    assert "TOÀN QUỐC" in words and "Đơn vị báo cáo: Toàn quốc" in words
    for fmt in ("xlsx", "pdf"):
        response = Client().get(f"/api/v1/reports/ii06a?from=2026-11-01&to=2026-11-30&format={fmt}")
        assert (
            response.status_code == 200 and "bieu-II06a-toan-quoc-20261101-20261130" in response["Content-Disposition"]
        )
