"""Reads of bills and gateways for the front ends."""

from __future__ import annotations

from motcua.dossiers.models import Dossier
from motcua.payments.gateways.base import enabled_codes, get_gateway
from motcua.payments.models import Bill, BillStatus


def open_bill(dossier: Dossier) -> Bill | None:
    """The bill the applicant still has to pay for this dossier, with its lines."""
    return Bill.objects.filter(dossier=dossier, status=BillStatus.OPEN).prefetch_related("lines").first()


def gateway_choices() -> list[tuple[str, str]]:
    """(code, name) of the payment gateways enabled on this instance."""
    return [(code, get_gateway(code).name) for code in enabled_codes()]
