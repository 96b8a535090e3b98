"""The personal data warehouse (kho dữ liệu điện tử của cá nhân, tổ chức) and the owner's privacy rights.

Two kinds of document, never confused: *issued* ones (an agency's signed electronic result, verified and
immutable, landing here when the result is issued) and *uploaded* ones (the owner's own copies, unverified).
Shares give a third party a time- and view-limited look at some documents; every read of the owner's data by
someone else is an `AccessRecord`, which nobody can change or delete (database triggers refuse it).
Consents and data-subject requests follow Luật 91/2025/QH15 and NĐ 356/2025/NĐ-CP.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency, DocumentType
from motcua.documents.models import StoredDocument


class WalletDocumentKind(models.TextChoices):
    ISSUED = "issued", _("Do cơ quan nhà nước cấp (đã xác thực)")
    UPLOADED = "uploaded", _("Do chủ sở hữu tải lên (chưa xác thực)")


class WalletDocument(models.Model):
    """Giấy tờ trong kho dữ liệu: one document of an owner, with its type, its data and its file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wallet_documents",
        verbose_name=_("chủ sở hữu"),
    )
    document = models.OneToOneField(
        StoredDocument, on_delete=models.PROTECT, related_name="wallet_entry", verbose_name=_("tệp")
    )
    kind = models.CharField(_("loại"), max_length=10, choices=WalletDocumentKind.choices)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("loại giấy tờ")
    )
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    issuer = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cơ quan cấp")
    )
    issued_reference = models.CharField(
        _("số tham chiếu kết quả"), max_length=64, blank=True, help_text=_("Mã kết quả điện tử do cơ quan cấp.")
    )
    issued_at = models.DateTimeField(_("cấp lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    added_at = models.DateTimeField(_("thêm vào kho lúc"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")
        ordering = ["-added_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=WalletDocumentKind.ISSUED, issuer__isnull=False, issued_at__isnull=False)
                    & ~Q(issued_reference="")
                )
                | Q(
                    kind=WalletDocumentKind.UPLOADED, issuer__isnull=True, issued_reference="", revoked_at__isnull=True
                ),
                name="wallet_document_issued_or_uploaded",
            ),
            models.UniqueConstraint(
                fields=["issued_reference"], condition=~Q(issued_reference=""), name="wallet_document_issued_once"
            ),
        ]
        indexes = [models.Index(fields=["owner", "document_type", "-added_at"], name="wallet_owner_type_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_verified(self) -> bool:
        """Issued by an agency and still in force."""
        return self.kind == WalletDocumentKind.ISSUED and self.revoked_at is None


class Share(models.Model):
    """Chia sẻ giấy tờ: a third party may look at some documents, for a purpose, until an expiry, a few times.

    Only a digest of the share's code is kept; the code itself is shown to the owner once, when it is made.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallet_shares", verbose_name=_("chủ sở hữu")
    )
    documents = models.ManyToManyField(WalletDocument, related_name="shares", verbose_name=_("giấy tờ"))
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("bốn ký tự cuối của mã"), max_length=4)
    recipient = models.CharField(_("bên nhận"), max_length=200)
    purpose = models.CharField(_("mục đích"), max_length=500)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    max_views = models.PositiveSmallIntegerField(_("số lần xem tối đa"))
    views = models.PositiveSmallIntegerField(_("đã xem"), default=0)
    last_viewed_at = models.DateTimeField(_("xem lần cuối lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    # SHA-256 of the owner's Idempotency-Key, when the share was made with one: a retry returns this share.
    key_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("chia sẻ giấy tờ")
        verbose_name_plural = _("chia sẻ giấy tờ")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(max_views__gte=1, max_views__lte=100), name="share_view_limit"),
            models.CheckConstraint(condition=Q(views__lte=models.F("max_views")), name="share_views_within_limit"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="share_expires_later"),
            models.UniqueConstraint(
                fields=["owner", "key_digest"], condition=Q(key_digest__isnull=False), name="share_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} (…{self.hint})"


class AccessorKind(models.TextChoices):
    OFFICER = "officer", _("Cán bộ cơ quan nhà nước")
    SHARE = "share", _("Bên nhận chia sẻ")
    API = "api", _("Hệ thống kết nối qua API")


class AppendOnlyError(Exception):
    """The access log is never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the access log is append-only")

    def delete(self):
        raise AppendOnlyError("the access log is append-only")


class AccessRecord(models.Model):
    """Nhật ký truy cập dữ liệu cá nhân: who read the subject's data, when and why.

    Append-only: the model and its queries refuse changes and deletes, and so does the database (migration 0002).
    """

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ thể dữ liệu")
    )
    at = models.DateTimeField(_("thời điểm"))
    accessor_kind = models.CharField(_("bên truy cập"), max_length=10, choices=AccessorKind.choices)
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accessor_name = models.CharField(_("tên bên truy cập"), max_length=300)
    accessor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    share = models.ForeignKey(Share, on_delete=models.PROTECT, null=True, blank=True, related_name="accesses")
    what = models.CharField(_("dữ liệu được xem"), max_length=300)
    reference = models.CharField(_("mã dữ liệu"), max_length=100)
    purpose = models.CharField(_("mục đích"), max_length=500)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt truy cập dữ liệu")
        verbose_name_plural = _("nhật ký truy cập dữ liệu")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "-at", "-id"], name="access_subject_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.accessor_name}: {self.what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the access log is append-only")


class ConsentPurpose(models.Model):
    """Mục đích xử lý dữ liệu cá nhân that the subject is asked to consent to (data an administrator edits)."""

    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    statement = models.TextField(_("nội dung đồng ý"), help_text=_("Lời văn người dùng đọc và đồng ý."))
    statement_en = models.TextField(_("nội dung đồng ý (tiếng Anh)"), blank=True)
    data_categories = models.CharField(_("loại dữ liệu được xử lý"), max_length=500)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("mục đích xử lý dữ liệu")
        verbose_name_plural = _("mục đích xử lý dữ liệu")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """Sự đồng ý của chủ thể dữ liệu: explicit, for one purpose, with the text agreed to; withdrawable."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents", verbose_name=_("chủ thể dữ liệu")
    )
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="consents")
    purpose_version = models.PositiveSmallIntegerField(_("phiên bản nội dung"))
    statement = models.TextField(_("nội dung đã đồng ý"))
    given_at = models.DateTimeField(_("đồng ý lúc"))
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "purpose"], condition=Q(withdrawn_at__isnull=True), name="consent_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.purpose_id}"


class RightsRequestKind(models.TextChoices):
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
    DELETION = "deletion", _("Xóa dữ liệu")
    RESTRICTION = "restriction", _("Hạn chế xử lý dữ liệu")
    OBJECTION = "objection", _("Phản đối xử lý dữ liệu")


class RightsRequestRule(models.Model):
    """How long the controller has to answer each kind of request (data: set by the law, edited by an operator)."""

    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RightsRequestKind.choices, unique=True)
    response_hours = models.PositiveIntegerField(_("thời hạn trả lời (giờ)"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thời hạn xử lý yêu cầu")
        verbose_name_plural = _("thời hạn xử lý yêu cầu")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.response_hours} h"


class RightsRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    DONE = "done", _("Đã thực hiện")
    REFUSED = "refused", _("Từ chối, có lý do")
    CANCELLED = "cancelled", _("Chủ thể đã hủy")


class RightsRequest(models.Model):
    """Yêu cầu thực hiện quyền của chủ thể dữ liệu, tracked against its deadline."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rights_requests", verbose_name=_("chủ thể")
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RightsRequestKind.choices)
    details = models.TextField(_("nội dung yêu cầu"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=RightsRequestStatus.choices, default=RightsRequestStatus.RECEIVED
    )
    submitted_at = models.DateTimeField(_("gửi lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    answer = models.TextField(_("trả lời"), blank=True)
    lifted_at = models.DateTimeField(
        _("bỏ hạn chế lúc"), null=True, blank=True, help_text=_("Chỉ với yêu cầu hạn chế xử lý đã thực hiện.")
    )
    outcome = models.JSONField(_("kết quả thực hiện"), default=dict, blank=True)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gt=models.F("submitted_at")), name="rights_request_due_later"),
            models.CheckConstraint(
                condition=Q(status=RightsRequestStatus.RECEIVED, closed_at__isnull=True)
                | (~Q(status=RightsRequestStatus.RECEIVED) & Q(closed_at__isnull=False)),
                name="rights_request_closed_has_date",
            ),
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(
                    kind=RightsRequestKind.RESTRICTION, status=RightsRequestStatus.DONE, lifted_at__isnull=True
                ),
                name="rights_one_restriction_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.get_kind_display()} ({self.get_status_display()})"
