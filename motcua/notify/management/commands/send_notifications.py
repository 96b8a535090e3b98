from django.core.management.base import BaseCommand

from motcua.notify.services import send_all_pending_emails


class Command(BaseCommand):
    help = "Send the notification emails still pending (after a crash or a mail server outage)."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {send_all_pending_emails()} pending emails.")
