from django.contrib import admin

from motcua.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "created_at", "read_at", "email_status")
    list_filter = ("email_status",)
    raw_id_fields = ("user",)
