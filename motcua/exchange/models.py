"""What the exchange keeps: every package sent or received (gói tin liên thông) with its documents, the signed
receipt (biên nhận) that acknowledges it, each status change as an appended event, and every incoming message as
it arrived — refused ones too (forged, tampered, replayed), so an operator can see who tried what.

A package is identified by its `package_id` (a UUID chosen by the sender) on both instances; an instance that
sends to one of its own agencies holds the package twice, once in each direction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Gửi đi")
    INCOMING = "incoming", _("Nhận về")


class PackageKind(models.TextChoices):
    OFFICIAL_LETTER = "cong_van", _("Công văn")
    INTER_AGENCY_STEP = "lien_thong", _("Hồ sơ liên thông")


class PackageStatus(models.TextChoices):
    SENT = "sent", _("Đã gửi")
    DELIVERED = "delivered", _("Đã đến hệ thống nhận")
    RECEIVED = "received", _("Đã nhận (có biên nhận)")
    PROCESSED = "processed", _("Đã xử lý")
    RETURNED = "returned", _("Bị trả lại")


def document_path(instance: PackageDocument, filename: str) -> str:
    # Never the sender's file name: it may be anything, and the storage key must not leak it.
    package = instance.package
    return f"exchange/{package.created_at:%Y/%m}/{package.package_id}/{package.direction}-{instance.position}"


class ExchangePackage(models.Model):
    """Gói tin liên thông: one package as this instance sent or received it, with the signed token (JWS) as it
    went over the wire, so that it can be verified again at any time."""

    package_id = models.UUIDField(_("mã gói tin"))
    direction = models.CharField(_("chiều"), max_length=10, choices=Direction.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="exchange_packages",
        verbose_name=_("cơ quan"), help_text=_("Cơ quan gửi (gói đi) hoặc cơ quan nhận (gói đến) trên hệ thống này."),
    )  # fmt: skip
    sender_identifier = models.CharField(_("mã định danh cơ quan gửi"), max_length=40)
    sender_name = models.CharField(_("cơ quan gửi"), max_length=255)
    sender_instance = models.CharField(_("hệ thống gửi"), max_length=40)
    recipient_identifier = models.CharField(_("mã định danh cơ quan nhận"), max_length=40)
    recipient_name = models.CharField(_("cơ quan nhận"), max_length=255, blank=True)
    recipient_instance = models.CharField(_("hệ thống nhận"), max_length=40)
    kind = models.CharField(_("loại"), max_length=20, choices=PackageKind.choices)
    subject = models.CharField(_("trích yếu"), max_length=1000)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    metadata = models.JSONField(_("thông tin kèm theo"), default=dict, blank=True)
    status = models.CharField(_("tình trạng"), max_length=10, choices=PackageStatus.choices)
    token = models.TextField(_("gói tin đã ký (JWS)"))
    token_sha256 = models.CharField(_("SHA-256 của gói tin"), max_length=64)
    message_id = models.CharField(_("mã thông điệp"), max_length=64)
    signer_kid = models.CharField(_("mã khóa ký"), max_length=64)
    signer_public_pem = models.TextField(_("khóa công khai của hệ thống gửi (PEM)"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người gửi"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("ghi lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"))
    delivered_at = models.DateTimeField(_("đến hệ thống nhận lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    processed_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả lại lúc"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    status_reported_at = models.DateTimeField(
        _("đã báo bên gửi lúc"), null=True, blank=True, help_text=_("Gói đến: khi bên gửi nhận được tình trạng mới.")
    )
    remote_addr = models.GenericIPAddressField(_("địa chỉ gửi"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("gói tin liên thông")
        verbose_name_plural = _("gói tin liên thông")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["package_id", "direction"], name="exchange_package_id_direction_unique"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="exchange_package_direction"),
            models.CheckConstraint(condition=Q(kind__in=PackageKind.values), name="exchange_package_kind"),
            models.CheckConstraint(condition=Q(status__in=PackageStatus.values), name="exchange_package_status"),
            models.CheckConstraint(
                condition=~Q(kind="lien_thong") | ~Q(dossier_code=""), name="exchange_package_lien_thong_has_dossier"
            ),
            # The one who sent it is known for every package that left from here.
            models.CheckConstraint(
                condition=~Q(direction="outgoing") | Q(agency__isnull=False, sent_by__isnull=False),
                name="exchange_package_outgoing_has_sender",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["delivered", "received", "processed"]) | Q(delivered_at__isnull=False),
                name="exchange_package_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["received", "processed"]) | Q(received_at__isnull=False),
                name="exchange_package_received_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="processed") | Q(processed_at__isnull=False),
                name="exchange_package_processed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | (Q(returned_at__isnull=False) & ~Q(return_reason="")),
                name="exchange_package_returned_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "direction", "created_at"], name="exchange_package_agency_idx"),
            models.Index(fields=["dossier_code"], condition=~Q(dossier_code=""), name="exchange_package_dossier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} ({self.direction}, {self.status})"


class PackageDocument(models.Model):
    """Tệp đính kèm của gói tin: one document exactly as it was signed (name, media type, size, SHA-256)."""

    package = models.ForeignKey(ExchangePackage, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên tệp"), max_length=255)
    media_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(_("tệp"), upload_to=document_path, max_length=255)

    class Meta:
        verbose_name = _("tệp của gói tin")
        verbose_name_plural = _("tệp của gói tin")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(fields=["package", "position"], name="exchange_document_position_unique"),
            models.CheckConstraint(condition=Q(size__gt=0), name="exchange_document_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ReceiptOutcome(models.TextChoices):
    RECEIVED = "received", _("Đã nhận")
    RETURNED = "returned", _("Trả lại")


class PackageReceipt(models.Model):
    """Biên nhận: the receiving instance's signed, time-stamped acknowledgement of one package (of the exact token
    it received, named by its SHA-256). The receiver keeps the one it issued, the sender the one it got back."""

    package = models.OneToOneField(ExchangePackage, on_delete=models.CASCADE, related_name="receipt")
    receipt_id = models.CharField(_("mã biên nhận"), max_length=64)
    receiving_instance = models.CharField(_("hệ thống nhận"), max_length=40)
    received_at = models.DateTimeField(_("nhận lúc"))
    package_sha256 = models.CharField(_("SHA-256 của gói tin được xác nhận"), max_length=64)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=ReceiptOutcome.choices)
    reason = models.TextField(_("lý do"), blank=True)
    token = models.TextField(_("biên nhận đã ký (JWS)"))
    token_sha256 = models.CharField(_("SHA-256 của biên nhận"), max_length=64)
    signer_kid = models.CharField(_("mã khóa ký"), max_length=64)
    signer_public_pem = models.TextField(_("khóa công khai của hệ thống nhận (PEM)"))
    stored_at = models.DateTimeField(_("lưu lúc"))

    class Meta:
        verbose_name = _("biên nhận gói tin")
        verbose_name_plural = _("biên nhận gói tin")
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=ReceiptOutcome.values), name="exchange_receipt_outcome"),
            models.CheckConstraint(
                condition=~Q(outcome="returned") | ~Q(reason=""), name="exchange_receipt_returned_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} ({self.outcome})"


class EventAction(models.TextChoices):
    SENT = "sent", _("Gửi gói tin")
    DELIVERED = "delivered", _("Gói tin đến hệ thống nhận")
    RECEIVED = "received", _("Nhận gói tin, ký biên nhận")
    PROCESSED = "processed", _("Xử lý xong")
    RETURNED = "returned", _("Trả lại")
    DELIVERY_FAILED = "delivery_failed", _("Gửi không được, sẽ gửi lại")
    RESIGNED = "resigned", _("Ký lại gói tin (quá hạn hiệu lực)")


class PackageEvent(models.Model):
    """Nhật ký gói tin: every status change of a package, appended, never edited (who, when, what)."""

    package = models.ForeignKey(ExchangePackage, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("số thứ tự"))
    at = models.DateTimeField(_("lúc"))
    action = models.CharField(_("việc"), max_length=20, choices=EventAction.choices)
    status = models.CharField(_("tình trạng sau đó"), max_length=10, choices=PackageStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("người thực hiện"),
    )  # fmt: skip
    actor_instance = models.CharField(
        _("hệ thống thực hiện"), max_length=40, help_text=_("Hệ thống đã làm (hoặc đã ký thông điệp về) việc này.")
    )
    note = models.TextField(_("ghi chú"), blank=True)
    token = models.TextField(_("thông điệp đã ký (JWS)"), blank=True)

    class Meta:
        verbose_name = _("sự kiện gói tin")
        verbose_name_plural = _("nhật ký gói tin")
        ordering = ["package", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["package", "seq"], name="exchange_event_package_seq_unique"),
            models.CheckConstraint(condition=Q(action__in=EventAction.values), name="exchange_event_action"),
            models.CheckConstraint(condition=Q(status__in=PackageStatus.values), name="exchange_event_status"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id}#{self.seq} {self.action}"


class MessageKind(models.TextChoices):
    PACKAGE = "package", _("Gói tin")
    STATUS = "status", _("Thông báo tình trạng")


class AttemptOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Đã nhận")
    REFUSED = "refused", _("Từ chối")


class IncomingAttempt(models.Model):
    """Một lần nhận: one signed message that arrived (a package or a status), and what was done with it."""

    kind = models.CharField(_("loại thông điệp"), max_length=10, choices=MessageKind.choices)
    received_at = models.DateTimeField(_("nhận lúc"))
    remote_addr = models.GenericIPAddressField(_("địa chỉ gửi"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=AttemptOutcome.choices)
    reason = models.CharField(_("lý do"), max_length=40, blank=True)
    detail = models.TextField(_("chi tiết"), blank=True)
    claimed_issuer = models.CharField(_("hệ thống tự xưng"), max_length=40, blank=True)
    claimed_package_id = models.CharField(_("mã gói tin tự xưng"), max_length=64, blank=True)
    message_id = models.CharField(_("mã thông điệp"), max_length=64, null=True, blank=True, unique=True)
    token_sha256 = models.CharField(_("SHA-256 của thông điệp"), max_length=64)
    package = models.ForeignKey(
        ExchangePackage, on_delete=models.SET_NULL, null=True, blank=True, related_name="incoming_attempts"
    )

    class Meta:
        verbose_name = _("lần nhận thông điệp liên thông")
        verbose_name_plural = _("các lần nhận thông điệp liên thông")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="exchange_attempt_kind"),
            models.CheckConstraint(condition=Q(outcome__in=AttemptOutcome.values), name="exchange_attempt_outcome"),
            # An accepted message is known by its verified id; a refused one says why.
            models.CheckConstraint(
                condition=Q(outcome="accepted", message_id__isnull=False) | (Q(outcome="refused") & ~Q(reason="")),
                name="exchange_attempt_accepted_is_known",
            ),
        ]
        indexes = [models.Index(fields=["received_at"], name="exchange_attempt_received_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.claimed_package_id or '-'} ({self.outcome})"
