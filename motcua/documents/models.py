"""A stored document is one file kept once and referred to by dossiers (and later the wallet)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import DocumentType


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", _("Tải lên")
    DIGITISED = "digitised", _("Số hóa tại bộ phận một cửa")
    ISSUED = "issued", _("Do cơ quan cấp")


def document_path(instance: StoredDocument, filename: str) -> str:
    # Never the user's file name: it may be anything, and the storage key must not leak it.
    return f"documents/{instance.created_at:%Y/%m}/{instance.id}.{instance.extension}"


class StoredDocument(models.Model):
    """Tài liệu: a file whose type was checked by its content, with its digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents", verbose_name=_("chủ sở hữu")
    )
    file = models.FileField(_("tệp"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("định dạng"), max_length=50)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(max_length=64)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại giấy tờ")
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=DocumentSource.choices, default=DocumentSource.UPLOAD)
    created_at = models.DateTimeField(_("tạo lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tạo")
    )

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="document_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_issued(self) -> bool:
        """An agency's signed result (verified), not a copy someone uploaded."""
        return self.source == DocumentSource.ISSUED

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[self.content_type]
