"""Administrators edit the unit costs (a change of prices is a new version from a day) and the profiles of
compliance cost: the defaults of each service level, and procedures' own."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.regulations.models import ComplianceCostProfile, CostParameters


@admin.register(CostParameters)
class CostParametersAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "hour_value", "trip_cost", "page_copy_cost", "certified_copy_cost", "postage_cost"]
    date_hierarchy = "valid_from"


def _channel_fields(channel: str) -> list[str]:
    names = ["hours_prepare", "hours_travel", "trips", "pages_copied", "certified_copies", "postal_items", "fees"]
    return [f"{channel}_{name}" for name in [*names, "other_costs"]]


@admin.register(ComplianceCostProfile)
class ComplianceCostProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "service_level", "paper_trips", "online_trips", "paper_hours_travel"]
    list_filter = ["service_level"]
    search_fields = ["procedure__code"]
    list_select_related = ["procedure"]
    autocomplete_fields = ["procedure"]
    fieldsets = [
        (None, {"fields": ["procedure", "service_level", "source"]}),
        (_("Nộp hồ sơ giấy"), {"fields": _channel_fields("paper")}),
        (_("Nộp hồ sơ trực tuyến"), {"fields": _channel_fields("online")}),
        (
            _("Giấy tờ dùng lại từ kho dữ liệu"),
            {"fields": ["reused_component_hours", "reused_component_certified_copies"]},
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # The defaults give every procedure an estimate: they are edited, never removed.
        return obj is None or not obj.is_default
