"""The reconciliation report's filter: a day and, optionally, one gateway."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.payments.queries import known_gateways

EARLIEST_DAY = dt.date(2000, 1, 1)


class ReconciliationForm(forms.Form):
    day = forms.DateField(
        label=_("Ngày đối soát"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Theo giờ Việt Nam, dạng năm-tháng-ngày, ví dụ 2026-11-23."),
        error_messages={
            "invalid": _("Ngày không hợp lệ: hãy nhập theo dạng năm-tháng-ngày, ví dụ 2026-11-23."),
            "required": _("Hãy chọn ngày đối soát."),
        },
    )
    gateway = forms.ChoiceField(
        label=_("Cổng thanh toán"),
        required=False,
        error_messages={"invalid_choice": _("Cổng thanh toán không có trong hệ thống.")},
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            # No day given: today's report (the link from the back office carries no parameters).
            data = {"day": data.get("day") or timezone.localdate().isoformat(), "gateway": data.get("gateway", "")}
        super().__init__(data, **kwargs)
        self.fields["gateway"].choices = [("", _("Tất cả các cổng")), *known_gateways()]

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day < EARLIEST_DAY:
            raise forms.ValidationError(_("Ngày không hợp lệ: hãy chọn một ngày từ năm 2000."))
        if day > timezone.localdate():
            raise forms.ValidationError(_("Ngày đối soát không được sau ngày hôm nay."))
        return day
