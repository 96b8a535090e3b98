"""Fees and payments in a data subject's download (wallet.signals; connected in PaymentsConfig)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from motcua.payments.models import Bill, Payment, PaymentEvent
from motcua.wallet.signals import ErasureOutcome, ExportSection, erasure_requested, personal_data_requested


@receiver(personal_data_requested, dispatch_uid="payments.personal_data")
def export_payments(sender, *, subject, **kwargs) -> list[ExportSection]:
    bills = (
        Bill.objects.filter(dossier__applicant=subject)
        .select_related("dossier")
        .prefetch_related("lines")
        .order_by("created_at", "pk")
    )
    payments = Payment.objects.filter(bill__dossier__applicant=subject).order_by("created_at", "pk")
    return [
        ExportSection(
            "bills",
            [
                {
                    "dossier__code": bill.dossier.code,
                    "total": bill.total,
                    "status": bill.status,
                    "applicant_category": bill.applicant_category,
                    "copies": bill.copies,
                    "pages": bill.pages,
                    "online": bill.online,
                    "created_at": bill.created_at,
                    "paid_at": bill.paid_at,
                    "cancelled_at": bill.cancelled_at,
                    # What each amount was for (thông báo phí): the lines the applicant was asked to pay.
                    "lines": [
                        {
                            "kind": line.kind,
                            "name": line.name,
                            "quantity": line.quantity,
                            "unit_amount": line.unit_amount,
                            "amount": line.amount,
                            "note": line.note,
                        }  # fmt: skip
                        for line in sorted(bill.lines.all(), key=lambda line: line.position)
                    ],
                }  # fmt: skip
                for bill in bills
            ],
        ),
        ExportSection(
            "payments",
            list(
                payments.values(
                    "bill__dossier__code",
                    "gateway",
                    "txn_ref",
                    "amount",
                    "status",
                    "created_at",
                    "paid_at",
                    "refunded_amount",
                )
            ),
        ),
        # What the gateways said of each payment (notifications, queries, refunds), as they said it.
        ExportSection(
            "payment_events",
            list(
                PaymentEvent.objects.filter(payment__bill__dossier__applicant=subject)
                .order_by("received_at", "pk")
                .values("payment__txn_ref", "gateway", "kind", "outcome", "detail", "raw", "received_at")
            ),
        ),
    ]


@receiver(erasure_requested, dispatch_uid="payments.erasure")
def keep_payments(sender, *, subject, now, **kwargs) -> ErasureOutcome:
    return ErasureOutcome(
        kept={"payments": _("Chứng từ thu phí, lệ phí được lưu theo Luật Kế toán và quy định về biên lai điện tử.")}
    )
