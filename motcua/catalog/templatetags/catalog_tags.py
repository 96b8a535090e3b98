"""Display helpers for catalogue pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def plain_number(value: Decimal | int | float | None) -> str:
    """5.00 → "5", 0.50 → "0,5" (in the current language's format)."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places)


@register.filter
def processing_time(version) -> str:
    amount = plain_number(version.processing_time)
    count = int(version.processing_time) if version.processing_time == int(version.processing_time) else 2
    if version.processing_time_unit == "working_hour":
        return ngettext("%(amount)s giờ làm việc", "%(amount)s giờ làm việc", count) % {"amount": amount}
    return ngettext("%(amount)s ngày làm việc", "%(amount)s ngày làm việc", count) % {"amount": amount}


@register.filter
def dong(amount: int | None) -> str:
    """An amount in Vietnamese đồng: 50000 → "50.000 đồng"; 0 → "Miễn phí"."""
    if amount is None:
        return ""
    if amount == 0:
        return _("Không thu")
    return _("%(amount)s đồng") % {"amount": number_format(amount, force_grouping=True)}
