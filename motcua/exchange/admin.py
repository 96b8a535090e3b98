"""Operators read the exchange: packages with their documents, receipt and log, and every incoming message (refused
ones with the reason). Nothing is edited here: every write goes through the services, and the record is evidence."""

from django.contrib import admin

from motcua.exchange.models import ExchangePackage, IncomingAttempt, PackageDocument, PackageEvent, PackageReceipt


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentInline(_ReadOnly, admin.TabularInline):
    model = PackageDocument
    fields = ("position", "name", "media_type", "size", "sha256")
    readonly_fields = fields
    extra = 0


class ReceiptInline(_ReadOnly, admin.StackedInline):
    model = PackageReceipt
    fields = ("receipt_id", "receiving_instance", "received_at", "outcome", "reason", "package_sha256", "signer_kid")
    readonly_fields = fields
    extra = 0


class EventInline(_ReadOnly, admin.TabularInline):
    model = PackageEvent
    fields = ("seq", "at", "action", "status", "actor", "actor_instance", "note")
    readonly_fields = fields
    extra = 0


@admin.register(ExchangePackage)
class ExchangePackageAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("package_id", "direction", "kind", "status", "sender_identifier", "recipient_identifier",
                    "recipient_instance", "created_at", "attempts")  # fmt: skip
    list_filter = ("direction", "status", "kind", "recipient_instance", "sender_instance")
    search_fields = ("package_id", "subject", "dossier_code", "sender_identifier", "recipient_identifier")
    exclude = ("token", "signer_public_pem", "metadata")
    inlines = [DocumentInline, ReceiptInline, EventInline]
    show_full_result_count = False


@admin.register(IncomingAttempt)
class IncomingAttemptAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("received_at", "kind", "outcome", "reason", "claimed_issuer", "claimed_package_id", "remote_addr")
    list_filter = ("outcome", "kind", "reason")
    search_fields = ("claimed_package_id", "claimed_issuer", "message_id", "token_sha256")
    show_full_result_count = False
