"""Writes of stored documents."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import DocumentType
from motcua.documents.content import ALLOWED_LABEL, sniff_content_type
from motcua.documents.models import DocumentSource, StoredDocument


def store_document(
    *,
    owner,
    upload: UploadedFile,
    created_by,
    source: str = DocumentSource.UPLOAD,
    document_type: DocumentType | None = None,
) -> StoredDocument:
    """Check an upload by its content and size, and keep it. Raises ValidationError with a clear message."""
    limit = settings.MOTCUA_MAX_UPLOAD_BYTES
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn %(size)s, vượt giới hạn %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read()
    content_type = sniff_content_type(head, tail)
    if content_type is None:
        raise ValidationError(
            _("Tệp “%(name)s” không phải %(allowed)s hợp lệ.") % {"name": upload.name, "allowed": ALLOWED_LABEL},
            code="type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        document = StoredDocument(
            owner=owner,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            document_type=document_type,
            source=source,
            created_at=timezone.now(),
            created_by=created_by,
        )
        document.file.save("upload", upload, save=False)
        # A failed insert must not leave an orphan file behind. (A rollback of an enclosing transaction
        # can still leave one: files are not transactional; a sweep of unreferenced files handles those.)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
    return document
