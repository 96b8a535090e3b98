"""Statistical reports in the back office: Biểu II.06a/VPCP/KSTT of an agency (and everything under it), per field.

An officer chooses one of the agencies where they hold an active role, operators any agency (`motcua.dossiers.
policy.figures_agency_ids`, `is_operator`); an agency one may not open is a 404, as an unknown one.
The downloads are the public API's (/api/v1/reports/ii06a?format=xlsx|pdf): the figures are public.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.backoffice import queries as backoffice_queries
from motcua.backoffice.views import _payment_reports, _receives, officer_required
from motcua.catalog.models import Agency
from motcua.metrics import exports, queries, report_rows

PERIODS = {
    "month": gettext_lazy("Tháng"),
    "quarter": gettext_lazy("Quý"),
    "year": gettext_lazy("Năm"),
    "custom": gettext_lazy("Từ ngày … đến ngày …"),
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ReportForm(forms.Form):
    """The agency and the period. The period's bounds come out as cleaned_data["start"] and ["end"]."""

    agency = forms.ChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị"),
        help_text=gettext_lazy("Số liệu gồm cơ quan đã chọn và mọi cơ quan trực thuộc."),
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Kỳ báo cáo"), choices=[*PERIODS.items()], initial="month", widget=forms.RadioSelect
    )
    month = forms.CharField(
        label=gettext_lazy("Tháng"), required=False, max_length=7, help_text=gettext_lazy("Ví dụ: 2026-11"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quý"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *[(n, f"{n}") for n in range(1, 5)]],
    )  # fmt: skip
    year = forms.IntegerField(
        label=gettext_lazy("Năm (của quý hoặc cả năm)"), required=False, min_value=2000, max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(agency.identifier, agency.name) for agency in agencies]

    def clean(self):
        data = super().clean()
        kind = data.get("period")
        try:
            if kind == "month":
                match = MONTH.match(data.get("month") or "")
                if not match or not 1 <= int(match[2]) <= 12:
                    self.add_error("month", _("Hãy nhập tháng theo dạng năm-tháng, ví dụ 2026-11."))
                    return data
                data["start"], data["end"] = report_rows.month_bounds(int(match[1]), int(match[2]))
            elif kind == "quarter":
                if data.get("quarter") is None or data.get("year") is None:
                    for name in ("quarter", "year"):
                        if data.get(name) is None and name not in self.errors:
                            self.add_error(name, _("Hãy chọn quý và nhập năm."))
                    return data
                data["start"], data["end"] = report_rows.quarter_bounds(data["year"], data["quarter"])
            elif kind == "year":
                if data.get("year") is None:
                    if "year" not in self.errors:
                        self.add_error("year", _("Hãy nhập năm, ví dụ 2026."))
                    return data
                data["start"], data["end"] = report_rows.year_bounds(data["year"])
            elif kind == "custom":
                for name in ("start", "end"):
                    if data.get(name) is None and name not in self.errors:
                        self.add_error(name, _("Hãy nhập ngày theo dạng ngày/tháng/năm."))
                if self.errors:
                    return data
        except ValueError:  # a month or year out of the calendar's range
            self.add_error("period", _("Kỳ báo cáo không hợp lệ."))
            return data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("“Đến ngày” phải sau hoặc bằng “từ ngày”."))
        elif start and end and (end - start).days > queries.MAX_PERIOD_DAYS:
            self.add_error("end", _("Kỳ báo cáo dài tối đa 5 năm."))
        return data


def _initial(agencies: list[Agency], today: dt.date) -> dict:
    return {
        "agency": agencies[0].identifier if agencies else "",
        "period": "month",
        "month": f"{today:%Y-%m}",
        "year": str(today.year),
        "quarter": str((today.month - 1) // 3 + 1),
    }


@officer_required(redirect_others=True, operators=True)
@require_GET
def ii06a(request: HttpRequest) -> HttpResponse:
    """Biểu II.06a of a chosen agency and period, one row per field; ?agency=&period=month|quarter|year|custom."""
    user = request.user
    agencies = backoffice_queries.figures_agencies(user)
    identifier = request.GET.get("agency")
    if identifier is not None and identifier not in {agency.identifier for agency in agencies}:
        raise Http404(identifier)  # another agency's report is not disclosed, as an unknown agency
    today = timezone.localdate()
    data = request.GET if request.GET else _initial(agencies, today)
    form = ReportForm(data, agencies=agencies)
    context = {
        "form": form, "table": None, "headings": exports.column_headings(),
        "groups": exports.group_headings(), "can_register": _receives(user),
        "payment_reports": _payment_reports(user), "has_agencies": bool(agencies),
    }  # fmt: skip
    if not agencies:
        return render(request, "backoffice/report_ii06a.html", context)
    if not form.is_valid():
        context["problem"] = _("Chưa lập được báo cáo: hãy sửa các mục được đánh dấu.")
        context["problem_forms"] = [form]
        return render(request, "backoffice/report_ii06a.html", context, status=400)
    agency = next(agency for agency in agencies if agency.identifier == form.cleaned_data["agency"])
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    ids, _top = queries.agency_scope(agency.identifier)
    table = report_rows.ii06a_table(ids, start, end)
    query = {"agency": agency.identifier, "from": start.isoformat(), "to": end.isoformat()}
    download = reverse("api-v1:report_ii06a")
    context.update(
        agency=agency, start=start, end=end, period=report_rows.period_label(start, end), table=table,
        rows=[(row.number, row.name, report_rows.figures(row.report)) for row in table.rows],
        total=report_rows.figures(table.total),
        agencies_under=len(ids) - 1,
        xlsx_url=f"{download}?{urlencode({**query, 'format': 'xlsx'})}",
        pdf_url=f"{download}?{urlencode({**query, 'format': 'pdf'})}",
    )  # fmt: skip
    return render(request, "backoffice/report_ii06a.html", context)
