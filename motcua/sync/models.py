"""The national-portal connector's records, and the peers this instance trusts.

A `SyncRecord` is one dossier change as the national portal will see it, numbered per dossier (1, 2, 3 ...) in
the order of the dossier's action log; the receiver applies them in that order and exactly once. Every push is a
`SyncAttempt` that names the records it carried, so an operator can tell what was sent when and what came back.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency
from motcua.dossiers.models import Dossier, DossierAction, DossierState


class PeerInstance(models.Model):
    """Hệ thống ngang hàng: another motcua instance (a province's, a ministry's or the national one) whose signed
    messages this instance accepts."""

    code = models.CharField(_("mã hệ thống"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    url = models.URLField(_("địa chỉ"), blank=True, help_text=_("Nơi hệ thống này nhận gói tin liên thông."))
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    registered_at = models.DateTimeField(_("đăng ký lúc"))

    class Meta:
        verbose_name = _("hệ thống ngang hàng")
        verbose_name_plural = _("hệ thống ngang hàng")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class PeerKey(models.Model):
    """Khóa công khai của hệ thống ngang hàng. A peer may hold several keys at once: a new key is added before the
    peer starts signing with it and the old one is retired after, so keys rotate without a refused message."""

    peer = models.ForeignKey(PeerInstance, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(_("mã khóa"), max_length=64, unique=True, help_text=_("Dấu vân tay JWK (RFC 7638)."))
    public_pem = models.TextField(_("khóa công khai (PEM)"))
    added_at = models.DateTimeField(_("thêm lúc"))
    retired_at = models.DateTimeField(_("ngừng dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa của hệ thống ngang hàng")
        verbose_name_plural = _("khóa của hệ thống ngang hàng")

    def __str__(self) -> str:
        return f"{self.peer.code}:{self.kid[:12]}"


class DossierSyncState(models.Model):
    """How far a dossier's changes have been recorded and accepted. Its row is locked while records are added, so
    the numbering follows the action log whatever order the workers run in."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="sync_state")
    last_action_seq = models.PositiveIntegerField(default=0)
    last_seq = models.PositiveIntegerField(default=0)
    accepted_seq = models.PositiveIntegerField(
        default=0, help_text=_("Mọi thay đổi đến số này đã được Cổng quốc gia nhận.")
    )

    class Meta:
        verbose_name = _("tiến độ đồng bộ hồ sơ")
        verbose_name_plural = _("tiến độ đồng bộ hồ sơ")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_seq__lte=models.F("last_seq")), name="sync_state_accepted_le_last"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.accepted_seq}/{self.last_seq}"


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    ACCEPTED = "accepted", _("Cổng quốc gia đã nhận")
    REFUSED = "refused", _("Cổng quốc gia từ chối")


class SyncRecord(models.Model):
    """Một thay đổi của hồ sơ gửi Cổng quốc gia: the national payload as of one action, numbered per dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sync_records")
    seq = models.PositiveIntegerField(_("số thứ tự đồng bộ"))
    action = models.OneToOneField(DossierAction, on_delete=models.CASCADE, related_name="sync_record")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=DossierState.choices)
    changed_at = models.DateTimeField(_("thay đổi lúc"))
    created_at = models.DateTimeField(_("ghi lúc"))
    payload = models.JSONField(_("dữ liệu đồng bộ"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    accepted_at = models.DateTimeField(_("được nhận lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("bản ghi đồng bộ")
        verbose_name_plural = _("bản ghi đồng bộ")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="sync_record_dossier_seq_unique"),
            models.CheckConstraint(
                condition=Q(status="accepted", accepted_at__isnull=False)
                | (~Q(status="accepted") & Q(accepted_at__isnull=True)),
                name="sync_record_accepted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(status="pending"), name="sync_record_pending_idx"),
            models.Index(fields=["agency", "changed_at"], name="sync_record_agency_changed_idx"),
            models.Index(fields=["created_at"], name="sync_record_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} ({self.status})"


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Không gửi được")
    REFUSED = "refused", _("Bị từ chối")


class SyncAttempt(models.Model):
    """Một lần gửi: one signed batch pushed to the national portal, and what came back."""

    batch_id = models.CharField(_("mã lô"), max_length=40, unique=True)
    connector = models.CharField(_("kênh kết nối"), max_length=20)
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=AttemptOutcome.choices)
    http_status = models.PositiveSmallIntegerField(_("mã HTTP"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    accepted = models.PositiveIntegerField(_("được nhận"), default=0)
    duplicates = models.PositiveIntegerField(_("trùng (đã có)"), default=0)
    gaps = models.PositiveIntegerField(_("thiếu thứ tự"), default=0)
    records = models.ManyToManyField(SyncRecord, related_name="sync_attempts", verbose_name=_("bản ghi"))

    class Meta:
        verbose_name = _("lần gửi đồng bộ")
        verbose_name_plural = _("các lần gửi đồng bộ")
        indexes = [models.Index(fields=["started_at"], name="sync_attempt_started_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id} ({self.outcome})"


class SyncChannel(models.Model):
    """The connection to the national portal: one sender at a time (a lease), and a backoff after failures so a
    portal that is down is not hammered."""

    name = models.CharField(max_length=20, unique=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại từ"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("gửi được gần nhất"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("lỗi gần nhất lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("kênh đồng bộ")
        verbose_name_plural = _("kênh đồng bộ")

    def __str__(self) -> str:
        return self.name
