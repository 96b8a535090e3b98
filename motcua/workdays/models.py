"""Ngày làm việc: administrators' calendar overrides and the working hours of the one-stop desks.

Public holidays and the government's announced swaps come from the `holidays` package; these tables hold
only what an administrator adds on top (an extra day off, a make-up working Saturday) and the hours.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.workdays.calendar import DEFAULT_AFTERNOON, DEFAULT_CUTOFF, DEFAULT_MORNING, OverrideKind, Period


class CalendarOverride(models.Model):
    """Ngày nghỉ thêm hoặc ngày làm việc bù do quản trị viên khai báo; takes precedence over the public calendar."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=OverrideKind.choices)
    reason = models.CharField(
        _("lý do"), max_length=500, help_text=_("Ví dụ: số hiệu văn bản thông báo nghỉ bù, làm bù.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ, làm bù")
        verbose_name_plural = _("ngày nghỉ, làm bù")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OverrideKind.values), name="override_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"


class WorkingHours(models.Model):
    """Giờ làm việc: one row of settings; without it the defaults of motcua.workdays.calendar apply."""

    SINGLETON_ID = 1

    # A fixed primary key makes "one row only" a database constraint, not a convention.
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    morning_start = models.TimeField(_("buổi sáng từ"), default=DEFAULT_MORNING[0])
    morning_end = models.TimeField(_("buổi sáng đến"), default=DEFAULT_MORNING[1])
    afternoon_start = models.TimeField(_("buổi chiều từ"), default=DEFAULT_AFTERNOON[0])
    afternoon_end = models.TimeField(_("buổi chiều đến"), default=DEFAULT_AFTERNOON[1])
    cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"),
        default=DEFAULT_CUTOFF,
        help_text=_("Với thủ tục có quy định, hồ sơ nhận từ giờ này được tính từ ngày làm việc tiếp theo."),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="working_hours_single_row"),
            models.CheckConstraint(
                condition=Q(morning_start__lt=F("morning_end"))
                & Q(morning_end__lte=F("afternoon_start"))
                & Q(afternoon_start__lt=F("afternoon_end")),
                name="working_hours_periods_ordered",
            ),
            models.CheckConstraint(
                condition=Q(cutoff__gt=F("morning_start")) & Q(cutoff__lte=F("afternoon_end")),
                name="working_hours_cutoff_inside_day",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Giờ làm việc"))

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _("Buổi sáng phải kết thúc trước buổi chiều, và mỗi buổi phải kết thúc sau khi bắt đầu.")
            )
        if not (self.morning_start < self.cutoff <= self.afternoon_end):
            raise ValidationError({"cutoff": _("Giờ chốt tiếp nhận phải nằm trong ngày làm việc.")})

    @property
    def periods(self) -> tuple[Period, Period]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))
