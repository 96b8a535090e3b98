"""Serving a stored document to someone already allowed to see it."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse

from motcua.documents.models import StoredDocument


def document_response(document: StoredDocument) -> FileResponse:
    """The file as a download, with the type it was checked to be (never the uploader's claim)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    """A PDF made for this request (a form, a receipt), shown in the browser, never cached: it is personal."""
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
