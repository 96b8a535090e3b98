from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.workdays.models import CalendarOverride, WorkingHours

WEEKDAYS = (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật"))


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "reason", "updated_at")
    list_filter = ("kind",)
    search_fields = ("reason",)
    date_hierarchy = "date"

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS[obj.date.weekday()])


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("__str__", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "cutoff")

    def has_add_permission(self, request) -> bool:
        # One row only; deleting it brings back the defaults.
        return super().has_add_permission(request) and not WorkingHours.objects.exists()
