"""What the national instance keeps of the instances' pushes: every batch received (refused ones too), each
dossier's latest status, and its changes in order — never the personal files, which stay with the agency."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import DossierState
from motcua.sync.models import PeerInstance


class BatchOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Đã nhận")
    REFUSED = "refused", _("Từ chối")


class ReceivedBatch(models.Model):
    """Một lô nhận được: one push as it arrived, and what was done with it. A refused push (forged, replayed,
    stale, malformed) is kept with the reason, so an operator can see who tried what."""

    peer = models.ForeignKey(PeerInstance, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claimed_issuer = models.CharField(_("hệ thống tự xưng"), max_length=40, blank=True)
    kid = models.CharField(_("mã khóa"), max_length=64, blank=True)
    message_id = models.CharField(_("mã lô"), max_length=64, null=True, blank=True, unique=True)
    received_at = models.DateTimeField(_("nhận lúc"))
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    remote_addr = models.GenericIPAddressField(_("địa chỉ gửi"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=BatchOutcome.choices)
    reason = models.CharField(_("lý do"), max_length=40, blank=True)
    detail = models.TextField(_("chi tiết"), blank=True)
    token_digest = models.CharField(_("SHA-256 của gói"), max_length=64)
    records = models.PositiveIntegerField(_("số thay đổi"), default=0)
    accepted = models.PositiveIntegerField(_("được nhận"), default=0)
    duplicates = models.PositiveIntegerField(_("trùng"), default=0)
    gaps = models.PositiveIntegerField(_("thiếu thứ tự"), default=0)
    refused_records = models.PositiveIntegerField(_("thay đổi bị từ chối"), default=0)

    class Meta:
        verbose_name = _("lô đồng bộ nhận được")
        verbose_name_plural = _("các lô đồng bộ nhận được")
        indexes = [models.Index(fields=["peer", "received_at"], name="national_batch_peer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="accepted", peer__isnull=False, message_id__isnull=False) | Q(outcome="refused"),
                name="national_batch_accepted_is_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimed_issuer}:{self.message_id or '-'} ({self.outcome})"


class NationalDossier(models.Model):
    """Hồ sơ trên Cổng quốc gia: a dossier's latest status as its instance pushed it."""

    peer = models.ForeignKey(PeerInstance, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    agency_code = models.CharField(_("mã cơ quan"), max_length=40)
    agency_name = models.CharField(_("cơ quan"), max_length=255)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=20)
    procedure_name = models.CharField(_("thủ tục"), max_length=500)
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=DossierState.choices)
    channel = models.PositiveSmallIntegerField(_("kênh nộp"))
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    last_seq = models.PositiveIntegerField(_("thay đổi cuối"))
    changed_at = models.DateTimeField(_("thay đổi lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    payload = models.JSONField(_("dữ liệu đồng bộ gần nhất"))

    class Meta:
        verbose_name = _("hồ sơ trên Cổng quốc gia")
        verbose_name_plural = _("hồ sơ trên Cổng quốc gia")
        indexes = [
            models.Index(fields=["peer", "changed_at"], name="national_dossier_peer_idx"),
            models.Index(fields=["agency_code", "received_at"], name="national_dossier_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class NationalChange(models.Model):
    """Một thay đổi đã nhận: seq n of a dossier, kept once, in order."""

    dossier = models.ForeignKey(NationalDossier, on_delete=models.CASCADE, related_name="changes")
    seq = models.PositiveIntegerField(_("thứ tự"))
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=DossierState.choices)
    action = models.CharField(_("hành động"), max_length=30)
    changed_at = models.DateTimeField(_("thay đổi lúc"))
    received_at = models.DateTimeField(_("nhận lúc"))
    batch = models.ForeignKey(ReceivedBatch, on_delete=models.PROTECT, related_name="changes")

    class Meta:
        verbose_name = _("thay đổi đã nhận")
        verbose_name_plural = _("các thay đổi đã nhận")
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="national_change_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq}"
