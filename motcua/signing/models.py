"""Signed electronic results (kết quả điện tử) of dossiers, and their revocation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency
from motcua.documents.models import StoredDocument
from motcua.dossiers.models import Dossier


class IssuedResult(models.Model):
    """One signed result: the PDF kept as a stored document, and a machine-readable copy of its data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="issued_results")
    document = models.OneToOneField(StoredDocument, on_delete=models.PROTECT, related_name="issued_result")
    data = models.JSONField(_("dữ liệu kết quả"), default=dict)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan ký"))
    issued_at = models.DateTimeField(_("cấp lúc"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ký")
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("lý do thu hồi"), blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces", verbose_name=_("thay bằng")
    )

    class Meta:
        verbose_name = _("kết quả điện tử")
        verbose_name_plural = _("kết quả điện tử")
        indexes = [models.Index(fields=["dossier", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.data.get('result_name', '')} ({self.data.get('dossier_code', '')})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
