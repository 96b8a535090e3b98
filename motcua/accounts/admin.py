from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Membership, User


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
