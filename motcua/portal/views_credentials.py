"""Chứng nhận điện tử: the owner downloads an issued result of their warehouse as a W3C Verifiable Credential."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from motcua.portal.access import applicant_required
from motcua.signing import credentials
from motcua.signing import queries as signing_queries
from motcua.wallet import queries as wallet_queries
from motcua.wallet.errors import NotFound


@applicant_required
@require_GET
def credential_download(request: HttpRequest, pk) -> HttpResponse:
    try:
        document = wallet_queries.wallet_document(request.user, pk)
    except NotFound:
        raise Http404("not the owner's document") from None
    result = signing_queries.get_result(document.issued_reference) if document.issued_reference else None
    if result is None:
        raise Http404("only an issued result is a credential")
    token = credentials.issue_credential(result)
    response = HttpResponse(token, content_type=credentials.MEDIA_TYPE)
    code = result.data.get("dossier_code", "ket-qua")
    response["Content-Disposition"] = f'attachment; filename="{code}-ket-qua.vc.jwt"'
    response["Cache-Control"] = "no-store"
    return response
