from django.core.management.base import BaseCommand, CommandError

from motcua.demo.services import seed_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent): units, agencies of the demo province, the procedure catalogue."

    def handle(self, *args, **options):
        try:
            summary = seed_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary:
            self.stdout.write(line)
