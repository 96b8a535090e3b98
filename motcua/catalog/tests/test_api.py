"""GET /api/v1/procedures and /api/v1/procedures/{code}: filters, pagination, errors, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.tests.factories import AgencyFactory, publish_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    publish_procedure()
    publish_procedure(code="1.001695", name="Đăng ký khai sinh có yếu tố nước ngoài")
    land = publish_procedure(
        code="1.003003",
        name="Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
        field="dat-dai",
        field_name="Đất đai",
        levels=["province"],
        competent_agency_kind="provincial_department",
        service_level="partial",
        channels=["direct", "postal"],
        result_name="Giấy chứng nhận",
        result_document_type=None,
        components=[{"name": "Đơn đề nghị cấp lại", "originals": 1}],
    )
    land.procedure.agencies.add(AgencyFactory(identifier="H17.05", name="Sở Nông nghiệp và Môi trường"))


def test_list_searches_without_diacritics(client, catalogue):
    response = client.get("/api/v1/procedures", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1
    first = body["items"][0]
    assert first["code"] == "1.001193" and first["name"] == "Đăng ký khai sinh"
    assert first["field"] == {"code": "ho-tich", "name": "Hộ tịch"}
    assert first["levels"] == ["commune"] and first["processing_time"] == 1.0
    assert first["url"] == "http://testserver/procedures/1.001193/"


def test_list_filters_by_field_level_and_agency(client, catalogue):
    codes = lambda params: [item["code"] for item in client.get("/api/v1/procedures", params).json()["items"]]  # noqa: E731
    assert codes({"field": "dat-dai"}) == ["1.003003"]
    assert codes({"level": "province"}) == ["1.003003"]
    assert codes({"agency": "H17.05"}) == ["1.003003"]
    assert codes({"agency": "H99.99"}) == []
    assert codes({"level": "commune", "q": "nuoc ngoai"}) == ["1.001695"]


def test_list_paginates(client, catalogue):
    body = client.get("/api/v1/procedures", {"page_size": 2, "page": 2}).json()
    assert (body["count"], body["pages"], len(body["items"])) == (3, 2, 1)
    assert client.get("/api/v1/procedures", {"page_size": 2, "page": 9}).json()["items"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"level": "district"}, "level"),
        ({"page_size": 1000}, "page_size"),
        ({"page": 0}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_list_rejects_bad_parameters_in_the_error_format(client, catalogue, params, field):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert [detail["field"] for detail in error["details"]] == [field]


def test_errors_answer_in_english_when_asked(client, catalogue):
    response = client.get("/api/v1/procedures", {"level": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The data sent is not valid."


def test_list_runs_a_fixed_number_of_queries(client, catalogue):
    for index in range(10):
        publish_procedure(code=f"2.{index:06d}", name=f"Thủ tục thử {index}")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/procedures", {"page_size": 3})
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/procedures", {"page_size": 13}).json()["items"]) == 13
    assert len(many) == len(few) <= 3


def test_detail_returns_every_part_of_the_procedure(client, catalogue):
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Đăng ký khai sinh" and body["version"] == 1 and body["field_name"] == "Hộ tịch"
    assert body["processing_time"] == "1" and body["processing_time_unit"] == "working_day"
    assert [c["name"] for c in body["components"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert body["components"][1]["document_type"] == "giay-chung-sinh"
    assert body["fees"][0]["amount"] == 0
    assert [s["duration"] for s in body["steps"]] == ["0.25", "0.5", "0.25"]
    assert body["form"]["fields"][2]["choices"][0] == {"value": "nam", "label": "Nam"}
    assert body["legal_basis"] == ["Luật Hộ tịch số 60/2014/QH13"]
    assert body["channels"] == ["online", "direct"] and body["service_level"] == "full"


def test_detail_runs_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get("/api/v1/procedures/1.001193")


def test_unknown_procedure_is_a_404_in_the_error_format(client, catalogue):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Không có thủ tục mã 9.999999.", "details": []}
    }


def test_draft_versions_are_not_served(client, catalogue):
    from motcua.catalog.services import save_draft
    from motcua.catalog.tests.factories import procedure_doc

    save_draft(doc=procedure_doc(code="1.000894", name="Đăng ký kết hôn"))
    assert client.get("/api/v1/procedures/1.000894").status_code == 404
    assert client.get("/api/v1/procedures", {"q": "ket hon"}).json()["count"] == 0


def test_units_lists_provinces_and_the_communes_of_one(client):
    from motcua.catalog.services import load_administrative_units

    load_administrative_units()
    provinces = client.get("/api/v1/units", {"level": "province"}).json()
    assert len(provinces) == 34
    assert {
        "code": "48",
        "name": "Thành phố Đà Nẵng",
        "division_type": "thành phố trung ương",
        "level": "province",
        "parent": None,
    } in provinces
    communes = client.get("/api/v1/units", {"parent": "48"}).json()
    assert len(communes) > 50 and {unit["parent"] for unit in communes} == {"48"}
    assert client.get("/api/v1/units", {"parent": "99"}).json() == []
    assert client.get("/api/v1/units", {"level": "district"}).json() == []
    assert client.get("/api/v1/units", {"level": "town"}).status_code == 422


@pytest.mark.parametrize(
    "received_at, counted_from, appointment_at",
    [
        # Monday 23/11/2026; Tuesday 24/11 is Vietnam Culture Day: 1 working day → Wednesday 25/11, 17:00.
        ("2026-11-23T09:00:00+07:00", "2026-11-23", "2026-11-25T17:00:00+07:00"),
        # Saturday: received on Monday 30/11 → Tuesday 1/12.
        ("2026-11-28T09:00:00+07:00", "2026-11-30", "2026-12-01T17:00:00+07:00"),
    ],
)
def test_appointment_for_a_filing_moment(client, catalogue, received_at, counted_from, appointment_at):
    response = client.get("/api/v1/procedures/1.001193/appointment", {"received_at": received_at})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counted_from"] == counted_from
    assert dt.datetime.fromisoformat(body["appointment_at"]) == dt.datetime.fromisoformat(appointment_at)


def test_appointment_rejects_bad_moments_clearly(client, catalogue):
    assert client.get("/api/v1/procedures/1.001193/appointment", {"received_at": "hôm nay"}).status_code == 422
    naive = client.get("/api/v1/procedures/1.001193/appointment", {"received_at": "2026-11-23T09:00:00"})
    assert naive.status_code == 422 and naive.json()["error"]["details"][0]["field"] == "received_at"
    far = client.get("/api/v1/procedures/1.001193/appointment", {"received_at": "2099-01-01T09:00:00+07:00"})
    assert far.status_code == 422
    assert (
        client.get("/api/v1/procedures/9.999999/appointment", {"received_at": "2026-11-23T09:00:00+07:00"}).status_code
        == 404
    )
