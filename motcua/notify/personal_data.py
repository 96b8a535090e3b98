"""Notifications in a data subject's download and erasure (wallet.signals; connected in NotifyConfig)."""

from __future__ import annotations

from django.dispatch import receiver

from motcua.notify.models import Notification
from motcua.wallet.signals import ErasureOutcome, ExportSection, erasure_requested, personal_data_requested


@receiver(personal_data_requested, dispatch_uid="notify.personal_data")
def export_notifications(sender, *, subject, **kwargs) -> ExportSection:
    records = Notification.objects.filter(user=subject).order_by("created_at", "pk")
    return ExportSection(
        "notifications", list(records.values("title", "body", "link", "created_at", "read_at", "email_status"))
    )


@receiver(erasure_requested, dispatch_uid="notify.erasure")
def erase_notifications(sender, *, subject, now, **kwargs) -> ErasureOutcome:
    """Notifications are copies of what the dossiers say; the dossiers themselves are kept."""
    deleted, _by_model = Notification.objects.filter(user=subject).delete()
    return ErasureOutcome(deleted={"notifications": deleted})
