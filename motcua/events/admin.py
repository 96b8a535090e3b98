from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.events import services
from motcua.events.models import MessageStatus, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Operators see what waits, what failed and why, and retry what was given up on."""

    list_display = ("pk", "handler", "status", "attempts", "created_at", "available_at", "delivered_at", "error")
    list_filter = ("status", "handler")
    search_fields = ("key", "last_error")
    ordering = ("-pk",)
    actions = ["retry_dead"]
    show_full_result_count = False  # counting a national outbox on every page costs more than it tells

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("lỗi gần nhất"))
    def error(self, message: OutboxMessage) -> str:
        return message.last_error[:120]

    @admin.action(description=_("Thử lại các thư đã bỏ"))
    def retry_dead(self, request, queryset):
        ids = list(queryset.filter(status=MessageStatus.DEAD).values_list("pk", flat=True))
        count = services.retry_dead(message_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d thư sẽ được gửi lại.", "%(count)d thư sẽ được gửi lại.", count) % {"count": count},
            messages.SUCCESS,
        )
