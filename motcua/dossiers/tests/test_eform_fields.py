"""The e-form as an HTML form: every field type, the dict the service expects, errors back on the fields."""

from __future__ import annotations

import pytest

from motcua.catalog.tests.factories import CommuneFactory, ProvinceFactory
from motcua.dossiers.eform import clean_form_data
from motcua.dossiers.eform_fields import address_choices, display_rows, eform_class, initial_from_data, rows_needed

pytestmark = pytest.mark.django_db

SCHEMA = {
    "fields": [
        {"key": "name", "label": "Họ và tên", "type": "text", "required": True, "max_length": 50},
        {"key": "note", "label": "Ghi chú", "type": "textarea"},
        {"key": "copies", "label": "Số bản sao", "type": "number", "min_value": 1, "max_value": 10},
        {"key": "birth_date", "label": "Ngày sinh", "type": "date", "required": True},
        {
            "key": "sex", "label": "Giới tính", "type": "choice", "required": True,
            "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
        },
        {
            "key": "ethnicity", "label": "Dân tộc", "type": "choice",
            "choices": [{"value": str(n), "label": f"Dân tộc {n}"} for n in range(1, 7)],
        },
        {
            "key": "purposes", "label": "Mục đích", "type": "choice", "multiple": True,
            "choices": [{"value": "a", "label": "Đi học"}, {"value": "b", "label": "Đi làm"}],
        },
        {"key": "father_id", "label": "Số định danh của cha", "type": "national_id"},
        {"key": "phone", "label": "Điện thoại", "type": "phone"},
        {"key": "email", "label": "Thư điện tử", "type": "email"},
        {"key": "home", "label": "Nơi cư trú", "type": "address", "required": True},
        {
            "key": "members", "label": "Thành viên", "type": "table",
            "columns": [
                {"key": "name", "label": "Họ tên", "type": "text", "required": True},
                {"key": "born", "label": "Ngày sinh", "type": "date"},
            ],
        },
    ]
}  # fmt: skip


@pytest.fixture
def units():
    province = ProvinceFactory()
    return {
        "province": province,
        "hai_chau": CommuneFactory(code="20194", name="Phường Hải Châu", parent=province),
        "son_tra": CommuneFactory(code="20200", name="Phường Sơn Trà", parent=province),
    }


def valid_post(**overrides) -> dict:
    data = {
        "form-name": "Nguyễn Văn An",
        "form-note": "",
        "form-copies": "2",
        "form-birth_date": "2026-11-20",
        "form-sex": "nam",
        "form-ethnicity": "3",
        "form-purposes": ["a", "b"],
        "form-father_id": "048090001234",
        "form-phone": "0905 123 456",
        "form-email": "an@example.vn",
        "form-home.province": "48",
        "form-home.commune": "20194",
        "form-home.street": "12 Bạch Đằng",
        "form-members.0.name": "Nguyễn Văn Bình",
        "form-members.0.born": "1990-01-02",
    }
    data.update(overrides)
    return data


def make(data=None):
    return eform_class(SCHEMA)(data, prefix="form")


def test_every_type_has_its_inputs_named_after_the_schema(units):
    form = make()
    html = str(form)
    assert set(form.fields) >= {
        "name", "note", "copies", "birth_date", "sex", "ethnicity", "purposes", "father_id", "phone", "email",
        "home.province", "home.commune", "home.street", "members.0.name", "members.2.born",
    }  # fmt: skip
    assert 'type="radio" name="form-sex"' in html  # two options: radios
    assert '<select name="form-ethnicity"' in html  # six options: a select
    assert 'type="checkbox" name="form-purposes"' in html
    assert 'type="date" name="form-birth_date"' in html and 'type="tel" name="form-phone"' in html
    assert '<textarea name="form-note"' in html
    assert "Phường Hải Châu" in html and '<optgroup label="Thành phố Đà Nẵng">' in html
    assert "members.3.name" not in form.fields  # three blank rows
    assert [item["kind"] for item in form.layout()][-2:] == ["address", "table"]


def test_valid_input_becomes_the_dict_the_service_expects(units):
    form = make(valid_post())
    assert form.is_valid(), form.errors
    data = form.form_data()
    assert data["home"] == {"province": "48", "commune": "20194", "street": "12 Bạch Đằng"}
    assert data["members"] == [{"name": "Nguyễn Văn Bình", "born": "1990-01-02"}]  # blank rows left out
    assert data["purposes"] == ["a", "b"]
    assert form.cleaned_form_data == clean_form_data(SCHEMA, data)
    assert form.cleaned_form_data["phone"] == "0905123456"
    assert form.cleaned_form_data["home"]["text"] == "12 Bạch Đằng, Phường Hải Châu, Thành phố Đà Nẵng"


def test_errors_land_on_the_right_inputs_including_table_rows_after_a_blank_one(units):
    form = make(
        valid_post(**{
            "form-name": "", "form-birth_date": "31/02/2026", "form-copies": "11", "form-sex": "khac",
            "form-phone": "12345", "form-home.commune": "",
            "form-members.0.name": "", "form-members.0.born": "",
            "form-members.2.name": "", "form-members.2.born": "1990-13-01",
        })
    )  # fmt: skip
    assert not form.is_valid()
    errors = form.errors
    assert errors["name"] == ["Trường này là bắt buộc."]
    assert "Ngày không hợp lệ" in errors["birth_date"][0]
    assert errors["copies"] == ["Không lớn hơn 10."]
    assert "sex" in errors  # not one of the options (Django's own check; not repeated)
    assert len(errors["sex"]) == 1
    assert "10 chữ số" in errors["phone"][0]
    assert errors["home.commune"] == ["Hãy chọn tỉnh và xã, phường."]
    # Row 3 is the first filled row: the rules call it row 0, the page shows the error on row 3.
    assert errors["members.2.name"] == ["Trường này là bắt buộc."]
    assert "Ngày không hợp lệ" in errors["members.2.born"][0]
    assert "members.0.name" not in errors
    assert 'value="31/02/2026"' in str(form["birth_date"])  # what was typed stays


def test_a_commune_of_another_province_is_refused_on_the_commune_select(units):
    other = ProvinceFactory(code="01", name="Thành phố Hà Nội")
    form = make(valid_post(**{"form-home.province": other.code}))
    assert not form.is_valid()
    assert form.errors["home.commune"] == ["Xã, phường không thuộc tỉnh đã chọn."]


def test_a_required_table_without_rows_is_reported_for_the_whole_table(units):
    schema = {"fields": [dict(SCHEMA["fields"][-1], required=True)]}
    form = eform_class(schema)({}, prefix="form")
    assert not form.is_valid()
    assert form.group_errors["members"] == ["Trường này là bắt buộc."]
    assert form.non_field_errors() == ["Thành viên: Trường này là bắt buộc."]
    assert "Thành viên: Trường này là bắt buộc." in str(form.non_field_errors())


def test_service_errors_go_back_onto_the_fields_and_the_rest_is_returned(units):
    form = make(valid_post())
    assert form.is_valid()
    rest = form.add_service_errors({"form.name": "Tên quá ngắn.", "components.3": "Còn thiếu: Tờ khai."})
    assert form.errors["name"] == ["Tên quá ngắn."]
    assert rest == {"components.3": "Còn thiếu: Tờ khai."}


def test_partial_forms_accept_missing_required_fields(units):
    form = eform_class(SCHEMA, partial=True)({"form-copies": "abc"}, prefix="form")
    assert not form.is_valid()
    assert list(form.errors) == ["copies"]


def test_stored_data_fills_the_form_again_and_reads_with_labels(units):
    form = make(valid_post())
    assert form.is_valid()
    stored = form.cleaned_form_data
    initial = initial_from_data(SCHEMA, stored)
    assert initial["home.commune"] == "20194" and initial["members.0.name"] == "Nguyễn Văn Bình"
    again = eform_class(SCHEMA, table_rows=rows_needed(SCHEMA, stored))(initial=initial, prefix="form")
    assert 'value="Nguyễn Văn An"' in str(again["name"])
    rows = {row["label"]: row for row in display_rows(SCHEMA, stored)}
    assert rows["Giới tính"]["value"] == "Nam"
    assert rows["Mục đích"]["value"] == "Đi học, Đi làm"
    assert rows["Ngày sinh"]["value"] == "20/11/2026"
    assert rows["Nơi cư trú"]["value"].startswith("12 Bạch Đằng, Phường Hải Châu")
    assert rows["Thành viên"]["rows"] == [["Nguyễn Văn Bình", "02/01/1990"]]
    assert rows["Ghi chú"]["value"] == ""


def test_address_choices_can_be_limited_to_some_provinces(units):
    ProvinceFactory(code="01", name="Thành phố Hà Nội")
    CommuneFactory(code="00004", name="Phường Ba Đình", parent__code="01", parent__name="Thành phố Hà Nội")
    choices = address_choices(province_codes=["48"])
    assert [code for code, _name in choices.provinces] == ["48", "01"]  # Đà Nẵng before Hà Nội
    assert [province for province, _communes in choices.communes] == ["Thành phố Đà Nẵng"]
    assert len(address_choices().communes) == 2
