"""Compliance cost (chi phí tuân thủ) of procedures, as data an administrator edits.

- `CostParameters`: what an hour, a trip, a copy and a postal item cost an applicant, versioned by `valid_from`
  (the row in force on a day applies to that day).
- `ComplianceCostProfile`: what one dossier of a procedure takes on paper and fully online (hours, trips, copies,
  fees, other costs), and what each component reused from the data warehouse spares. A procedure without its own
  profile takes the default profile of its service level (full / partial), so every procedure has an estimate.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ServiceLevel


class CostParameters(models.Model):
    """Đơn giá tính chi phí tuân thủ, one version: applies from `valid_from` until the next version."""

    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    hour_value = models.PositiveIntegerField(_("giá trị một giờ của người nộp (đồng)"))
    trip_cost = models.PositiveIntegerField(
        _("chi phí một lượt đi lại đến cơ quan (đồng)"), help_text=_("Xăng xe, gửi xe; thời gian đi lại tính riêng.")
    )
    page_copy_cost = models.PositiveIntegerField(_("chi phí sao chụp một trang (đồng)"))
    certified_copy_cost = models.PositiveIntegerField(_("chi phí một bản sao có chứng thực (đồng)"))
    postage_cost = models.PositiveIntegerField(_("cước gửi một bưu phẩm (đồng)"))
    source = models.CharField(_("nguồn số liệu"), max_length=500)
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("đơn giá chi phí tuân thủ")
        verbose_name_plural = _("đơn giá chi phí tuân thủ")
        ordering = ["-valid_from"]
        constraints = [models.CheckConstraint(condition=Q(hour_value__gt=0), name="cost_parameters_hour_positive")]

    def __str__(self) -> str:
        return _("Đơn giá từ %(day)s") % {"day": self.valid_from.strftime("%d/%m/%Y")}


def _hours(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=6, decimal_places=2, default=0)


def _fees(label: str) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(
        label, null=True, blank=True, help_text=_("Để trống: theo phí, lệ phí của thủ tục.")
    )


class ComplianceCostProfile(models.Model):
    """What one dossier costs its applicant on paper (at the desk) and fully online, in quantities; priced by
    `CostParameters`. Fees left empty are read from the procedure's own fees (catalog FeeItem)."""

    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, null=True, blank=True, related_name="compliance_cost",
        verbose_name=_("thủ tục"), help_text=_("Để trống: hồ sơ mặc định cho mọi thủ tục chưa có hồ sơ riêng."),
    )  # fmt: skip
    service_level = models.CharField(
        _("mặc định cho mức độ"), max_length=10, choices=ServiceLevel.choices, blank=True,
        help_text=_("Chỉ với hồ sơ mặc định: áp dụng cho thủ tục có mức độ dịch vụ này."),
    )  # fmt: skip

    paper_hours_prepare = _hours(_("nộp giấy: giờ chuẩn bị hồ sơ"))
    paper_hours_travel = _hours(_("nộp giấy: giờ đi lại, chờ đợi"))
    paper_trips = models.PositiveSmallIntegerField(_("nộp giấy: số lượt đến cơ quan"), default=0)
    paper_pages_copied = models.PositiveSmallIntegerField(_("nộp giấy: số trang sao chụp"), default=0)
    paper_certified_copies = models.PositiveSmallIntegerField(_("nộp giấy: số bản sao có chứng thực"), default=0)
    paper_postal_items = models.PositiveSmallIntegerField(_("nộp giấy: số bưu phẩm"), default=0)
    paper_fees = _fees(_("nộp giấy: phí, lệ phí (đồng)"))
    paper_other_costs = models.PositiveBigIntegerField(_("nộp giấy: chi phí khác (đồng)"), default=0)

    online_hours_prepare = _hours(_("trực tuyến: giờ chuẩn bị hồ sơ"))
    online_hours_travel = _hours(_("trực tuyến: giờ đi lại, chờ đợi"))
    online_trips = models.PositiveSmallIntegerField(_("trực tuyến: số lượt đến cơ quan"), default=0)
    online_pages_copied = models.PositiveSmallIntegerField(_("trực tuyến: số trang sao chụp"), default=0)
    online_certified_copies = models.PositiveSmallIntegerField(_("trực tuyến: số bản sao có chứng thực"), default=0)
    online_postal_items = models.PositiveSmallIntegerField(_("trực tuyến: số bưu phẩm"), default=0)
    online_fees = _fees(_("trực tuyến: phí, lệ phí (đồng)"))
    online_other_costs = models.PositiveBigIntegerField(_("trực tuyến: chi phí khác (đồng)"), default=0)

    reused_component_hours = _hours(_("mỗi giấy tờ dùng lại từ kho dữ liệu: số giờ tiết kiệm"))
    reused_component_certified_copies = models.PositiveSmallIntegerField(
        _("mỗi giấy tờ dùng lại từ kho dữ liệu: số bản sao có chứng thực không phải làm"), default=0
    )
    source = models.TextField(_("nguồn, cách ước tính"), blank=True)

    class Meta:
        verbose_name = _("hồ sơ chi phí tuân thủ")
        verbose_name_plural = _("hồ sơ chi phí tuân thủ")
        ordering = ["procedure__code", "service_level"]
        constraints = [
            # Either a procedure's own profile, or the default of one service level: never both, never neither.
            models.CheckConstraint(
                condition=(Q(procedure__isnull=True) & ~Q(service_level=""))
                | (Q(procedure__isnull=False) & Q(service_level="")),
                name="cost_profile_procedure_or_default",
            ),
            models.UniqueConstraint(
                fields=["service_level"], condition=Q(procedure__isnull=True), name="cost_profile_one_default"
            ),
            models.CheckConstraint(
                condition=Q(
                    paper_hours_prepare__gte=0,
                    paper_hours_travel__gte=0,
                    online_hours_prepare__gte=0,
                    online_hours_travel__gte=0,
                    reused_component_hours__gte=0,
                ),
                name="cost_profile_hours_not_negative",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        if self.procedure_id:
            return str(self.procedure)
        return _("Mặc định — %(level)s") % {"level": self.get_service_level_display()}

    @property
    def is_default(self) -> bool:
        return self.procedure_id is None
