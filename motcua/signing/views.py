"""Downloads of the one-stop forms (PDF, signed by the agency). Access goes through the dossier permission layer."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.catalog.models import Agency
from motcua.documents.responses import pdf_response
from motcua.dossiers import policy, queries
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import APPLICANT
from motcua.signing.signed_forms import FormNotAvailable, signed_form, signed_register

# Forms handed to the applicant; the control slip (06) and the register (07) are the agency's records.
APPLICANT_FORMS = ("01", "02", "03", "04", "05")
FORMS = (*APPLICANT_FORMS, "06")


@require_GET
def dossier_form(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Mẫu số 01–06 of a dossier, for its applicant (01–05) and its agency's officers (all)."""
    if number not in FORMS:
        raise Http404(number)
    try:
        dossier = queries.get_visible_dossier(request.user, code)
    except Dossier.DoesNotExist:
        raise Http404(code) from None
    roles = policy.acting_roles(request.user, dossier)
    if roles == {APPLICANT} and number not in APPLICANT_FORMS:
        raise Http404(number)
    try:
        body = signed_form(number, dossier=dossier)
    except FormNotAvailable:
        raise Http404(number) from None  # this dossier has no such form (e.g. never refused)
    return pdf_response(body, f"{dossier.code}-mau-{number}.pdf")


@require_GET
def agency_register(request: HttpRequest, identifier: str) -> HttpResponse:
    """Mẫu số 07, the agency's dossier register for a period (?from=YYYY-MM-DD&to=YYYY-MM-DD), for its officers."""
    agency = Agency.objects.filter(identifier=identifier).first()
    if agency is None or agency.pk not in policy.officer_roles(request.user):
        raise Http404(identifier)
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return HttpResponse(
            "Ngày không hợp lệ; dùng dạng YYYY-MM-DD.", status=400, content_type="text/plain; charset=utf-8"
        )
    if end < start or (end - start).days > 366:
        return HttpResponse(
            "Khoảng thời gian không hợp lệ (tối đa một năm).", status=400, content_type="text/plain; charset=utf-8"
        )
    dossiers = (
        policy.visible_dossiers(request.user)
        .filter(agency=agency, submitted_at__date__gte=start, submitted_at__date__lte=end)
        .order_by("submitted_at", "pk")
    )
    body = signed_register(agency=agency, dossiers=dossiers, period_start=start, period_end=end)
    return pdf_response(body, f"so-theo-doi-{agency.identifier}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
