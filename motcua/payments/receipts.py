"""Biên lai thu phí, lệ phí điện tử: the receipt of a paid payment, as a PDF signed with the agency's key.

A receipt is derived from the ledger (the payment, its bill and the bill's lines) each time it is asked for,
and never stored: a refund made later shows on the next download, and there is no second copy to keep in
step. Its number is the payment's `txn_ref`, the reference the applicant, the agency and the gateway share.
Only a payment whose money was taken (paid, or paid then refunded) has one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import UserKind
from motcua.payments.models import BillStatus, Payment
from motcua.payments.queries import SETTLED, gateway_name
from motcua.signing.pades import sign_pdf
from motcua.signing.rendering import _local, _pdf, _place_date

TEMPLATE = "payments/receipt.html"


class NoReceipt(ValueError):
    """The payment has no receipt (it was never paid)."""


def dong(amount: int) -> str:
    """10000 → "10.000 đồng": the receipt is a Vietnamese document whatever the reader's language."""
    return f"{amount:,} đồng".replace(",", ".")


def _via(name: str) -> str:
    """ "cổng VNPay", or "cổng thanh toán thử nghiệm" for a gateway whose name already says "Cổng ..."."""
    if name.lower().startswith("cổng"):
        return name[:1].lower() + name[1:]
    return f"cổng {name}"


def _moment(moment: dt.datetime | None) -> str:
    return _local(moment).strftime("%H:%M:%S ngày %d/%m/%Y") if moment else ""


def _load(payment: Payment) -> Payment:
    """The payment with everything its receipt shows, in two queries."""
    return (
        Payment.objects.select_related(
            "bill", "bill__dossier", "bill__dossier__agency", "bill__dossier__agency__parent",
            "bill__dossier__agency__unit", "bill__dossier__applicant", "bill__dossier__procedure_version",
            "bill__dossier__procedure_version__procedure",
        )
        .prefetch_related("bill__lines")
        .get(pk=payment.pk)
    )  # fmt: skip


def receipt_context(payment: Payment) -> dict:
    """What the receipt says, from the ledger (raises NoReceipt for a payment that was never paid)."""
    payment = _load(payment)
    if payment.status not in SETTLED or payment.paid_at is None:
        raise NoReceipt(f"Giao dịch {payment.txn_ref} chưa được thanh toán nên chưa có biên lai.")
    bill = payment.bill
    dossier = bill.dossier
    agency = dossier.agency
    organisation = dossier.applicant.kind == UserKind.ORGANISATION
    lines = [
        {
            "number": index,
            "kind": line.get_kind_display(),
            "name": line.name,
            "legal_basis": line.legal_basis,
            "quantity": line.quantity,
            "unit": line.get_unit_display(),
            "unit_amount": dong(line.unit_amount),
            "amount": dong(line.amount),
            "note": line.note,
        }
        for index, line in enumerate(bill.lines.all(), start=1)
    ]
    name = gateway_name(payment.gateway)
    return {
        "payment": payment,
        "dossier": dossier,
        "version": dossier.procedure_version,
        "agency": agency,
        "parent_name": agency.parent.name if agency.parent_id and agency.parent else "",
        # A receipt is dated on the day the money was taken, not on the day it is downloaded.
        "place_date": _place_date(agency, payment.paid_at),
        "number": payment.txn_ref,
        "payer": dossier.applicant_name,
        "identifier_label": "Mã số thuế" if organisation else "Số định danh cá nhân",
        "identifier": dossier.applicant_identifier,
        "lines": lines,
        "bill_total": dong(bill.total),
        "amount": dong(payment.amount),
        # A payment for a bill that was cancelled meanwhile, or a second payment of a paid bill, is money the
        # agency holds without a debt behind it: the receipt says so rather than hiding it.
        "amount_differs": payment.amount != bill.total,
        "bill_not_paid": bill.status != BillStatus.PAID,
        "via": _via(name),
        "gateway_name": name,
        "gateway_txn_no": payment.gateway_txn_no,
        "paid_at": _moment(payment.paid_at),
        "refunded": dong(payment.refunded_amount) if payment.refunded_amount else "",
        "kept": dong(payment.amount - payment.refunded_amount),
        "fully_refunded": payment.refunded_amount >= payment.amount,
        "verify_url": settings.MOTCUA_SITE_URL + reverse("signing:verify_upload"),
    }


def render_receipt(payment: Payment, *, now: dt.datetime | None = None) -> bytes:
    """The receipt of a paid or refunded payment as PDF, signed (PAdES, visible stamp) with its agency's key.

    Raises NoReceipt when the payment was never paid. Made on demand, never stored.
    """
    context = receipt_context(payment)
    unsigned = _pdf(TEMPLATE, context)
    return sign_pdf(
        unsigned,
        agency=context["agency"],
        reason=f"Biên lai thu phí, lệ phí điện tử số {context['number']}",
        location=context["agency"].name,
        signed_at=now or timezone.now(),
    )
