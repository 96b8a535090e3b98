"""Operators read the connector's records in the admin (they change only through the services: the pages'
resend, `manage.py peer`)."""

from django.contrib import admin

from motcua.sync.models import PeerInstance, PeerKey, SyncAttempt, SyncRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # counting a national table on every page costs more than it tells

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PeerKeyInline(admin.TabularInline):
    model = PeerKey
    extra = 0
    can_delete = False
    readonly_fields = ("kid", "public_pem", "added_at", "retired_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PeerInstance)
class PeerInstanceAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "url", "is_active", "registered_at")
    search_fields = ("code", "name")
    inlines = [PeerKeyInline]


@admin.register(SyncRecord)
class SyncRecordAdmin(ReadOnlyAdmin):
    list_display = ("pk", "dossier", "seq", "state", "status", "attempts", "changed_at", "accepted_at")
    list_filter = ("status",)
    search_fields = ("dossier__code",)
    raw_id_fields = ("dossier", "action", "agency")
    ordering = ("-pk",)


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "batch_id", "outcome", "http_status", "accepted", "duplicates", "gaps", "duration_ms")
    list_filter = ("outcome",)
    search_fields = ("batch_id", "error")
    ordering = ("-started_at",)
    exclude = ("records",)
