"""Reads of the catalogue shared by the portal pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length

from motcua.catalog.models import (
    AdministrativeUnit,
    Agency,
    ComponentRequirement,
    DocumentType,
    Field,
    Level,
    ProcedureVersion,
)
from motcua.catalog.schemas import CatalogDocument, ProcedureDoc
from motcua.core.text import search_terms
from motcua.workdays.queries import load_calendar

LEVEL_FLAGS = {Level.MINISTRY: "at_ministry", Level.PROVINCE: "at_province", Level.COMMUNE: "at_commune"}


def current_versions() -> QuerySet[ProcedureVersion]:
    """The published version in force of every procedure, with what list pages show."""
    return ProcedureVersion.objects.filter(is_current=True).select_related("procedure", "field")


def with_details(queryset: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
    """Everything a full procedure page or document needs, in a fixed number of queries."""
    return queryset.select_related("procedure", "field", "result_document_type").prefetch_related(
        Prefetch("components", queryset=ComponentRequirement.objects.select_related("document_type")),
        "fees",
        "steps",
        Prefetch("procedure__agencies", queryset=Agency.objects.order_by("identifier")),
    )


def get_current_version(code: str) -> ProcedureVersion:
    """The version in force of the procedure with this national code, or ProcedureVersion.DoesNotExist."""
    return with_details(ProcedureVersion.objects.filter(is_current=True)).get(procedure__code=code)


def _fts5_ranked_ids(terms: list[str]) -> dict[int, float]:
    match = " AND ".join(f'"{term}"*' for term in terms)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(catalog_version_fts, 10.0, 1.0) FROM catalog_version_fts "
            "WHERE catalog_version_fts MATCH %s",
            [match],
        )
        # bm25 is lower for better matches; negate so that higher is better, as on PostgreSQL.
        return {row_id: -score for row_id, score in cursor.fetchall()}


def _apply_search(queryset: QuerySet[ProcedureVersion], query: str) -> QuerySet[ProcedureVersion]:
    terms = search_terms(query)
    if not terms:
        return queryset.none()
    folded_query = " ".join(terms)
    # An exact name beats a name that starts with the query, which beats any other match.
    closeness = Case(
        When(folded_name=folded_query, then=Value(3)),
        When(folded_name__startswith=folded_query + " ", then=Value(2)),
        When(procedure__code=folded_query, then=Value(3)),
        default=Value(0),
        output_field=IntegerField(),
    )
    if connection.vendor == "postgresql":
        vector = SearchVector("folded_name", weight="A", config="simple") + SearchVector(
            "folded_text", weight="C", config="simple"
        )
        search = SearchQuery(" & ".join(f"{term}:*" for term in terms), search_type="raw", config="simple")
        return (
            queryset.annotate(search_vector=vector)
            .filter(search_vector=search)
            .annotate(closeness=closeness, rank=SearchRank(vector, search))
            .order_by("-closeness", "-rank", Length("folded_name"), "procedure__code")
        )
    ranked = _fts5_ranked_ids(terms)
    if not ranked:
        return queryset.none()
    ordered = sorted(ranked, key=lambda row_id: ranked[row_id], reverse=True)
    position = Case(
        *[When(pk=row_id, then=Value(index)) for index, row_id in enumerate(ordered)], output_field=IntegerField()
    )
    return (
        queryset.filter(pk__in=ordered)
        .annotate(closeness=closeness, position=position)
        .order_by("-closeness", "position", "procedure__code")
    )


def search_procedures(
    *, query: str = "", field: str = "", level: str = "", agency: str = ""
) -> QuerySet[ProcedureVersion]:
    """Current procedures filtered by field code, level and agency identifier, ranked by the query.

    The query ignores diacritics and case ("dang ky khai sinh" finds "Đăng ký khai sinh"); each word
    matches the start of a word, and every word must match.
    """
    queryset = current_versions()
    if field:
        queryset = queryset.filter(field__code=field)
    if level:
        flag = LEVEL_FLAGS.get(level)
        queryset = queryset.filter(**{flag: True}) if flag else queryset.none()
    if agency:
        queryset = queryset.filter(procedure__agencies__identifier=agency)
    if query.strip():
        return _apply_search(queryset, query)
    return queryset.order_by("field__folded_name", "folded_name", "procedure__code")


def fields_with_counts() -> QuerySet[Field]:
    """Fields that have at least one procedure in force, with how many."""
    return (
        Field.objects.annotate(procedure_count=Count("versions", filter=Q(versions__is_current=True)))
        .filter(procedure_count__gt=0)
        .order_by("folded_name")
    )


def level_counts() -> dict[str, int]:
    """How many procedures in force each level has."""
    counts = current_versions().aggregate(
        ministry=Count("pk", filter=Q(at_ministry=True)),
        province=Count("pk", filter=Q(at_province=True)),
        commune=Count("pk", filter=Q(at_commune=True)),
    )
    return {level: counts[level] for level in ("ministry", "province", "commune")}


def agencies_with_counts() -> QuerySet[Agency]:
    """Active agencies that carry out at least one procedure in force, with how many."""
    return (
        Agency.objects.filter(is_active=True)
        .annotate(procedure_count=Count("procedures", filter=Q(procedures__versions__is_current=True), distinct=True))
        .filter(procedure_count__gt=0)
        .select_related("unit", "parent")
        .order_by("kind", "folded_name")
    )


def current_units(*, level: str = "", parent_code: str = "") -> QuerySet[AdministrativeUnit]:
    """Units in force, optionally of one level or under one province, each with its parent's code."""
    units = AdministrativeUnit.objects.filter(valid_to__isnull=True).annotate(parent_code=F("parent__code"))
    if level:
        units = units.filter(level=level)
    if parent_code:
        units = units.filter(parent__code=parent_code, parent__valid_to__isnull=True)
    return units.order_by("level", "folded_name")


@dataclass(frozen=True)
class ExpectedAppointment:
    counted_from: dt.date
    appointment_at: dt.datetime


def expected_appointment(version: ProcedureVersion, *, received_at: dt.datetime) -> ExpectedAppointment:
    """When a complete dossier received at `received_at` is due (for "file now, expect the result by ...")."""
    calendar = load_calendar()
    return ExpectedAppointment(
        counted_from=calendar.received_on(
            received_at, counts_from_next_day_after_cutoff=version.counts_from_next_day_after_cutoff
        ),
        appointment_at=calendar.appointment(
            received_at=received_at,
            processing_time=version.processing_time,
            unit=version.processing_time_unit,
            counts_from_next_day_after_cutoff=version.counts_from_next_day_after_cutoff,
        ),
    )


def find_agency(identifier: str) -> Agency:
    return Agency.objects.select_related("unit", "parent").get(identifier=identifier, is_active=True)


def procedure_document(version: ProcedureVersion) -> ProcedureDoc:
    """The ProcedureDoc of a stored version (use with_details() to avoid extra queries)."""
    return ProcedureDoc.model_validate(
        {
            "code": version.procedure.code,
            "name": version.name,
            "field": version.field.code,
            "levels": version.levels,
            "competent_agency_kind": version.competent_agency_kind,
            "competent_agency_name": version.competent_agency_name,
            "for_citizens": version.for_citizens,
            "for_organisations": version.for_organisations,
            "processing_time": version.processing_time,
            "processing_time_unit": version.processing_time_unit,
            "processing_time_note": version.processing_time_note,
            "counts_from_next_day_after_cutoff": version.counts_from_next_day_after_cutoff,
            "service_level": version.service_level,
            "channels": version.channels,
            "fileable_anywhere_in_province": version.fileable_anywhere_in_province,
            "result_name": version.result_name,
            "result_document_type": version.result_document_type.code if version.result_document_type else None,
            "components": [
                {
                    "name": c.name,
                    "originals": c.originals,
                    "copies": c.copies,
                    "required": c.required,
                    "document_type": c.document_type.code if c.document_type else None,
                    "note": c.note,
                }
                for c in version.components.all()
            ],
            "fees": [
                {
                    "kind": f.kind,
                    "name": f.name,
                    "amount": f.amount,
                    "unit": f.unit,
                    "free_units": f.free_units,
                    "max_amount": f.max_amount,
                    "applicant_category": f.applicant_category,
                    "online_amount": f.online_amount,
                    "exemptions": f.exemptions,
                    "legal_basis": f.legal_basis,
                    "note": f.note,
                }
                for f in version.fees.all()
            ],
            "fees_due": version.fees_due,
            "steps": [
                {
                    "name": s.name,
                    "role": s.role,
                    "duration": s.duration,
                    "performer": s.performer,
                    "partner_agency": s.partner_agency,
                    "partner_instance": s.partner_instance,
                }
                for s in version.steps.all()
            ],
            "form": version.form_schema or {},
            "steps_description": version.steps_description,
            "requirements": version.requirements,
            "legal_basis": version.legal_basis,
            "agencies": [agency.identifier for agency in version.procedure.agencies.all()],
        }
    )


def export_catalog(*, codes: list[str] | None = None) -> dict:
    """The catalogue file of every procedure in force (or of the given codes), as JSON data."""
    versions = with_details(current_versions())
    if codes:
        versions = versions.filter(procedure__code__in=codes)
    versions = list(versions.order_by("procedure__code"))
    field_ids = {v.field_id for v in versions}
    type_ids = {v.result_document_type_id for v in versions if v.result_document_type_id} | {
        c.document_type_id for v in versions for c in v.components.all() if c.document_type_id
    }
    document = CatalogDocument(
        fields=[{"code": f.code, "name": f.name, "name_en": f.name_en} for f in Field.objects.filter(pk__in=field_ids)],
        document_types=[
            {"code": t.code, "name": t.name, "name_en": t.name_en} for t in DocumentType.objects.filter(pk__in=type_ids)
        ],
        procedures=[procedure_document(v) for v in versions],
    )
    return document.model_dump(mode="json")
