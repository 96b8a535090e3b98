from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from motcua.accounts import views
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (shown once); here they are listed and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False
