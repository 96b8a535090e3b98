"""Every write to the catalogue: one function per use case, keyword-only arguments, one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from motcua.catalog.models import (
    AdministrativeUnit,
    Agency,
    ComponentRequirement,
    DocumentType,
    FeeItem,
    Field,
    Procedure,
    ProcedureVersion,
    ProcessingStep,
    UnitLevel,
    VersionStatus,
)
from motcua.catalog.schemas import AgenciesDocument, CatalogDocument, ProcedureDoc
from motcua.core.text import fold

# The two-tier local government took effect on this day (Resolution 202/2025/QH15).
TWO_TIER_REFORM_DATE = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class ImportProblem:
    """One reason an import was rejected, with where in the file it was found."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class CatalogImportRejected(Exception):
    """The whole file was rejected; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass
class ImportReport:
    fields_created: int = 0
    fields_updated: int = 0
    document_types_created: int = 0
    document_types_updated: int = 0
    versions_published: list[str] = field(default_factory=list)
    drafts_saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_catalog_document(data: Any) -> CatalogDocument:
    """Validate raw JSON data as a catalogue file, or raise CatalogImportRejected with every problem."""
    try:
        return CatalogDocument.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            ImportProblem(path=".".join(str(part) for part in error["loc"]), message=error["msg"])
            for error in exc.errors()
        ]
        raise CatalogImportRejected(problems) from exc


def _version_content(version: ProcedureVersion) -> dict[str, Any]:
    """The content of a stored version as plain JSON data; agency assignments are not content."""
    from motcua.catalog.queries import procedure_document

    return procedure_document(version).model_dump(mode="json", exclude={"agencies"})


def _check_references(document: CatalogDocument) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    field_codes = {item.code for item in document.fields} | set(Field.objects.values_list("code", flat=True))
    type_codes = {item.code for item in document.document_types} | set(
        DocumentType.objects.values_list("code", flat=True)
    )
    wanted_agencies = {ident for doc in document.procedures for ident in doc.agencies}
    known_agencies = set(Agency.objects.filter(identifier__in=wanted_agencies).values_list("identifier", flat=True))
    for index, doc in enumerate(document.procedures):
        where = f"procedures.{index}"
        if doc.field not in field_codes:
            problems.append(
                ImportProblem(f"{where}.field", _("Lĩnh vực “%(code)s” không tồn tại.") % {"code": doc.field})
            )
        if doc.result_document_type and doc.result_document_type not in type_codes:
            problems.append(
                ImportProblem(
                    f"{where}.result_document_type",
                    _("Loại giấy tờ “%(code)s” không tồn tại.") % {"code": doc.result_document_type},
                )
            )
        for c_index, component in enumerate(doc.components):
            if component.document_type and component.document_type not in type_codes:
                problems.append(
                    ImportProblem(
                        f"{where}.components.{c_index}.document_type",
                        _("Loại giấy tờ “%(code)s” không tồn tại.") % {"code": component.document_type},
                    )
                )
        for a_index, identifier in enumerate(doc.agencies):
            if identifier not in known_agencies:
                problems.append(
                    ImportProblem(
                        f"{where}.agencies.{a_index}",
                        _("Cơ quan có mã định danh “%(identifier)s” không tồn tại.") % {"identifier": identifier},
                    )
                )
    return problems


def _write_version(*, procedure: Procedure, doc: ProcedureDoc, number: int) -> ProcedureVersion:
    fields = {item.code: item for item in Field.objects.filter(code=doc.field)}
    type_codes = {c.document_type for c in doc.components if c.document_type} | (
        {doc.result_document_type} if doc.result_document_type else set()
    )
    types = {item.code: item for item in DocumentType.objects.filter(code__in=type_codes)}
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        status=VersionStatus.DRAFT,
        name=doc.name,
        field=fields[doc.field],
        levels=[str(level) for level in doc.levels],
        competent_agency_kind=doc.competent_agency_kind,
        competent_agency_name=doc.competent_agency_name,
        for_citizens=doc.for_citizens,
        for_organisations=doc.for_organisations,
        processing_time=doc.processing_time,
        processing_time_unit=doc.processing_time_unit,
        processing_time_note=doc.processing_time_note,
        counts_from_next_day_after_cutoff=doc.counts_from_next_day_after_cutoff,
        service_level=doc.service_level,
        channel_online="online" in doc.channels,
        channel_direct="direct" in doc.channels,
        channel_postal="postal" in doc.channels,
        fileable_anywhere_in_province=doc.fileable_anywhere_in_province,
        fees_due=doc.fees_due,
        result_name=doc.result_name,
        result_document_type=types.get(doc.result_document_type) if doc.result_document_type else None,
        form_schema=doc.form.model_dump(mode="json", exclude_defaults=True),
        steps_description=doc.steps_description,
        requirements=doc.requirements,
        legal_basis=list(doc.legal_basis),
    )
    version.folded_name = fold(doc.name)
    version.folded_text = fold(
        " ".join(
            [doc.code, doc.competent_agency_name, doc.result_name]
            + [component.name for component in doc.components]
            + list(doc.legal_basis)
        )
    )
    version.save()
    ComponentRequirement.objects.bulk_create(
        ComponentRequirement(
            version=version,
            position=position,
            name=component.name,
            originals=component.originals,
            copies=component.copies,
            required=component.required,
            document_type=types.get(component.document_type) if component.document_type else None,
            note=component.note,
        )
        for position, component in enumerate(doc.components, start=1)
    )
    FeeItem.objects.bulk_create(
        FeeItem(
            version=version,
            position=position,
            kind=fee.kind,
            name=fee.name,
            amount=fee.amount,
            unit=fee.unit,
            free_units=fee.free_units,
            max_amount=fee.max_amount,
            applicant_category=fee.applicant_category,
            online_amount=fee.online_amount,
            exemptions=list(fee.exemptions),
            legal_basis=fee.legal_basis,
            note=fee.note,
        )
        for position, fee in enumerate(doc.fees, start=1)
    )
    ProcessingStep.objects.bulk_create(
        ProcessingStep(
            version=version,
            position=position,
            name=step.name,
            role=step.role,
            duration=step.duration,
            performer=step.performer,
            partner_agency=step.partner_agency,
            partner_instance=step.partner_instance,
        )
        for position, step in enumerate(doc.steps, start=1)
    )
    return version


def _publish(version: ProcedureVersion) -> None:
    now = timezone.now()
    ProcedureVersion.objects.filter(procedure=version.procedure, is_current=True).update(
        is_current=False, status=VersionStatus.SUPERSEDED
    )
    ProcedureVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, is_current=True, published_at=now
    )
    version.status, version.is_current, version.published_at = VersionStatus.PUBLISHED, True, now


def save_draft(*, doc: ProcedureDoc) -> ProcedureVersion:
    """Create or replace the procedure's draft with this content (the only version that can change)."""
    with transaction.atomic():
        procedure, _created = Procedure.objects.select_for_update().get_or_create(code=doc.code)
        draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            number = draft.number
            draft.delete()
        else:
            number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = _write_version(procedure=procedure, doc=doc, number=number)
        if doc.agencies:
            # Added, never removed here: an agency may also have been assigned outside the file (e.g. communes).
            procedure.agencies.add(*Agency.objects.filter(identifier__in=doc.agencies))
        return version


def publish_draft(*, procedure_code: str) -> ProcedureVersion:
    """Publish the procedure's draft: it becomes the current version and is frozen from now on."""
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(code=procedure_code)
        draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            raise ProcedureVersion.DoesNotExist(_("Thủ tục %(code)s không có bản nháp.") % {"code": procedure_code})
        _publish(draft)
        return draft


def import_catalog(*, data: Any, publish: bool = True) -> ImportReport:
    """Apply a catalogue file whole or not at all.

    Fields and document types are created or renamed. Each procedure whose content differs from its
    current version becomes a new draft, published at once when `publish` is true; an identical one is
    left alone, so importing the same file twice changes nothing.
    """
    document = parse_catalog_document(data)
    report = ImportReport()
    with transaction.atomic():
        problems = _check_references(document)
        if problems:
            raise CatalogImportRejected(problems)
        for item in document.fields:
            _obj, created = Field.objects.update_or_create(
                code=item.code, defaults={"name": item.name, "name_en": item.name_en}
            )
            report.fields_created += created
            report.fields_updated += not created
        for item in document.document_types:
            _obj, created = DocumentType.objects.update_or_create(
                code=item.code, defaults={"name": item.name, "name_en": item.name_en}
            )
            report.document_types_created += created
            report.document_types_updated += not created
        for doc in document.procedures:
            current = (
                ProcedureVersion.objects.filter(procedure__code=doc.code, is_current=True)
                .select_related("procedure", "field", "result_document_type")
                .first()
            )
            if current is not None and _version_content(current) == doc.model_dump(mode="json", exclude={"agencies"}):
                if doc.agencies:
                    current.procedure.agencies.add(*Agency.objects.filter(identifier__in=doc.agencies))
                report.unchanged.append(doc.code)
                continue
            save_draft(doc=doc)
            if publish:
                publish_draft(procedure_code=doc.code)
                report.versions_published.append(doc.code)
            else:
                report.drafts_saved.append(doc.code)
    return report


def import_agencies(*, data: Any) -> tuple[int, int]:
    """Create or update agencies from an agencies file, whole or not at all. Returns (created, updated).

    A parent may be another agency of the file (listed before it) or one already stored.
    """
    try:
        document = AgenciesDocument.model_validate(data)
    except PydanticValidationError as exc:
        raise CatalogImportRejected(
            [ImportProblem(".".join(str(p) for p in error["loc"]), error["msg"]) for error in exc.errors()]
        ) from exc
    created = updated = 0
    with transaction.atomic():
        unit_codes = {doc.unit for doc in document.agencies if doc.unit}
        units = {
            unit.code: unit for unit in AdministrativeUnit.objects.filter(code__in=unit_codes, valid_to__isnull=True)
        }
        problems = [
            ImportProblem(f"agencies.{index}.unit", _("Không có đơn vị hành chính mã %(code)s.") % {"code": doc.unit})
            for index, doc in enumerate(document.agencies)
            if doc.unit and doc.unit not in units
        ]
        known = {agency.identifier: agency for agency in Agency.objects.all()}
        for index, doc in enumerate(document.agencies):
            if (
                doc.parent
                and doc.parent not in known
                and doc.parent not in {a.identifier for a in document.agencies[:index]}
            ):
                problems.append(
                    ImportProblem(
                        f"agencies.{index}.parent",
                        _("Cơ quan cấp trên %(identifier)s chưa có.") % {"identifier": doc.parent},
                    )
                )
        if problems:
            raise CatalogImportRejected(problems)
        for doc in document.agencies:
            agency = known.get(doc.identifier) or Agency(identifier=doc.identifier)
            created += agency.pk is None
            updated += agency.pk is not None
            agency.name, agency.kind, agency.unit = doc.name, doc.kind, units.get(doc.unit) if doc.unit else None
            agency.parent = known[doc.parent] if doc.parent else None
            agency.address, agency.phone, agency.email = doc.address, doc.phone, doc.email
            agency.full_clean()
            agency.save()
            known[agency.identifier] = agency
    return created, updated


def assign_procedures_to_agencies(*, level: str, agencies: list[Agency]) -> int:
    """Publish every procedure in force at `level` as carried out by each of these agencies.

    Returns the number of new assignments; existing ones are kept, so running it twice adds nothing.
    """
    through = Procedure.agencies.through
    with transaction.atomic():
        procedure_ids = list(
            ProcedureVersion.objects.filter(is_current=True, **{f"at_{level}": True}).values_list(
                "procedure_id", flat=True
            )
        )
        existing = set(
            through.objects.filter(procedure_id__in=procedure_ids, agency__in=agencies).values_list(
                "procedure_id", "agency_id"
            )
        )
        new_rows = [
            through(procedure_id=procedure_id, agency_id=agency.pk)
            for procedure_id in procedure_ids
            for agency in agencies
            if (procedure_id, agency.pk) not in existing
        ]
        through.objects.bulk_create(new_rows, batch_size=1000)
    return len(new_rows)


def load_administrative_units(*, valid_from: dt.date = TWO_TIER_REFORM_DATE) -> tuple[int, int]:
    """Load the current provinces and communes from the `vietnam-provinces` package.

    Returns (provinces, communes) created. Existing current units are updated in place (a rename in
    the package data is a correction, not a new unit), so loading twice changes nothing.
    """
    from vietnam_provinces import Province, Ward

    created_provinces = created_communes = 0
    with transaction.atomic():
        provinces: dict[int, AdministrativeUnit] = {}
        for item in Province.iter_all():
            code = f"{int(item.code):02d}"
            unit = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, code=code, valid_to__isnull=True).first()
            if unit is None:
                unit = AdministrativeUnit(level=UnitLevel.PROVINCE, code=code, valid_from=valid_from)
                created_provinces += 1
            unit.name, unit.division_type, unit.codename = item.name, item.division_type.value, item.codename
            unit.save()
            provinces[int(item.code)] = unit
        existing = {
            unit.code: unit
            for unit in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
        }
        new_units = []
        for item in Ward.iter_all():
            code = f"{int(item.code):05d}"
            parent = provinces[int(item.province_code)]
            unit = existing.get(code)
            if unit is None:
                new_units.append(
                    AdministrativeUnit(
                        level=UnitLevel.COMMUNE,
                        code=code,
                        name=item.name,
                        division_type=item.division_type.value,
                        codename=item.codename,
                        parent=parent,
                        valid_from=valid_from,
                        folded_name=fold(item.name),
                    )
                )
            elif (unit.name, unit.parent_id, unit.division_type) != (item.name, parent.pk, item.division_type.value):
                unit.name, unit.parent, unit.division_type, unit.codename = (
                    item.name,
                    parent,
                    item.division_type.value,
                    item.codename,
                )
                unit.save()
        AdministrativeUnit.objects.bulk_create(new_units, batch_size=500)
        created_communes = len(new_units)
    return created_provinces, created_communes


def succeed_unit(
    *, unit: AdministrativeUnit, successors: list[AdministrativeUnit], effective: dt.date
) -> AdministrativeUnit:
    """Close a unit on `effective` (merged, split or renamed) and link it to the units that took it over."""
    with transaction.atomic():
        unit = AdministrativeUnit.objects.select_for_update().get(pk=unit.pk)
        if unit.valid_to is not None:
            raise ValueError(_("Đơn vị %(name)s đã hết hiệu lực.") % {"name": unit.name})
        if any(successor.pk == unit.pk for successor in successors):
            raise ValueError(_("Một đơn vị không thể kế thừa chính nó."))
        unit.valid_to = effective
        unit.save(update_fields=["valid_to"])
        unit.successors.add(*successors)
        return unit
