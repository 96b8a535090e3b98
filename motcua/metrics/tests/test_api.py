"""The index, report II.06a and statistics through the API: public, for an agency, a province or the nation."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from motcua.catalog.tests.factories import AgencyFactory

NOVEMBER = "from=2026-11-01&to=2026-11-30"


def test_the_report_in_json_for_the_agency(world, november):
    body = Client().get(f"/api/v1/reports/ii06a?agency=H17.20.194&{NOVEMBER}").json()
    assert body["scope"]["agency"]["identifier"] == "H17.20.194"
    assert (body["received"], body["carried_over"], body["received_online"], body["received_direct"]) == (14, 1, 12, 1)
    assert (body["resolved"], body["resolved_early"], body["resolved_on_time"], body["resolved_late"]) == (9, 4, 2, 3)
    assert (body["in_progress"], body["in_progress_in_time"], body["in_progress_overdue"]) == (5, 2, 3)
    # One row per field: the November world's dossiers are all of civil status (Hộ tịch), so it equals the total.
    [row] = body["fields"]
    assert (row["number"], row["field_name"]) == (1, "Hộ tịch")
    assert {key: row[key] for key in row if key in body} == {key: body[key] for key in row if key in body}


def test_a_parent_agency_and_the_nation_add_up_their_agencies(world, november):
    province = AgencyFactory(identifier="H17", name="Ủy ban nhân dân thành phố Đà Nẵng")
    world.agency.parent = province
    world.agency.save()
    for scope in ("agency=H17&", ""):
        body = Client().get(f"/api/v1/reports/ii06a?{scope}{NOVEMBER}").json()
        assert body["received"] == 14
    other = Client().get(f"/api/v1/reports/ii06a?agency={world.other_agency.identifier}&{NOVEMBER}").json()
    assert other["received"] == 0


def test_the_report_as_excel_holds_the_same_numbers(world, november):
    from openpyxl import load_workbook

    response = Client().get(f"/api/v1/reports/ii06a?agency=H17.20.194&{NOVEMBER}&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bieu-II06a-H17.20.194-20261101-20261130.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    # One field (Hộ tịch) on row 9, the total on row 10; the identity columns are formulas (see test_libreoffice).
    for row in (9, 10):
        assert [sheet.cell(row=row, column=column).value for column in range(3, 14)] == [
            f"=D{row}+E{row}+F{row}", 1, 12, 1, f"=H{row}+I{row}+J{row}", 4, 2, 3, f"=L{row}+M{row}", 2, 3,
        ]  # fmt: skip
    assert (sheet["B9"].value, sheet["B10"].value) == ("Hộ tịch", "Tổng cộng")


def test_the_index_through_the_api(world, november):
    body = Client().get(f"/api/v1/index?agency=H17.20.194&{NOVEMBER}").json()
    assert body["scheme"] == "qd-766 v3"
    groups = {group["code"]: group for group in body["groups"]}
    tdgq = groups["TDGQ"]["indicators"][0]
    assert (tdgq["numerator"], tdgq["denominator"], tdgq["ratio"], tdgq["points"]) == (8, 14, "0.57", "14.25")
    assert groups["CKMB"]["points"] is None and groups["MDHL"]["points"] is None  # nothing rated: N/A
    assert body["applicable_max"] == "64.00"


def test_statistics_name_every_measure(world, november):
    body = Client().get(f"/api/v1/statistics?agency=H17.20.194&{NOVEMBER}").json()
    assert body["measures"]["judged_in_time"] == 8 and body["labels"]["open_overdue"] == "Đang giải quyết, quá hạn"


@pytest.mark.parametrize(
    "query, status",
    [("agency=KHONG-CO&" + NOVEMBER, 404), ("from=2026-12-01&to=2026-11-01", 422), ("from=ngay-sai", 422),
     ("format=doc", 422)],
)  # fmt: skip
def test_bad_input_gets_a_clear_error(db, query, status):
    response = Client().get(f"/api/v1/reports/ii06a?{query}")
    assert response.status_code == status
    assert response.json()["error"]["message"]
