"""The ledger in the admin: to read, never to edit (bills, payments and events change only through services)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.payments.models import Bill, BillLine, Payment, PaymentEvent, ReconciliationSnapshot


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


@admin.register(ReconciliationSnapshot)
class ReconciliationSnapshotAdmin(ReadOnlyAdmin):
    """The history of the daily reconciliations, as computed each morning (the file is downloadable here)."""

    list_display = (
        "day", "agency", "gateway", "paid_count", "paid_amount", "collected_amount", "mismatch_count",
        "notified_count", "download", "created_at",
    )  # fmt: skip
    exclude = ("workbook",)  # stored files are private: downloaded through the permission-checked view
    readonly_fields = ("download",)
    list_filter = ("gateway", "day")
    search_fields = ("agency__identifier", "agency__name")
    date_hierarchy = "day"
    list_select_related = ("agency",)

    @admin.display(description=_("tệp Excel"))
    def download(self, snapshot: ReconciliationSnapshot) -> str:
        url = reverse("payments:reconciliation_snapshot", args=[snapshot.agency.identifier, snapshot.pk])
        return format_html('<a href="{}">{}</a>', url, _("Tải tệp"))
