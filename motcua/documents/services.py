"""Writes of stored documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import DocumentType
from motcua.documents.content import ALLOWED_LABEL, sniff_content_type
from motcua.documents.models import DocumentSource, StoredDocument

logger = logging.getLogger(__name__)


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


# Files younger than this may belong to a transaction still running: never swept.
SWEEP_GRACE = dt.timedelta(hours=1)
SWEEP_BATCH = 500


def sweep_orphan_files(*, older_than: dt.timedelta = SWEEP_GRACE, now: dt.datetime | None = None) -> list[str]:
    """Delete the files under documents/ that no stored document refers to, and return their names.

    A file is written before its row commits, so a rolled-back transaction (a refused upload batch, a failed
    signature) leaves the file behind. Only files older than `older_than` are considered, so a transaction
    still in flight keeps its file. Goes through the storage API, so it works on any storage backend.
    """
    now = now or timezone.now()
    names = [name for name in _walk(default_storage, "documents") if now - _modified(name) > older_than]
    deleted: list[str] = []
    for start in range(0, len(names), SWEEP_BATCH):
        batch = names[start : start + SWEEP_BATCH]
        known = set(StoredDocument.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name not in known:
                default_storage.delete(name)
                deleted.append(name)
    if deleted:
        logger.info("orphan files swept", extra={"count": len(deleted)})
    return deleted


def _walk(storage, directory: str):
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for child in directories:
        yield from _walk(storage, f"{directory}/{child}")


def _modified(name: str) -> dt.datetime:
    return default_storage.get_modified_time(name)
