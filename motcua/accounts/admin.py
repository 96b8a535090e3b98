from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.accounts import services, views
from motcua.accounts.models import ApiToken, Membership, User

# The admin site logs in like officers do: a password, then a one-time code (see views.admin_login). Django's
# own admin login takes a password alone. Set here, before the URLconf asks the site for its URLs.
admin.site.login = views.admin_login


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("agency",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "kind", "citizen_id", "tax_code", "is_active")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "citizen_id", "tax_code", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Định danh"), {"fields": ("kind", "full_name", "citizen_id", "tax_code", "phone")}),
    )
    inlines = (MembershipInline,)
    actions = ("reset_authenticator",)

    @admin.action(description=_("Đặt lại ứng dụng xác thực (mất điện thoại)"), permissions=("change",))
    def reset_authenticator(self, request, queryset):
        """A lost phone: the chosen accounts enrol a new authenticator at their next login (check who asks first)."""
        count = 0
        for user in queryset:
            services.reset_totp(user=user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Đã đặt lại ứng dụng xác thực của %(count)d tài khoản; lần đăng nhập sau sẽ đăng ký lại.",
                "Đã đặt lại ứng dụng xác thực của %(count)d tài khoản; lần đăng nhập sau sẽ đăng ký lại.",
                count,
            )
            % {"count": count},
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (shown once); here they are listed and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False
