"""Writing notifications (thông báo) and sending their emails."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from motcua.events import services as events
from motcua.notify.models import EmailStatus, Notification

SEND_EMAIL = "notify.send_email"


def notify(*, user, title: str, body: str = "", link: str = "", now: dt.datetime | None = None) -> Notification:
    """Create an in-app notification in the caller's transaction; its email leaves through the outbox, so it
    is sent once the change commits and never for a change that rolls back."""
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
        events.enqueue(
            handler=SEND_EMAIL, payload={"notification": notification.pk}, key=f"notification:{notification.pk}"
        )
    return notification


def send_email(*, notification_id: int) -> None:
    """Send a notification's email unless it has been sent (the outbox retries this on failure).

    The Message-ID is the notification's own, so the rare second copy after a worker died between sending and
    recording it is recognisable as the same message.
    """
    notification = (
        Notification.objects.select_related("user").filter(pk=notification_id, email_status=EmailStatus.PENDING).first()
    )
    if notification is None:
        return
    domain = urlsplit(settings.MOTCUA_SITE_URL).hostname or "motcua.invalid"
    EmailMessage(
        subject=notification.title,
        body=f"{notification.body}\n\n{settings.MOTCUA_SITE_URL}{notification.link}".strip(),
        to=[notification.user.email],
        headers={"Message-ID": f"<notification-{notification.pk}@{domain}>"},
    ).send()
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now()
    )


def mark_email_failed(*, notification_id: int) -> None:
    """The outbox gave up on the email: the in-app notification stays, the email is marked failed."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.FAILED
    )


def mark_read(*, user, notification_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=now or timezone.now())
