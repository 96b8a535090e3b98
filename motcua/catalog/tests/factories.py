"""Test data for the catalogue: factories for plain rows, and a published-procedure builder that goes
through the real services (so a test procedure is exactly what an import would make)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import factory

from motcua.catalog.models import AdministrativeUnit, Agency, AgencyKind, DocumentType, Field, UnitLevel
from motcua.catalog.schemas import ProcedureDoc
from motcua.catalog.services import publish_draft, save_draft


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "ho-tich"
    name = "Hộ tịch"
    name_en = "Civil status"


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ("code",)

    code = "giay-khai-sinh"
    name = "Giấy khai sinh"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("level", "code")

    level = UnitLevel.PROVINCE
    code = "48"
    name = "Thành phố Đà Nẵng"
    division_type = "thành phố trung ương"
    valid_from = dt.date(2025, 7, 1)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    level = UnitLevel.COMMUNE
    code = factory.Sequence(lambda n: f"{20000 + n:05d}")
    name = factory.Sequence(lambda n: f"Phường Số {n}")
    division_type = "phường"
    parent = factory.SubFactory(ProvinceFactory)
    valid_from = dt.date(2025, 7, 1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("identifier",)

    identifier = factory.Sequence(lambda n: f"H17.{10 + n:02d}")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = AgencyKind.PROVINCIAL_DEPARTMENT
    unit = factory.SubFactory(ProvinceFactory)


BIRTH_REGISTRATION: dict[str, Any] = {
    "code": "1.001193",
    "name": "Đăng ký khai sinh",
    "field": "ho-tich",
    "levels": ["commune"],
    "competent_agency_kind": "commune_pc",
    "competent_agency_name": "Ủy ban nhân dân cấp xã",
    "processing_time": "1",
    "processing_time_unit": "working_day",
    "service_level": "full",
    "channels": ["online", "direct"],
    "result_name": "Giấy khai sinh",
    "result_document_type": "giay-khai-sinh",
    "components": [
        {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
        {"name": "Giấy chứng sinh", "originals": 1, "document_type": "giay-chung-sinh"},
    ],
    "fees": [
        {"kind": "fee", "name": "Lệ phí đăng ký khai sinh đúng hạn", "amount": 0, "exemptions": ["Mọi trường hợp"]},
    ],
    "steps": [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "duration": "0.25"},
        {"name": "Thẩm định", "role": "specialist", "duration": "0.5"},
        {"name": "Ký giấy khai sinh", "role": "leader", "duration": "0.25"},
    ],
    "form": {
        "fields": [
            {"key": "child_name", "label": "Họ, chữ đệm, tên của trẻ", "type": "text", "required": True},
            {"key": "birth_date", "label": "Ngày sinh", "type": "date", "required": True},
            {
                "key": "sex",
                "label": "Giới tính",
                "type": "choice",
                "required": True,
                "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
            },
        ]
    },
    "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
}


def procedure_doc(**overrides: Any) -> ProcedureDoc:
    """A valid ProcedureDoc, birth registration unless overridden."""
    data = copy.deepcopy(BIRTH_REGISTRATION)
    data.update(overrides)
    return ProcedureDoc.model_validate(data)


def publish_procedure(**overrides: Any):
    """Save and publish a procedure through the services; creates the field and document types it names."""
    field_name = overrides.pop("field_name", "Hộ tịch")
    doc = procedure_doc(**overrides)
    FieldFactory(code=doc.field, name=field_name)
    for code in {c.document_type for c in doc.components if c.document_type} | (
        {doc.result_document_type} if doc.result_document_type else set()
    ):
        DocumentTypeFactory(code=code, name=code.replace("-", " ").capitalize())
    save_draft(doc=doc)
    return publish_draft(procedure_code=doc.code)
