"""The ledger in the admin: to read, never to edit (bills, payments and events change only through services)."""

from django.contrib import admin

from motcua.payments.models import Bill, BillLine, Payment, PaymentEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BillLineInline(admin.TabularInline):
    model = BillLine
    extra = 0
    can_delete = False
    fields = ("position", "kind", "name", "quantity", "unit_amount", "amount", "note", "legal_basis")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "total", "status", "created_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("dossier__code",)
    inlines = [BillLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("txn_ref", "gateway", "amount", "status", "created_at", "paid_at", "gateway_txn_no")
    list_filter = ("gateway", "status")
    search_fields = ("txn_ref", "gateway_txn_no", "bill__dossier__code")


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "gateway", "txn_ref", "kind", "signature_valid", "outcome", "detail")
    list_filter = ("gateway", "kind", "outcome", "signature_valid")
    search_fields = ("txn_ref",)
