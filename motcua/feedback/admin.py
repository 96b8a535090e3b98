"""Administrators edit the deadlines (FeedbackRule); ratings, feedback and its log are read-only records here —
every change to them goes through the services (the portal and the back office)."""

from django.contrib import admin

from motcua.feedback.models import Feedback, FeedbackEvent, FeedbackRule, Rating


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeedbackRule)
class FeedbackRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "days", "unit", "legal_basis"]

    def has_delete_permission(self, request, obj=None):
        return False  # every kind must have its deadline (services refuse to work without one)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "agency", "level", "rated_at", "changed_at", "changeable_until"]
    list_filter = ["level"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier", "agency"]


class FeedbackEventInline(admin.TabularInline):
    model = FeedbackEvent
    fields = ["seq", "kind", "at", "actor", "actor_agency", "from_status", "to_status", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "agency", "status", "due_at", "answered_on_time", "published_on_time"]
    list_filter = ["status", "routed_by"]
    search_fields = ["hint", "agency__name", "agency__identifier"]
    list_select_related = ["agency"]
    exclude = ["digest", "submission_digest"]
    inlines = [FeedbackEventInline]
