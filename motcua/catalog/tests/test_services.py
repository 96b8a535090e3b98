"""Catalogue writes: versioning, immutability, whole-or-nothing import, units and agencies."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.catalog.models import (
    AdministrativeUnit,
    Agency,
    FeeItem,
    Field,
    Procedure,
    ProcedureVersion,
    UnitLevel,
    VersionStatus,
)
from motcua.catalog.queries import export_catalog
from motcua.catalog.services import (
    CatalogImportRejected,
    import_agencies,
    import_catalog,
    load_administrative_units,
    publish_draft,
    save_draft,
    succeed_unit,
)
from motcua.catalog.tests.factories import (
    BIRTH_REGISTRATION,
    CommuneFactory,
    ProvinceFactory,
    procedure_doc,
    publish_procedure,
)

pytestmark = pytest.mark.django_db


def catalog_file(*procedures: dict) -> dict:
    return {
        "format": "motcua.catalog",
        "format_version": 1,
        "fields": [{"code": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"}],
        "document_types": [
            {"code": "giay-khai-sinh", "name": "Giấy khai sinh"},
            {"code": "giay-chung-sinh", "name": "Giấy chứng sinh"},
        ],
        "procedures": list(procedures) or [copy.deepcopy(BIRTH_REGISTRATION)],
    }


def test_publishing_makes_the_draft_current_and_supersedes_the_old_version():
    first = publish_procedure()
    save_draft(doc=procedure_doc(name="Đăng ký khai sinh (sửa đổi)"))
    second = publish_draft(procedure_code="1.001193")

    first.refresh_from_db()
    assert (first.status, first.is_current) == (VersionStatus.SUPERSEDED, False)
    assert (second.number, second.status, second.is_current) == (2, VersionStatus.PUBLISHED, True)
    assert (
        ProcedureVersion.objects.get(procedure__code="1.001193", is_current=True).name == "Đăng ký khai sinh (sửa đổi)"
    )


def test_a_published_version_cannot_be_edited():
    version = publish_procedure()
    version.name = "Tên khác"
    with pytest.raises(ValidationError):
        version.save()
    fee = FeeItem.objects.get(version=version)
    fee.amount = 50_000
    with pytest.raises(ValidationError):
        fee.save()
    with pytest.raises(ValidationError):
        fee.delete()
    assert ProcedureVersion.objects.get(pk=version.pk).name == "Đăng ký khai sinh"


def test_saving_a_draft_twice_replaces_it_and_leaves_the_published_version_alone():
    published = publish_procedure()
    save_draft(doc=procedure_doc(name="Nháp 1"))
    draft = save_draft(doc=procedure_doc(name="Nháp 2"))

    assert draft.number == 2
    assert list(ProcedureVersion.objects.filter(procedure__code="1.001193").values_list("name", "status")) == [
        ("Nháp 2", "draft"),
        ("Đăng ký khai sinh", "published"),
    ]
    published.refresh_from_db()
    assert published.is_current


def test_the_database_allows_one_draft_and_one_current_version_per_procedure():
    version = publish_procedure()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).update(status=VersionStatus.DRAFT, published_at=None)
    duplicate = ProcedureVersion.objects.get(pk=version.pk)
    duplicate.pk, duplicate.number = None, 2
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureVersion.objects.bulk_create([duplicate])  # a second current version


def test_import_creates_everything_and_a_second_import_changes_nothing():
    report = import_catalog(data=catalog_file())
    assert report.versions_published == ["1.001193"]
    assert report.fields_created == 1 and report.document_types_created == 2

    again = import_catalog(data=catalog_file())
    assert again.versions_published == [] and again.unchanged == ["1.001193"]
    assert ProcedureVersion.objects.filter(procedure__code="1.001193").count() == 1


def test_import_of_changed_content_publishes_a_new_version():
    import_catalog(data=catalog_file())
    changed = copy.deepcopy(BIRTH_REGISTRATION) | {"processing_time": "2"}
    changed["steps"][1]["duration"] = "1.5"
    report = import_catalog(data=catalog_file(changed))
    assert report.versions_published == ["1.001193"]
    current = ProcedureVersion.objects.get(procedure__code="1.001193", is_current=True)
    assert current.number == 2 and str(current.processing_time) == "2.00"


def test_export_then_import_round_trips():
    import_catalog(data=catalog_file())
    exported = export_catalog()
    assert exported["procedures"][0]["form"]["fields"][2]["choices"][1] == {"value": "nu", "label": "Nữ"}
    report = import_catalog(data=exported)
    assert report.unchanged == ["1.001193"]


def test_an_invalid_import_is_rejected_whole_with_its_reasons():
    good = copy.deepcopy(BIRTH_REGISTRATION) | {"code": "1.000656", "name": "Đăng ký khai tử"}
    bad_steps = copy.deepcopy(BIRTH_REGISTRATION) | {"code": "1.000894", "processing_time": "3"}
    with pytest.raises(CatalogImportRejected) as rejected:
        import_catalog(data=catalog_file(good, bad_steps))
    assert rejected.value.problems[0].path == "procedures.1"
    assert "step times add up to 1" in rejected.value.problems[0].message
    assert not Procedure.objects.exists() and not Field.objects.exists()


def test_an_import_naming_an_unknown_field_or_agency_is_rejected_and_writes_nothing():
    unknown = copy.deepcopy(BIRTH_REGISTRATION) | {"field": "khong-co", "agencies": ["H99.01"]}
    with pytest.raises(CatalogImportRejected) as rejected:
        import_catalog(data=catalog_file(unknown))
    paths = [problem.path for problem in rejected.value.problems]
    assert paths == ["procedures.0.field", "procedures.0.agencies.0"]
    assert "khong-co" in rejected.value.problems[0].message
    assert not Field.objects.exists() and not Procedure.objects.exists()


def test_an_import_of_a_file_that_is_not_a_catalogue_is_rejected():
    with pytest.raises(CatalogImportRejected) as rejected:
        import_catalog(data={"format": "something-else", "procedures": "no"})
    assert {problem.path for problem in rejected.value.problems} == {"format", "procedures"}


def test_load_units_brings_34_provinces_and_3321_communes_once():
    assert load_administrative_units() == (34, 3321)
    assert load_administrative_units() == (0, 0)
    da_nang = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="48")
    assert da_nang.name == "Thành phố Đà Nẵng"
    assert da_nang.children.filter(valid_to__isnull=True).count() > 50
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).exists()


def test_a_merged_unit_keeps_its_history_and_points_to_its_successor():
    province = ProvinceFactory()
    old_district = AdministrativeUnit.objects.create(
        level=UnitLevel.DISTRICT,
        code="490",
        name="Quận Hải Châu",
        division_type="quận",
        parent=province,
        valid_from=dt.date(1997, 1, 1),
    )
    new_commune = CommuneFactory(name="Phường Hải Châu", parent=province)
    succeed_unit(unit=old_district, successors=[new_commune], effective=dt.date(2025, 7, 1))

    old_district.refresh_from_db()
    assert old_district.valid_to == dt.date(2025, 7, 1) and not old_district.is_current
    assert list(new_commune.predecessors.all()) == [old_district]
    with pytest.raises(ValueError):
        succeed_unit(unit=old_district, successors=[new_commune], effective=dt.date(2026, 1, 1))


def test_import_agencies_links_parents_and_units_and_rejects_unknown_units_whole():
    ProvinceFactory()
    data = {
        "agencies": [
            {"identifier": "H17", "name": "Ủy ban nhân dân thành phố Đà Nẵng", "kind": "provincial_pc", "unit": "48"},
            {
                "identifier": "H17.01",
                "name": "Sở Tư pháp",
                "kind": "provincial_department",
                "unit": "48",
                "parent": "H17",
            },
        ]
    }
    assert import_agencies(data=data) == (2, 0)
    assert Agency.objects.get(identifier="H17.01").parent.identifier == "H17"
    assert import_agencies(data=data) == (0, 2)

    data["agencies"].append({"identifier": "H18", "name": "Không có", "kind": "provincial_pc", "unit": "99"})
    with pytest.raises(CatalogImportRejected) as rejected:
        import_agencies(data=data)
    assert rejected.value.problems[0].path == "agencies.2.unit"
    assert not Agency.objects.filter(identifier="H18").exists()
