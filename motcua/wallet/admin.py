"""Operators see the warehouse and answer data-subject requests; the access log is read-only for everyone."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from motcua.wallet import services
from motcua.wallet.errors import WalletInvalid, WalletNotAllowed
from motcua.wallet.models import (
    AccessRecord,
    Consent,
    ConsentPurpose,
    RightsRequest,
    RightsRequestRule,
    RightsRequestStatus,
    Share,
    WalletDocument,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WalletDocument)
class WalletDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "kind", "document_type", "issuer", "added_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["title", "owner__username", "issued_reference"]
    list_select_related = ["owner", "document_type", "issuer"]


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "owner", "purpose", "created_at", "expires_at", "views", "max_views", "revoked_at"]
    exclude = ["digest"]
    list_select_related = ["owner"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "subject", "accessor_kind", "accessor_name", "what", "purpose"]
    list_filter = ["accessor_kind"]
    search_fields = ["subject__username", "accessor_name", "reference"]
    list_select_related = ["subject"]


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "is_active"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["subject", "purpose", "purpose_version", "given_at", "withdrawn_at"]
    list_select_related = ["subject", "purpose"]


@admin.register(RightsRequestRule)
class RightsRequestRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "response_hours", "legal_basis"]


@admin.register(RightsRequest)
class RightsRequestAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "status", "submitted_at", "due_at", "closed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["subject"]
    readonly_fields = ["subject", "kind", "details", "status", "submitted_at", "due_at", "closed_at", "outcome",
                       "lifted_at"]  # fmt: skip
    fields = [*readonly_fields, "answer"]
    actions = ["mark_done", "mark_refused"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only the draft answer is saved here; the actions below close the request through the service.
        if obj.status == RightsRequestStatus.RECEIVED:
            obj.save(update_fields=["answer"])
            messages.info(request, _("Đã lưu nội dung trả lời. Dùng thao tác “Đã thực hiện” hoặc “Từ chối” để gửi."))

    def _answer(self, request, queryset, status):
        for item in queryset:
            try:
                services.answer_rights_request(request_id=item.pk, status=status, answer=item.answer)
            except (WalletInvalid, WalletNotAllowed) as refused:
                self.message_user(request, f"{item}: {refused.message}", level=messages.ERROR)

    @admin.action(description=_("Đã thực hiện (gửi nội dung trả lời đã nhập)"))
    def mark_done(self, request, queryset):
        self._answer(request, queryset, RightsRequestStatus.DONE)

    @admin.action(description=_("Từ chối (gửi nội dung trả lời đã nhập)"))
    def mark_refused(self, request, queryset):
        self._answer(request, queryset, RightsRequestStatus.REFUSED)
