"""Display helpers for compliance cost: amounts in đồng (zero and negative ones too) and hours, and the estimate
panel a procedure's page includes (an inclusion tag, so the catalogue below this app never imports it)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("regulations/_compliance_cost.html")
def compliance_cost(procedure) -> dict:
    """The procedure's estimate on paper and online, as in force today (nothing when no unit costs apply yet)."""
    from django.utils import timezone

    from motcua.regulations.queries import estimate

    return {"cost": estimate(procedure, timezone.localdate())}


@register.filter
def vnd(amount: int | None) -> str:
    """1749750 → "1.749.750 đồng"; 0 → "0 đồng" (a saving of nothing, not a fee waived)."""
    if amount is None:
        return ""
    return _("%(amount)s đồng") % {"amount": number_format(amount, force_grouping=True)}


@register.filter
def hours(value: Decimal | int | None) -> str:
    """3.50 → "3,5" (in the current language's format), for a count of hours."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places, force_grouping=True)


@register.filter
def vnd_short(amount: int | None) -> str:
    """A large amount the way reports say it: 6_490_000_000_000 → "6.490 tỷ đồng", 1_749_750 → "1,7 triệu đồng"."""
    if amount is None:
        return ""
    for size, label in ((10**9, _("%(amount)s tỷ đồng")), (10**6, _("%(amount)s triệu đồng"))):
        if abs(amount) >= size:
            number = (Decimal(amount) / size).quantize(Decimal("0.1"))
            places = 0 if number == number.to_integral_value() or abs(number) >= 100 else 1
            return label % {"amount": number_format(number, decimal_pos=places, force_grouping=True)}
    return vnd(amount)
