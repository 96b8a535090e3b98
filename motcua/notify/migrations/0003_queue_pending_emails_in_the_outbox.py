"""Emails still pending when the outbox arrives get their outbox message, so the relay sends them."""

from django.db import migrations
from django.utils import timezone


def queue_pending_emails(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    OutboxMessage = apps.get_model("events", "OutboxMessage")
    now = timezone.now()
    pending = Notification.objects.filter(email_status="pending").values_list("pk", flat=True)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                handler="notify.send_email",
                payload={"notification": pk},
                key=f"notification:{pk}",
                created_at=now,
                available_at=now,
            )
            for pk in pending.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def unqueue_pending_emails(apps, schema_editor):
    OutboxMessage = apps.get_model("events", "OutboxMessage")
    OutboxMessage.objects.filter(handler="notify.send_email", status="pending").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_email_attempts_move_to_the_outbox"),
        ("events", "0001_create_outbox"),
    ]

    operations = [migrations.RunPython(queue_pending_emails, unqueue_pending_emails)]
