"""Search ignores diacritics and case, ranks sensibly, and filters by field, level and agency.

Runs on whichever database the suite runs on: FTS5 on SQLite, tsvector on PostgreSQL.
"""

from __future__ import annotations

import pytest

from motcua.catalog.queries import search_procedures
from motcua.catalog.tests.factories import AgencyFactory, publish_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    birth = publish_procedure()
    foreign = publish_procedure(code="1.001695", name="Đăng ký khai sinh có yếu tố nước ngoài")
    late = publish_procedure(code="1.004884", name="Đăng ký lại khai sinh")
    death = publish_procedure(
        code="1.000656",
        name="Đăng ký khai tử",
        result_name="Trích lục khai tử",
        result_document_type=None,
        components=[{"name": "Tờ khai đăng ký khai tử", "originals": 1}, {"name": "Giấy báo tử", "originals": 1}],
    )
    copies = publish_procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        field="chung-thuc",
        field_name="Chứng thực",
        levels=["commune", "province"],
        result_name="Bản sao được chứng thực",
        result_document_type=None,
        components=[{"name": "Bản chính giấy tờ", "originals": 1}],
    )
    land = publish_procedure(
        code="1.003003",
        name="Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
        field="dat-dai",
        field_name="Đất đai",
        levels=["province"],
        competent_agency_kind="provincial_department",
        result_name="Giấy chứng nhận quyền sử dụng đất",
        result_document_type="giay-chung-nhan-qsdd",
        components=[{"name": "Đơn đề nghị cấp lại", "originals": 1}],
    )
    return {"birth": birth, "foreign": foreign, "late": late, "death": death, "copies": copies, "land": land}


def names(queryset) -> list[str]:
    return [version.name for version in queryset]


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "đăng ky KHAI sinh"])
def test_search_ignores_diacritics_and_case_and_ranks_the_exact_name_first(catalogue, query):
    found = names(search_procedures(query=query))
    assert found[0] == "Đăng ký khai sinh"
    assert set(found) == {"Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài", "Đăng ký lại khai sinh"}


def test_d_matches_d_stroke(catalogue):
    assert names(search_procedures(query="đất")) == names(search_procedures(query="dat"))
    assert "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất" in names(search_procedures(query="dat"))


def test_every_word_must_match_and_words_match_by_prefix(catalogue):
    assert names(search_procedures(query="khai tu")) == ["Đăng ký khai tử"]
    assert names(search_procedures(query="chung thuc ban sa")) == ["Chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    assert names(search_procedures(query="khai sinh ket hon")) == []


def test_search_finds_by_national_code_and_by_result(catalogue):
    assert names(search_procedures(query="1.000656")) == ["Đăng ký khai tử"]
    assert names(search_procedures(query="trich luc")) == ["Đăng ký khai tử"]


def test_a_query_of_only_punctuation_finds_nothing_and_does_not_fail(catalogue):
    assert names(search_procedures(query='"*) OR (')) == []
    assert names(search_procedures(query="NEAR(dang ky)")) == []


def test_superseded_versions_are_not_found(catalogue):
    publish_procedure(
        code="1.000656",
        name="Đăng ký khai tử (mẫu mới)",
        result_name="Trích lục khai tử",
        result_document_type=None,
        components=[{"name": "Giấy báo tử", "originals": 1}],
    )
    assert names(search_procedures(query="khai tu")) == ["Đăng ký khai tử (mẫu mới)"]


def test_filters_by_field_level_and_agency(catalogue):
    assert names(search_procedures(field="dat-dai")) == ["Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất"]
    assert set(names(search_procedures(level="province"))) == {
        "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    }
    assert names(search_procedures(level="ministry")) == []
    assert names(search_procedures(level="nonsense")) == []
    agency = AgencyFactory(identifier="H17.05", name="Sở Nông nghiệp và Môi trường")
    catalogue["land"].procedure.agencies.add(agency)
    assert names(search_procedures(agency="H17.05")) == ["Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất"]
    assert names(search_procedures(agency="H17.05", query="khai sinh")) == []
    assert names(search_procedures(field="ho-tich", query="khai sinh", level="commune"))[0] == "Đăng ký khai sinh"


def test_listing_without_a_query_is_ordered_by_field_then_name(catalogue):
    found = names(search_procedures(field="ho-tich"))
    assert found == [
        "Đăng ký khai sinh",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký khai tử",
        "Đăng ký lại khai sinh",
    ]
