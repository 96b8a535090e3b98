"""The catalogue's search and filter form (GET)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Level


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    field = forms.CharField(label=_("Lĩnh vực"), required=False, max_length=60)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, choices=[("", _("Tất cả các cấp")), *Level.choices]
    )
    agency = forms.CharField(label=_("Cơ quan"), required=False, max_length=40)

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"] = forms.ChoiceField(
            label=_("Lĩnh vực"), required=False, choices=[("", _("Tất cả lĩnh vực")), *field_choices]
        )
