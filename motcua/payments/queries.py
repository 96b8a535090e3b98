"""Reads of bills, payments and gateways for the front ends."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.module_loading import import_string

from motcua.catalog.models import Agency
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.payments.gateways.base import enabled_codes, gateway_classes, get_gateway
from motcua.payments.models import Bill, BillStatus, Payment, PaymentStatus, ReconciliationSnapshot

# A payment has a receipt (biên lai) once the money was taken, including when some or all was given back.
SETTLED = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


def open_bill(dossier: Dossier) -> Bill | None:
    """The bill the applicant still has to pay for this dossier, with its lines."""
    return Bill.objects.filter(dossier=dossier, status=BillStatus.OPEN).prefetch_related("lines").first()


def gateway_choices() -> list[tuple[str, str]]:
    """(code, name) of the payment gateways enabled on this instance."""
    return [(code, get_gateway(code).name) for code in enabled_codes()]


def gateway_name(code: str) -> str:
    """The display name of a gateway, enabled or not (old payments outlive a gateway's configuration)."""
    path = gateway_classes().get(code)
    if path is None:
        return code
    try:
        return str(import_string(path).name)
    except (ImportError, AttributeError):
        return code


def known_gateways() -> list[tuple[str, str]]:
    """(code, name) of every gateway this instance knows, enabled first: the choices of a report's filter."""
    enabled = enabled_codes()
    others = sorted(code for code in gateway_classes() if code not in enabled)
    return [(code, gateway_name(code)) for code in [*enabled, *others]]


def payments_for(dossier: Dossier) -> list[Payment]:
    """Every payment attempt of the dossier, oldest first, each with `gateway_name` (one query)."""
    payments = list(Payment.objects.filter(bill__dossier=dossier).select_related("bill").order_by("created_at", "pk"))
    for payment in payments:
        payment.gateway_name = gateway_name(payment.gateway)
        payment.has_receipt = payment.status in SETTLED
    return payments


def receipts_for(dossier: Dossier) -> list[Payment]:
    """The dossier's payments that have a receipt (biên lai điện tử): paid or refunded, in the order paid."""
    payments = list(
        Payment.objects.filter(bill__dossier=dossier, status__in=SETTLED)
        .select_related("bill")
        .order_by("paid_at", "pk")
    )
    for payment in payments:
        payment.gateway_name = gateway_name(payment.gateway)
    return payments


def receipt_payment(user, txn_ref: str) -> Payment | None:
    """The paid or refunded payment `txn_ref` if `user` may see its receipt; None otherwise (a 404 either way)."""
    payment = (
        Payment.objects.filter(txn_ref=txn_ref, status__in=SETTLED).select_related("bill", "bill__dossier").first()
    )
    if payment is None or not policy.can_view_receipt(user, payment.bill.dossier):
        return None
    return payment


def report_agencies(user) -> QuerySet[Agency]:
    """The agencies whose reconciliation report an officer may open, by name (the back office's link)."""
    return Agency.objects.filter(pk__in=policy.payments_report_agency_ids(user)).order_by("name")


def reconciliation_snapshots(agency: Agency, *, limit: int = 30) -> list[ReconciliationSnapshot]:
    """The agency's kept daily reconciliations, newest day first, each with `gateway_name` (the page's history)."""
    snapshots = list(ReconciliationSnapshot.objects.filter(agency=agency).order_by("-day", "gateway")[:limit])
    for snapshot in snapshots:
        snapshot.gateway_name = gateway_name(snapshot.gateway)
    return snapshots
