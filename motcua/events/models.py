"""The transactional outbox (hộp thư đi): a message is written in the transaction of the change it carries, so
it exists exactly when the change does, and a worker delivers it to its handler after commit, retrying with
backoff until the handler succeeds or the message is given up on (dead) for an operator to look at."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xử lý")
    DELIVERED = "delivered", _("Đã xử lý")
    DEAD = "dead", _("Đã bỏ (lỗi)")


class OutboxMessage(models.Model):
    """Một việc cần làm sau khi giao dịch ghi xong: a handler to run with a payload, once."""

    handler = models.CharField(_("bộ xử lý"), max_length=100)
    payload = models.JSONField(_("dữ liệu"), default=dict)
    # Deduplicates: the same (handler, key) is queued once whatever the retries of the caller.
    key = models.CharField(_("khóa chống trùng"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"))
    available_at = models.DateTimeField(_("thử lại từ"))
    # A worker running a handler that reaches outside the database holds the message until then; a worker
    # killed mid-way lets it go when the lease runs out.
    locked_until = models.DateTimeField(_("đang xử lý đến"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("thư đi")
        verbose_name_plural = _("hộp thư đi")
        constraints = [
            models.UniqueConstraint(fields=["handler", "key"], condition=~Q(key=""), name="outbox_handler_key_unique"),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False) | ~Q(status="delivered"),
                name="outbox_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["available_at"], condition=Q(status="pending"), name="outbox_due_idx"),
            models.Index(fields=["status", "handler"], name="outbox_status_handler_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} #{self.pk} ({self.status})"
