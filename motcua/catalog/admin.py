from django.contrib import admin

from motcua.catalog.models import (
    AdministrativeUnit,
    Agency,
    ComponentRequirement,
    DocumentType,
    FeeItem,
    Field,
    Procedure,
    ProcedureVersion,
    ProcessingStep,
)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name", "folded_name")
    raw_id_fields = ("parent", "successors")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("identifier", "name", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("identifier", "name", "folded_name")
    raw_id_fields = ("unit", "parent")


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name")


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name")


class ReadOnlyWhenPublished:
    """Inlines of a published version are shown, never edited (the version is frozen)."""

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == "draft"

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ComponentInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = ComponentRequirement
    raw_id_fields = ("document_type",)


class FeeInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = FeeItem


class StepInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = ProcessingStep


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "number", "name", "status", "is_current", "published_at")
    list_filter = ("status", "is_current", "field")
    search_fields = ("procedure__code", "name", "folded_name")
    raw_id_fields = ("procedure", "field", "result_document_type")
    readonly_fields = ("status", "is_current", "published_at")
    inlines = (ComponentInline, FeeInline, StepInline)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != "draft":
            return False
        return super().has_change_permission(request, obj)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "created_at")
    search_fields = ("code",)
    filter_horizontal = ("agencies",)
