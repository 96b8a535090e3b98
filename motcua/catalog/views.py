"""Catalogue pages: search and browse procedures, a procedure's page, fields and agencies."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.catalog import queries
from motcua.catalog.forms import ProcedureFilterForm
from motcua.catalog.models import Agency, AgencyKind, Channel, FormFieldType, Level, ProcedureVersion
from motcua.catalog.schemas import FormSchema


def _page(request: HttpRequest, queryset) -> object:
    return Paginator(queryset, settings.CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))


def procedure_list(request: HttpRequest) -> HttpResponse:
    fields = list(queries.fields_with_counts())
    form = ProcedureFilterForm(request.GET or None, field_choices=[(f.code, f.name) for f in fields])
    filters = form.cleaned_data if form.is_valid() else {}
    agency = None
    if filters.get("agency"):
        agency = Agency.objects.filter(identifier=filters["agency"]).first()
    results = queries.search_procedures(
        query=filters.get("q", ""),
        field=filters.get("field", ""),
        level=filters.get("level", ""),
        agency=filters.get("agency", ""),
    )
    page = _page(request, results)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "catalog/procedure_list.html",
        {
            "nav": "procedures",
            "form": form,
            "page": page,
            "query": filters.get("q", ""),
            "agency": agency,
            "query_string": query_string.urlencode(),
            "filtered": any(filters.values()),
        },
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = queries.get_current_version(code)
    except ProcedureVersion.DoesNotExist:
        raise Http404(code) from None
    form = FormSchema.model_validate(version.form_schema or {})
    form_fields = [
        {
            "label": field.label,
            "required": field.required,
            "type_label": FormFieldType(field.type).label,
            "columns": [{"label": c.label, "type_label": FormFieldType(c.type).label} for c in field.columns],
        }
        for field in form.fields
    ]
    context = {
        "nav": "procedures",
        "version": version,
        "levels": [Level(level).label for level in version.levels],
        "channels": [Channel(channel).label for channel in version.channels],
        "form_fields": form_fields,
        "expected": queries.expected_appointment(version, received_at=timezone.now()),
    }
    return render(request, "catalog/procedure_detail.html", context)


def field_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/field_list.html", {"nav": "fields", "fields": queries.fields_with_counts()})


def agency_list(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list[Agency]] = {}
    for agency in queries.agencies_with_counts():
        groups.setdefault(agency.kind, []).append(agency)
    ordered = [(label, groups[kind]) for kind, label in AgencyKind.choices if kind in groups]
    return render(request, "catalog/agency_list.html", {"nav": "agencies", "groups": ordered})


def agency_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        agency = queries.find_agency(identifier)
    except Agency.DoesNotExist:
        raise Http404(identifier) from None
    page = _page(request, queries.search_procedures(agency=agency.identifier))
    return render(request, "catalog/agency_detail.html", {"nav": "agencies", "agency": agency, "page": page})
