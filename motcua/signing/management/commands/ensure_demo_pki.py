from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from motcua.signing.pki import ensure_demo_pki


class Command(BaseCommand):
    help = "Create the development-only demo root CA under MOTCUA_PKI_DIR (reused if present; refused in production)."

    def handle(self, *args, **options):
        try:
            pki = ensure_demo_pki()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        state = "created" if pki.created else "already present"
        self.stdout.write(f"Demo root CA {state}: {pki.directory} (development only).")
