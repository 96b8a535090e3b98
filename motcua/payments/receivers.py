"""What the payments part does when something happens to a dossier (connected in PaymentsConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from motcua.dossiers.signals import dossier_closed, dossier_filed
from motcua.payments import services


@receiver(dossier_filed, dispatch_uid="payments.bill_fees_due_on_submission")
def bill_fees_due_on_submission(sender, *, dossier, now, **kwargs) -> None:
    services.bill_on_filing(dossier=dossier, now=now)


@receiver(dossier_closed, dispatch_uid="payments.cancel_bills_of_closed_dossier")
def cancel_bills_of_closed_dossier(sender, *, dossier, now, **kwargs) -> None:
    services.cancel_open_bills(dossier=dossier, now=now)
