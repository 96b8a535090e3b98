"""Writing and sending notifications."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from motcua.notify.models import EmailStatus, Notification

logger = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5


def notify(*, user, title: str, body: str = "", link: str = "", now: dt.datetime | None = None) -> Notification:
    """Create an in-app notification in the caller's transaction; its email goes out after commit."""
    wants_email = bool(getattr(user, "email", ""))
    notification = Notification.objects.create(
        user=user,
        title=title[:300],
        body=body,
        link=link,
        created_at=now or timezone.now(),
        email_status=EmailStatus.PENDING if wants_email else EmailStatus.NONE,
    )
    if wants_email:
        transaction.on_commit(lambda: send_pending_email(notification_id=notification.pk))
    return notification


def send_pending_email(*, notification_id: int) -> bool:
    """Send one pending email; a failure leaves it pending (until MAX_EMAIL_ATTEMPTS) for a later retry."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id, email_status=EmailStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.email_attempts += 1
        try:
            send_mail(
                subject=notification.title,
                message=f"{notification.body}\n\n{settings.MOTCUA_SITE_URL}{notification.link}".strip(),
                from_email=None,
                recipient_list=[notification.user.email],
            )
        except Exception:  # any transport error: keep it for a retry
            logger.exception("notification email failed", extra={"notification": notification_id})
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_status = EmailStatus.FAILED
            notification.save(update_fields=["email_attempts", "email_status"])
            return False
        notification.email_status = EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_attempts", "email_status", "emailed_at"])
        return True


def send_all_pending_emails() -> int:
    """Retry every pending email (the outbox worker's job). Returns how many were sent."""
    ids = list(Notification.objects.filter(email_status=EmailStatus.PENDING).values_list("pk", flat=True)[:1000])
    return sum(send_pending_email(notification_id=pk) for pk in ids)


def mark_read(*, user, notification_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=now or timezone.now())
