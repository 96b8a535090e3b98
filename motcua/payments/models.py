"""The payment ledger: bills (what is owed for a dossier), payments (one attempt at a gateway, one
`txn_ref`) and payment events (every attempt, notification, return, query and refund, kept as received);
and the daily reconciliation snapshots, kept as they were computed each morning.

A payment's status only changes on the gateway's server-to-server notification (IPN), never on the
browser's return; every such change happens in the transaction that records the notification.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency, ApplicantCategory, FeeItem, FeeKind, FeeUnit
from motcua.dossiers.models import Dossier


class BillStatus(models.TextChoices):
    OPEN = "open", _("Chưa thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")


class Bill(models.Model):
    """Thông báo phí, lệ phí: what the applicant owes for a dossier, computed from its pinned fees."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="bills", verbose_name=_("hồ sơ"))
    total = models.PositiveBigIntegerField(_("tổng số tiền (đồng)"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=BillStatus.choices, default=BillStatus.OPEN)
    applicant_category = models.CharField(_("đối tượng"), max_length=20, choices=ApplicantCategory.choices)
    copies = models.PositiveIntegerField(_("số bản"), default=1)
    pages = models.PositiveIntegerField(_("số trang mỗi bản"), default=0)
    online = models.BooleanField(_("nộp trực tuyến"), default=True)
    created_at = models.DateTimeField(_("lập lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo phí, lệ phí")
        verbose_name_plural = _("thông báo phí, lệ phí")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status=BillStatus.OPEN), name="bill_one_open_per_dossier"
            ),
            models.CheckConstraint(
                condition=~Q(status=BillStatus.PAID) | Q(paid_at__isnull=False), name="bill_paid_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status=BillStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="bill_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.total} ({self.status})"


class BillLine(models.Model):
    """One line of a bill: a fee item applied to this dossier, with the arithmetic shown."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("tên khoản thu"), max_length=500)
    legal_basis = models.CharField(_("căn cứ"), max_length=500, blank=True)
    unit = models.CharField(_("tính theo"), max_length=10, choices=FeeUnit.choices)
    quantity = models.PositiveIntegerField(_("số lượng tính phí"))
    unit_amount = models.PositiveBigIntegerField(_("đơn giá (đồng)"))
    amount = models.PositiveBigIntegerField(_("thành tiền (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("dòng thông báo phí")
        verbose_name_plural = _("dòng thông báo phí")
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "position"], name="bill_line_position_unique"),
            models.CheckConstraint(
                condition=Q(amount__lte=models.F("quantity") * models.F("unit_amount")),
                name="bill_line_amount_not_above_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class Payment(models.Model):
    """Giao dịch thanh toán: one attempt to pay a bill at one gateway, known everywhere by `txn_ref`."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments", verbose_name=_("thông báo phí"))
    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    gateway_txn_no = models.CharField(_("mã giao dịch tại cổng"), max_length=64, blank=True)
    refunded_amount = models.PositiveBigIntegerField(_("đã hoàn (đồng)"), default=0)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("amount")), name="payment_refund_not_above_amount"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED]) | Q(paid_at__isnull=False),
                name="payment_paid_has_date",
            ),
        ]
        indexes = [models.Index(fields=["bill", "status"], name="payment_bill_status_idx")]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.status})"


class EventKind(models.TextChoices):
    START = "start", _("Tạo yêu cầu thanh toán")
    NOTIFICATION = "notification", _("Thông báo kết quả từ cổng (IPN)")
    RETURN = "return", _("Trình duyệt quay về")
    QUERY = "query", _("Tra cứu trạng thái")
    REFUND = "refund", _("Hoàn tiền")


class PaymentEvent(models.Model):
    """Nhật ký giao dịch: one thing that happened to a txn_ref, kept as received, even when rejected."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("loại"), max_length=20, choices=EventKind.choices)
    raw = models.JSONField(_("dữ liệu nhận/gửi"), default=dict, blank=True)
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=20, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("nhật ký giao dịch")
        verbose_name_plural = _("nhật ký giao dịch")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["gateway", "received_at"], name="payment_event_gateway_idx")]

    def __str__(self) -> str:
        return f"{self.txn_ref} {self.kind} {self.outcome}"


def snapshot_path(snapshot: ReconciliationSnapshot, filename: str) -> str:
    return f"payments/reconciliation/{snapshot.day:%Y/%m}/{filename}"


class ReconciliationSnapshot(models.Model):
    """Bản đối soát lưu trữ: one agency's reconciliation of one day at one gateway, as computed the next morning.

    The figures and the Excel file are kept as they were then (a payment settled later does not change them),
    so an operator sees what officers were told. One per agency, day and gateway: computing it again adds none.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="reconciliation_snapshots", verbose_name=_("cơ quan")
    )
    day = models.DateField(_("ngày"))
    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    paid_count = models.PositiveIntegerField(_("đã thanh toán: số giao dịch"), default=0)
    paid_amount = models.PositiveBigIntegerField(_("đã thanh toán: số tiền (đồng)"), default=0)
    pending_count = models.PositiveIntegerField(_("đang chờ: số giao dịch"), default=0)
    pending_amount = models.PositiveBigIntegerField(_("đang chờ: số tiền (đồng)"), default=0)
    failed_count = models.PositiveIntegerField(_("không thành công: số giao dịch"), default=0)
    failed_amount = models.PositiveBigIntegerField(_("không thành công: số tiền (đồng)"), default=0)
    refunded_count = models.PositiveIntegerField(_("đã hoàn tiền: số giao dịch"), default=0)
    refunded_amount = models.PositiveBigIntegerField(_("đã hoàn tiền: số tiền giao dịch (đồng)"), default=0)
    given_back_amount = models.PositiveBigIntegerField(_("số tiền đã hoàn (đồng)"), default=0)
    collected_count = models.PositiveIntegerField(_("thu trong ngày: số giao dịch"), default=0)
    collected_amount = models.PositiveBigIntegerField(_("thu trong ngày: số tiền (đồng)"), default=0)
    mismatch_count = models.PositiveIntegerField(_("số sai lệch"), default=0)
    workbook = models.FileField(_("tệp Excel"), upload_to=snapshot_path, max_length=300)
    notified_count = models.PositiveIntegerField(_("số người được thông báo"), default=0)
    created_at = models.DateTimeField(_("lập lúc"))

    class Meta:
        verbose_name = _("bản đối soát lưu trữ")
        verbose_name_plural = _("bản đối soát lưu trữ")
        ordering = ["-day", "agency", "gateway"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "gateway"], name="reconciliation_snapshot_unique"),
            models.CheckConstraint(condition=~Q(gateway=""), name="reconciliation_snapshot_has_gateway"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.gateway}"
