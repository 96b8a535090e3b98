"""Catalogue pages: list, search, browse, procedure page, agencies; bad input never fails."""

from __future__ import annotations

import pytest

from motcua.catalog.tests.factories import AgencyFactory, publish_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    birth = publish_procedure(
        fees=[
            {
                "kind": "fee",
                "name": "Lệ phí đăng ký khai sinh",
                "amount": 8000,
                "online_amount": 4000,
                "exemptions": ["Người thuộc gia đình có công với cách mạng"],
                "legal_basis": "Thông tư 85/2019/TT-BTC",
            },
        ]
    )
    land = publish_procedure(
        code="1.003003",
        name="Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
        field="dat-dai",
        field_name="Đất đai",
        levels=["province"],
        competent_agency_kind="provincial_department",
        service_level="partial",
        channels=["direct"],
        result_name="Giấy chứng nhận",
        result_document_type=None,
        components=[{"name": "Đơn đề nghị cấp lại", "originals": 1}],
    )
    agency = AgencyFactory(identifier="H17.05", name="Sở Nông nghiệp và Môi trường")
    land.procedure.agencies.add(agency)
    return {"birth": birth, "land": land, "agency": agency}


def test_home_shows_levels_and_fields_with_counts(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Hộ tịch" in html and "Đất đai" in html
    assert 'href="/procedures/?level=commune"' in html


def test_search_page_finds_without_diacritics(client, catalogue):
    response = client.get("/procedures/", {"q": "DANG KY KHAI SINH"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html and "quyền sử dụng đất" not in html
    assert 'value="DANG KY KHAI SINH"' in html  # the form keeps what the user typed


def test_browse_by_field_level_and_agency(client, catalogue):
    assert "Đăng ký khai sinh" not in client.get("/procedures/", {"field": "dat-dai"}).content.decode()
    assert "quyền sử dụng đất" in client.get("/procedures/", {"level": "province"}).content.decode()
    page = client.get("/agencies/H17.05/").content.decode()
    assert "Sở Nông nghiệp và Môi trường" in page and "quyền sử dụng đất" in page
    assert "Sở Nông nghiệp và Môi trường" in client.get("/agencies/").content.decode()
    assert "Hộ tịch" in client.get("/fields/").content.decode()


def test_bad_filters_show_an_error_and_keep_the_query(client, catalogue):
    response = client.get("/procedures/", {"q": "khai sinh", "level": "district", "field": "khong-co", "page": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html or "field-error" in html
    assert 'value="khai sinh"' in html


def test_procedure_page_shows_every_part(client, catalogue):
    response = client.get("/procedures/1.001193/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Đăng ký khai sinh",
        "1.001193",
        "Ủy ban nhân dân cấp xã",
        "1 ngày làm việc",
        "Dịch vụ công toàn trình",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Có thể dùng lại từ kho dữ liệu cá nhân",
        "8.000 đồng",
        "4.000 đồng",
        "Người thuộc gia đình có công với cách mạng",
        "Thông tư 85/2019/TT-BTC",
        "Tiếp nhận hồ sơ",
        "Lãnh đạo phê duyệt, ký",
        "Họ, chữ đệm, tên của trẻ",
        "Luật Hộ tịch số 60/2014/QH13",
        "Trực tuyến",
    ):
        assert text in html, text


def test_unknown_procedure_and_agency_are_404_pages(client, catalogue):
    for url in ("/procedures/9.999999/", "/procedures/<script>/", "/agencies/XYZ/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.content.decode()


def test_list_pages_run_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    for index in range(25):
        publish_procedure(code=f"2.{index:06d}", name=f"Thủ tục thử {index}").procedure.agencies.add(
            catalogue["agency"]
        )
    for url in ("/", "/procedures/", "/procedures/?q=thu+tuc", "/agencies/", "/agencies/H17.05/", "/fields/"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_language_switch_keeps_the_page(client, catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/procedures/1.001193/"})
    assert response.status_code == 302 and response["Location"] == "/procedures/1.001193/"
    html = client.get("/procedures/1.001193/").content.decode()
    assert '<html lang="en">' in html
    assert "Administrative procedures" in html
