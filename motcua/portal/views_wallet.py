"""Kho dữ liệu điện tử: pages of the owner's warehouse, and the public page a share's recipient opens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.portal.access import applicant_required
from motcua.wallet import queries


@applicant_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/wallet_documents.html", {"documents": list(queries.wallet_documents(request.user))})
