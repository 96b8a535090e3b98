"""Quyền của chủ thể dữ liệu: consent per purpose, requests with their deadlines, and the full download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.portal.access import applicant_required
from motcua.wallet import queries


@applicant_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context = {"consents": list(queries.consents_of(request.user)), "purposes": list(queries.active_purposes())}
    return render(request, "portal/privacy_overview.html", context)
