from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.accounts import totp
from motcua.demo.services import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current one-time code of the demo officers and administrator (development only; one demo secret)."

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("Not available with MOTCUA_ENV=production.")
        seconds = totp.STEP_SECONDS - int(totp.now()) % totp.STEP_SECONDS
        self.stdout.write(f"{totp.code_at(DEMO_TOTP_SECRET)}  (valid for {seconds} more seconds)")
