"""Bộ chỉ số in the admin: drafts are edited here, published versions only shown; publishing and new versions go
through metrics.schemes (validated, one transaction)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from motcua.metrics import measures, schemes
from motcua.metrics.models import IndexScheme, Indicator, IndicatorGroup, SchemeStatus


def _measure_choices() -> list[tuple[str, str]]:
    choices = [(name, f"{name} — {measures.LABELS[name]}") for name in measures.ALL]
    choices += [(name, f"{name} = {' + '.join(parts)}") for name, parts in measures.DERIVED.items()]
    return choices


class IndicatorForm(forms.ModelForm):
    # A choice of what the engine counts, so an unknown measure cannot even be typed.
    numerator = forms.ChoiceField(label=_("tử số (đại lượng)"), choices=_measure_choices)
    denominator = forms.ChoiceField(label=_("mẫu số (đại lượng)"), choices=_measure_choices)

    class Meta:
        model = Indicator
        fields = ["code", "name", "numerator", "denominator", "target", "max_points", "position", "note"]


class IndexSchemeForm(forms.ModelForm):
    class Meta:
        model = IndexScheme
        fields = ["code", "version", "name", "legal_basis", "valid_from", "rules"]

    def clean_rules(self):
        rules = self.cleaned_data.get("rules") or {}
        if not isinstance(rules, dict):
            raise forms.ValidationError(_("Quy tắc tính phải là một đối tượng JSON."))
        errors = schemes.rule_problems(rules)
        if errors:
            raise forms.ValidationError(list(errors.values()))
        return rules


def _draft(scheme: IndexScheme | None) -> bool:
    return scheme is None or scheme.status == SchemeStatus.DRAFT


class FrozenWhenPublished:
    """Rows of a published version are shown, never added, changed or deleted (the version is frozen)."""

    extra = 0

    def _scheme(self, obj):
        return obj

    def _editable(self, obj) -> bool:
        return obj is None or _draft(self._scheme(obj))

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class GroupInline(FrozenWhenPublished, admin.TabularInline):
    model = IndicatorGroup
    fields = ["position", "code", "name", "max_points"]
    show_change_link = True  # indicators are edited on the group's page (the admin has no nested inlines)


class IndicatorInline(FrozenWhenPublished, admin.TabularInline):
    model = Indicator
    form = IndicatorForm

    def _scheme(self, obj):
        return obj.scheme


@admin.register(IndexScheme)
class IndexSchemeAdmin(admin.ModelAdmin):
    form = IndexSchemeForm
    list_display = ["code", "version", "name", "valid_from", "status", "published_at"]
    list_filter = ["status", "code"]
    search_fields = ["code", "name"]
    readonly_fields = ["status", "published_at", "overview", "pending_problems"]
    inlines = [GroupInline]
    actions = ["publish", "new_version"]

    def get_object(self, request, object_id, from_field=None):
        # The overview and the problem list read every group and indicator: fetch them in two queries.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            prefetch_related_objects([obj], "groups__indicators")
        return obj

    def get_fields(self, request, obj=None):
        fields = ["code", "version", "name", "legal_basis", "valid_from", "rules", "status", "published_at"]
        if obj is not None:
            fields += ["overview"] + (["pending_problems"] if _draft(obj) else [])
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not _draft(obj):
            return self.get_fields(request, obj)
        return [*self.readonly_fields, *(["code", "version"] if obj is not None else [])]

    def has_change_permission(self, request, obj=None):
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _draft(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action asks per object already; this keeps a published version even if that check is bypassed.
        queryset.filter(status=SchemeStatus.DRAFT).delete()

    @admin.display(description=_("các nhóm và chỉ số"))
    def overview(self, obj: IndexScheme):
        rows = []
        for group in obj.groups.all():
            rows.append((group.code, group.name, "", "", group.max_points))
            rows += [
                ("", f"{item.code} — {item.name}", f"{item.numerator} / {item.denominator}", item.target,
                 item.max_points)
                for item in group.indicators.all()
            ]  # fmt: skip
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("nhóm"), _("chỉ số"), _("tử số / mẫu số"), _("mục tiêu"), _("điểm tối đa"), body,
        )  # fmt: skip

    @admin.display(description=_("cần sửa trước khi công bố"))
    def pending_problems(self, obj: IndexScheme):
        problems = list(schemes.problems(obj).values())
        if not problems:
            return _("Không có: có thể công bố.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in problems)))

    @admin.action(description=_("Công bố"))
    def publish(self, request, queryset):
        for scheme in queryset:
            try:
                schemes.publish_scheme(scheme=scheme, now=timezone.now())
            except schemes.SchemeInvalid as refused:
                self.message_user(request, f"{scheme}: {refused.message}", level=messages.ERROR)
            except schemes.SchemeNotAllowed as refused:
                self.message_user(request, f"{scheme}: {refused.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Đã công bố %(scheme)s.") % {"scheme": scheme}, level=messages.SUCCESS)

    @admin.action(description=_("Tạo phiên bản mới"))
    def new_version(self, request, queryset):
        for scheme in queryset:
            draft = schemes.new_version_from(scheme=scheme)
            self.message_user(
                request,
                _("Đã tạo %(draft)s (dự thảo) từ %(scheme)s. Sửa ngày áp dụng trước khi công bố.")
                % {"draft": draft, "scheme": scheme},
                level=messages.SUCCESS,
            )


class OfADraft:
    """Groups and indicators of a published version are read-only; new ones can only join a draft."""

    def _scheme(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        return (obj is None or _draft(self._scheme(obj))) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _draft(self._scheme(obj))) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        queryset.filter(**{self.draft_lookup: SchemeStatus.DRAFT}).delete()


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(OfADraft, admin.ModelAdmin):
    list_display = ["code", "name", "max_points", "scheme"]
    list_filter = ["scheme"]
    list_select_related = ["scheme"]
    inlines = [IndicatorInline]
    draft_lookup = "scheme__status"

    def _scheme(self, obj):
        return obj.scheme

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":
            kwargs["queryset"] = IndexScheme.objects.filter(status=SchemeStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Indicator)
class IndicatorAdmin(OfADraft, admin.ModelAdmin):
    form = IndicatorForm
    list_display = ["code", "name", "numerator", "denominator", "target", "max_points", "group", "scheme"]
    list_filter = ["group__scheme"]
    list_select_related = ["group__scheme"]
    search_fields = ["code", "name"]
    fields = ["group", *IndicatorForm.Meta.fields]
    draft_lookup = "group__scheme__status"

    def _scheme(self, obj):
        return obj.group.scheme

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            kwargs["queryset"] = IndicatorGroup.objects.filter(scheme__status=SchemeStatus.DRAFT).select_related(
                "scheme"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("bộ chỉ số (phiên bản)"), ordering="group__scheme")
    def scheme(self, obj: Indicator) -> str:
        return str(obj.group.scheme)
