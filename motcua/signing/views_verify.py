"""Public verification of signed results: by id (the QR code), as JSON, and by uploading the PDF."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.documents.content import sniff_content_type
from motcua.signing import credentials, queries
from motcua.signing.pades import validate_pdf


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # the status may change (revocation): never cache it
    return response


@require_GET
def verify_result(request: HttpRequest, result_id: str) -> HttpResponse:
    result = queries.get_result(result_id)
    if result is None:
        response = render(request, "signing/verify_result.html", {"found": False, "result_id": result_id}, status=404)
        return _no_store(response)
    context = {"found": True, "result": result, "view": queries.public_view(result)}
    return _no_store(render(request, "signing/verify_result.html", context))


@require_GET
def verify_result_json(request: HttpRequest, result_id: str) -> JsonResponse:
    result = queries.get_result(result_id)
    if result is None:
        return _no_store(JsonResponse({"found": False, "id": result_id}, status=404))
    return _no_store(JsonResponse({"found": True, **queries.public_view(result)}))


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp kết quả (PDF)")


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a PDF; its signatures are checked and, when it is one of our results, its status shown."""
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.MOTCUA_MAX_UPLOAD_BYTES
        if upload.size > limit:
            form.add_error("file", f"Tệp lớn hơn giới hạn {filesizeformat(limit)}.")
        else:
            body = upload.read(limit + 1)
            if not body or sniff_content_type(body[:16], body[-1024:]) != "application/pdf":
                form.add_error("file", "Tệp không phải PDF hợp lệ.")
            else:
                check = validate_pdf(body)
                match = queries.find_by_sha256(hashlib.sha256(body).hexdigest())
                context.update(
                    checked=True,
                    check=check,
                    match=match if check.valid else None,
                    view=queries.public_view(match) if match and check.valid else None,
                )
        if form.errors:
            status = 400
    elif request.method == "POST":
        status = 400
    return _no_store(render(request, "signing/verify_upload.html", context, status=status))


class CredentialForm(forms.Form):
    credential = forms.CharField(
        label=_("Chứng nhận điện tử (chuỗi JWT bắt đầu bằng “eyJ”)"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        max_length=credentials.MAX_TOKEN_LENGTH,
    )


@require_http_methods(["GET", "POST"])
def verify_credential(request: HttpRequest) -> HttpResponse:
    """Anyone pastes a result presented as a Verifiable Credential (vc+jwt); its signature, issuer and status are
    checked. Nothing is stored."""
    form = CredentialForm(request.POST or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check = credentials.verify_credential(form.cleaned_data["credential"])
            context.update(checked=True, check=check, view=queries.public_view(check.result) if check.result else None)
        else:
            status = 400
    return _no_store(render(request, "signing/verify_credential.html", context, status=status))
