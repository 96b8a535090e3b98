"""The back office's report II.06a page (/backoffice/reports/ii06a/): who may open which agency's, the period
choices, bad input, and the table per field with its downloads."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User, UserKind
from motcua.catalog.tests.factories import AgencyFactory
from motcua.metrics.tests.ii06a_world import CERTIFICATION, CIVIL_STATUS, TOTAL, add_certification

PAGE = "/backoffice/reports/ii06a/"
NOVEMBER = PAGE + "?agency=H17.20.194&period=month&month=2026-11"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def cells(html: str) -> list[list[str]]:
    """The table's body and footer rows as text, the row's heading included."""
    body = html[html.index("<tbody>") : html.index("</tfoot>")]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def as_text(values: list[int]) -> list[str]:
    return [str(value) for value in values]


def test_an_officer_of_the_agency_sees_the_rows_per_field_and_the_total(world, november, counted):
    add_certification(world, counted)
    response = client_for(world.specialist).get(NOVEMBER)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert cells(html) == [
        ["1", "Chứng thực", *as_text(CERTIFICATION)],
        ["2", "Hộ tịch", *as_text(CIVIL_STATUS)],
        ["", "Tổng cộng", *as_text(TOTAL)],
    ]
    assert "Tháng 11 năm 2026" in html and "Số hồ sơ đã giải quyết" in html
    query = "agency=H17.20.194&amp;from=2026-11-01&amp;to=2026-11-30"
    assert f'href="/api/v1/reports/ii06a?{query}&amp;format=xlsx"' in html
    assert f'href="/api/v1/reports/ii06a?{query}&amp;format=pdf"' in html
    assert 'aria-current="page">Báo cáo II.06a</a>' in html


def test_the_downloads_it_links_to_answer(world):
    client = client_for(world.leader)
    for fmt, content_type in (("xlsx", "application/vnd.openxmlformats"), ("pdf", "application/pdf")):
        response = client.get(f"/api/v1/reports/ii06a?agency=H17.20.194&from=2026-11-01&to=2026-11-30&format={fmt}")
        assert response.status_code == 200 and response["Content-Type"].startswith(content_type)


def test_a_parent_agency_adds_up_everything_under_it(world, november):
    province = AgencyFactory(identifier="H17", name="Ủy ban nhân dân thành phố Đà Nẵng")
    world.agency.parent = province
    world.agency.save()
    leader = User.objects.create_user(username="lanhdao_tp", password="mat-khau-an-toan-2026", kind=UserKind.OFFICER)
    leader.memberships.create(agency=province, role="leader")
    html = client_for(leader).get(PAGE + "?agency=H17&period=month&month=2026-11").content.decode()
    assert cells(html)[-1] == ["", "Tổng cộng", *as_text(CIVIL_STATUS)]
    assert "gồm 1 cơ quan trực thuộc" in html
    # The officer chooses among the agencies where they hold a role: the commune is not one of them.
    assert client_for(leader).get(NOVEMBER).status_code == 404


def test_an_operator_opens_any_agency(world):
    operator = User.objects.create_user(username="quantri", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)
    for identifier in ("H17.20.194", world.other_agency.identifier):
        response = client_for(operator).get(PAGE + f"?agency={identifier}&period=year&year=2026")
        assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_officer", "owner", "anonymous"])
def test_nobody_else_sees_the_agencys_report(world, who):
    client = client_for(None if who == "anonymous" else getattr(world, who))
    response = client.get(NOVEMBER)
    if who == "other_officer":
        assert response.status_code == 404  # another agency's report, as an unknown agency
        assert client.get(PAGE + "?agency=KHONG-CO").status_code == 404
        own = client.get(PAGE + f"?agency={world.other_agency.identifier}&period=month&month=2026-11")
        assert own.status_code == 200
        assert cells(own.content.decode()) == [["Không có hồ sơ trong kỳ."], ["", "Tổng cộng", *["0"] * 11]]
    else:  # as the other back-office entry pages: to the officers' login, and back here after it
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/officer/?next=/backoffice/reports/ii06a/")


def test_without_a_choice_the_page_shows_this_month_of_the_first_agency(world, november, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 11, 20))
    html = client_for(world.reception).get(PAGE).content.decode()
    assert "Ủy ban nhân dân Phường Hải Châu — Tháng 11 năm 2026" in html
    assert cells(html)[-1] == ["", "Tổng cộng", *as_text(CIVIL_STATUS)]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("period=month&month=2026-13", "month", "Hãy nhập tháng theo dạng năm-tháng"),
        ("period=month&month=thang-11", "month", "Hãy nhập tháng theo dạng năm-tháng"),
        ("period=quarter&year=2026", "quarter", "Hãy chọn quý và nhập năm."),
        ("period=quarter&quarter=5&year=2026", "quarter", "Hãy chọn một lựa chọn hợp lệ"),
        ("period=year&year=1800", "year", "2000"),
        ("period=custom&start=2026-11-30&end=2026-11-01", "end", "“Đến ngày” phải sau hoặc bằng “từ ngày”."),
        ("period=custom&start=2020-01-01&end=2026-11-01", "end", "Kỳ báo cáo dài tối đa 5 năm."),
        ("period=custom&start=30/11/2026", "end", "Hãy nhập ngày"),
        ("period=tuan", "period", "Hãy chọn một lựa chọn hợp lệ"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error_and_keeps_the_form(world, query, field, message):
    response = client_for(world.leader).get(f"{PAGE}?agency=H17.20.194&{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa lập được báo cáo: hãy sửa các mục được đánh dấu." in html and message in html
    assert f'href="#id_{field}' in html and "<tbody>" not in html
    for name, value in re.findall(r"(\w+)=([^&]+)", query):  # what was typed is still there
        if name not in ("period", "quarter"):
            assert f'value="{value}"' in html


def test_the_page_reads_a_bounded_number_of_queries(world, november, counted, django_assert_max_num_queries):
    add_certification(world, counted)
    client = client_for(world.leader)
    client.get(NOVEMBER)  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get(NOVEMBER).status_code == 200
