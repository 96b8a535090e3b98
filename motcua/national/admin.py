"""The national instance's records, read-only in the admin: every batch received (refused ones too) and each
dossier's status as pushed."""

from django.contrib import admin

from motcua.national.models import NationalDossier, ReceivedBatch
from motcua.sync.admin import ReadOnlyAdmin


@admin.register(ReceivedBatch)
class ReceivedBatchAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "claimed_issuer", "outcome", "reason", "records", "accepted", "duplicates", "gaps")
    list_filter = ("outcome", "reason")
    search_fields = ("claimed_issuer", "message_id", "token_digest")
    ordering = ("-received_at",)


@admin.register(NationalDossier)
class NationalDossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "peer", "agency_code", "procedure_code", "state", "last_seq", "changed_at")
    list_filter = ("state",)
    search_fields = ("code",)
    ordering = ("-changed_at",)
